using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu;

/// <summary>
/// Single-precision matrix products on a <see cref="GpuDevice"/>, row-major like the CPU runtime's <c>Gemm</c>:
/// <c>C[m, n] = op(A)·op(B) + beta·C</c>, where <c>op(A)</c> is <c>[m, k]</c> (A stored <c>[m, lda]</c>, or
/// <c>[k, lda]</c> when <c>transA</c>) and <c>op(B)</c> is <c>[k, n]</c> (B stored <c>[k, ldb]</c>, or <c>[n, ldb]</c>
/// when <c>transB</c>). cuBLAS's <c>sgemm</c> with row-major operands; PyTorch's <c>torch.addmm</c>.
/// One tiled shared-memory kernel: each group stages square tiles of op(A) and op(B) (32 × 32 on a GPU) and each thread
/// sums a 2×2 block of C in registers, in k order (the CPU runtime's vector order differs: results agree to float rounding).
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
        int edge = GroupEdge(device);
        if (edge == 0)
        {
            // A group of fewer than 4 threads cannot hold a 2×2 block of threads: one thread per element of C.
            var naive = device.Kernel((typeof(GpuGemm), "Naive"), static acc =>
                acc.LoadAutoGroupedStreamKernel<Index1D, GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(NaiveKernel));
            naive(m * n, new GemmShape(m, n, k, lda, ldb, ldc, transA ? 1 : 0, transB ? 1 : 0, beta, 0), a, b, c);
            return;
        }
        int tile = 2 * edge;
        var tiled = device.Kernel((typeof(GpuGemm), "Tiled"), static acc =>
            acc.LoadStreamKernel<GemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TiledKernel));
        var grid = new Index3D((m + tile - 1) / tile, (n + tile - 1) / tile, 1);
        tiled(new KernelConfig(grid, new Index3D(edge * edge, 1, 1)),
            new GemmShape(m, n, k, lda, ldb, ldc, transA ? 1 : 0, transB ? 1 : 0, beta, edge), a, b, c);
    }

    /// <summary>The largest group edge: 16 × 16 threads computing a 32 × 32 tile of C.</summary>
    private const int MaxEdge = 16;

    /// <summary>Shared-memory row stride of a staged tile: one float of padding keeps column reads off a single bank.</summary>
    private const int Stride = 2 * MaxEdge + 1;

    /// <summary>
    /// The tiled kernel's group edge on <paramref name="device"/>: groups of <c>edge × edge</c> threads, each thread
    /// computing a 2×2 block of a <c>2·edge</c>-square tile of C. The largest power of two with <c>edge² ≤</c> the
    /// device's largest group, capped at 16 (256 threads, 32×32 tiles, 8.3 KB of shared memory on a GPU); 0 when the
    /// device's groups hold fewer than 4 threads (a CPU accelerator with 2-thread groups), where the reference kernel
    /// (one thread per element of C) runs instead.
    /// </summary>
    internal static int GroupEdge(GpuDevice device)
    {
        int edge = MaxEdge;
        while (edge >= 2 && edge * edge > device.MaxGroupSize) edge /= 2;
        return edge >= 2 ? edge : 0;
    }

    private static void Check(string name, ArrayView<float> view, int rows, int columns, int stride)
    {
        if (stride < columns) throw new ArgumentOutOfRangeException(name, $"{name}'s row stride is {stride}; its rows have {columns} columns");
        long need = rows == 0 ? 0 : (long)(rows - 1) * stride + columns;
        if (view.Length < need) throw new ArgumentOutOfRangeException(name, $"{name} holds {view.Length} floats; [{rows}, {columns}] with row stride {stride} needs {need}");
    }

    /// <summary>The shape of one product, passed to the kernel by value.</summary>
    internal readonly record struct GemmShape(int M, int N, int K, int Lda, int Ldb, int Ldc, int TransA, int TransB, float Beta, int Edge);

    /// <summary>
    /// The tiled product: group (gx, gy) computes the C tile of rows gx·T… and columns gy·T…, T = 2·Edge. For each k-tile
    /// of width T, the group stages op(A)[rows, k-tile] and op(B)[k-tile, columns] in shared memory (loads laid out so
    /// consecutive threads read consecutive addresses of the stored operand, transposed or not; zeros past the edges),
    /// meets at a barrier, and each thread (tx, ty) adds the 2×2 block of rows ty, ty + Edge and columns tx, tx + Edge
    /// (strided, so a warp's B reads and C writes are consecutive). Every thread reaches every barrier: the k-tile count
    /// is the same for the whole group, and only the final stores are bounds-checked.
    /// </summary>
    private static void TiledKernel(GemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var at = SharedMemory.Allocate<float>(2 * MaxEdge * Stride); // op(A) tile [row][p]
        var bt = SharedMemory.Allocate<float>(2 * MaxEdge * Stride); // op(B) tile [p][column]
        int g = s.Edge, tile = 2 * g, threads = g * g, tid = Group.IdxX, tx = tid % g, ty = tid / g;
        int row0 = Grid.IdxX * tile, col0 = Grid.IdxY * tile;
        float c00 = 0f, c01 = 0f, c10 = 0f, c11 = 0f;
        for (int k0 = 0; k0 < s.K; k0 += tile)
        {
            for (int e = tid; e < tile * tile; e += threads)
            {
                // op(A)[row0 + i, k0 + p]: stored [m, lda] (p fastest) or, transposed, [k, lda] (i fastest).
                int i = s.TransA != 0 ? e % tile : e / tile, p = s.TransA != 0 ? e / tile : e % tile;
                int r = row0 + i, q = k0 + p;
                float v = 0f;
                if (r < s.M && q < s.K) v = s.TransA != 0 ? a[(long)q * s.Lda + r] : a[(long)r * s.Lda + q];
                at[i * Stride + p] = v;
                // op(B)[k0 + p, col0 + j]: stored [k, ldb] (j fastest) or, transposed, [n, ldb] (p fastest).
                int j = s.TransB != 0 ? e / tile : e % tile;
                p = s.TransB != 0 ? e % tile : e / tile;
                int col = col0 + j;
                q = k0 + p;
                v = 0f;
                if (q < s.K && col < s.N) v = s.TransB != 0 ? b[(long)col * s.Ldb + q] : b[(long)q * s.Ldb + col];
                bt[p * Stride + j] = v;
            }
            Group.Barrier();
            int a0 = ty * Stride, a1 = (ty + g) * Stride;
            for (int p = 0; p < tile; p++)
            {
                float x0 = at[a0 + p], x1 = at[a1 + p], y0 = bt[p * Stride + tx], y1 = bt[p * Stride + tx + g];
                c00 += x0 * y0;
                c01 += x0 * y1;
                c10 += x1 * y0;
                c11 += x1 * y1;
            }
            Group.Barrier(); // the tiles are overwritten next
        }
        Store(s, c, row0 + ty, col0 + tx, c00);
        Store(s, c, row0 + ty, col0 + tx + g, c01);
        Store(s, c, row0 + ty + g, col0 + tx, c10);
        Store(s, c, row0 + ty + g, col0 + tx + g, c11);
    }

    /// <summary>C[i, j] = sum (beta 0: C is not read) or sum + beta·C[i, j], when (i, j) lies inside C.</summary>
    private static void Store(GemmShape s, ArrayView<float> c, int i, int j, float sum)
    {
        if (i >= s.M || j >= s.N) return;
        long at = (long)i * s.Ldc + j;
        c[at] = s.Beta == 0f ? sum : sum + s.Beta * c[at];
    }

    // One thread per element of C, summing in k order: the fallback for devices whose groups hold fewer than 4 threads.
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
        Store(s, c, i, j, sum);
    }
}
