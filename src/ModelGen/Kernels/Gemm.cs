using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Row-major single-precision matrix products used by the generated cells: <c>C += A·B</c> and
/// <c>C += Aᵀ·B</c>. The loops walk C in column panels (32 columns with AVX-512, then 16 and 8 with 256-bit
/// vectors, then a scalar tail); inside a panel, register tiles of C (8 rows × 32 columns with AVX-512,
/// 4 × 16 otherwise) accumulate while B is streamed row by row; a tail narrower than 8 columns is computed as
/// the 8 columns ending at the edge, from zero, keeping only the new lanes and A is read as scalars broadcast to every
/// lane. A panel of B stays in cache across all row tiles. Only A's strides differ between the two forms. Products of
/// at least <see cref="ParallelWork"/> multiply-adds are split by columns across <see cref="Threading.IntraOpThreads"/>
/// threads, with results bit-identical to one thread (<see cref="KernelPart"/>).
/// </summary>
public static class Gemm
{
    /// <summary><c>C[m×n] += A[m×k] · B[k×n]</c>, all row-major with leading dimensions.</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, <c>[m, k]</c> row-major.</param>
    /// <param name="lda">Floats between the starts of consecutive rows of A (≥ k).</param>
    /// <param name="b">B, <c>[k, n]</c> row-major.</param>
    /// <param name="ldb">Floats between the starts of consecutive rows of B (≥ n).</param>
    /// <param name="c">C, <c>[m, n]</c> row-major; the product is added to it.</param>
    /// <param name="ldc">Floats between the starts of consecutive rows of C (≥ n).</param>
    public static void MultiplyAdd(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (!Check(m, n, k, a, (m - 1) * lda + k, b, ldb, c, ldc)) return;
        Run(m, n, k, ref MemoryMarshal.GetReference(a), lda, 1, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary><c>C[m×n] += Aᵀ · B[k×n]</c> where A is stored <c>[k×m]</c> row-major with leading dimension <paramref name="lda"/>.</summary>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">The inner dimension.</param>
    /// <param name="a">A, stored <c>[k, m]</c> row-major (its transpose is used).</param>
    /// <param name="lda">Floats between the starts of consecutive rows of the stored A (≥ m).</param>
    /// <param name="b">B, <c>[k, n]</c> row-major.</param>
    /// <param name="ldb">Floats between the starts of consecutive rows of B (≥ n).</param>
    /// <param name="c">C, <c>[m, n]</c> row-major; the product is added to it.</param>
    /// <param name="ldc">Floats between the starts of consecutive rows of C (≥ n).</param>
    public static void MultiplyAddTransposedA(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (!Check(m, n, k, a, (k - 1) * lda + m, b, ldb, c, ldc)) return;
        Run(m, n, k, ref MemoryMarshal.GetReference(a), 1, lda, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary>
    /// Products of at least this many multiply-adds (m·n·k) are shared between threads when
    /// <see cref="Threading.IntraOpThreads"/> allows more than one: about 15 µs of work on one core, well above the
    /// under-1-µs cost of handing a part to a spinning worker. (When workers must be woken, see
    /// <see cref="ProductWorkers"/>; at 2^19, before that rule, a GRU(30)'s 0.6 M-multiply-add input projection got slower.)
    /// </summary>
    internal const long ParallelWork = 1L << 21;

    // Parts of a split product start on multiples of the widest panel, so each part's panels are whole.
    private static int PanelWidth => Vector512.IsHardwareAccelerated ? 32 : 16;

    private static void Run(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        int parts = (long)m * n * k >= ParallelWork ? Math.Min(Threading.IntraOpThreads, n / PanelWidth) : 1;
        if (parts < 2 || !ProductWorkers.TryRun(parts, m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc))
            Kernel(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, 0, n);
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/> of a product: the panels of the whole product that
    /// start in its range of columns. Each column goes through the same panel, in the same order of k, as in a
    /// single-threaded call, so a split product is bit-identical to an unsplit one.
    /// </summary>
    internal static void KernelPart(int part, int parts, int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        int chunk = (n + parts - 1) / parts;
        chunk = (chunk + PanelWidth - 1) / PanelWidth * PanelWidth;
        int from = part * chunk, to = Math.Min(n, from + chunk);
        if (from < to) Kernel(m, n, k, ref a, ai, ap, ref b, ldb, ref c, ldc, from, to);
    }

    // Validates sizes once so the kernels can index without bounds checks; false when there is nothing to do.
    private static bool Check(int m, int n, int k, ReadOnlySpan<float> a, int aNeeded, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"matrix sizes must be ≥ 0, got m={m}, n={n}, k={k}");
        if (m == 0 || n == 0 || k == 0) return false;
        if (a.Length < aNeeded) throw new ArgumentException($"A needs {aNeeded} floats, has {a.Length}", nameof(a));
        if (b.Length < (k - 1) * ldb + n) throw new ArgumentException($"B needs {(k - 1) * ldb + n} floats, has {b.Length}", nameof(b));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"C needs {(m - 1) * ldc + n} floats, has {c.Length}", nameof(c));
        return true;
    }

    // A(i, p) lives at a[i·ai + p·ap]. Runs the panels of the whole product's sequence that start in [from, to);
    // the tail panel belongs to the part holding its first new column.
    private static void Kernel(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, int from, int to)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; j + 32 <= n; j += 32)
                if (j >= from && j < to) Panel512(m, k, ref a, ai, ap, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc);
        }
        for (; j + 16 <= n; j += 16)
            if (j >= from && j < to) Panel256x2(m, k, ref a, ai, ap, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc);
        for (; j + 8 <= n; j += 8)
            if (j >= from && j < to) Panel256(m, k, ref a, ai, ap, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc);
        if (j == n || j < from || j >= to) return;
        if (n >= 8) TailPanel256(m, k, n - j, ref a, ai, ap, ref Unsafe.Add(ref b, n - 8), ldb, ref Unsafe.Add(ref c, n - 8), ldc);
        else ScalarColumns(m, n - j, k, ref a, ai, ap, ref Unsafe.Add(ref b, j), ldb, ref Unsafe.Add(ref c, j), ldc);
    }

