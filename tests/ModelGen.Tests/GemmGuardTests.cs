using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests;

/// <summary>
/// A panel narrower than the register tile (n = 90 in panels of 32, 24, 16 or 12, whichever the width's tile takes)
/// starts its tile from C itself and reads a few columns past the panel, which belong to C's next row. That must never
/// reach past C's last element: here C ends exactly where an inaccessible page begins, so a read past it ends the test
/// process (Linux only: the page comes from mmap). The values themselves are checked against the same product in an
/// array here, and against a double-precision reference by GemmPropertyTests.
/// </summary>
public sealed class GemmGuardTests
{
    private const int ProtNone = 0, ProtRead = 1, ProtWrite = 2, MapPrivate = 0x02, MapAnonymous = 0x20;

    [DllImport("libc", SetLastError = true)]
    private static extern nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [DllImport("libc", SetLastError = true)]
    private static extern int mprotect(nint address, nuint length, int protection);

    [DllImport("libc", SetLastError = true)]
    private static extern int munmap(nint address, nuint length);

    [SkippableTheory]
    [InlineData(32, 90, 30, 0)]
    [InlineData(32, 90, 30, 3)]
    [InlineData(36, 90, 40, 0)]
    [InlineData(64, 90, 300, 0)] // k over several blocks: the later ones start from C, not the bias
    [InlineData(48, 45, 64, 1)]
    [InlineData(40, 20, 64, 0)]
    public void A_ragged_panel_never_reads_past_the_end_of_C(int m, int n, int k, int padC)
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the guard page comes from Linux's mmap");
        int ldc = n + padC, length = (m - 1) * ldc + n;
        var random = new Random(m * 7 + n + k);
        var a = GemmPropertyTests.Fill(m * k, random);
        var b = GemmPropertyTests.Fill(k * n, random);
        var bias = GemmPropertyTests.Fill(n, random);
        var start = GemmPropertyTests.Fill(length, random);

        nuint page = (nuint)Environment.SystemPageSize, bytes = (nuint)(length * sizeof(float));
        nuint dataPages = (bytes + page - 1) / page * page;
        nint region = mmap(0, dataPages + page, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        Assert.True(region != -1, $"mmap failed: {Marshal.GetLastPInvokeError()}");
        try
        {
            Assert.Equal(0, mprotect(region + (nint)dataPages, page, ProtNone));
            // C's last float is the last before the inaccessible page.
            ref float first = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<float>(), region + (nint)(dataPages - bytes));
            var guarded = MemoryMarshal.CreateSpan(ref first, length);

            foreach (bool withBias in new[] { false, true })
            {
                start.CopyTo(guarded);
                var expected = (float[])start.Clone();
                if (withBias)
                {
                    Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, guarded, ldc);
                    Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, expected, ldc);
                }
                else
                {
                    Gemm.MultiplyAdd(m, n, k, a, k, b, n, guarded, ldc);
                    Gemm.MultiplyAdd(m, n, k, a, k, b, n, expected, ldc);
                }
                Assert.True(guarded.SequenceEqual(expected), $"{m}×{n}×{k} (ldc {ldc}, bias {withBias}) differs from the same product in an array");
            }
        }
        finally
        {
            Assert.Equal(0, munmap(region, dataPages + page));
        }
    }
}
