using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Interop;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--onnx-peer --threads 1|all --out FILE</c>: ONNX Runtime as an inference peer. Each workload's model (the same
/// seeded weights as the benchmarks) is exported with <see cref="OnnxExport"/>, checked against ModelGen's own
/// output, and timed in ONNX Runtime the way torch_peer.py times PyTorch: a warm-up of at least 10 calls and 0.5 s,
/// then enough calls to fill the target time in five rounds, the best (lowest) round median reported. Inputs and outputs are bound once (OrtValues over
/// pinned arrays), so the loop measures <c>Run</c> itself.
/// </summary>
internal static class OnnxPeer
{
    private const int Rounds = 5;

    public static int Run(string[] args)
    {
        string threads = "1", output = "onnx.json";
        double target = 2.0;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--threads": threads = Next(); break;
                case "--out": output = Next(); break;
                case "--target-seconds": target = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: Console.Error.WriteLine($"unknown argument {args[i]}: --onnx-peer --threads 1|all --out FILE [--target-seconds S]"); return 2;
            }
        }
        int intraOp = threads == "all" ? Environment.ProcessorCount : int.Parse(threads, System.Globalization.CultureInfo.InvariantCulture);
        var result = new Dictionary<string, object>
        {
            ["threads_mode"] = threads,
            ["intra_op_threads"] = intraOp,
            ["onnxruntime_version"] = typeof(InferenceSession).Assembly.GetName().Version?.ToString() ?? "?",
            ["opset"] = OnnxExport.Opset,
            ["loadavg_start"] = HostLoad.OneMinute(),
        };
        var workloads = new Dictionary<string, object>();
        foreach (var w in Workload.All)
        {
            var (model, input, dims) = Create(w);
            var timing = Time(model, input, dims, w, intraOp, target, out double maxError);
            workloads[w.Id] = new Dictionary<string, object> { ["batch"] = w.Batch, ["steps"] = w.Steps, ["inference"] = timing, ["max_abs_error_vs_modelgen"] = maxError };
            Console.Error.WriteLine($"{w.Id} {threads,3} thread(s): ONNX Runtime inference {(double)timing["median_ns"] / 1e3,10:0.0} µs (largest difference from ModelGen {maxError:E1})");
        }
        result["workloads"] = workloads;
        result["loadavg_end"] = HostLoad.OneMinute();
        result["finished_utc"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        File.WriteAllText(output, JsonSerializer.Serialize(result, Indented) + "\n");
        return 0;
    }

    /// <summary>The workload's model with the benchmarks' seed, and inputs from the benchmarks' data seed.</summary>
    private static (ISequentialModel Model, Array Input, long[] Dims) Create(Workload w)
    {
        ISequentialModel model = w.Id switch // the seeds of the benchmark classes (Workloads.cs)
        {
            "W1" => Seeded(new W1Model(), m => m.Initialize(seed: 1)),
            "W2" => Seeded(new W2Model(), m => m.Initialize(seed: 2)),
            "W3" => Seeded(new W3Model(), m => m.Initialize(seed: 3)),
            "W4" => Seeded(new W4Model(), m => m.Initialize(seed: 4)),
            "W5" => Seeded(new W5Model(), m => m.Initialize(seed: 5)),
            "W6" => Seeded(new W6Model(), m => m.Initialize(seed: 6)),
            _ => throw new ArgumentException(w.Id),
        };
        var random = new Random(1234);
        int positions = w.Batch * w.Steps;
        if (w.Info.TakesTokens)
            return (model, Enumerable.Range(0, positions).Select(_ => random.Next(w.Info.VocabularySize)).ToArray(), [w.Batch, w.Steps]);
        int f = w.Info.InputFeatures;
        return (model, Enumerable.Range(0, positions * f).Select(_ => random.NextSingle() * 2 - 1).ToArray(), [w.Batch, w.Steps, f]);
    }

    private static ISequentialModel Seeded<T>(T model, Action<T> initialize) where T : ISequentialModel
    {
        initialize(model);
        return model;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static Dictionary<string, object> Time(ISequentialModel model, Array input, long[] dims, Workload w, int intraOp, double targetSeconds, out double maxError)
    {
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOp,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        using var session = new InferenceSession(model.ToOnnx(), options);
        var expected = new float[model.OutputLength(w.Batch, w.Steps)];
        var actual = new float[expected.Length];
        using var inputValue = input is int[] ids
            ? OrtValue.CreateTensorValueFromMemory(ids, dims)
            : OrtValue.CreateTensorValueFromMemory((float[])input, dims);
        long[] outDims = model.Info.OutputIsSequence ? [w.Batch, w.Steps, model.Info.OutputUnits] : [w.Batch, model.Info.OutputUnits];
        using var outputValue = OrtValue.CreateTensorValueFromMemory(actual, outDims);
        using var runOptions = new RunOptions();
        var inputs = new[] { inputValue };
        var outputs = new[] { outputValue };
        string[] inputNames = ["input"], outputNames = ["output"];
        void Infer() => session.Run(runOptions, inputNames, inputs, outputNames, outputs);

        if (input is int[] tokens) ((ISequentialModel<int>)model).Forward(tokens, w.Batch, w.Steps, expected);
        else ((ISequentialModel<float>)model).Forward((float[])input, w.Batch, w.Steps, expected);
        Infer();
        maxError = expected.Zip(actual, (a, b) => (double)Math.Abs(a - b)).Max();
        if (maxError > 1e-4) throw new InvalidOperationException($"{w.Id}: ONNX Runtime differs from ModelGen by {maxError:E2}");

        var clock = Stopwatch.StartNew();
        int warm = 0;
        while (warm < 10 || clock.Elapsed.TotalSeconds < 0.5) { Infer(); warm++; }
        double estimate = clock.Elapsed.TotalSeconds / warm;
        int reps = (int)Math.Clamp(targetSeconds / estimate, 30, 5000);
        // As torch_peer.py: the repetitions in Rounds rounds, the best (lowest) round median reported with that
        // round's quartiles.
        int perRound = Math.Max(3, reps / Rounds);
        var samples = new double[Rounds * perRound];
        double median = double.MaxValue, q1 = 0, q3 = 0;
        for (int r = 0; r < Rounds; r++)
        {
            var round = new double[perRound];
            for (int i = 0; i < perRound; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Infer();
                round[i] = Clock.Seconds(t0) * 1e9;
            }
            round.CopyTo(samples, r * perRound);
            Array.Sort(round);
            double Quantile(double q) => round[(int)Math.Round(q * (perRound - 1))];
            if (Quantile(0.5) < median) (median, q1, q3) = (Quantile(0.5), Quantile(0.25), Quantile(0.75));
        }
        return new Dictionary<string, object>
        {
            ["median_ns"] = median, ["q1_ns"] = q1, ["q3_ns"] = q3, ["min_ns"] = samples.Min(), ["rounds"] = Rounds,
            ["mean_ns"] = samples.Average(), ["reps"] = samples.Length, ["warmup_reps"] = warm,
        };
    }
}
