using System;
using System.Globalization;

namespace ModelGen.GpuBenchmarks;

/// <summary>Counts and prints check results: <c>PASS</c>, <c>FAIL</c> or <c>SKIP</c>, one line each.</summary>
internal sealed class Checks
{
    public int Failed { get; private set; }
    public int Passed { get; private set; }

    public static string G(double v) => v.ToString("G3", CultureInfo.InvariantCulture);

    public void Pass(string name, string detail) { Passed++; Console.WriteLine($"PASS {name}: {detail}"); }

    public void Fail(string name, string detail) { Failed++; Console.WriteLine($"FAIL {name}: {detail}"); }

    public static void Skip(string name, string why) => Console.WriteLine($"SKIP {name}: {why}");

    public void That(bool ok, string name, string detail)
    {
        if (ok) Pass(name, detail);
        else Fail(name, detail);
    }

    /// <summary>Largest |a−b| / max(|b|, floor) and the index where it occurs; NaN anywhere counts as infinite.</summary>
    public static (double Error, int At) MaxRelative(ReadOnlySpan<float> actual, ReadOnlySpan<double> expected, double floor)
    {
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double e = double.IsFinite(actual[i]) ? Math.Abs(actual[i] - expected[i]) / Math.Max(Math.Abs(expected[i]), floor) : double.PositiveInfinity;
            if (e > worst || at < 0) { worst = e; at = i; }
        }
        return (worst, at);
    }

    /// <summary>
    /// Whether every element satisfies |a − e| ≤ atol + rtol·|e| (torch.allclose), and the worst ratio of the
    /// difference to that bound (≤ 1 passes).
    /// </summary>
    public static (bool Ok, double Worst, int At) AllClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol, double atol)
    {
        if (expected.Length != actual.Length) return (false, double.PositiveInfinity, -1);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double bound = atol + rtol * Math.Abs(expected[i]);
            double r = double.IsFinite(actual[i]) ? Math.Abs(actual[i] - expected[i]) / bound : double.PositiveInfinity;
            if (r > worst) { worst = r; at = i; }
        }
        return (worst <= 1, worst, at);
    }
}
