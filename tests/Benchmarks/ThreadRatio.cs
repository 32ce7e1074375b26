using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--thread-ratio [W1,W3,…] [--rounds N] [--threads N] [--json FILE]</c>: each workload's training step and
/// inference timed in one process on one thread and on N (default: every core, at least 2), alternating in short
/// rounds so that load from other processes falls on both alike; prints the best and the median round of each and the
/// ratio one thread ÷ N threads (above 1: N threads faster), also as the median of each round's own ratio (the
/// report's figure: the two timings of a round are adjacent in time), and the jobs handed to other threads per call at N
/// threads (0: the step shares no work, and both settings run the same code), and the share of the machine's CPU time
/// the hypervisor withheld during each thread count's rounds (<see cref="CpuTicks"/>), and where the calling thread's
/// time went in the many-thread rounds (waiting at the end of shared jobs for workers' parts, running parts no worker
/// had claimed, and outside any shared job), and, just before and just after its rounds, how much faster a loop of
/// multiply-adds on registers alone runs on N threads than on one (<see cref="FmaScaling"/>: what the host gave many
/// threads at the time), and with <c>--json</c> writes them for the report.
/// </summary>
/// <remarks>
/// Why <c>compare.sh</c> runs this besides BenchmarkDotNet's one-thread and all-thread jobs: those are separate
/// processes minutes apart, and on a shared machine the drift between them (on this project's 2-vCPU host, up to a
/// third: 0.66× for W5's inference at 256 bits, whose code is the same in both modes because no product reaches the
/// sharing threshold) is larger than the 5 % the "not slower" target tests. Alternating rounds in one process put the same drift on both sides.
/// </remarks>
internal static class ThreadRatio
{
    public static int Run(string[] args)
    {
        var ids = Workload.All.Select(w => w.Id).ToList();
        int rounds = 15, many = Math.Max(2, Environment.ProcessorCount);
        string? json = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--threads": many = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--json": json = Next(); break;
                default: ids = [.. args[i].Split(',')]; break;
            }
        }
        if (rounds < 1 || many < 2) throw new ArgumentException("--rounds must be at least 1 and --threads at least 2");
        int before = Threading.IntraOpThreads;
        Console.WriteLine($"cores {Environment.ProcessorCount}, vector mode {VectorWidth.Mode}, {rounds} rounds of ~100 ms per thread count");
        // At least one runnable task per core over the last minute (our own earlier benchmarks leave about 1 to 2 on a
        // 2-core machine, so only more than that speaks of other work): the extra threads compete with it.
        double load = HostLoad.OneMinute(); // NaN off Linux: no note
        if (load >= Environment.ProcessorCount)
            Console.WriteLine(FormattableString.Invariant($"note: the 1-minute load average is {load:0.##}, at least the core count ({Environment.ProcessorCount}): other work is keeping this machine's cores busy and the extra threads compete with it, so the ratios below will be lower than on an idle machine (compare.sh --wait-quiet waits for a load average under 0.7 first)"));
        Console.WriteLine($"ratio: one thread's time ÷ {many} threads' (above 1: faster on {many}); the report and its targets (W3 ≥ 1.6×, every other workload ≥ 0.95×) read the median of each round's ratio");
        Console.WriteLine($"jobs shared: jobs handed to other threads in the {many}-thread rounds; 0 means both settings ran the same one-thread code, so that row's ratios are only the machine's noise");
        Console.WriteLine($"host steal: the share of the machine's CPU time the hypervisor withheld during the 1-thread / {many}-thread rounds (/proc/stat; 0 on bare metal; n/a: under {CpuTicks.MinimumTicks} ticks, about a CPU-second, in those rounds)");
        Console.WriteLine($"caller at {many} threads: the share of the {many}-thread rounds' time (their calls including each round's first two) the calling thread spent waiting at the end of shared jobs for workers' parts / running parts no worker had claimed / outside any shared job; the rest is its own parts");
        Console.WriteLine($"workload | benchmark | 1 thread best / median | {many} threads best / median | ratio best | ratio median | median of each round's ratio | jobs shared at {many} threads | host steal 1 / {many} threads | caller at {many} threads: waiting / running unclaimed parts / outside shared jobs");
        // What the host gives many threads now, before and after the rounds (FmaScaling says why).
        double fmaBefore = FmaScaling.Measure(many);
        Console.WriteLine(FormattableString.Invariant($"host: a register-only multiply-add loop runs {fmaBefore:0.00}× as fast on {many} threads as on one (of {many}×), before the rounds"));
        var results = new List<Result>();
        foreach (var id in ids)
        {
            var (train, infer) = Create(id);
            results.Add(Compare(id, "training", train, rounds, many));
            results.Add(Compare(id, "inference", infer, rounds, many));
        }
        Threading.IntraOpThreads = before;
        double fmaAfter = FmaScaling.Measure(many);
        Console.WriteLine(FormattableString.Invariant($"host: the same loop {fmaAfter:0.00}× after the rounds"));
        if (json is not null)
        {
            var doc = new Document(VectorWidth.Mode, many, rounds, Environment.ProcessorCount, results) { HostFmaScalingBefore = fmaBefore, HostFmaScalingAfter = fmaAfter };
            ResultFiles.Write(json, doc);
            Console.WriteLine($"wrote {json}");
        }
        return 0;
    }

    /// <summary>
    /// One workload's step timed on one thread and on <see cref="Document.Threads"/>: the best and median round of each,
    /// seconds per call, and the median over rounds of one thread's time ÷ many threads' time in the same round.
    /// </summary>
    internal sealed record Result(string Workload, string Kind, double OneBest, double OneMedian, double ManyBest, double ManyMedian, double PairedRatio)
    {
        /// <summary>
        /// Jobs handed to other threads per call in the many-thread rounds (<c>ProductWorkers.SharedJobs</c>); 0: the
        /// step shares no work, so both settings run the same code and their ratio is the host's noise. Null in files
        /// written before it was counted.
        /// </summary>
        public double? SharedPerCall { get; init; }

        /// <summary>
        /// The share of the machine's CPU time that the hypervisor withheld during the one-thread rounds
        /// (<see cref="CpuTicks.StealShare"/>, 0 to 1); null where it cannot be read or in files written before it was.
        /// </summary>
        public double? StealOne { get; init; }

        /// <summary>The same during the many-thread rounds, where a second virtual CPU waiting on the host slows the whole step.</summary>
        public double? StealMany { get; init; }

        /// <summary>
        /// The share of the many-thread rounds' time (0 to 1) that the calling thread spent waiting at the end of shared
        /// jobs for parts workers had claimed and not finished (<c>ProductWorkers.WaitTicks</c>): a worker that claimed
        /// late or ran slower than the caller's own part. Null in files written before it was measured.
        /// </summary>
        public double? WaitShare { get; init; }

        /// <summary>
        /// The share of the many-thread rounds' time (0 to 1) that the calling thread spent running parts of shared jobs
        /// that no worker had claimed by the time its own part was done (<c>ProductWorkers.TakenTicks</c>): one-thread time
        /// inside a shared job, where a worker was still waking or had lost its CPU. Null as <see cref="WaitShare"/>.
        /// </summary>
        public double? TakenShare { get; init; }

        /// <summary>
        /// The share of the many-thread rounds' time (0 to 1) that the calling thread spent outside any shared job (work no
        /// other thread takes: small products, serial passes, the benchmark's own code). Null as <see cref="WaitShare"/>.
        /// </summary>
        public double? SerialShare { get; init; }
    }

    /// <summary>What <c>--json</c> writes: the vector mode, the thread counts, the rounds and every result.</summary>
    internal sealed record Document(string Mode, int Threads, int Rounds, int Cores, List<Result> Results)
    {
        /// <summary>
        /// Before the rounds: a register-only multiply-add loop's rate on <see cref="Threads"/> threads at once ÷ its
        /// rate on one (<see cref="FmaScaling"/>; at most the thread count): what the host gave many threads then. Null in
        /// files written before it was measured.
        /// </summary>
        public double? HostFmaScalingBefore { get; init; }

        /// <summary>The same after the rounds.</summary>
        public double? HostFmaScalingAfter { get; init; }
    }

    /// <summary>Reads a file <c>--json</c> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    internal static Document Read(string path) =>
        ResultFiles.Read<Document>(path, "--thread-ratio --json");

    internal static (Func<float> Train, Func<float> Infer) Create(string id)
    {
        (Func<float>, Func<float>) Of<T>(T b, Action setup, Func<float> train, Func<float> infer) { setup(); return (train, infer); }
        return id switch
        {
            "W1" => new W1_SimpleRnn() is var w1 ? Of(w1, w1.Setup, w1.TrainingStep, w1.Inference) : default,
            "W2" => new W2_StackedLstm() is var w2 ? Of(w2, w2.Setup, w2.TrainingStep, w2.Inference) : default,
            "W3" => new W3_EmbeddingLstm() is var w3 ? Of(w3, w3.Setup, w3.TrainingStep, w3.Inference) : default,
            "W4" => new W4_EmbeddingSimpleRnn() is var w4 ? Of(w4, w4.Setup, w4.TrainingStep, w4.Inference) : default,
            "W5" => new W5_SingleSampleLstm() is var w5 ? Of(w5, w5.Setup, w5.TrainingStep, w5.Inference) : default,
            "W6" => new W6_StackedGru() is var w6 ? Of(w6, w6.Setup, w6.TrainingStep, w6.Inference) : default,
            _ => throw new ArgumentException($"unknown workload '{id}'"),
        };
    }

    private static Result Compare(string id, string name, Func<float> call, int rounds, int many)
    {
        var one = new List<double>();
        var two = new List<double>();
        long manyCalls = 0, manyTicks = 0;
        var jobs = default(JobCounts); // the many-thread rounds' shared jobs and the caller's time in them
        CpuTicks? stealOne = new CpuTicks(), stealMany = new CpuTicks(); // null once a reading failed
        for (int r = 0; r < rounds; r++)
        {
            foreach (int threads in r % 2 == 0 ? new[] { 1, many } : new[] { many, 1 })
            {
                Threading.IntraOpThreads = threads;
                var jobsBefore = JobCounts.Now();
                var start = CpuTicks.Now();
                long began = Stopwatch.GetTimestamp();
                var (seconds, calls) = Round(call);
                long ended = Stopwatch.GetTimestamp();
                var end = CpuTicks.Now();
                if (threads == 1) stealOne += end - start;
                else stealMany += end - start;
                (threads == 1 ? one : two).Add(seconds);
                if (threads != 1)
                {
                    // The jobs, their time and the round's time over the same calls (the round's first two included).
                    jobs += JobCounts.Now() - jobsBefore;
                    manyCalls += calls;
                    manyTicks += ended - began;
                }
            }
        }
        // Each round's two timings are adjacent in time: their ratio cancels drift slower than a round.
        var paired = new List<double>();
        for (int r = 0; r < rounds; r++) paired.Add(one[r] / two[r]);
        paired.Sort();
        one.Sort();
        two.Sort();
        double m1 = one[one.Count / 2], m2 = two[two.Count / 2], mp = paired[paired.Count / 2];
        long shared = jobs.Jobs;
        double perCall = (double)shared / manyCalls;
        double waitShare = (double)jobs.Wait / manyTicks, takenShare = (double)jobs.Taken / manyTicks, serialShare = Math.Max(0, 1 - (double)jobs.Inside / manyTicks);
        Console.WriteLine(FormattableString.Invariant(
            $"{id} | {name} | {Clock.Show(one[0])} / {Clock.Show(m1)} | {Clock.Show(two[0])} / {Clock.Show(m2)} | {one[0] / two[0]:0.00}× | {m1 / m2:0.00}× | {mp:0.00}× | {shared} in {manyCalls} calls{(shared == 0 ? " (same code: the ratio is noise)" : "")} | {CpuTicks.Show(stealOne?.StealShare)} / {CpuTicks.Show(stealMany?.StealShare)} | {100 * waitShare:0.0} % / {100 * takenShare:0.0} % / {100 * serialShare:0.0} %"));
        return new Result(id, name, one[0], m1, two[0], m2, mp)
        {
            SharedPerCall = perCall, StealOne = stealOne?.StealShare, StealMany = stealMany?.StealShare, WaitShare = waitShare, TakenShare = takenShare, SerialShare = serialShare,
        };
    }

    // ProductWorkers' counts: shared jobs, and the caller's Stopwatch ticks inside them, running parts no worker had
    // claimed, and waiting for workers' parts.
    private readonly record struct JobCounts(long Jobs, long Inside, long Taken, long Wait)
    {
        public static JobCounts Now() => new(Kernels.ProductWorkers.SharedJobs, Kernels.ProductWorkers.SharedTicks,
            Kernels.ProductWorkers.TakenTicks, Kernels.ProductWorkers.WaitTicks);

        public static JobCounts operator -(JobCounts a, JobCounts b) => new(a.Jobs - b.Jobs, a.Inside - b.Inside, a.Taken - b.Taken, a.Wait - b.Wait);

        public static JobCounts operator +(JobCounts a, JobCounts b) => new(a.Jobs + b.Jobs, a.Inside + b.Inside, a.Taken + b.Taken, a.Wait + b.Wait);
    }

    // Time per call over ~100 ms of calls (after two calls at this setting), and the calls timed (the calls before the
    // clock starts run at the same setting and share as much work, so they count for the jobs per call too).
    private static (double Seconds, long Calls) Round(Func<float> call)
    {
        call();
        call();
        var clock = Stopwatch.StartNew();
        int n = 0;
        while (clock.Elapsed.TotalMilliseconds < 100 || n < 3)
        {
            call();
            n++;
        }
        return (clock.Elapsed.TotalSeconds / n, n + 2);
    }
}
