using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>
/// Time-step masks, <c>[steps, batch]</c> bytes (1 = a real step, 0 = padding), from Embedding(MaskZero)
/// or Masking, and the Masking layer itself.
/// </summary>
public static class StepMask
{
    /// <summary>From token ids <c>[batch, steps]</c> (batch-major): a step is real unless its token is 0.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="tokens">Token ids <c>[batch, steps]</c>.</param>
    /// <param name="mask">Receives the mask <c>[steps, batch]</c>.</param>
    public static void FromTokens(int batch, int steps, ReadOnlySpan<int> tokens, Span<byte> mask)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                mask[t * batch + b] = tokens[b * steps + t] != 0 ? (byte)1 : (byte)0;
    }

    /// <summary>The time-major mask <c>[steps, batch]</c> as batch-major <c>[batch, steps]</c>, like the model's output rows.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="mask">The mask <c>[steps, batch]</c>.</param>
    /// <param name="batchMajor">Receives the mask <c>[batch, steps]</c>.</param>
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
    /// <param name="rows">Rows of <paramref name="x"/> (steps × samples).</param>
    /// <param name="width">Features per row.</param>
    /// <param name="value">Keras <c>mask_value</c>.</param>
    /// <param name="x">The input rows <c>[rows, width]</c>.</param>
    /// <param name="mask">Receives 1 for a real row, 0 for padding, <c>[rows]</c>.</param>
    /// <param name="y">Receives the output rows <c>[rows, width]</c>.</param>
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
    /// <param name="batch">Samples.</param>
    /// <param name="width">State values per sample.</param>
    /// <param name="maskRow">The step's mask, <c>[batch]</c>.</param>
    /// <param name="previous">The state before the step, <c>[batch, width]</c>.</param>
    /// <param name="current">The state after the step, <c>[batch, width]</c>; masked samples' rows are overwritten.</param>
    public static void Carry(int batch, int width, ReadOnlySpan<byte> maskRow, ReadOnlySpan<float> previous, Span<float> current)
    {
        for (int b = 0; b < batch; b++)
            if (maskRow[b] == 0) previous.Slice(b * width, width).CopyTo(current.Slice(b * width, width));
    }

    /// <summary>
    /// Backward of <see cref="Carry"/>: for every masked sample the step's state gradient flows straight to the
    /// previous state, <c>dPrevious[b, :] += dCurrent[b, :]</c>, and the step itself gets none (<c>dCurrent[b, :] = 0</c>).
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="width">State values per sample.</param>
    /// <param name="maskRow">The step's mask, <c>[batch]</c>.</param>
    /// <param name="dCurrent">∂loss/∂state after the step, <c>[batch, width]</c>; masked rows are cleared.</param>
    /// <param name="dPrevious">∂loss/∂state before the step, <c>[batch, width]</c>; masked rows receive the gradient.</param>
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
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="mask">The mask, <c>[rows]</c>.</param>
    /// <param name="source">The gradient rows <c>[rows, width]</c>.</param>
    /// <param name="target">Receives them with masked rows zero; empty to do nothing.</param>
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
