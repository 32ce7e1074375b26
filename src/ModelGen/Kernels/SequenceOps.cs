using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>
/// Time-axis helpers for the generated code, over time-major data <c>[steps, batch, width]</c>: reversal for
/// GoBackwards and the backward half of Bidirectional, per-sequence masks (dropout fixed across time), and
/// the input gradient a direction hands back.
/// </summary>
public static class SequenceOps
{
    /// <summary><c>dst[t, b, :] = src[steps − 1 − t, b, :]</c>.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step and sample.</param>
    /// <param name="src">The sequence <c>[steps, batch, width]</c>.</param>
    /// <param name="dst">Receives it reversed in time; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than the sizes need.</exception>
    public static void ReverseTime(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        int block = batch * width;
        Require(steps * block, src.Length, dst.Length);
        for (int t = 0; t < steps; t++) src.Slice((steps - 1 - t) * block, block).CopyTo(dst.Slice(t * block, block));
    }

    /// <summary>The step mask <c>[steps, batch]</c> reversed in time.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="src">The mask <c>[steps, batch]</c>.</param>
    /// <param name="dst">Receives it reversed in time; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than the sizes need.</exception>
    public static void ReverseTime(int batch, int steps, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        Require(steps * batch, src.Length, dst.Length);
        for (int t = 0; t < steps; t++) src.Slice((steps - 1 - t) * batch, batch).CopyTo(dst.Slice(t * batch, batch));
    }

    /// <summary>
    /// <c>dst[t, b, :] = x[t, b, :] ⊙ mask[b, :]</c>: a mask drawn once per sequence and applied at every step
    /// (Keras's recurrent-layer dropout, SpatialDropout1D, and their gradients).
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step and sample.</param>
    /// <param name="x">The sequence <c>[steps, batch, width]</c>.</param>
    /// <param name="mask">The per-sequence mask <c>[batch, width]</c>.</param>
    /// <param name="dst">Receives the product <c>[steps, batch, width]</c>; may be <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than the sizes need.</exception>
    public static void MultiplyPerSequence(int batch, int steps, int width, ReadOnlySpan<float> x, ReadOnlySpan<float> mask, Span<float> dst)
    {
        int block = batch * width;
        Require(steps * block, x.Length, dst.Length);
        if (mask.Length < block) throw new ArgumentException($"the per-sequence mask needs batch·width = {block} floats, has {mask.Length}", nameof(mask));
        mask = mask.Slice(0, block);
        for (int t = 0; t < steps; t++) TensorPrimitives.Multiply(x.Slice(t * block, block), mask, dst.Slice(t * block, block));
    }

    /// <summary>
    /// Hands one direction's input gradient back to the layer below: <paramref name="part"/> is in the order the
    /// direction read its input (reversed when <paramref name="reversed"/>), and is multiplied by the direction's
    /// input-dropout mask <c>[batch, width]</c> when <paramref name="dropoutMask"/> is not empty. Written into
    /// <paramref name="dx"/>, or added to it when <paramref name="add"/> (the second direction of Bidirectional).
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Input features per step.</param>
    /// <param name="part">The direction's ∂loss/∂input <c>[steps, batch, width]</c>, in the order it read the input.</param>
    /// <param name="reversed">True when the direction read the input reversed in time.</param>
    /// <param name="dropoutMask">The direction's input-dropout mask <c>[batch, width]</c>, or empty for none.</param>
    /// <param name="dx">∂loss/∂input of the layer below, <c>[steps, batch, width]</c>; empty to do nothing.</param>
    /// <param name="add">Add to <paramref name="dx"/> instead of overwriting it.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than the sizes need.</exception>
    public static void AccumulateInputGradient(int batch, int steps, int width, ReadOnlySpan<float> part, bool reversed, ReadOnlySpan<float> dropoutMask, Span<float> dx, bool add)
    {
        if (dx.IsEmpty) return;
        int block = batch * width;
        Require(steps * block, part.Length, dx.Length);
        for (int t = 0; t < steps; t++)
        {
            var source = part.Slice((reversed ? steps - 1 - t : t) * block, block);
            var target = dx.Slice(t * block, block);
            if (dropoutMask.IsEmpty)
            {
                if (add) TensorPrimitives.Add(target, source, target);
                else source.CopyTo(target);
            }
            else if (add) TensorPrimitives.MultiplyAdd(source, dropoutMask.Slice(0, block), target, target);
            else TensorPrimitives.Multiply(source, dropoutMask.Slice(0, block), target);
        }
    }

    private static void Require(int needed, int source, int destination)
    {
        if (source < needed || destination < needed)
            throw new ArgumentException($"the operation needs {needed} values; the source has {source}, the destination {destination}");
    }
}
