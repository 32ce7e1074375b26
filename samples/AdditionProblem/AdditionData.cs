using System;

namespace AdditionProblem;

/// <summary>
/// The adding problem (Hochreiter &amp; Schmidhuber 1997): each sample is a sequence of steps with two features,
/// a random number in [0, 1) and a 0/1 marker; exactly two steps are marked and the target is the sum of
/// their numbers. Predicting the mean (1.0) scores an mse of about 1/6; only a model that remembers the
/// marked values across the sequence does better.
/// </summary>
public static class AdditionData
{
    /// <summary>Makes <paramref name="samples"/> sequences of <paramref name="steps"/> steps: x <c>[samples, steps, 2]</c>, y <c>[samples, 1]</c>.</summary>
    public static (float[] X, float[] Y) Generate(int samples, int steps, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * steps * 2];
        var y = new float[samples];
        for (int s = 0; s < samples; s++)
        {
            for (int t = 0; t < steps; t++) x[(s * steps + t) * 2] = random.NextSingle();
            int first = random.Next(steps), second;
            do { second = random.Next(steps); } while (second == first);
            x[(s * steps + first) * 2 + 1] = 1;
            x[(s * steps + second) * 2 + 1] = 1;
            y[s] = x[(s * steps + first) * 2] + x[(s * steps + second) * 2];
        }
        return (x, y);
    }

    /// <summary>The mse of always predicting the mean of <paramref name="y"/>.</summary>
    public static float MeanBaseline(float[] y)
    {
        double mean = 0, mse = 0;
        foreach (var v in y) mean += v;
        mean /= y.Length;
        foreach (var v in y) mse += (v - mean) * (v - mean);
        return (float)(mse / y.Length);
    }
}
