using System;

namespace ModelGen.Tests;

/// <summary>
/// Central finite differences against back-propagated gradients, shared by the gradient-check tests. A value passes
/// when |numeric − analytic| ≤ 2e-3 + 2e-2·|analytic|: well above float32 round-off in the loss (about 1e-6 / 2ε)
/// plus the O(ε²) truncation error, and far below any real mistake (a wrong gate, sign or transposition gives
/// errors of order |analytic|).
/// </summary>
internal static class FiniteDifferences
{
    public const double AbsoluteTolerance = 2e-3;
    public const double RelativeTolerance = 2e-2;

    /// <summary>Perturbs each of <paramref name="values"/> by ±ε in turn and compares the slope of <paramref name="loss"/> with <paramref name="analytic"/>.</summary>
    public static void Check(float[] values, float[] analytic, Func<double> loss, float epsilon, Func<int, string> describe)
    {
        for (int i = 0; i < values.Length; i++)
        {
            float saved = values[i];
            values[i] = saved + epsilon;
            double plus = loss();
            values[i] = saved - epsilon;
            double minus = loss();
            values[i] = saved;
            AssertClose((plus - minus) / (2 * epsilon), analytic[i], describe(i));
        }
    }

    /// <summary>Fails with both values and the error when they differ by more than the tolerance.</summary>
    public static void AssertClose(double numeric, double analytic, string what)
    {
        double error = Math.Abs(numeric - analytic);
        Assert.True(error <= AbsoluteTolerance + RelativeTolerance * Math.Abs(analytic),
            $"{what}: finite difference {numeric:G6}, backward {analytic:G6}, error {error:G3}");
    }
}
