using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using ILGPU.Runtime;
using ModelGen.Benchmarks;
using ModelGen.Gpu;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// <c>bench</c>: W2, W3, W5, W6 (docs/benchmarks.md; tests/Benchmarks/Models.cs) and a sweep over batch (1, 8, 32, 64,
/// 256) × hidden (32, 64, 128, 256, 512) for LSTM and GRU (tests/Benchmarks/SweepModels.cs: 16 features, a Dense(1)
/// head), each timed as a training step (<see cref="DeviceStep{TInput}.Train"/>) and as inference, with the data on
/// the device. Each timed call is bracketed by device synchronisations; after a warm-up, the median of up to 50
/// calls (at least 5, about 0.3 s per mode and row). One CSV row per point and mode, written as soon as it is measured,
/// so a run stopped by its time cap keeps what it measured; rows not reached say so.
/// </summary>
internal static class Bench
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly int[] Batches = [1, 8, 32, 64, 256];
    private static readonly int[] Hiddens = [32, 64, 128, 256, 512];

    public sealed record Settings(string Out, double CapSeconds, int Steps, bool DryRun, string? Only = null);

    /// <summary>One row of the plan: a model factory and its shape.</summary>
    private sealed record Point(string Id, string Cell, int Hidden, int Batch, int Steps, LossKind Loss, Func<ISequentialModel<float>>? Features, Func<ISequentialModel<int>>? Tokens);

    public static void Run(GpuDevice device, Settings s, Checks checks)
    {
        var clock = Stopwatch.StartNew();
        var plan = Plan(s);
        if (s.Only is not null)
        {
            var prefixes = s.Only.Split(',', StringSplitOptions.RemoveEmptyEntries);
            plan = plan.Where(p => prefixes.Any(x => p.Id.StartsWith(x, StringComparison.Ordinal))).ToList();
        }
        string deviceName = device.ToString().Replace(',', ';');
        using var csv = new StreamWriter(s.Out) { AutoFlush = true };
        csv.WriteLine("id,cell,hidden,batch,steps,mode,median_us,reps,status,device");
        int measured = 0;
        foreach (var p in plan)
        {
            string head = string.Create(Inv, $"{p.Id},{p.Cell},{p.Hidden},{p.Batch},{p.Steps}");
            if (clock.Elapsed.TotalSeconds > s.CapSeconds)
            {
                foreach (var mode in new[] { "train", "infer" }) csv.WriteLine($"{head},{mode},,0,skipped: time cap {s.CapSeconds} s,{deviceName}");
                continue;
            }
            var rows = p.Features is not null ? Measure(device, p, p.Features, FeatureInput, s.DryRun, checks) : Measure(device, p, p.Tokens!, TokenInput, s.DryRun, checks);
            foreach (var (mode, median, reps, status) in rows)
            {
                csv.WriteLine(string.Create(Inv, $"{head},{mode},{(double.IsNaN(median) ? "" : median.ToString("F2", Inv))},{reps},{status},{deviceName}"));
                Console.WriteLine(string.Create(Inv, $"{p.Id,-22} {mode,-5} {(double.IsNaN(median) ? "-" : median.ToString("F1", Inv) + " µs"),12}  {status}"));
                if (status == "ok") measured++;
            }
        }
        Console.WriteLine($"bench: {measured} rows measured in {clock.Elapsed.TotalSeconds:F0} s → {s.Out}");
        checks.That(measured > 0, "bench", $"{measured} rows measured");
    }

    private static List<Point> Plan(Settings s)
    {
        var plan = new List<Point>();
        if (s.DryRun)
        {
            // Tiny shapes on the CPU accelerator: proves the harness (model to device, step, CSV) without a GPU.
            plan.Add(new("W5", "LSTM", 32, 1, 10, LossKind.MeanSquaredError, () => { var m = new W5Model(); m.Initialize(seed: 5); return m; }, null));
            plan.Add(new("W3", "LSTM", 196, 1, 28, LossKind.SoftmaxCrossEntropy, null, () => { var m = new W3Model(); m.Initialize(seed: 3); return m; }));
            plan.Add(new("LSTM/h32/b1/t3", "LSTM", 32, 1, 3, LossKind.MeanSquaredError, () => SweepModels.Create("LSTM", 32, 7), null));
            plan.Add(new("GRU/h32/b2/t3", "GRU", 32, 2, 3, LossKind.MeanSquaredError, () => SweepModels.Create("GRU", 32, 7), null));
            return plan;
        }
        plan.Add(new("W2", "LSTM", 30, 32, 100, LossKind.MeanSquaredError, () => { var m = new W2Model(); m.Initialize(seed: 2); return m; }, null));
        plan.Add(new("W3", "LSTM", 196, 64, 28, LossKind.SoftmaxCrossEntropy, null, () => { var m = new W3Model(); m.Initialize(seed: 3); return m; }));
        plan.Add(new("W5", "LSTM", 32, 1, 10, LossKind.MeanSquaredError, () => { var m = new W5Model(); m.Initialize(seed: 5); return m; }, null));
        plan.Add(new("W6", "GRU", 30, 32, 100, LossKind.MeanSquaredError, () => { var m = new W6Model(); m.Initialize(seed: 6); return m; }, null));
        // Smallest first, so a time cap cuts the largest shapes.
        foreach (int hidden in Hiddens)
            foreach (int batch in Batches)
                foreach (string cell in new[] { "LSTM", "GRU" })
                {
                    int h = hidden;
                    string c = cell;
                    plan.Add(new($"{c}/h{h}/b{batch}/t{s.Steps}", c, h, batch, s.Steps, LossKind.MeanSquaredError, () => SweepModels.Create(c, h, 7), null));
                }
        return plan;
    }

    private static float[] FeatureInput(ISequentialModel<float> model, Random random, int batch, int steps)
    {
        var x = new float[batch * steps * model.Info.InputFeatures];
        for (int i = 0; i < x.Length; i++) x[i] = 2f * random.NextSingle() - 1f;
        return x;
    }

    private static int[] TokenInput(ISequentialModel<int> model, Random random, int batch, int steps)
    {
        var x = new int[batch * steps];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(model.Info.VocabularySize);
        return x;
    }

    private static List<(string Mode, double MedianMicros, int Reps, string Status)> Measure<TInput>(
        GpuDevice device, Point p, Func<ISequentialModel<TInput>> create, Func<ISequentialModel<TInput>, Random, int, int, TInput[]> makeInput, bool dryRun, Checks checks)
        where TInput : unmanaged
    {
        var rows = new List<(string, double, int, string)>();
        ISequentialModel<TInput> model;
        try
        {
            model = create();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return Failed(rows, "model: " + e.Message);
        }
        if (model is not IGpuModel<TInput> gpu)
            return Failed(rows, "no GPU backend generated for " + model.GetType().Name);
        var random = new Random(1234);
        var input = makeInput(model, random, p.Batch, p.Steps);
        int outputs = model.OutputLength(p.Batch, p.Steps);
        var target = new float[outputs];
        if (p.Loss == LossKind.SoftmaxCrossEntropy)
        {
            int classes = outputs / p.Batch;
            for (int b = 0; b < p.Batch; b++) target[b * classes + random.Next(classes)] = 1f;
        }
        else
        {
            for (int i = 0; i < outputs; i++) target[i] = random.NextSingle();
        }
        try
        {
            gpu.To(device);
            var runner = gpu.Runner ?? throw new InvalidOperationException("To(device) left Runner null");
            using var step = new DeviceStep<TInput>(runner, input, target, p.Batch, p.Steps, p.Loss);
            if (dryRun) VerifyStep(p, create, runner, step, input, target, checks);
            rows.Add(Time("train", device, step.Train, dryRun));
            rows.Add(Time("infer", device, step.Infer, dryRun));
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException or OutOfMemoryException or ILGPU.Runtime.AcceleratorException)
        {
            rows.Clear();
            return Failed(rows, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            try { gpu.To(null); } catch (Exception e) when (e is InvalidOperationException or NotSupportedException) { Console.WriteLine($"  To(null) failed: {e.Message}"); }
            (model as IDisposable)?.Dispose();
        }
        return rows;
    }

    /// <summary>
    /// The timed step is the real one: one device training step from the model's initial parameters against the
    /// same step on the CPU path of a twin (same seed): forward, the same loss gradient, backward, ModelGen's Adam.
    /// </summary>
    private static void VerifyStep<TInput>(Point p, Func<ISequentialModel<TInput>> create, GpuRunner<TInput> runner, DeviceStep<TInput> step,
        TInput[] input, float[] target, Checks checks) where TInput : unmanaged
    {
        var twin = create();
        var y = new float[target.Length];
        twin.Forward(input, p.Batch, p.Steps, y, training: true);
        var g = new float[y.Length];
        for (int i = 0; i < y.Length; i++)
            g[i] = p.Loss == LossKind.MeanSquaredError ? 2f / y.Length * (y[i] - target[i])
                : target[i] == 0f ? 0f : -1f / p.Batch * target[i] / MathF.Max(y[i], 1e-7f);
        Array.Clear(twin.Gradients);
        twin.Backward(g, default);
        new Adam().Step(twin.Parameters, twin.Gradients, twin.Info);
        step.Train();
        var after = new float[runner.Parameters.Length];
        runner.Parameters.View.CopyToCPU(after);
        var (ok, worst, at) = Checks.AllClose(twin.Parameters, after, 1e-4, 1e-6);
        int moved = 0;
        for (int i = 0; i < after.Length; i++) if (after[i] != runner.Model.Parameters[i]) moved++;
        checks.That(ok && moved > 0, $"{p.Id} device training step vs CPU step",
            $"parameters after one step (forward, loss gradient, backward, Adam): worst ratio {Checks.G(worst)} at {at} (≤ 1 passes; rtol 1e-4, atol 1e-6); {moved} of {after.Length} moved");
    }

    private static List<(string, double, int, string)> Failed(List<(string, double, int, string)> rows, string why)
    {
        string status = "failed: " + why.Replace(',', ';').Replace('\n', ' ').Replace('\r', ' ');
        rows.Add(("train", double.NaN, 0, status));
        rows.Add(("infer", double.NaN, 0, status));
        return rows;
    }

    /// <summary>Warm-up (≥ 3 calls and ≥ 0.2 s; 1 call in a dry run), then the median (of 2 in a dry run) of individually synchronised calls.</summary>
    private static (string, double, int, string) Time(string mode, GpuDevice device, Action call, bool dryRun)
    {
        var warm = Stopwatch.StartNew();
        for (int i = 0; dryRun ? i < 1 : (i < 3 || warm.Elapsed.TotalSeconds < 0.2); i++) call();
        device.Synchronize();
        int maxReps = dryRun ? 2 : 50, minReps = dryRun ? 2 : 5;
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (times.Count < maxReps && (times.Count < minReps || total.Elapsed.TotalSeconds < 0.3))
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            device.Synchronize();
            times.Add((Stopwatch.GetTimestamp() - t0) * 1e6 / Stopwatch.Frequency); // µs, unrounded (a TimeSpan drops what is under 100 ns)
        }
        times.Sort();
        int n = times.Count;
        double median = n % 2 == 1 ? times[n / 2] : (times[n / 2 - 1] + times[n / 2]) / 2;
        return (mode, median, n, "ok");
    }
}
