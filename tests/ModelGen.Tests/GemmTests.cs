using System;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>The SIMD products against a plain triple loop, over shapes that hit every panel width and tail.</summary>
public sealed class GemmTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 3, 5, 7 }, { 8, 32, 4 }, { 9, 33, 5 }, { 17, 63, 11 }, { 4, 16, 1 }, { 12, 120, 30 },
        { 7, 8, 3 }, { 33, 100, 19 }, { 2, 784, 9 }, { 65, 47, 66 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Products_match_a_reference(int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        int lda = k + 2, ldb = n + 3, ldc = n + 1; // padded leading dimensions
        var a = Fill(m * lda, random);
        var at = Fill(k * (m + 1), random); // Aᵀ stored [k, m] with lda m + 1
        var b = Fill(k * ldb, random);
        var c = Fill(m * ldc, random);
        var expected = (float[])c.Clone();
        var expectedT = (float[])c.Clone();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0, st = 0;
                for (int p = 0; p < k; p++)
                {
                    s += (double)a[i * lda + p] * b[p * ldb + j];
                    st += (double)at[p * (m + 1) + i] * b[p * ldb + j];
                }
                expected[i * ldc + j] += (float)s;
                expectedT[i * ldc + j] += (float)st;
            }

        var actual = (float[])c.Clone();
        Gemm.MultiplyAdd(m, n, k, a, lda, b, ldb, actual, ldc);
        Assertions.AllClose(expected, actual, 1e-5, 1e-5, $"A·B {m}×{n}×{k}");
        var actualT = (float[])c.Clone();
        Gemm.MultiplyAddTransposedA(m, n, k, at, m + 1, b, ldb, actualT, ldc);
        Assertions.AllClose(expectedT, actualT, 1e-5, 1e-5, $"Aᵀ·B {m}×{n}×{k}");
    }

    [Fact]
    public void Too_short_buffers_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[3], 2, new float[4], 2, new float[4], 2));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[4], 2, new float[3], 2, new float[4], 2));
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyAdd(2, 2, 2, new float[4], 2, new float[4], 2, new float[3], 2));
    }

    private static float[] Fill(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextSingle() * 2 - 1;
        return v;
    }
}
