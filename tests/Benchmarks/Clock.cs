using System.Diagnostics;

namespace ModelGen.Benchmarks;

/// <summary>Per-call timing from <see cref="Stopwatch"/> timestamps.</summary>
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
}
