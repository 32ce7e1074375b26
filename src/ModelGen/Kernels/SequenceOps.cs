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
    public static void ReverseTime(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        int block = batch * width;
        Require(steps * block, src.Length, dst.Length);
        for (int t = 0; t < steps; t++) src.Slice((steps - 1 - t) * block, block).CopyTo(dst.Slice(t * block, block));
    }

    /// <summary>The step mask <c>[steps, batch]</c> reversed in time.</summary>
    public static void ReverseTime(int batch, int steps, ReadOnlySpan<byte> src, Span<byte> dst)
    {
        Require(steps * batch, src.Length, dst.Length);
        for (int t = 0; t < steps; t++) src.Slice((steps - 1 - t) * batch, batch).CopyTo(dst.Slice(t * batch, batch));
    }

    /// <summary>
    /// <c>dst[t, b, :] = x[t, b, :] ⊙ mask[b, :]</c>: a mask drawn once per sequence and applied at every step
    /// (Keras's recurrent-layer dropout, SpatialDropout1D, and their gradients).
    /// </summary>
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

/// <summary>Dropout masks: each entry 0 with probability <c>rate</c>, else <c>1 / (1 − rate)</c> (inverted dropout, as Keras and PyTorch).</summary>
public static class DropoutMask
{
    /// <summary>Fills <paramref name="mask"/> from <paramref name="random"/>.</summary>
    public static void Fill(Random random, float rate, Span<float> mask)
    {
        ArgumentNullException.ThrowIfNull(random);
        if (!(rate >= 0f && rate < 1f)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "a dropout rate must be in [0, 1)");
        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++) mask[i] = random.NextSingle() < rate ? 0f : keep;
    }
}

/// <summary>
/// Time-step masks, <c>[steps, batch]</c> bytes (1 = a real step, 0 = padding), from Embedding(MaskZero)
/// or Masking, and the Masking layer itself.
/// </summary>
public static class StepMask
{
    /// <summary>From token ids <c>[batch, steps]</c> (batch-major): a step is real unless its token is 0.</summary>
    public static void FromTokens(int batch, int steps, ReadOnlySpan<int> tokens, Span<byte> mask)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                mask[t * batch + b] = tokens[b * steps + t] != 0 ? (byte)1 : (byte)0;
    }

    /// <summary>The time-major mask <c>[steps, batch]</c> as batch-major <c>[batch, steps]</c>, like the model's output rows.</summary>
    public static void ToBatchMajor(int batch, int steps, ReadOnlySpan<byte> mask, Span<byte> batchMajor)
    {
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                batchMajor[b * steps + t] = mask[t * batch + b];
    }

    /// <summary>
    /// Keras <c>Masking</c>: a row of <paramref name="x"/> <c>[rows, width]</c> is padding when every value equals
    /// <paramref name="value"/>; padding rows are zero in <paramref name="y"/>, the others copied.
    /// </summary>
    public static void Masking(int rows, int width, float value, ReadOnlySpan<float> x, Span<byte> mask, Span<float> y)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * width, width);
            bool real = row.IndexOfAnyExcept(value) >= 0;
            mask[r] = real ? (byte)1 : (byte)0;
            if (real) row.CopyTo(y.Slice(r * width, width));
            else y.Slice(r * width, width).Clear();
        }
    }

    /// <summary>
    /// After a recurrent step: for every masked sample (<c>maskRow[b] == 0</c>) the state stays what it was,
    /// <c>current[b, :] = previous[b, :]</c>, as Keras keeps the previous state and output at a masked step.
    /// </summary>
    public static void Carry(int batch, int width, ReadOnlySpan<byte> maskRow, ReadOnlySpan<float> previous, Span<float> current)
    {
        for (int b = 0; b < batch; b++)
            if (maskRow[b] == 0) previous.Slice(b * width, width).CopyTo(current.Slice(b * width, width));
    }

    /// <summary>
    /// Backward of <see cref="Carry"/>: for every masked sample the step's state gradient flows straight to the
    /// previous state, <c>dPrevious[b, :] += dCurrent[b, :]</c>, and the step itself gets none (<c>dCurrent[b, :] = 0</c>).
    /// </summary>
    public static void PassThrough(int batch, int width, ReadOnlySpan<byte> maskRow, Span<float> dCurrent, Span<float> dPrevious)
    {
        for (int b = 0; b < batch; b++)
        {
            if (maskRow[b] != 0) continue;
            var d = dCurrent.Slice(b * width, width);
            var p = dPrevious.Slice(b * width, width);
            TensorPrimitives.Add(p, d, p);
            d.Clear();
        }
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> with the masked rows zero (the gradient through Masking).</summary>
    public static void CopyUnmasked(int rows, int width, ReadOnlySpan<byte> mask, ReadOnlySpan<float> source, Span<float> target)
    {
        if (target.IsEmpty) return;
        for (int r = 0; r < rows; r++)
        {
            if (mask[r] != 0) source.Slice(r * width, width).CopyTo(target.Slice(r * width, width));
            else target.Slice(r * width, width).Clear();
        }
    }
}

/// <summary>Keras <c>Bidirectional</c> merge modes.</summary>
public enum MergeMode
{
    /// <summary>Forward output, then backward output: twice the units.</summary>
    Concat,
    /// <summary>Element-wise sum.</summary>
    Sum,
    /// <summary>Element-wise product.</summary>
    Mul,
    /// <summary>Element-wise mean.</summary>
    Ave,
}

