using System;
using System.Collections.Generic;

namespace ModelGen.Tests.Reliability;

internal static class ReliabilityData
{
    /// <summary><paramref name="samples"/> random inputs of ClassifierModel <c>[samples, 3, 2]</c> with one-hot targets <c>[samples, 3]</c>.</summary>
    public static (float[] X, float[] Y) Classifier(int samples, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * 6];
        var y = new float[samples * 3];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() - 0.5f;
        for (int s = 0; s < samples; s++) y[s * 3 + random.Next(3)] = 1;
        return (x, y);
    }

    /// <summary>The bits of every parameter, every optimizer state value and the iteration count: equality is bit for bit, NaN included.</summary>
    public static int[] Bits(float[] parameters, Optimizer optimizer)
    {
        var bits = new List<int>();
        foreach (float p in parameters) bits.Add(BitConverter.SingleToInt32Bits(p));
        foreach (var (_, values) in optimizer.GetState())
            foreach (float v in values) bits.Add(BitConverter.SingleToInt32Bits(v));
        bits.Add((int)optimizer.Iterations);
        return [.. bits];
    }
}
