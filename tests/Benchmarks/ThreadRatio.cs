using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--thread-ratio [W1,W3,…] [--rounds N]</c>: each workload's training step and inference timed in one process on
/// one thread and on two, alternating in short rounds so that load from other processes falls on both alike; prints
/// the best and the median round of each and the ratio one thread ÷ two threads (above 1: two threads faster). A
/// quick check on a shared machine; <c>compare.sh</c> (BenchmarkDotNet, a process per benchmark) is the reference.
/// </summary>
internal static class ThreadRatio
{
    public static int Run(string[] args)
    {
        var ids = new List<string> { "W1", "W2", "W3", "W4", "W5", "W6" };
        int rounds = 15;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--rounds") rounds = int.Parse(args[++i], CultureInfo.InvariantCulture);
            else ids = [.. args[i].Split(',')];
        }
        int before = Threading.IntraOpThreads;
        Console.WriteLine($"cores {Environment.ProcessorCount}, vector width {VectorWidth.Current}, {rounds} rounds of ~100 ms per thread count");
        Console.WriteLine("workload | benchmark | 1 thread best / median | 2 threads best / median | ratio best | ratio median");
        foreach (var id in ids)
        {
            var (train, infer) = Create(id);
            Compare(id, "training", train, rounds);
            Compare(id, "inference", infer, rounds);
        }
        Threading.IntraOpThreads = before;
        return 0;
    }

    private static (Func<float> Train, Func<float> Infer) Create(string id)
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

    private static void Compare(string id, string name, Func<float> call, int rounds)
    {
        var one = new List<double>();
        var two = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            foreach (int threads in r % 2 == 0 ? new[] { 1, 2 } : new[] { 2, 1 })
            {
                Threading.IntraOpThreads = threads;
                (threads == 1 ? one : two).Add(Round(call));
            }
        }
        one.Sort();
        two.Sort();
        double m1 = one[one.Count / 2], m2 = two[two.Count / 2];
        Console.WriteLine(FormattableString.Invariant(
            $"{id} | {name} | {Show(one[0])} / {Show(m1)} | {Show(two[0])} / {Show(m2)} | {one[0] / two[0]:0.00}× | {m1 / m2:0.00}×"));
    }

    // Time per call over ~100 ms of calls (after two calls at this setting).
    private static double Round(Func<float> call)
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
        return clock.Elapsed.TotalSeconds / n;
    }

    private static string Show(double seconds) => seconds >= 1e-3
        ? FormattableString.Invariant($"{seconds * 1e3:0.00} ms")
        : FormattableString.Invariant($"{seconds * 1e6:0.0} µs");
}
