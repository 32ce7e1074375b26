using System;

namespace Seq2Seq;

/// <summary>
/// The classic sequence-to-sequence toy: a sequence of digits in, the same digits reversed out. Inputs are one-hot
/// <c>[samples, Length, Digits]</c>; targets are class indices <c>[samples, Length]</c> (for a sparse cross-entropy).
/// </summary>
public static class ReverseData
{
    /// <summary>Digits per sequence.</summary>
    public const int Length = 6;

    /// <summary>Distinct digits (0–9), the width of the one-hot input and of the softmax output.</summary>
    public const int Digits = 10;

    /// <summary><paramref name="samples"/> random digit sequences and their reversals, from <paramref name="seed"/>.</summary>
    /// <param name="samples">Sequences to draw.</param>
    /// <param name="seed">Seed of the random digits.</param>
    /// <returns>One-hot inputs <c>[samples, Length, Digits]</c> and target indices <c>[samples, Length]</c>.</returns>
    public static (float[] X, float[] Y) Generate(int samples, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * Length * Digits];
        var y = new float[samples * Length];
        for (int s = 0; s < samples; s++)
            for (int t = 0; t < Length; t++)
            {
                int digit = random.Next(Digits);
                x[(s * Length + t) * Digits + digit] = 1;
                y[s * Length + (Length - 1 - t)] = digit;
            }
        return (x, y);
    }

    /// <summary>Digits in <paramref name="x"/>'s sample <paramref name="sample"/>, as text (its one-hot rows' argmax).</summary>
    /// <param name="x">One-hot rows <c>[samples, Length, Digits]</c> (or probabilities: the most likely digit is taken).</param>
    /// <param name="sample">The sample.</param>
    /// <returns>The digits, e.g. <c>"307215"</c>.</returns>
    public static string Text(ReadOnlySpan<float> x, int sample)
    {
        var chars = new char[Length];
        for (int t = 0; t < Length; t++)
            chars[t] = (char)('0' + System.Numerics.Tensors.TensorPrimitives.IndexOfMax(x.Slice((sample * Length + t) * Digits, Digits)));
        return new string(chars);
    }
}