/// <summary>
/// Merging the two directions of Bidirectional and splitting the gradient back. The forward direction's
/// output rows are in time order; the backward direction's in the order it read them (reversed), so step
/// <c>t</c> of the merged sequence pairs forward row <c>t</c> with backward row <c>steps − 1 − t</c>.
/// </summary>
public static class Bidirectional
{
    /// <summary>
    /// Merges whole sequences, <paramref name="forward"/> and <paramref name="backward"/> <c>[steps·batch, units]</c>,
    /// into <paramref name="output"/> <c>[steps·batch, width]</c>. Masked steps (when <paramref name="mask"/> is not
    /// empty) are zero, as Keras's Bidirectional forces <c>zero_output_for_mask</c> when it returns sequences.
    /// </summary>
    public static void MergeSequence(MergeMode mode, int batch, int steps, int units, ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, ReadOnlySpan<byte> mask, Span<float> output)
    {
        int width = mode == MergeMode.Concat ? 2 * units : units;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                var target = output.Slice((t * batch + b) * width, width);
                if (!mask.IsEmpty && mask[t * batch + b] == 0) { target.Clear(); continue; }
                Merge(mode, forward.Slice((t * batch + b) * units, units), backward.Slice(((steps - 1 - t) * batch + b) * units, units), target);
            }
    }

    /// <summary>Merges the two final outputs <c>[batch, units]</c> into <paramref name="output"/> <c>[batch, width]</c>.</summary>
    public static void MergeLast(MergeMode mode, int batch, int units, ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, Span<float> output)
    {
        int width = mode == MergeMode.Concat ? 2 * units : units;
        for (int b = 0; b < batch; b++)
            Merge(mode, forward.Slice(b * units, units), backward.Slice(b * units, units), output.Slice(b * width, width));
    }

    /// <summary>
    /// Splits ∂loss/∂merged <c>[steps·batch, width]</c> into each direction's ∂loss/∂output, in its own row order
    /// (overwriting <paramref name="dForward"/> and <paramref name="dBackward"/>). <paramref name="forward"/> and
    /// <paramref name="backward"/> are the outputs the merge read (needed by <see cref="MergeMode.Mul"/>).
    /// </summary>
    public static void SplitSequence(MergeMode mode, int batch, int steps, int units, ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, ReadOnlySpan<byte> mask, ReadOnlySpan<float> dOutput, Span<float> dForward, Span<float> dBackward)
    {
        int width = mode == MergeMode.Concat ? 2 * units : units;
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
            {
                int f = (t * batch + b) * units, r = ((steps - 1 - t) * batch + b) * units;
                if (!mask.IsEmpty && mask[t * batch + b] == 0)
                {
                    dForward.Slice(f, units).Clear();
                    dBackward.Slice(r, units).Clear();
                    continue;
                }
                Split(mode, forward.Slice(f, units), backward.Slice(r, units), dOutput.Slice((t * batch + b) * width, width), dForward.Slice(f, units), dBackward.Slice(r, units));
            }
    }

    /// <summary>
    /// Splits ∂loss/∂merged <c>[batch, width]</c> of the final outputs into each direction's last step of
    /// <paramref name="dForward"/> and <paramref name="dBackward"/> <c>[steps·batch, units]</c>, clearing the earlier steps.
    /// </summary>
    public static void SplitLast(MergeMode mode, int batch, int steps, int units, ReadOnlySpan<float> forward, ReadOnlySpan<float> backward, ReadOnlySpan<float> dOutput, Span<float> dForward, Span<float> dBackward)
    {
        int width = mode == MergeMode.Concat ? 2 * units : units, last = (steps - 1) * batch * units;
        dForward.Slice(0, last).Clear();
        dBackward.Slice(0, last).Clear();
        for (int b = 0; b < batch; b++)
            Split(mode, forward.Slice(b * units, units), backward.Slice(b * units, units), dOutput.Slice(b * width, width),
                dForward.Slice(last + b * units, units), dBackward.Slice(last + b * units, units));
    }

    private static void Merge(MergeMode mode, ReadOnlySpan<float> f, ReadOnlySpan<float> r, Span<float> y)
    {
        switch (mode)
        {
            case MergeMode.Concat: f.CopyTo(y); r.CopyTo(y.Slice(f.Length)); break;
            case MergeMode.Sum: TensorPrimitives.Add(f, r, y); break;
            case MergeMode.Mul: TensorPrimitives.Multiply(f, r, y); break;
            default: TensorPrimitives.Add(f, r, y); TensorPrimitives.Multiply(y, 0.5f, y); break;
        }
    }

    private static void Split(MergeMode mode, ReadOnlySpan<float> f, ReadOnlySpan<float> r, ReadOnlySpan<float> dy, Span<float> df, Span<float> dr)
    {
        switch (mode)
        {
            case MergeMode.Concat: dy.Slice(0, f.Length).CopyTo(df); dy.Slice(f.Length, f.Length).CopyTo(dr); break;
            case MergeMode.Sum: dy.CopyTo(df); dy.CopyTo(dr); break;
            case MergeMode.Mul: TensorPrimitives.Multiply(dy, r, df); TensorPrimitives.Multiply(dy, f, dr); break;
            default: TensorPrimitives.Multiply(dy, 0.5f, df); dy.Slice(0, f.Length).CopyTo(dr); TensorPrimitives.Multiply(dr, 0.5f, dr); break;
        }
    }
}
