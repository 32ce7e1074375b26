using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;

namespace ModelGen.Benchmarks;

/// <summary>Per-call timing from <see cref="Stopwatch"/> timestamps, and the summaries the benchmark tools share.</summary>
internal static class Clock
{
    /// <summary>
    /// Seconds since <paramref name="start"/> (a <see cref="Stopwatch.GetTimestamp"/>), at the timestamp's own resolution.
    /// Not <c>Stopwatch.GetElapsedTime</c>: its <see cref="System.TimeSpan"/> drops whatever is under 100 ns, which cut
    /// a microsecond call's time by up to a tenth (always downwards) where the peers' clocks (<c>perf_counter_ns</c>) do not.
    /// </summary>
    /// <param name="start">The timestamp taken before the timed work.</param>
    /// <returns>The elapsed time in seconds.</returns>
    public static double Seconds(long start) => (Stopwatch.GetTimestamp() - start) / (double)Stopwatch.Frequency;

    /// <summary>The median of <paramref name="values"/> (the mean of the middle two for an even count).</summary>
    /// <param name="values">At least one value; not changed.</param>
    /// <returns>The median.</returns>
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        int n = sorted.Count;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /// <summary>A time for the console: milliseconds from 1 ms, else microseconds.</summary>
    /// <param name="seconds">The time in seconds.</param>
    /// <returns>For example "4.81 ms" or "35.5 µs".</returns>
    public static string Show(double seconds) => seconds >= 1e-3
        ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:0.00} ms")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:0.0} µs");
}
