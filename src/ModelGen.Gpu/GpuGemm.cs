using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu;

/// <summary>
/// Single-precision matrix products on a <see cref="GpuDevice"/>, row-major like the CPU runtime's <c>Gemm</c>:
/// <c>C[m, n] = op(A)·op(B) + beta·C</c>, where <c>op(A)</c> is <c>[m, k]</c> (A stored <c>[m, lda]</c>, or
/// <c>[k, lda]</c> when <c>transA</c>) and <c>op(B)</c> is <c>[k, n]</c> (B stored <c>[k, ldb]</c>, or <c>[n, ldb]</c>
/// when <c>transB</c>). cuBLAS's <c>sgemm</c> with row-major operands; PyTorch's <c>torch.addmm</c>.
/// </summary>
public static class GpuGemm
{
    /// <summary>Queues <c>C = op(A)·op(B) + beta·C</c> on the device's default stream.</summary>
    /// <param name="device">The device holding the three views.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The shared dimension.</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">A's row stride in floats.</param>
    /// <param name="transA">A is stored <c>[k, m]</c> and used transposed.</param>
    /// <param name="b">B, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">B's row stride in floats.</param>
    /// <param name="transB">B is stored <c>[n, k]</c> and used transposed.</param>
    /// <param name="c">C, row-major with leading dimension <paramref name="ldc"/>.</param>
    /// <param name="ldc">C's row stride in floats.</param>
    /// <param name="beta">0 overwrites C (its old contents are not read, NaN included); 1 adds to it.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a view is too short for its shape and stride.</exception>
    public static void Multiply(GpuDevice device, int m, int n, int k, ArrayView<float> a, int lda, bool transA,
        ArrayView<float> b, int ldb, bool transB, ArrayView<float> c, int ldc, float beta)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (m == 0 || n == 0) return;
        Check(nameof(a), a, transA ? k : m, transA ? m : k, lda);
        Check(nameof(b), b, transB ? n : k, transB ? k : n, ldb);
        Check(nameof(c), c, m, n, ldc);
        var kernel = device.Kernel(typeof(GpuGemm), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(NaiveKernel));
        kernel(m * n, new GemmShape(m, n, k, lda, ldb, ldc, transA ? 1 : 0, transB ? 1 : 0, beta), a, b, c);
    }

    private static void Check(string name, ArrayView<float> view, int rows, int columns, int stride)
    {
        if (stride < columns) throw new ArgumentOutOfRangeException(name, $"{name}'s row stride is {stride}; its rows have {columns} columns");
        long need = rows == 0 ? 0 : (long)(rows - 1) * stride + columns;
        if (view.Length < need) throw new ArgumentOutOfRangeException(name, $"{name} holds {view.Length} floats; [{rows}, {columns}] with row stride {stride} needs {need}");
    }

    /// <summary>The shape of one product, passed to the kernel by value.</summary>
    internal readonly record struct GemmShape(int M, int N, int K, int Lda, int Ldb, int Ldc, int TransA, int TransB, float Beta);

    // One thread per element of C, summing in k order. Correct everywhere; the tiled kernel replaces it where speed counts.
    private static void NaiveKernel(Index1D index, GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        int i = index / s.N, j = index % s.N;
        float sum = 0f;
        for (int p = 0; p < s.K; p++)
        {
            float av = s.TransA != 0 ? a[p * s.Lda + i] : a[i * s.Lda + p];
            float bv = s.TransB != 0 ? b[j * s.Ldb + p] : b[p * s.Ldb + j];
            sum += av * bv;
        }
        int at = i * s.Ldc + j;
        c[at] = s.Beta == 0f ? sum : sum + s.Beta * c[at];
    }
}
