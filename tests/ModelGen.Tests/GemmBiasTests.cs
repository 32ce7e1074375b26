using System;
using CsCheck;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>
/// <see cref="Gemm.MultiplyBias"/> and <see cref="Gemm.MultiplyBiasRows"/>: a product that starts from a bias row
/// (the input projection, a GRU's recurrent product); <see cref="Gemm.Multiply"/> and <see cref="Gemm.MultiplyRows"/>,
/// which start from zero. It sets the process-wide thread count, so it runs apart from
/// the other tests that do.
/// </summary>
[Collection(nameof(Threading.ProcessWideThreadSetting))]
public sealed class GemmBiasTests
{
    [Fact]
    public void A_product_with_a_bias_is_bit_identical_to_broadcasting_the_bias_first()
    {
        // The packed path's register tiles start from the bias row instead of C; every element must still be the
        // chain bias + Σ_p A(i, p)·B(p, j) in order of p that BroadcastRows then MultiplyAdd computes, on every path
        // (narrow, direct, packed with whole and ragged tiles, k in several blocks, split between threads), and
        // nothing outside C's block may be written.
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            Gen.Select(Gen.Frequency((2, GemmPropertyTests.Size), (1, (IGen<int>)Gen.Int[70, 400])), GemmPropertyTests.Size, GemmPropertyTests.Depth, Gen.Int[0, 3], Gen.Int[1, 2], Gen.Int)
                .Sample((m, n, k, padC, threads, seed) =>
                {
                    ModelGen.Threading.IntraOpThreads = threads;
                    var random = new Random(seed);
                    int ldc = n + padC;
                    var a = GemmPropertyTests.Fill(m * k, random);
                    var b = GemmPropertyTests.Fill(k * n, random);
                    var bias = GemmPropertyTests.Fill(n, random);
                    var expected = GemmPropertyTests.Fill(m * ldc, random);
                    var actual = (float[])expected.Clone();
                    for (int i = 0; i < m; i++) bias.AsSpan().CopyTo(expected.AsSpan(i * ldc, n));
                    Gemm.MultiplyAdd(m, n, k, a, k, b, n, expected, ldc);
                    Gemm.MultiplyBias(m, n, k, a, k, b, n, bias, actual, ldc);
                    if (!SameBits(expected, actual))
                        throw new InvalidOperationException($"bias + A·B {m}×{n}×{k} (ldc {ldc}, {threads} thread(s)) differs from broadcasting the bias first");
                    // The row form, in two slices cut at a random row, computes each row as the whole product does.
                    var rows = GemmPropertyTests.Fill(m * ldc, random);
                    for (int i = 0; i < m; i++) expected.AsSpan(i * ldc + n, padC).CopyTo(rows.AsSpan(i * ldc + n, padC));
                    int cut = m == 0 ? 0 : random.Next(m + 1);
                    Gemm.MultiplyBiasRows(m, cut, m, n, k, a, k, b, n, bias, rows, ldc);
                    Gemm.MultiplyBiasRows(m, 0, cut, n, k, a, k, b, n, bias, rows, ldc);
                    if (!SameBits(expected, rows))
                        throw new InvalidOperationException($"bias + A·B {m}×{n}×{k} (ldc {ldc}) in rows [0, {cut}) and [{cut}, {m}) differs from broadcasting the bias first");
                    // The overwriting forms: clearing C's rows and adding, without the clearing (C's old values may be NaN:
                    // none may be read).
                    var cleared = GemmPropertyTests.Fill(m * ldc, random);
                    var written = (float[])cleared.Clone();
                    var writtenRows = (float[])cleared.Clone();
                    for (int i = 0; i < m; i++)
                    {
                        cleared.AsSpan(i * ldc, n).Clear();
                        written.AsSpan(i * ldc, n).Fill(float.NaN);
                        writtenRows.AsSpan(i * ldc, n).Fill(float.NaN);
                    }
                    Gemm.MultiplyAdd(m, n, k, a, k, b, n, cleared, ldc);
                    Gemm.Multiply(m, n, k, a, k, b, n, written, ldc);
                    Gemm.MultiplyRows(m, cut, m, n, k, a, k, b, n, writtenRows, ldc);
                    Gemm.MultiplyRows(m, 0, cut, n, k, a, k, b, n, writtenRows, ldc);
                    if (!SameBits(cleared, written) || !SameBits(cleared, writtenRows))
                        throw new InvalidOperationException($"A·B {m}×{n}×{k} (ldc {ldc}, {threads} thread(s), rows cut at {cut}) written over C differs from clearing C and adding");
                }, iter: 200);
            // Large enough to be split between two threads (W3's input projection).
            ModelGen.Threading.IntraOpThreads = 2;
            var r = new Random(7);
            float[] wa = GemmPropertyTests.Fill(1792 * 128, r), wb = GemmPropertyTests.Fill(128 * 784, r), wbias = GemmPropertyTests.Fill(784, r), want = new float[1792 * 784], got = new float[1792 * 784];
            for (int i = 0; i < 1792; i++) wbias.AsSpan().CopyTo(want.AsSpan(i * 784));
            Gemm.MultiplyAdd(1792, 784, 128, wa, 128, wb, 784, want, 784);
            Gemm.MultiplyBias(1792, 784, 128, wa, 128, wb, 784, wbias, got, 784);
            Assert.True(SameBits(want, got), "W3's input projection with its bias differs from broadcasting the bias first");
            // And written over C (a cell's dx = ∂Z·Wᵀ): wider than any zero row used before, split between threads.
            var zeroStart = new float[1792 * 784];
            var overwritten = new float[1792 * 784];
            overwritten.AsSpan().Fill(float.NaN);
            Gemm.MultiplyAdd(1792, 784, 128, wa, 128, wb, 784, zeroStart, 784);
            Gemm.Multiply(1792, 784, 128, wa, 128, wb, 784, overwritten, 784);
            Assert.True(SameBits(zeroStart, overwritten), "W3-sized A·B written over C differs from clearing C and adding");
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    [Fact]
    public void Every_split_of_a_product_with_a_bias_is_bit_identical_to_one_part()
    {
        // The parts a split product hands to the workers each start their own columns from the bias.
        Gen.Select(Gen.Int[1, 80], Gen.Int[1, 200], Gen.Int[1, 300], Gen.Int[2, 5], Gen.Int)
            .Sample((m, n, k, parts, seed) =>
            {
                var random = new Random(seed);
                var a = GemmPropertyTests.Fill(m * k, random);
                var b = GemmPropertyTests.Fill(k * n, random);
                var bias = GemmPropertyTests.Fill(n, random);
                var expected = GemmPropertyTests.Fill(m * n, random);
                var split = GemmPropertyTests.Fill(m * n, random);
                for (int i = 0; i < m; i++) bias.AsSpan().CopyTo(expected.AsSpan(i * n, n));
                Gemm.KernelPart(0, 1, m, n, k, ref a[0], k, 1, ref b[0], n, ref expected[0], n);
                for (int part = parts - 1; part >= 0; part--)
                    Gemm.KernelPart(part, parts, m, n, k, ref a[0], k, 1, ref b[0], n, ref split[0], n, ref bias[0], hasBias: true);
                if (!SameBits(expected, split))
                    throw new InvalidOperationException($"bias + A·B {m}×{n}×{k} in {parts} parts differs from broadcasting the bias first");
            }, iter: 150);
    }

    [Fact]
    public void Every_form_refuses_a_leading_dimension_shorter_than_its_row()
    {
        // A negative or short leading dimension passed the length checks ((m − 1)·ld + n) and let a product write
        // before the start of its span, or overlap its own rows. Every form refuses one, naming it, and writes nothing.
        var a = new float[64];
        var b = new float[64];
        var bias = new float[8];
        var backing = new float[64];
        var c = backing.AsSpan(32, 32);
        void Refused(string name, Action call)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal(name, error.ParamName);
            Assert.All(backing, v => Assert.Equal(0f, v));
        }
        var cm = backing.AsMemory(32, 32);
        Refused("ldc", () => Gemm.MultiplyAdd(4, 8, 4, a, 4, b, 8, cm.Span, -8));
        Refused("ldc", () => Gemm.MultiplyAdd(4, 8, 4, a, 4, b, 8, cm.Span, 7));
        Refused("lda", () => Gemm.MultiplyAdd(4, 8, 4, a, -4, b, 8, cm.Span, 8));
        Refused("ldb", () => Gemm.MultiplyAdd(4, 8, 4, a, 4, b, -8, cm.Span, 8));
        Refused("lda", () => Gemm.MultiplyAddTransposedA(4, 8, 4, a, 3, b, 8, cm.Span, 8));
        Refused("ldc", () => Gemm.MultiplyAddRows(4, 0, 4, 8, 4, a, 4, b, 8, cm.Span, -8));
        Refused("ldc", () => Gemm.MultiplyBias(4, 8, 4, a, 4, b, 8, bias, cm.Span, -8));
        Refused("ldc", () => Gemm.MultiplyBias(4, 8, 0, a, 4, b, 8, bias, cm.Span, -8));
        Refused("lda", () => Gemm.MultiplyBias(4, 8, 4, a, 2, b, 8, bias, cm.Span, 8));
        Refused("ldc", () => Gemm.MultiplyBiasRows(4, 1, 3, 8, 4, a, 4, b, 8, bias, cm.Span, -8));
        Refused("k", () => Gemm.MultiplyBias(4, 8, -1, a, 4, b, 8, bias, cm.Span, 8));
        Refused("k", () => Gemm.MultiplyBiasRows(4, 0, 4, 8, -1, a, 4, b, 8, bias, cm.Span, 8));
        Refused("ldc", () => Gemm.Multiply(4, 8, 4, a, 4, b, 8, cm.Span, -8));
        Refused("ldc", () => Gemm.MultiplyRows(4, 1, 3, 8, 4, a, 4, b, 8, cm.Span, 7));
        Refused("n", () => Gemm.Multiply(4, -8, 4, a, 4, b, 8, cm.Span, 8));
        Refused("k", () => Gemm.MultiplyRows(4, 0, 4, 8, -1, a, 4, b, 8, cm.Span, 8));
        Assert.Equal(0f, c[0]);
    }

