using System;
using ILGPU;
using ILGPU.Runtime;
using ModelGen.Kernels;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// The device GEMM against the CPU runtime's, on ILGPU's CPU accelerator, for every transpose and beta: the tiled
/// kernel at several group sizes (edges 2, 4, 16), odd and large shapes, views at an offset with row strides wider
/// than the rows, and the one-thread-per-element fallback on a device with 2-thread groups.
/// </summary>
public sealed class GpuGemmTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 7, 3)]
    [InlineData(17, 33, 9)]
    [InlineData(40, 12, 65)]
    [InlineData(1, 19, 11)] // one row
    [InlineData(13, 1, 11)] // one column
    [InlineData(9, 10, 1)] // k = 1
    [InlineData(6, 5, 0)] // k = 0: C = beta·C
    public void Multiply_MatchesTheCpuProduct_ForEveryTransposeAndBeta(int m, int n, int k)
    {
        using var device = GpuDevice.CpuAccelerator();
        Assert.Equal(4, GpuGemm.GroupEdge(device)); // 32-thread groups: 4×4 threads, 8×8 tiles
        EveryTransposeAndBeta(device, m, n, k, offset: 0, pad: 0);
    }

    [Fact]
    public void Multiply_Large_MatchesTheCpuProduct()
    {
        // 130 × 70 × 257 on 8×8 tiles: partial tiles on every edge, 33 k-tiles with a partial last one.
        using var device = GpuDevice.CpuAccelerator(4, 4, 4);
        EveryTransposeAndBeta(device, 130, 70, 257, offset: 0, pad: 0);
    }

    [Fact]
    public void Multiply_ViewsAtAnOffset_WithWideRowStrides_MatchTheCpuProduct()
    {
        using var device = GpuDevice.CpuAccelerator();
        EveryTransposeAndBeta(device, 11, 9, 14, offset: 5, pad: 3);
    }

    [Theory]
    [InlineData(2, 1, 0)] // 2-thread groups: the reference kernel
    [InlineData(8, 1, 2)] // 8-thread groups: 2×2 threads (a group smaller than the warp)
    [InlineData(16, 16, 16)] // 256-thread groups: 16×16 threads, 32×32 tiles, as on a GPU
    public void Multiply_EveryGroupSize_MatchesTheCpuProduct(int threadsPerWarp, int warpsPerGroup, int edge)
    {
        using var device = GpuDevice.CpuAccelerator(threadsPerWarp, warpsPerGroup, 1);
        Assert.Equal(edge, GpuGemm.GroupEdge(device));
        EveryTransposeAndBeta(device, 35, 33, 37, offset: 2, pad: 1);
    }

    /// <summary>
    /// The device's column sums (bias gradients) run in the host's documented order, rows four at a time and then one
    /// by one, so host and device training steps agree bit for bit here (a masked GRU with MAE and AMSGrad moved a
    /// weight by 1e-3 relative when the two orders differed).
    /// </summary>
    [Theory]
    [InlineData(6400, 8)]
    [InlineData(13, 31)]
    [InlineData(3, 5)]
    [InlineData(1, 1)]
    public void ColumnSums_AreTheHostsBits(int rows, int width)
    {
        using var device = GpuDevice.CpuAccelerator();
        var random = new Random(rows + width);
        var m = new float[rows * width];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(random.NextDouble() * 2 - 1) * (i % 3 == 0 ? 100f : 1f);
        var start = new float[width];
        for (int j = 0; j < width; j++) start[j] = (float)random.NextDouble();
        var host = (float[])start.Clone();
        MatrixOps.AddColumnSums(rows, m, host);
        using var dm = device.Accelerator.Allocate1D(m);
        using var dt = device.Accelerator.Allocate1D(start);
        ModelGen.Gpu.Kernels.CellKernels.AddColumnSums(device, rows, width, dm.View, width, dt.View);
        var onDevice = dt.GetAsArray1D();
        for (int j = 0; j < width; j++)
            Assert.True(BitConverter.SingleToInt32Bits(host[j]) == BitConverter.SingleToInt32Bits(onDevice[j]), $"{rows} × {width}: column {j} is {onDevice[j]:R} on the device, {host[j]:R} on the host");
    }

    [Fact]
    public void Multiply_Beta0_DoesNotReadC()
    {
        using var device = GpuDevice.CpuAccelerator();
        float[] a = { 1, 2, 3, 4, 5, 6 }, b = { 1, 0, 0, 1, 1, 1 };
        using var da = device.Accelerator.Allocate1D(a);
        using var db = device.Accelerator.Allocate1D(b);
        using var dc = device.Accelerator.Allocate1D(new[] { float.NaN, float.NaN, float.NaN, float.NaN });
        GpuGemm.Multiply(device, 2, 2, 3, da.View, 3, false, db.View, 2, false, dc.View, 2, 0f);
        Assert.Equal(new float[] { 4, 5, 10, 11 }, dc.GetAsArray1D());
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

    /// <summary>
    /// C = op(A)·op(B) + beta·C for all four transposes and beta 0/1, each operand stored at <paramref name="offset"/>
    /// in a larger buffer with row stride = row length + <paramref name="pad"/>; the floats outside the operands must
    /// stay as they were.
    /// </summary>
    private static void EveryTransposeAndBeta(GpuDevice device, int m, int n, int k, int offset, int pad)
    {
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

            int aCols = transA ? m : k, bCols = transB ? k : n;
            int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
            float[] aHost = Place(random, a, aCols, lda, offset), bHost = Place(random, b, bCols, ldb, offset);
            float[] cHost = Place(random, c, n, ldc, offset);
            using var da = device.Accelerator.Allocate1D(aHost);
            using var db = device.Accelerator.Allocate1D(bHost);
            using var dc = device.Accelerator.Allocate1D(cHost);
            GpuGemm.Multiply(device, m, n, k, Tail(da.View, offset), lda, transA, Tail(db.View, offset), ldb, transB,
                Tail(dc.View, offset), ldc, beta);
            float[] actual = dc.GetAsArray1D();
            string what = $"{m}×{n}×{k} on {device}, transA={transA} transB={transB} beta={beta}";
            for (int i = 0; i < actual.Length; i++)
            {
                int row = (i - offset) / ldc, column = (i - offset) % ldc;
                bool inside = i >= offset && row < m && column < n;
                float want = inside ? expected[row * n + column] : cHost[i];
                Assert.True(Math.Abs(actual[i] - want) <= 1e-4f * (1 + Math.Abs(want)),
                    $"{what}: C buffer[{i}] ({(inside ? $"C[{row}, {column}]" : "outside C")}) = {actual[i]}, expected {want}");
            }
        }
    }

    private static ArrayView<float> Tail(ArrayView<float> view, int offset) => view.SubView(offset, view.Length - offset);

    /// <summary><paramref name="dense"/> (rows of <paramref name="columns"/>) laid out at <paramref name="offset"/> with row stride <paramref name="ld"/>; random values elsewhere.</summary>
    private static float[] Place(Random random, float[] dense, int columns, int ld, int offset)
    {
        int rows = columns == 0 ? 0 : dense.Length / columns;
        var placed = Fill(random, offset + Math.Max(1, rows * ld));
        for (int r = 0; r < rows; r++) Array.Copy(dense, r * columns, placed, offset + r * ld, columns);
        return placed;
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
