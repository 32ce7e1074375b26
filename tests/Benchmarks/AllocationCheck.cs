using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--alloc-check [W1,W3,…] [--seconds S] [--threads N] [--json FILE]</c>: each workload's training step and
/// inference called in a loop for about <c>S</c> seconds (default 2) after warm-up, on one thread and on N (default:
/// every core, at least 2), counting the bytes allocated by every thread of the process
/// (<see cref="GC.GetTotalAllocatedBytes(bool)"/>, precise) in windows of calls; prints the total and the largest
/// window, and with <c>--json</c> writes them for the report. Exits with 1 when a step allocated.
/// </summary>
/// <remarks>
/// Why besides BenchmarkDotNet's memory diagnoser: it counts the same thing, every thread's bytes, over its own
/// diagnostic run divided by the operations, and in runs on this project's hosts it has shown a few bytes per step
/// (2–84 B) for a workload in one run and 0 B for the same one in the next, at one thread count and not the other. The
/// same steps in this loop, seconds each, allocated nothing on any thread (2026-12-02, every workload at 256 and
/// 128 bits): those bytes come from outside the step (the runtime's or the harness's own work during that run), and
/// this check is what shows that a step itself allocates nothing, which is the target ("0 B per step").
/// </remarks>
internal static class AllocationCheck
{
    private const int CallsPerWindow = 20;

    public static int Run(string[] args)
    {
        var ids = Workload.All.Select(w => w.Id).ToList();
        double seconds = 2;
        int many = Math.Max(2, Environment.ProcessorCount);
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": many = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = Next(); break;
                case var flag when flag.StartsWith('-'): throw new ArgumentException($"unknown option '{flag}'");
                default: ids = [.. args[i].Split(',').Select(id => id.Trim().ToUpperInvariant())]; break;
            }
        }
        if (!(seconds > 0) || many < 2) throw new ArgumentException("--seconds must be above 0 and --threads at least 2");
        int before = Threading.IntraOpThreads;
        Console.WriteLine($"vector mode {VectorWidth.Mode}; bytes allocated by every thread while each step ran in a loop for ~{seconds:0.###} s per thread count, in windows of {CallsPerWindow} calls");
        Console.WriteLine($"workload | benchmark | threads | calls | bytes | bytes per call | largest window (the most bytes in one window of {CallsPerWindow} calls)");
        var results = new List<Result>();
        foreach (var id in ids)
        {
            var (train, infer) = ThreadRatio.Create(id);
            foreach (var (kind, call) in new[] { ("training", train), ("inference", infer) })
                foreach (int threads in new[] { 1, many })
                {
                    Threading.IntraOpThreads = threads;
                    var r = Measure(id, kind, threads, call, seconds);
                    results.Add(r);
                    Console.WriteLine(FormattableString.Invariant(
                        $"{id} | {kind} | {threads} | {r.Calls} | {r.Bytes} | {(double)r.Bytes / r.Calls:0.###} | {r.LargestWindow}"));
                }
        }
        Threading.IntraOpThreads = before;
        if (json is not null)
        {
            ResultFiles.Write(json, new Document(VectorWidth.Mode, many, seconds, results));
            Console.WriteLine($"wrote {json}");
        }
        bool clean = results.All(r => r.Bytes == 0);
        Console.WriteLine(clean ? "no step allocated" : "a step allocated: see the rows above with bytes above 0");
        return clean ? 0 : 1;
    }

    private static Result Measure(string id, string kind, int threads, Func<float> call, double seconds)
    {
        // Warm-up at this setting: the first calls at a new thread count may start the workers.
        for (int i = 0; i < 3; i++) call();
        long calls = 0, bytes = 0, largest = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds || calls == 0)
        {
            long start = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < CallsPerWindow; i++) call();
            long window = GC.GetTotalAllocatedBytes(precise: true) - start;
            bytes += window;
            largest = Math.Max(largest, window);
            calls += CallsPerWindow;
        }
        return new Result(id, kind, threads, calls, bytes, largest);
    }

    /// <summary>One workload's step at one thread count: the calls made, the bytes every thread allocated during them, and the largest window's.</summary>
    internal sealed record Result(string Workload, string Kind, int Threads, long Calls, long Bytes, long LargestWindow);

    /// <summary>What <c>--json</c> writes: the vector mode, the many-thread count, the seconds per setting and every result.</summary>
    internal sealed record Document(string Mode, int Threads, double Seconds, List<Result> Results);

    /// <summary>Reads a file <c>--json</c> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    internal static Document Read(string path) =>
        ResultFiles.Read<Document>(path, "--alloc-check --json");
}