    // Bit for bit (a float comparison would take −0 for +0).
    private static bool SameBits(float[] x, float[] y) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(x.AsSpan()).SequenceEqual(System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(y.AsSpan()));

    [Fact]
    public void A_product_with_a_bias_checks_its_bias_and_allocates_nothing()
    {
        var a = new float[64 * 30];
        var b = new float[30 * 120];
        var c = new float[64 * 120];
        var error = Assert.Throws<ArgumentException>(() => Gemm.MultiplyBias(64, 120, 30, a, 30, b, 120, new float[119], c, 120));
        Assert.Contains("the bias needs 120 floats, has 119", error.Message, StringComparison.Ordinal);
        Gemm.MultiplyBias(64, 120, 30, a, 30, b, 120, new float[120], c, 120);
        var bias = new float[120];
        Assert.Equal(0, Allocations.FewestBytes(() => Gemm.MultiplyBias(64, 120, 30, a, 30, b, 120, bias, c, 120), steps: 3));
        Gemm.Multiply(64, 120, 30, a, 30, b, 120, c, 120);
        Assert.Equal(0, Allocations.FewestBytes(() => Gemm.Multiply(64, 120, 30, a, 30, b, 120, c, 120), steps: 3));
        Assert.Equal(0, Allocations.FewestBytes(() => Gemm.MultiplyRows(64, 8, 40, 120, 30, a, 30, b, 120, c, 120), steps: 3));
    }
}
