using System;
using System.Globalization;
using System.IO;

namespace ModelGen.Benchmarks;

/// <summary>The host's load as Linux reports it.</summary>
internal static class HostLoad
{
    /// <summary>The 1-minute load average from <c>/proc/loadavg</c>; NaN where there is none (not Linux).</summary>
    public static double OneMinute() =>
        File.Exists("/proc/loadavg") ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture) : double.NaN;
}

/// <summary>
/// The CPU time this machine's processors spent on its own work and the time the hypervisor withheld from them
/// ("steal": a virtual CPU ready to run while the host ran another guest), summed over every CPU from the aggregate
/// <c>cpu</c> line of Linux's <c>/proc/stat</c>, in its clock ticks (<c>USER_HZ</c>, usually 1/100 s).
/// </summary>
/// <remarks>
/// On this project's 2-vCPU KVM hosts a two-thread round can lose a tenth of its time to other guests while a
/// one-thread round beside it loses little, which moves a thread ratio by as much as the work of a session does; the
/// benchmarks report the share stolen during their rounds so that a reader can tell the host's doing from the code's.
/// Bare metal and hosts that do not account steal show 0.
/// </remarks>
/// <param name="Busy">Ticks spent running: user, nice, system, irq and softirq (guest time is counted in user).</param>
/// <param name="Steal">Ticks the hypervisor withheld from a runnable virtual CPU.</param>
internal readonly record struct CpuTicks(long Busy, long Steal)
{
    /// <summary>The ticks so far, or null where <c>/proc/stat</c> cannot be read (not Linux).</summary>
    /// <returns>The counts, or null.</returns>
    public static CpuTicks? Now()
    {
        try
        {
            using var reader = new StreamReader("/proc/stat");
            return Parse(reader.ReadLine());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads the aggregate line, <c>cpu user nice system idle iowait irq softirq steal …</c>; a kernel too old to
    /// count steal (fewer than eight numbers) gives 0 for it.
    /// </summary>
    /// <param name="line">The first line of <c>/proc/stat</c>.</param>
    /// <returns>The counts, or null when the line is not an aggregate <c>cpu</c> line of numbers.</returns>
    public static CpuTicks? Parse(string? line)
    {
        var words = line?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words is null || words.Length < 8 || words[0] != "cpu") return null;
        var n = new long[Math.Min(words.Length - 1, 8)];
        for (int i = 0; i < n.Length; i++)
        {
            if (!long.TryParse(words[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out n[i])) return null;
        }
        return new CpuTicks(n[0] + n[1] + n[2] + n[5] + n[6], n.Length > 7 ? n[7] : 0);
    }

    /// <summary>The ticks between two readings.</summary>
    public static CpuTicks operator -(CpuTicks end, CpuTicks start) => new(end.Busy - start.Busy, end.Steal - start.Steal);

    /// <summary>The sum of two spans of ticks.</summary>
    public static CpuTicks operator +(CpuTicks a, CpuTicks b) => new(a.Busy + b.Busy, a.Steal + b.Steal);

    /// <summary>
    /// The fewest ticks (busy + steal) a share is given from: about a CPU-second at the usual 100 ticks a second, as
    /// <c>steal.sh</c> requires. Below it one tick is a percent or more, too coarse to print with a decimal.
    /// </summary>
    public const long MinimumTicks = 100;

    /// <summary>
    /// The share of the CPU time this machine's work asked for that the host withheld, steal ÷ (busy + steal), from
    /// 0 to 1; null when fewer than <see cref="MinimumTicks"/> ticks passed.
    /// </summary>
    public double? StealShare => Busy + Steal >= MinimumTicks ? (double)Steal / (Busy + Steal) : null;

    /// <summary>The steal share between two readings, or null when either is missing or too few ticks passed.</summary>
    /// <param name="start">The earlier reading.</param>
    /// <param name="end">The later reading.</param>
    /// <returns>The share, 0 to 1, or null.</returns>
    public static double? Share(CpuTicks? start, CpuTicks? end) => start is { } s && end is { } e ? (e - s).StealShare : null;

    /// <summary>A share as a percentage with one decimal, "n/a" for none.</summary>
    /// <param name="share">A share from 0 to 1, or null.</param>
    /// <returns>E.g. "3.1 %".</returns>
    public static string Show(double? share) => share is { } s ? (s * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : "n/a";
}
