using System;
using System.Linq;

namespace ModelGen.Tests.Training;

/// <summary>Softmax with temperature, argmax and seeded sampling: values, distributions, batches, errors, and no allocation.</summary>
public sealed class SamplingTests
{
    private static double[] ReferenceSoftmax(float[] logits, double temperature)
    {
        var e = logits.Select(l => Math.Exp(l / temperature)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.5)]
    public void Softmax_with_temperature_matches_the_formula(double temperature)
    {
        float[] logits = [1f, 2f, 3f, -1f];
        var p = new float[4];
        Sampling.Softmax(logits, p, (float)temperature);
        Assertions.AllClose(ReferenceSoftmax(logits, temperature).Select(v => (float)v).ToArray(), p, 1e-6, 1e-7, $"softmax T={temperature}");
        Assert.Equal(1.0, p.Sum(), 5);

        // softmax(x / 0.5) = softmax(2x): the temperature divides
        if (temperature == 0.5)
        {
            var doubled = new float[4];
            Sampling.Softmax([2f, 4f, 6f, -2f], doubled);
            Assertions.AllClose(doubled, p, 1e-6, 1e-7, "T = 0.5 as doubled logits");
        }
    }

    [Fact]
    public void Softmax_survives_large_logits_works_in_place_and_batches()
    {
        float[] large = [1000f, 1001f, float.NegativeInfinity];
        Sampling.Softmax(large, large);   // in place
        Assertions.AllClose([(float)(1 / (1 + Math.E)), (float)(Math.E / (1 + Math.E)), 0f], large, 1e-6, 1e-7, "max-subtracted");

        float[] batch = [1f, 2f, 3f, 0f, 0f, 0f];
        var probabilities = new float[6];
        Sampling.Softmax(batch, 2, probabilities, 1f);
        var row0 = new float[3];
        Sampling.Softmax(batch.AsSpan(0, 3), row0);
        Assert.Equal(row0, probabilities[..3]);
        Assertions.AllClose([1f / 3, 1f / 3, 1f / 3], probabilities.AsSpan(3), 1e-6, 1e-7, "uniform row");
    }

    [Fact]
    public void Argmax_takes_the_first_index_on_ties_per_row()
    {
        Assert.Equal(1, Sampling.Argmax([0.1f, 0.7f, 0.7f, 0.2f]));   // torch.argmax / np.argmax: first maximum
        Assert.Equal(0, Sampling.Argmax([float.NegativeInfinity]));
        var indices = new int[3];
        Sampling.Argmax([1f, 0f, 0f, 2f, 5f, 5f], 3, indices);
        Assert.Equal([0, 1, 0], indices);
    }

    [Fact]
    public void FromLogits_draws_with_softmax_frequencies_and_repeats_with_a_seed()
    {
        float[] logits = [0.5f, 1.5f, -0.3f, float.NegativeInfinity, 1f];
        const float T = 0.8f;
        const int Draws = 40000;
        var counts = new int[logits.Length];
        var random = new Random(11);
        for (int i = 0; i < Draws; i++) counts[Sampling.FromLogits(logits, T, random)]++;
        var expected = ReferenceSoftmax(logits, T);
        for (int k = 0; k < logits.Length; k++)
        {
            // 5 standard deviations of a binomial frequency
            double sd = Math.Sqrt(expected[k] * (1 - expected[k]) / Draws);
            Assert.InRange((double)counts[k] / Draws, expected[k] - 5 * sd - 1e-9, expected[k] + 5 * sd + 1e-9);
        }
        Assert.Equal(0, counts[3]);   // a −∞ logit is never drawn

        var a = new Random(42);
        var b = new Random(42);
        var first = Enumerable.Range(0, 50).Select(_ => Sampling.FromLogits(logits, 1f, a)).ToArray();
        var second = Enumerable.Range(0, 50).Select(_ => Sampling.FromLogits(logits, 1f, b)).ToArray();
        Assert.Equal(first, second);
        Assert.True(first.Distinct().Count() > 1);
    }

    [Fact]
    public void Low_temperature_approaches_argmax_and_high_temperature_flattens()
    {
        float[] logits = [1f, 3f, 2f];
        var random = new Random(3);
        Assert.All(Enumerable.Range(0, 200), _ => Assert.Equal(1, Sampling.FromLogits(logits, 0.01f, random)));
        var flat = new float[3];
        Sampling.Softmax(logits, flat, 1000f);
        Assertions.AllClose([1f / 3, 1f / 3, 1f / 3], flat, 0, 2e-3, "T = 1000");
    }

