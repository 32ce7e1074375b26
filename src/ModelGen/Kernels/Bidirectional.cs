using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

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
    /// <param name="mode">The Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="units">Units of each direction.</param>
    /// <param name="forward">The forward direction's outputs, time-major <c>[steps, batch, units]</c>.</param>
    /// <param name="backward">The backward direction's outputs, in the order it read them, <c>[steps, batch, units]</c>.</param>
    /// <param name="mask">The step mask <c>[steps, batch]</c>, or empty for none.</param>
    /// <param name="output">Receives the merged sequence <c>[steps, batch, width]</c> (width = <c>2·units</c> for concat, else <c>units</c>).</param>
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
    /// <param name="mode">The Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="units">Units of each direction.</param>
    /// <param name="forward">The forward direction's final output <c>[batch, units]</c>.</param>
    /// <param name="backward">The backward direction's final output <c>[batch, units]</c>.</param>
    /// <param name="output">Receives the merged output <c>[batch, width]</c>.</param>
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
    /// <param name="mode">The Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="units">Units of each direction.</param>
    /// <param name="forward">The forward outputs the merge read, <c>[steps, batch, units]</c>.</param>
    /// <param name="backward">The backward outputs the merge read, in its own order, <c>[steps, batch, units]</c>.</param>
    /// <param name="mask">The step mask <c>[steps, batch]</c>, or empty; masked steps get zero gradients.</param>
    /// <param name="dOutput">∂loss/∂merged <c>[steps, batch, width]</c>.</param>
    /// <param name="dForward">Receives ∂loss/∂forward output <c>[steps, batch, units]</c>.</param>
    /// <param name="dBackward">Receives ∂loss/∂backward output <c>[steps, batch, units]</c>, in the backward direction's order.</param>
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
    /// <param name="mode">The Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="units">Units of each direction.</param>
    /// <param name="forward">The forward final output the merge read, <c>[batch, units]</c>.</param>
    /// <param name="backward">The backward final output the merge read, <c>[batch, units]</c>.</param>
    /// <param name="dOutput">∂loss/∂merged <c>[batch, width]</c>.</param>
    /// <param name="dForward">Receives ∂loss/∂forward outputs <c>[steps, batch, units]</c> (zeros but the last step).</param>
    /// <param name="dBackward">Receives ∂loss/∂backward outputs <c>[steps, batch, units]</c> (zeros but the last step).</param>
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
