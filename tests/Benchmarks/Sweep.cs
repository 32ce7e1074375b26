using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--sweep</c>: the size sweep of LSTM and GRU against PyTorch (tests/Benchmarks/sweep.sh runs the three steps).
/// <code>
/// --sweep --plan FILE [--max-gflop 80]                      the points (CSV), each one axis away from the centre
/// --sweep --measure FILE --out FILE [--seconds 1]           ModelGen's times for the plan's points (CSV)
/// --sweep --report --plan FILE --modelgen FILE --torch FILE [--docs docs] [--note TEXT] [--suffix -256]
///                                                           docs/benchmarks-data/sweep.csv, docs/benchmarks-sweep.png,
///                                                           the "Size sweep" section of docs/benchmarks.md (with
///                                                           --suffix: sweep-256.csv … for a narrower width)
/// </code>
/// Centre point: hidden 128, 50 steps, batch 16, 16 features; one axis varies at a time (hidden 8 … 1,024, steps
/// 1 … 10,000, batch 1 … 1,024). A point whose training step needs more than <c>--max-gflop</c> gate-product GFLOP,
/// or whose workspace exceeds 4 GiB, is skipped, and the plan says why.
/// </summary>
internal static class Sweep
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The centre of the sweep.</summary>
    public const int CentreHidden = 128, CentreSteps = 50, CentreBatch = 16;

    private static readonly int[] Steps = [1, 10, 50, 100, 1000, 10000];
    private static readonly int[] Batches = [1, 4, 16, 64, 256, 1024];
    private const long MaxWorkspaceBytes = 4L << 30;

    /// <summary>One point of the sweep: which axes it lies on (the centre lies on all three) and its shape.</summary>
    public sealed record Point(string Cell, string Axes, int Hidden, int Steps, int Batch, double TrainGflop, string Skip)
    {
        public string Key => string.Create(Inv, $"{Cell}/{Hidden}/{Steps}/{Batch}");
    }

    public static int Run(string[] args)
    {
        var o = Options(args);
        if (o.TryGetValue("--plan", out var planOut) && !o.ContainsKey("--report")) return WritePlan(planOut, double.Parse(o.GetValueOrDefault("--max-gflop", "80"), Inv));
        if (o.TryGetValue("--measure", out var planIn)) return Measure(planIn, o["--out"], double.Parse(o.GetValueOrDefault("--seconds", "1"), Inv));
        if (o.ContainsKey("--report")) return SweepReport.Write(ReadPlan(o["--plan"]), o["--modelgen"], o["--torch"], o.GetValueOrDefault("--docs", "docs"), o.GetValueOrDefault("--note", ""), o.GetValueOrDefault("--suffix", ""));
        Console.Error.WriteLine("usage: --sweep --plan FILE | --measure PLAN --out FILE | --report --plan FILE --modelgen FILE --torch FILE [--docs DIR]");
        return 2;
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var o = new Dictionary<string, string>();
        for (int i = 0; i < args.Length; i++)
            o[args[i]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        return o;
    }

    /// <summary>Gate-product FLOPs of one forward pass: 2·B·(I+H)·G·H·T (G = 4 LSTM, 3 GRU).</summary>
    public static double ForwardFlops(string cell, int hidden, int steps, int batch) =>
        2.0 * batch * (SweepModels.Features + hidden) * (cell == "LSTM" ? 4 : 3) * hidden * steps;

    /// <summary>Every point of the sweep, with the reason it is skipped (empty when it is measured).</summary>
    public static List<Point> Plan(double maxGflop)
    {
        var points = new Dictionary<string, Point>();
        foreach (var cell in new[] { "LSTM", "GRU" })
        {
            var shapes = SweepModels.HiddenSizes.Select(h => ("hidden", h, CentreSteps, CentreBatch))
                .Concat(Steps.Select(t => ("steps", CentreHidden, t, CentreBatch)))
                .Concat(Batches.Select(b => ("batch", CentreHidden, CentreSteps, b)));
            foreach (var (axis, h, t, b) in shapes)
            {
                double gflop = 3 * ForwardFlops(cell, h, t, b) / 1e9;
                var key = string.Create(Inv, $"{cell}/{h}/{t}/{b}");
                if (points.TryGetValue(key, out var p)) { points[key] = p with { Axes = p.Axes + ";" + axis }; continue; }
                string skip = "";
                if (gflop > maxGflop) skip = string.Create(Inv, $"training step needs {gflop:0} GFLOP of gate products (> --max-gflop {maxGflop:0}): too long for the sweep's budget");
                else
                {
                    long bytes = SweepModels.Create(cell, h, seed: 1).WorkspaceBytes(b, t);
                    if (bytes > MaxWorkspaceBytes) skip = string.Create(Inv, $"workspace {bytes / (1 << 20)} MiB > 4 GiB");
                }
                points[key] = new Point(cell, axis, h, t, b, gflop, skip);
            }
        }
        return [.. points.Values];
    }

    private static int WritePlan(string path, double maxGflop)
    {
        var plan = Plan(maxGflop);
        var sb = new StringBuilder("cell,axes,hidden,steps,batch,features,train_gflop,skip\n");
        foreach (var p in plan)
            sb.Append(string.Create(Inv, $"{p.Cell},{p.Axes},{p.Hidden},{p.Steps},{p.Batch},{SweepModels.Features},{p.TrainGflop:0.####},\"{p.Skip}\"\n"));
        File.WriteAllText(path, sb.ToString());
        double measured = plan.Where(p => p.Skip.Length == 0).Sum(p => p.TrainGflop);
        Console.WriteLine(string.Create(Inv, $"sweep plan: {plan.Count} points, {plan.Count(p => p.Skip.Length > 0)} skipped; {measured:0} GFLOP of training steps per repetition"));
        return 0;
    }

    public static List<Point> ReadPlan(string path)
    {
        var result = new List<Point>();
        foreach (var line in File.ReadAllLines(path).Skip(1))
        {
            if (line.Length == 0) continue;
            var f = line.Split(',', 8);
            result.Add(new Point(f[0], f[1], int.Parse(f[2], Inv), int.Parse(f[3], Inv), int.Parse(f[4], Inv), double.Parse(f[6], Inv), f[7].Trim('"')));
        }
        return result;
    }

    /// <summary>
    /// ModelGen's times, one thread: per point a fresh model, a JIT warm-up on a tiny shape (the code does not depend
    /// on steps or batch), one call at the real shape, then <see cref="BestOfRounds"/> for the training step and for
    /// inference.
    /// </summary>
    private static int Measure(string planPath, string outPath, double seconds)
    {
        if (Environment.GetEnvironmentVariable("MODELGEN_NUM_THREADS") != "1")
            Console.Error.WriteLine("sweep: MODELGEN_NUM_THREADS is not 1; sweep.sh sets it so both sides run on one thread");
        VectorWidth.Check();
        var sb = new StringBuilder("cell,hidden,steps,batch,train_ns,infer_ns,train_reps,infer_reps,width\n");
        var total = Stopwatch.StartNew();
        foreach (var p in ReadPlan(planPath))
        {
            if (p.Skip.Length > 0) continue;
            var bench = new Step(SweepModels.Create(p.Cell, p.Hidden, seed: 7), p.Batch, p.Steps);
            var small = new Step(bench.Model, Math.Min(p.Batch, 2), Math.Min(p.Steps, 3));
            for (int round = 0; round < 2; round++)
            {
                for (int i = 0; i < 40; i++) { small.Train(); small.Infer(); }
                System.Threading.Thread.Sleep(150); // let the background tier-1 compilations land
            }
            WarmUp(bench.Train);
            WarmUp(bench.Infer);
            var (train, trainReps) = BestOfRounds(bench.Train, seconds);
            var (infer, inferReps) = BestOfRounds(bench.Infer, seconds);
            sb.Append(string.Create(Inv, $"{p.Cell},{p.Hidden},{p.Steps},{p.Batch},{train:0},{infer:0},{trainReps},{inferReps},{VectorWidth.Current}\n"));
            Console.WriteLine(string.Create(Inv, $"{p.Cell,-4} H={p.Hidden,-5} T={p.Steps,-6} B={p.Batch,-5} training {train / 1e6,10:0.000} ms   inference {infer / 1e6,10:0.000} ms"));
            GC.Collect();
        }
        File.WriteAllText(outPath, sb.ToString());
        Console.WriteLine(string.Create(Inv, $"sweep: ModelGen side took {total.Elapsed.TotalSeconds:0} s"));
        return 0;
    }

    /// <summary>
    /// Calls <paramref name="fn"/> at the measured shape until the JIT has settled: at least 200 calls and 0.3 s (or 2 s
    /// for a slow point, at least 3 calls), a pause for the background compilations, then a few more. Tiered compilation
    /// takes a method from its first code through an instrumented copy (dynamic PGO) to its final one after about 30
    /// calls each and a background compile; with the 80 small calls before, the measurement of a fast point (an
    /// LSTM(8) step of 70 µs, 0.14 s in all) still ran partly instrumented code and read 2.7× its settled time.
    /// </summary>
    private static void WarmUp(Action fn)
    {
        var sw = Stopwatch.StartNew();
        for (int calls = 0; calls < 3 || (sw.Elapsed.TotalSeconds < 2 && (calls < 200 || sw.Elapsed.TotalSeconds < 0.3)); calls++) fn();
        System.Threading.Thread.Sleep(150);
        for (int i = 0; i < 3; i++) fn();
    }

    /// <summary>
    /// Repetitions to fill <paramref name="seconds"/> (at least 3, at most 2,000) in up to five rounds; the best
    /// (lowest) round median, in ns, as a user tuning a script would report it. torch_sweep.py does the same.
    /// </summary>
    public static (double Ns, int Reps) BestOfRounds(Action fn, double seconds)
    {
        var sw = Stopwatch.StartNew();
        fn();
        double estimate = Math.Max(sw.Elapsed.TotalSeconds, 1e-7);
        int reps = (int)Math.Clamp(seconds / estimate, 3, 2000);
        int rounds = Math.Min(5, reps), perRound = reps / rounds;
        double best = double.MaxValue;
        var samples = new double[perRound];
        for (int r = 0; r < rounds; r++)
        {
            for (int i = 0; i < perRound; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                fn();
                samples[i] = Clock.Seconds(t0) * 1e9;
            }
            Array.Sort(samples);
            double median = perRound % 2 == 1 ? samples[perRound / 2] : (samples[perRound / 2 - 1] + samples[perRound / 2]) / 2;
            best = Math.Min(best, median);
        }
        return (best, rounds * perRound);
    }

    /// <summary>A training step (MSE gradient inline, zeroed gradients, backward, Adam) and inference at one shape.</summary>
    private sealed class Step
    {
        public ISequentialModel<float> Model { get; }
        private readonly float[] _input, _output, _target, _gradient;
        private readonly int _batch, _steps;
        private readonly Adam _adam = new();

        public Step(ISequentialModel<float> model, int batch, int steps)
        {
            Model = model;
            _batch = batch;
            _steps = steps;
            var random = new Random(1234);
            _input = new float[batch * steps * SweepModels.Features];
            for (int i = 0; i < _input.Length; i++) _input[i] = 2f * random.NextSingle() - 1f;
            int outputs = model.OutputLength(batch, steps);
            _output = new float[outputs];
            _gradient = new float[outputs];
            _target = new float[outputs];
            for (int i = 0; i < outputs; i++) _target[i] = random.NextSingle();
        }

        public void Train()
        {
            Model.Forward(_input, _batch, _steps, _output, training: true);
            float scale = 2f / _output.Length;
            for (int i = 0; i < _output.Length; i++) _gradient[i] = scale * (_output[i] - _target[i]);
            Array.Clear(Model.Gradients);
            Model.Backward(_gradient, default);
            _adam.Step(Model.Parameters, Model.Gradients, Model.Info);
        }

        public void Infer() => Model.Forward(_input, _batch, _steps, _output, training: false);
    }
}