    [Fact]
    public void Batched_draws_equal_row_by_row_draws_from_the_same_generator()
    {
        float[] logits = [0f, 1f, 2f, 2f, 1f, 0f, 5f, -5f, 0f];
        var samples = new int[3];
        Sampling.FromLogits(logits, 3, 1.3f, new Random(9), samples);
        var random = new Random(9);
        var rowByRow = Enumerable.Range(0, 3).Select(r => Sampling.FromLogits(logits.AsSpan(r * 3, 3), 1.3f, random)).ToArray();
        Assert.Equal(rowByRow, samples);
    }

    [Fact]
    public void FromProbabilities_draws_proportionally_and_never_a_zero_weight()
    {
        float[] weights = [0.2f, 0f, 0.6f, 0.2f];   // torch.multinomial: weights need not sum to 1 (these do)
        var counts = new int[4];
        var random = new Random(5);
        for (int i = 0; i < 20000; i++) counts[Sampling.FromProbabilities(weights, random)]++;
        Assert.Equal(0, counts[1]);
        Assert.InRange(counts[2] / 20000.0, 0.58, 0.62);
        Assert.Equal(2, Sampling.FromProbabilities([0f, 0f, 3f], random));
    }

    [Fact]
    public void Bad_arguments_throw_saying_what_was_expected()
    {
        var random = new Random(1);
        Assert.Equal("temperature", Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.FromLogits([1f, 2f], 0f, random)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.FromLogits([1f, 2f], -1f, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.FromLogits([1f, 2f], float.NaN, random));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Softmax([1f], new float[1], float.PositiveInfinity));
        Assert.Contains("empty", Assert.Throws<ArgumentException>(() => Sampling.FromLogits([], 1f, random)).Message);
        Assert.Contains("logits[1] is NaN", Assert.Throws<ArgumentException>(() => Sampling.FromLogits([1f, float.NaN], 1f, random)).Message);
        Assert.Contains("logits[0] is Infinity", Assert.Throws<ArgumentException>(() => Sampling.FromLogits([float.PositiveInfinity], 1f, random)).Message);
        Assert.Contains("−∞", Assert.Throws<ArgumentException>(() => Sampling.FromLogits([float.NegativeInfinity, float.NegativeInfinity], 1f, random)).Message);
        Assert.Contains("values[2] is NaN", Assert.Throws<ArgumentException>(() => Sampling.Argmax([1f, 2f, float.NaN])).Message);
        Assert.Throws<ArgumentException>(() => Sampling.Argmax([]));
        Assert.Throws<ArgumentNullException>(() => Sampling.FromLogits([1f], 1f, null!));
        Assert.Contains("row 1:", Assert.Throws<ArgumentException>(() => Sampling.FromLogits([1f, 2f, float.NaN, 0f], 2, 1f, random, new int[2])).Message);
        Assert.Throws<ArgumentException>(() => Sampling.FromLogits([1f, 2f, 3f], 2, 1f, random, new int[2]));      // 3 values, 2 rows
        Assert.Throws<ArgumentException>(() => Sampling.Argmax([1f, 2f], 2, new int[1]));
        Assert.Throws<ArgumentException>(() => Sampling.Softmax([1f, 2f], new float[3]));
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampling.Softmax([1f, 2f], 0, new float[2]));
        Assert.Contains("≥ 0", Assert.Throws<ArgumentException>(() => Sampling.FromProbabilities([0.5f, -0.1f], random)).Message);
        Assert.Contains("every probability is 0", Assert.Throws<ArgumentException>(() => Sampling.FromProbabilities([0f, 0f], random)).Message);

        // a batch with a bad row draws nothing (the generator is not advanced)
        var untouched = new Random(77);
        var reference = new Random(77);
        Assert.Throws<ArgumentException>(() => Sampling.FromLogits([1f, 2f, float.NaN, 0f], 2, 1f, untouched, new int[2]));
        Assert.Equal(reference.Next(), untouched.Next());
    }

    [Fact]
    public void Nothing_allocates()
    {
        float[] logits = [0.3f, 1.2f, -0.7f, 2f, 0.1f, 0.9f];
        var probabilities = new float[6];
        var samples = new int[2];
        var random = new Random(2);
        void Run()
        {
            Sampling.Softmax(logits, probabilities, 0.7f);
            Sampling.Softmax(logits, 2, probabilities, 0.7f);
            _ = Sampling.Argmax(logits);
            Sampling.Argmax(logits, 2, samples);
            _ = Sampling.FromLogits(logits, 0.7f, random);
            Sampling.FromLogits(logits, 2, 0.7f, random, samples);
            _ = Sampling.FromProbabilities(probabilities, random);
        }
        Run();
        Assert.Equal(0, Allocations.FewestBytes(Run));
    }
}
