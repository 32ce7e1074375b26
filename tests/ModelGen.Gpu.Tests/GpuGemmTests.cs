using System;
using ILGPU;
using ILGPU.Runtime;
using ModelGen.Kernels;

namespace ModelGen.Gpu.Tests;

/// <summary>The device GEMM against the CPU runtime's, on ILGPU's CPU accelerator, for every transpose and beta.</summary>
public sealed class GpuGemmTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(17, 33, 9)]
    [InlineData(40, 12, 65)]
    public void Multiply_MatchesTheCpuProduct_ForEveryTransposeAndBeta(int m, int n, int k)
    {
        using var device = GpuDevice.CpuAccelerator();
        var random = new Random(m * 1000 + n * 10 + k);
        foreach (bool transA in new[] { false, true })
        foreach (bool transB in new[] { false, true })
        foreach (float beta in new[] { 0f, 1f })
        {
            float[] a = Fill(random, m * k), b = Fill(random, k * n), c = Fill(random, m * n);
            // Reference: explicit transposes, then the CPU runtime's product.
            float[] aRow = transA ? Transpose(a, k, m) : a, bRow = transB ? Transpose(b, n, k) : b;
            float[] expected = (float[])c.Clone();
            if (beta == 0f) Array.Clear(expected);
            Gemm.MultiplyAdd(m, n, k, aRow, k, bRow, n, expected, n);

            using var da = device.Accelerator.Allocate1D(a);
            using var db = device.Accelerator.Allocate1D(b);
            using var dc = device.Accelerator.Allocate1D(c);
            GpuGemm.Multiply(device, m, n, k, da.View, transA ? m : k, transA, db.View, transB ? k : n, transB, dc.View, n, beta);
            float[] actual = dc.GetAsArray1D();
            for (int i = 0; i < actual.Length; i++)
                Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])),
                    $"transA={transA} transB={transB} beta={beta}: C[{i}] = {actual[i]}, expected {expected[i]}");
        }
    }

    [Fact]
    public void Multiply_ATooShort_SaysWhatItNeeds()
    {
        using var device = GpuDevice.CpuAccelerator();
        using var a = device.Accelerator.Allocate1D<float>(5);
        using var b = device.Accelerator.Allocate1D<float>(6);
        using var c = device.Accelerator.Allocate1D<float>(4);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() =>
            GpuGemm.Multiply(device, 2, 2, 3, a.View, 3, false, b.View, 2, false, c.View, 2, 0f));
        Assert.Contains("needs 6", e.Message, StringComparison.Ordinal);
    }

    private static float[] Fill(Random random, int n)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = random.NextSingle() * 2 - 1;
        return x;
    }

    private static float[] Transpose(float[] x, int rows, int columns)
    {
        var t = new float[x.Length];
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) t[c * rows + r] = x[r * columns + c];
        return t;
    }
}
