using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>Dropout masks: each entry 0 with probability <c>rate</c>, else <c>1 / (1 − rate)</c> (inverted dropout, as Keras and PyTorch).</summary>
public static class DropoutMask
{
    /// <summary>Fills <paramref name="mask"/> from <paramref name="random"/>.</summary>
    /// <param name="random">The generator (the model's dropout generator, seeded with the model).</param>
    /// <param name="rate">The dropout rate, in [0, 1).</param>
    /// <param name="mask">Receives one entry per value.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rate"/> is outside [0, 1).</exception>
    public static void Fill(Random random, float rate, Span<float> mask)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a dropout rate must be in [0, 1)");
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextSingle() < rate ? 0f : keep;
    }
}
