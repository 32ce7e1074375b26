using System;
using Xunit.Sdk;

namespace ModelGen.Tests;

internal static class Assertions
{
    /// <summary>
    /// Element-wise <c>|actual − expected| ≤ atol + rtol·|expected|</c>, as <c>torch.allclose</c> counts it; the
    /// failure names the first offending index and the largest error.
    /// </summary>
    public static void AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol, double atol, string what)
    {
        if (expected.Length != actual.Length)
            throw new XunitException($"{what}: expected {expected.Length} values, got {actual.Length}");
        int bad = -1, failures = 0;
        double worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double err = Math.Abs((double)actual[i] - expected[i]);
            if (!(err <= atol + rtol * Math.Abs(expected[i])))
            {
                failures++;
                if (bad < 0) bad = i;
            }
            if (!(err <= worst)) worst = err;
        }
        if (failures > 0)
            throw new XunitException($"{what}: {failures} of {expected.Length} values differ beyond rtol={rtol}, atol={atol}; first at [{bad}]: expected {expected[bad]:R}, got {actual[bad]:R}; largest error {worst:G3}");
    }
}
