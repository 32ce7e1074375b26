using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Row-major single-precision matrix products used by the generated cells: <c>C += A·B</c> and
/// <c>C += Aᵀ·B</c>. One register-blocked SIMD micro-kernel serves both: it keeps a 4-row × 16-column
/// tile of C in eight 256-bit accumulators and streams B row by row, so B is read contiguously and A is
/// read as scalars broadcast to every lane; only the strides of A differ between the two forms.
/// </summary>
public static class Gemm
{
    private const int RowBlock = 4;

    /// <summary><c>C[m×n] += A[m×k] · B[k×n]</c>, all row-major with leading dimensions.</summary>
    public static void MultiplyAdd(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        Check(m, n, k, a, (m - 1) * lda + k, b, ldb, c, ldc);
        if (m == 0 || n == 0 || k == 0) return;
        Kernel(m, n, k, ref MemoryMarshal.GetReference(a), lda, 1, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    /// <summary><c>C[m×n] += Aᵀ · B[k×n]</c> where A is stored <c>[k×m]</c> row-major with leading dimension <paramref name="lda"/>.</summary>
    public static void MultiplyAddTransposedA(int m, int n, int k, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        Check(m, n, k, a, (k - 1) * lda + m, b, ldb, c, ldc);
        if (m == 0 || n == 0 || k == 0) return;
        Kernel(m, n, k, ref MemoryMarshal.GetReference(a), 1, lda, ref MemoryMarshal.GetReference(b), ldb, ref MemoryMarshal.GetReference(c), ldc);
    }

    private static void Check(int m, int n, int k, ReadOnlySpan<float> a, int aNeeded, ReadOnlySpan<float> b, int ldb, Span<float> c, int ldc)
    {
        if (m < 0 || n < 0 || k < 0) throw new ArgumentOutOfRangeException(nameof(m), $"matrix sizes must be ≥ 0, got m={m}, n={n}, k={k}");
        if (m == 0 || n == 0 || k == 0) return;
        if (a.Length < aNeeded) throw new ArgumentException($"A needs {aNeeded} floats, has {a.Length}", nameof(a));
        if (b.Length < (k - 1) * ldb + n) throw new ArgumentException($"B needs {(k - 1) * ldb + n} floats, has {b.Length}", nameof(b));
        if (c.Length < (m - 1) * ldc + n) throw new ArgumentException($"C needs {(m - 1) * ldc + n} floats, has {c.Length}", nameof(c));
    }

    // A(i, p) lives at a[i·ai + p·ap].
    private static void Kernel(int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        int w = Vector256<float>.Count;
        int i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            ref float a0 = ref Unsafe.Add(ref a, i * ai);
            ref float a1 = ref Unsafe.Add(ref a0, ai);
            ref float a2 = ref Unsafe.Add(ref a1, ai);
            ref float a3 = ref Unsafe.Add(ref a2, ai);
            ref float c0 = ref Unsafe.Add(ref c, i * ldc);
            ref float c1 = ref Unsafe.Add(ref c0, ldc);
            ref float c2 = ref Unsafe.Add(ref c1, ldc);
            ref float c3 = ref Unsafe.Add(ref c2, ldc);
            int j = 0;
            for (; j + 2 * w <= n; j += 2 * w)
            {
                var s00 = Vector256.LoadUnsafe(ref c0, (nuint)j); var s01 = Vector256.LoadUnsafe(ref c0, (nuint)(j + w));
                var s10 = Vector256.LoadUnsafe(ref c1, (nuint)j); var s11 = Vector256.LoadUnsafe(ref c1, (nuint)(j + w));
                var s20 = Vector256.LoadUnsafe(ref c2, (nuint)j); var s21 = Vector256.LoadUnsafe(ref c2, (nuint)(j + w));
                var s30 = Vector256.LoadUnsafe(ref c3, (nuint)j); var s31 = Vector256.LoadUnsafe(ref c3, (nuint)(j + w));
                ref float bj = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    ref float bp = ref Unsafe.Add(ref bj, p * ldb);
                    var b0 = Vector256.LoadUnsafe(ref bp);
                    var b1 = Vector256.LoadUnsafe(ref bp, (nuint)w);
                    int o = p * ap;
                    var x = Vector256.Create(Unsafe.Add(ref a0, o));
                    s00 = Vector256.MultiplyAddEstimate(x, b0, s00); s01 = Vector256.MultiplyAddEstimate(x, b1, s01);
                    x = Vector256.Create(Unsafe.Add(ref a1, o));
                    s10 = Vector256.MultiplyAddEstimate(x, b0, s10); s11 = Vector256.MultiplyAddEstimate(x, b1, s11);
                    x = Vector256.Create(Unsafe.Add(ref a2, o));
                    s20 = Vector256.MultiplyAddEstimate(x, b0, s20); s21 = Vector256.MultiplyAddEstimate(x, b1, s21);
                    x = Vector256.Create(Unsafe.Add(ref a3, o));
                    s30 = Vector256.MultiplyAddEstimate(x, b0, s30); s31 = Vector256.MultiplyAddEstimate(x, b1, s31);
                }
                s00.StoreUnsafe(ref c0, (nuint)j); s01.StoreUnsafe(ref c0, (nuint)(j + w));
                s10.StoreUnsafe(ref c1, (nuint)j); s11.StoreUnsafe(ref c1, (nuint)(j + w));
                s20.StoreUnsafe(ref c2, (nuint)j); s21.StoreUnsafe(ref c2, (nuint)(j + w));
                s30.StoreUnsafe(ref c3, (nuint)j); s31.StoreUnsafe(ref c3, (nuint)(j + w));
            }
            for (; j + w <= n; j += w)
            {
                var s0 = Vector256.LoadUnsafe(ref c0, (nuint)j);
                var s1 = Vector256.LoadUnsafe(ref c1, (nuint)j);
                var s2 = Vector256.LoadUnsafe(ref c2, (nuint)j);
                var s3 = Vector256.LoadUnsafe(ref c3, (nuint)j);
                ref float bj = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                {
                    var b0 = Vector256.LoadUnsafe(ref Unsafe.Add(ref bj, p * ldb));
                    int o = p * ap;
                    s0 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref a0, o)), b0, s0);
                    s1 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref a1, o)), b0, s1);
                    s2 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref a2, o)), b0, s2);
                    s3 = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref a3, o)), b0, s3);
                }
                s0.StoreUnsafe(ref c0, (nuint)j);
                s1.StoreUnsafe(ref c1, (nuint)j);
                s2.StoreUnsafe(ref c2, (nuint)j);
                s3.StoreUnsafe(ref c3, (nuint)j);
            }
            if (j < n)
            {
                ScalarColumns(RowBlock, j, n, k, ref a0, ai, ap, ref b, ldb, ref c0, ldc);
            }
        }
        for (; i < m; i++)
        {
            ref float ar = ref Unsafe.Add(ref a, i * ai);
            ref float cr = ref Unsafe.Add(ref c, i * ldc);
            int j = 0;
            for (; j + w <= n; j += w)
            {
                var s = Vector256.LoadUnsafe(ref cr, (nuint)j);
                ref float bj = ref Unsafe.Add(ref b, j);
                for (int p = 0; p < k; p++)
                    s = Vector256.MultiplyAddEstimate(Vector256.Create(Unsafe.Add(ref ar, p * ap)), Vector256.LoadUnsafe(ref Unsafe.Add(ref bj, p * ldb)), s);
                s.StoreUnsafe(ref cr, (nuint)j);
            }
            if (j < n)
            {
                ScalarColumns(1, j, n, k, ref ar, ai, ap, ref b, ldb, ref cr, ldc);
            }
        }
    }

    // Columns [j0, n) of `rows` rows, one scalar at a time (the tail narrower than a vector).
    private static void ScalarColumns(int rows, int j0, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc)
    {
        for (int r = 0; r < rows; r++)
        {
            ref float ar = ref Unsafe.Add(ref a, r * ai);
            ref float cr = ref Unsafe.Add(ref c, r * ldc);
            for (int j = j0; j < n; j++)
            {
                float s = Unsafe.Add(ref cr, j);
                for (int p = 0; p < k; p++)
                    s += Unsafe.Add(ref ar, p * ap) * Unsafe.Add(ref b, p * ldb + j);
                Unsafe.Add(ref cr, j) = s;
            }
        }
    }
}