    // 32 columns: tiles of 8 rows × 2 zmm (16 accumulators of the 32 registers), then single rows.
    private static void Panel512(int m, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        const int W = 16;
        int i = 0;
        for (; i + 8 <= m; i += 8)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var c00 = Vector512.LoadUnsafe(ref cr); var c01 = Vector512.LoadUnsafe(ref cr, W);
            var c10 = Vector512.LoadUnsafe(ref cr, (nuint)ldc); var c11 = Vector512.LoadUnsafe(ref cr, (nuint)(ldc + W));
            var c20 = Vector512.LoadUnsafe(ref cr, (nuint)(2 * ldc)); var c21 = Vector512.LoadUnsafe(ref cr, (nuint)(2 * ldc + W));
            var c30 = Vector512.LoadUnsafe(ref cr, (nuint)(3 * ldc)); var c31 = Vector512.LoadUnsafe(ref cr, (nuint)(3 * ldc + W));
            var c40 = Vector512.LoadUnsafe(ref cr, (nuint)(4 * ldc)); var c41 = Vector512.LoadUnsafe(ref cr, (nuint)(4 * ldc + W));
            var c50 = Vector512.LoadUnsafe(ref cr, (nuint)(5 * ldc)); var c51 = Vector512.LoadUnsafe(ref cr, (nuint)(5 * ldc + W));
            var c60 = Vector512.LoadUnsafe(ref cr, (nuint)(6 * ldc)); var c61 = Vector512.LoadUnsafe(ref cr, (nuint)(6 * ldc + W));
            var c70 = Vector512.LoadUnsafe(ref cr, (nuint)(7 * ldc)); var c71 = Vector512.LoadUnsafe(ref cr, (nuint)(7 * ldc + W));
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, p * ldb);
                var b0 = Vector512.LoadUnsafe(ref bp);
                var b1 = Vector512.LoadUnsafe(ref bp, W);
                ref float ap0 = ref Unsafe.Add(ref ar, p * ap);
                var x = Vector512.Create(ap0);
                c00 = Vector512.MultiplyAddEstimate(x, b0, c00); c01 = Vector512.MultiplyAddEstimate(x, b1, c01);
                x = Vector512.Create(Unsafe.Add(ref ap0, ai));
                c10 = Vector512.MultiplyAddEstimate(x, b0, c10); c11 = Vector512.MultiplyAddEstimate(x, b1, c11);
                x = Vector512.Create(Unsafe.Add(ref ap0, 2 * ai));
                c20 = Vector512.MultiplyAddEstimate(x, b0, c20); c21 = Vector512.MultiplyAddEstimate(x, b1, c21);
                x = Vector512.Create(Unsafe.Add(ref ap0, 3 * ai));
                c30 = Vector512.MultiplyAddEstimate(x, b0, c30); c31 = Vector512.MultiplyAddEstimate(x, b1, c31);
                x = Vector512.Create(Unsafe.Add(ref ap0, 4 * ai));
                c40 = Vector512.MultiplyAddEstimate(x, b0, c40); c41 = Vector512.MultiplyAddEstimate(x, b1, c41);
                x = Vector512.Create(Unsafe.Add(ref ap0, 5 * ai));
                c50 = Vector512.MultiplyAddEstimate(x, b0, c50); c51 = Vector512.MultiplyAddEstimate(x, b1, c51);
                x = Vector512.Create(Unsafe.Add(ref ap0, 6 * ai));
                c60 = Vector512.MultiplyAddEstimate(x, b0, c60); c61 = Vector512.MultiplyAddEstimate(x, b1, c61);
                x = Vector512.Create(Unsafe.Add(ref ap0, 7 * ai));
                c70 = Vector512.MultiplyAddEstimate(x, b0, c70); c71 = Vector512.MultiplyAddEstimate(x, b1, c71);
            }
            c00.StoreUnsafe(ref cr); c01.StoreUnsafe(ref cr, W);
            c10.StoreUnsafe(ref cr, (nuint)ldc); c11.StoreUnsafe(ref cr, (nuint)(ldc + W));
            c20.StoreUnsafe(ref cr, (nuint)(2 * ldc)); c21.StoreUnsafe(ref cr, (nuint)(2 * ldc + W));
            c30.StoreUnsafe(ref cr, (nuint)(3 * ldc)); c31.StoreUnsafe(ref cr, (nuint)(3 * ldc + W));
            c40.StoreUnsafe(ref cr, (nuint)(4 * ldc)); c41.StoreUnsafe(ref cr, (nuint)(4 * ldc + W));
            c50.StoreUnsafe(ref cr, (nuint)(5 * ldc)); c51.StoreUnsafe(ref cr, (nuint)(5 * ldc + W));
            c60.StoreUnsafe(ref cr, (nuint)(6 * ldc)); c61.StoreUnsafe(ref cr, (nuint)(6 * ldc + W));
            c70.StoreUnsafe(ref cr, (nuint)(7 * ldc)); c71.StoreUnsafe(ref cr, (nuint)(7 * ldc + W));
        }
        for (; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var s0 = Vector512.LoadUnsafe(ref cr);
            var s1 = Vector512.LoadUnsafe(ref cr, W);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, p * ldb);
                var x = Vector512.Create(Unsafe.Add(ref ar, p * ap));
                s0 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp), s0);
                s1 = Vector512.MultiplyAddEstimate(x, Vector512.LoadUnsafe(ref bp, W), s1);
            }
            s0.StoreUnsafe(ref cr);
            s1.StoreUnsafe(ref cr, W);
        }
    }

    // 16 columns: tiles of 4 rows × 2 ymm (8 accumulators), then single rows.
    private static void Panel256x2(int m, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        const int W = 8;
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var c00 = Vector256.LoadUnsafe(ref cr); var c01 = Vector256.LoadUnsafe(ref cr, W);
            var c10 = Vector256.LoadUnsafe(ref cr, (nuint)ldc); var c11 = Vector256.LoadUnsafe(ref cr, (nuint)(ldc + W));
            var c20 = Vector256.LoadUnsafe(ref cr, (nuint)(2 * ldc)); var c21 = Vector256.LoadUnsafe(ref cr, (nuint)(2 * ldc + W));
            var c30 = Vector256.LoadUnsafe(ref cr, (nuint)(3 * ldc)); var c31 = Vector256.LoadUnsafe(ref cr, (nuint)(3 * ldc + W));
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, p * ldb);
                var b0 = Vector256.LoadUnsafe(ref bp);
                var b1 = Vector256.LoadUnsafe(ref bp, W);
                ref float ap0 = ref Unsafe.Add(ref ar, p * ap);
                var x = Vector256.Create(ap0);
                c00 = Vector256.MultiplyAddEstimate(x, b0, c00); c01 = Vector256.MultiplyAddEstimate(x, b1, c01);
                x = Vector256.Create(Unsafe.Add(ref ap0, ai));
                c10 = Vector256.MultiplyAddEstimate(x, b0, c10); c11 = Vector256.MultiplyAddEstimate(x, b1, c11);
                x = Vector256.Create(Unsafe.Add(ref ap0, 2 * ai));
                c20 = Vector256.MultiplyAddEstimate(x, b0, c20); c21 = Vector256.MultiplyAddEstimate(x, b1, c21);
                x = Vector256.Create(Unsafe.Add(ref ap0, 3 * ai));
                c30 = Vector256.MultiplyAddEstimate(x, b0, c30); c31 = Vector256.MultiplyAddEstimate(x, b1, c31);
            }
            c00.StoreUnsafe(ref cr); c01.StoreUnsafe(ref cr, W);
            c10.StoreUnsafe(ref cr, (nuint)ldc); c11.StoreUnsafe(ref cr, (nuint)(ldc + W));
            c20.StoreUnsafe(ref cr, (nuint)(2 * ldc)); c21.StoreUnsafe(ref cr, (nuint)(2 * ldc + W));
            c30.StoreUnsafe(ref cr, (nuint)(3 * ldc)); c31.StoreUnsafe(ref cr, (nuint)(3 * ldc + W));
        }
        for (; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var s0 = Vector256.LoadUnsafe(ref cr);
            var s1 = Vector256.LoadUnsafe(ref cr, W);
            for (int p = 0; p < k; p++)
            {
                ref float bp = ref Unsafe.Add(ref b, p * ldb);
                var x = Vector256.Create(Unsafe.Add(ref ar, p * ap));
                s0 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp), s0);
                s1 = Vector256.MultiplyAddEstimate(x, Vector256.LoadUnsafe(ref bp, W), s1);
            }
            s0.StoreUnsafe(ref cr);
            s1.StoreUnsafe(ref cr, W);
        }
    }

    // 8 columns: tiles of 4 rows × 1 ymm, then single rows.
    private static void Panel256(int m, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var s0 = Vector256.LoadUnsafe(ref cr);
            var s1 = Vector256.LoadUnsafe(ref cr, (nuint)ldc);
            var s2 = Vector256.LoadUnsafe(ref cr, (nuint)(2 * ldc));
            var s3 = Vector256.LoadUnsafe(ref cr, (nuint)(3 * ldc));
            for (int p = 0; p < k; p++)
            {
                var b0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb));
                ref float ap0 = ref Unsafe.Add(ref ar, p * ap);
                s0 = Vector256.MultiplyAddEstimate(Vector256.Create(ap0), b0, s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, ai)), b0, s1);
                s2 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, 2 * ai)), b0, s2);
                s3 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, 3 * ai)), b0, s3);
            }
            s0.StoreUnsafe(ref cr);
            s1.StoreUnsafe(ref cr, (nuint)ldc);
            s2.StoreUnsafe(ref cr, (nuint)(2 * ldc));
            s3.StoreUnsafe(ref cr, (nuint)(3 * ldc));
        }
        for (; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            var s = Vector256.LoadUnsafe(ref cr);
            for (int p = 0; p < k; p++)
                s = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ar, p * ap)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb)), s);
            s.StoreUnsafe(ref cr);
        }
    }

    // The last r < 8 columns of a matrix at least 8 wide: the 8 columns ending at n are multiplied from zero
    // in vector registers (4-row tiles), and only the last r lanes, not yet computed, are added to C.
    private static void TailPanel256(int m, int k, int r, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        Span<float> lanes = stackalloc float[8];
        ref float l0 = ref MemoryMarshal.GetReference(lanes);
        int i = 0;
        for (; i + 4 <= m; i += 4)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            Vector256<float> s0 = default, s1 = default, s2 = default, s3 = default;
            for (int p = 0; p < k; p++)
            {
                var b0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb));
                ref float ap0 = ref Unsafe.Add(ref ar, p * ap);
                s0 = Vector256.MultiplyAddEstimate(Vector256.Create(ap0), b0, s0);
                s1 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, ai)), b0, s1);
                s2 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, 2 * ai)), b0, s2);
                s3 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ap0, 3 * ai)), b0, s3);
            }
            AddLastLanes(s0, r, ref l0, ref Unsafe.Add(ref c, i * ldc));
            AddLastLanes(s1, r, ref l0, ref Unsafe.Add(ref c, (i + 1) * ldc));
            AddLastLanes(s2, r, ref l0, ref Unsafe.Add(ref c, (i + 2) * ldc));
            AddLastLanes(s3, r, ref l0, ref Unsafe.Add(ref c, (i + 3) * ldc));
        }
        for (; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            Vector256<float> s = default;
            for (int p = 0; p < k; p++)
                s = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ar, p * ap)), Vector256.LoadUnsafe(ref Unsafe.Add(ref b, p * ldb)), s);
            AddLastLanes(s, r, ref l0, ref Unsafe.Add(ref c, i * ldc));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddLastLanes(Vector256<float> sum, int r, ref float lanes, ref float row)
    {
        sum.StoreUnsafe(ref lanes);
        for (int l = 8 - r; l < 8; l++) Unsafe.Add(ref row, l) += Unsafe.Add(ref lanes, l);
    }

    // The last columns of a matrix narrower than one vector, one scalar at a time.
    private static void ScalarColumns(int m, int columns, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            for (int j = 0; j < columns; j++)
            {
                float s = Unsafe.Add(ref cr, j);
                for (int p = 0; p < k; p++)
                    s += Unsafe.Add(ref ar, p * ap) * Unsafe.Add(ref b, p * ldb + j);
                Unsafe.Add(ref cr, j) = s;
            }
        }
    }
}
