// ModelGen speed benchmarks.
//   dotnet run -c Release --project tests/Benchmarks -- --filter '*W?_*'        the 24 workload benchmarks (~10 min on 2 cores)
//   dotnet run -c Release --project tests/Benchmarks -- --filter '*W3*' --json  one workload, plus a full JSON report
//   dotnet run -c Release --project tests/Benchmarks -- --report …             docs/benchmarks.md from saved results
//   dotnet run -c Release --project tests/Benchmarks -- --onnx-peer --threads 1 --out onnx-1.json   ONNX Runtime peer
//   dotnet run -c Release --project tests/Benchmarks -- --thread-ratio W2,W3 --rounds 15                  1 vs 2 threads, in one process
//   dotnet run -c Release --project tests/Benchmarks -- --paired W2,W3 --rounds 9                          ModelGen vs PyTorch (torch_peer.py --serve), alternating rounds
//   dotnet run -c Release --project tests/Benchmarks -- --paired --against-width 128                       this width vs 128 bits (a --serve child), alternating rounds
//   dotnet run -c Release --project tests/Benchmarks -- --alloc-check W2,W3 --seconds 2                    bytes every thread allocates per step, in a loop (0 expected)
//   dotnet run -c Release --project tests/Benchmarks -- --vector-width                           512, 256, 128 or 128sse (this process)
//   dotnet run -c Release --project tests/Benchmarks -- --sweep …                                the size sweep (sweep.sh)
// Environment: MODELGEN_BENCH_JOBS=one (one-thread job only), MODELGEN_BENCH_SHORT=1 (the short job of the extra
// widths), MODELGEN_BENCH_EXPECT_WIDTH=256 (every benchmark process checks that it runs at that vector width),
// MODELGEN_BENCH_INPROCESS=1 (no child processes: for a machine with the .NET runtime but no SDK; compare-published.sh).
// tests/Benchmarks/compare.sh runs these and torch_peer.py in one go.
using System;
using System.Collections.Generic;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters.Json;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace ModelGen.Benchmarks;

/// <summary>Entry point: BenchmarkSwitcher (all BenchmarkDotNet options), <c>--json</c>, or <c>--report</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmarks selected on the command line, or writes the report.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "--report") return Report.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--onnx-peer") return OnnxPeer.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--sweep") return Sweep.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--vector-width") { Console.WriteLine(VectorWidth.Mode); return 0; }
        if (args.Length > 0 && args[0] == "--thread-ratio") return ThreadRatio.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--paired") return PairedPeer.Run(args[1..]);
        if (args.Length > 0 && args[0] == "--serve") return PairedPeer.Serve(args[1..]);
        if (args.Length > 0 && args[0] == "--alloc-check") return AllocationCheck.Run(args[1..]);

        // This program's own modes take their options after the mode's flag; anywhere else BenchmarkDotNet would
        // print its help for an unknown option and exit with 0, which a script takes for success.
        string[] ours = ["--report", "--onnx-peer", "--sweep", "--vector-width", "--thread-ratio", "--paired", "--serve", "--alloc-check", "--against-width", "--rounds", "--python", "--peer"];
        if (Array.Find(args, a => Array.IndexOf(ours, a) >= 0) is { } misplaced)
        {
            Console.Error.WriteLine($"'{misplaced}' belongs to one of this program's own modes, whose flag must come first: e.g. `-- --paired W1,W4 --against-width 128`; the other arguments go to BenchmarkDotNet (e.g. `-- --filter '*W3*'`)");
            return 2;
        }
        var rest = new List<string>();
        bool json = false;
        foreach (var a in args)
        {
            if (a == "--json") json = true;
            else rest.Add(a);
        }
        var config = CreateConfig();
        if (json) config = config.AddExporter(JsonExporter.Full);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run([.. rest], config);
        foreach (var summary in summaries)
            if (summary.HasCriticalValidationErrors || summary.Reports.Length == 0 || !AllSucceeded(summary)) return 1;
        return 0;
    }

    private static bool AllSucceeded(BenchmarkDotNet.Reports.Summary summary)
    {
        foreach (var r in summary.Reports) if (!r.Success) return false;
        return true;
    }

    /// <summary>The job id of ModelGen on one thread.</summary>
    public const string OneThread = "OneThread";

    /// <summary>The job id of ModelGen on every core.</summary>
    public const string AllThreads = "AllThreads";

    /// <summary>
    /// Two short jobs, sized so that all 24 benchmarks finish in about ten minutes on a 2-core machine: one process
    /// per benchmark, 5 warm-up and 15 measured iterations of about 250 ms each, workstation non-concurrent GC.
    /// <see cref="OneThread"/> sets <c>MODELGEN_NUM_THREADS=1</c> (everything on the calling thread);
    /// <see cref="AllThreads"/> lets the large products use every core. With <c>MODELGEN_BENCH_SHORT=1</c> (the extra
    /// vector widths of compare.sh) the jobs are shorter still: 3 warm-up and 8 iterations of about 150 ms (~4 min).
    /// The vector-width settings (<see cref="VectorWidth.Settings"/>: <c>DOTNET_EnableAVX512F</c>, <c>DOTNET_EnableAVX</c>, …) and
    /// <c>MODELGEN_BENCH_EXPECT_WIDTH</c> are passed on to every benchmark process explicitly.
    /// </summary>
    public static ManualConfig CreateConfig()
    {
        bool shortJob = Environment.GetEnvironmentVariable("MODELGEN_BENCH_SHORT") == "1";
        var job = Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(shortJob ? 3 : 5)
            .WithIterationCount(shortJob ? 8 : 15)
            .WithIterationTime(TimeInterval.FromMilliseconds(shortJob ? 150 : 250))
            .WithGcServer(false)
            .WithGcConcurrent(false);
        foreach (var (name, value) in VectorWidth.Settings()) job = job.WithEnvironmentVariable(name, value);
        Job[] jobs;
        if (Environment.GetEnvironmentVariable("MODELGEN_BENCH_INPROCESS") == "1")
        {
            // No SDK to build a child process with: every benchmark runs in this process, under this process's
            // vector-width knobs and thread count (MODELGEN_NUM_THREADS, else its CPU affinity), so one job only,
            // named by that thread count. compare-published.sh runs this once per width and thread count.
            jobs = [job.WithToolchain(InProcessEmitToolchain.Instance).WithId(Threading.IntraOpThreads == 1 ? OneThread : AllThreads)];
        }
        else
        {
            var one = job.WithId(OneThread).WithEnvironmentVariable("MODELGEN_NUM_THREADS", "1");
            var all = job.WithId(AllThreads).WithEnvironmentVariable("MODELGEN_NUM_THREADS", Environment.ProcessorCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // MODELGEN_BENCH_JOBS=one runs the one-thread job only (a quick before/after comparison of the generated code).
            jobs = Environment.GetEnvironmentVariable("MODELGEN_BENCH_JOBS") == "one" ? [one] : [one, all];
        }
        return ManualConfig.Create(DefaultConfig.Instance)
            .AddJob(jobs)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddColumn(StatisticColumn.Median)
            .WithOrderer(new BenchmarkDotNet.Order.DefaultOrderer(BenchmarkDotNet.Order.SummaryOrderPolicy.Declared));
    }
}
