using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>
/// The layers that change the time axis, for the generated code, over time-major data <c>[steps, batch, width]</c>:
/// Keras's <c>RepeatVector</c>, <c>GlobalAveragePooling1D</c>, <c>GlobalMaxPooling1D</c> and <c>Flatten</c>, forward and
/// backward. Each checks its lengths and allocates nothing.
/// </summary>
public static class SequenceLayers
{
    /// <summary>RepeatVector: <c>y[t, b, :] = x[b, :]</c> for every step <c>t</c> (Keras <c>RepeatVector(n)</c>).</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">The repetition factor <c>n</c>: the output's steps.</param>
    /// <param name="width">Features per sample.</param>
    /// <param name="x">The input <c>[batch, width]</c>.</param>
    /// <param name="y">The output, time-major <c>[steps, batch, width]</c>.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void Repeat(int batch, int steps, int width, ReadOnlySpan<float> x, Span<float> y)
    {
        int block = batch * width;
        Require(block, x.Length, nameof(x));
        Require(steps * block, y.Length, nameof(y));
        x = x.Slice(0, block);
        for (int t = 0; t < steps; t++) x.CopyTo(y.Slice(t * block, block));
    }

    /// <summary>RepeatVector's backward: <c>dx[b, :] = Σ_t dy[t, b, :]</c>; nothing when <paramref name="dx"/> is empty.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">The repetition factor <c>n</c>.</param>
    /// <param name="width">Features per sample.</param>
    /// <param name="dy">∂loss/∂output, time-major <c>[steps, batch, width]</c>.</param>
    /// <param name="dx">∂loss/∂input <c>[batch, width]</c>, overwritten.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void RepeatBackward(int batch, int steps, int width, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dx.IsEmpty) return;
        int block = batch * width;
        Require(steps * block, dy.Length, nameof(dy));
        Require(block, dx.Length, nameof(dx));
        dx = dx.Slice(0, block);
        dy.Slice(0, block).CopyTo(dx);
        for (int t = 1; t < steps; t++) TensorPrimitives.Add(dx, dy.Slice(t * block, block), dx);
    }

    /// <summary>
    /// GlobalAveragePooling1D: <c>y[b, :]</c> = the mean of <c>x[t, b, :]</c> over the steps, or with a mask over the
    /// unmasked steps only (Keras: <c>Σ x·mask / Σ mask</c>, so a sample with every step masked gives NaN).
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Features per step.</param>
    /// <param name="x">The input, time-major <c>[steps, batch, width]</c>.</param>
    /// <param name="mask">The step mask, time-major <c>[steps, batch]</c> (1 real, 0 padding), or empty: every step counts.</param>
    /// <param name="y">The output <c>[batch, width]</c>.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void AveragePool(int batch, int steps, int width, ReadOnlySpan<float> x, ReadOnlySpan<byte> mask, Span<float> y)
    {
        int block = batch * width;
        Require(steps * block, x.Length, nameof(x));
        Require(block, y.Length, nameof(y));
        if (!mask.IsEmpty) Require(steps * batch, mask.Length, nameof(mask));
        for (int b = 0; b < batch; b++)
        {
            var yb = y.Slice(b * width, width);
            yb.Clear();
            int count = 0;
            for (int t = 0; t < steps; t++)
            {
                if (!mask.IsEmpty && mask[t * batch + b] == 0) continue;
                TensorPrimitives.Add(yb, x.Slice(t * block + b * width, width), yb);
                count++;
            }
            TensorPrimitives.Divide(yb, count, yb);
        }
    }

    /// <summary>
    /// GlobalAveragePooling1D's backward: <c>dx[t, b, :] = dy[b, :] / count</c> at each counted step, 0 at masked ones
    /// (and everywhere for a sample with no unmasked step); nothing when <paramref name="dx"/> is empty.
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Features per step.</param>
    /// <param name="mask">The step mask <c>[steps, batch]</c>, or empty.</param>
    /// <param name="dy">∂loss/∂output <c>[batch, width]</c>.</param>
    /// <param name="dx">∂loss/∂input, time-major <c>[steps, batch, width]</c>, overwritten.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void AveragePoolBackward(int batch, int steps, int width, ReadOnlySpan<byte> mask, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dx.IsEmpty) return;
        int block = batch * width;
        Require(block, dy.Length, nameof(dy));
        Require(steps * block, dx.Length, nameof(dx));
        if (!mask.IsEmpty) Require(steps * batch, mask.Length, nameof(mask));
        for (int b = 0; b < batch; b++)
        {
            int count = steps;
            if (!mask.IsEmpty)
            {
                count = 0;
                for (int t = 0; t < steps; t++) count += mask[t * batch + b] != 0 ? 1 : 0;
            }
            var dyb = dy.Slice(b * width, width);
            for (int t = 0; t < steps; t++)
            {
                var target = dx.Slice(t * block + b * width, width);
                if (count == 0 || (!mask.IsEmpty && mask[t * batch + b] == 0)) target.Clear();
                else TensorPrimitives.Divide(dyb, count, target);
            }
        }
    }

    /// <summary>GlobalMaxPooling1D: <c>y[b, f] = max_t x[t, b, f]</c> over every step (Keras 3 applies no mask here).</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Features per step.</param>
    /// <param name="x">The input, time-major <c>[steps, batch, width]</c>.</param>
    /// <param name="y">The output <c>[batch, width]</c>.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void MaxPool(int batch, int steps, int width, ReadOnlySpan<float> x, Span<float> y)
    {
        int block = batch * width;
        Require(steps * block, x.Length, nameof(x));
        Require(block, y.Length, nameof(y));
        y = y.Slice(0, block);
        x.Slice(0, block).CopyTo(y);
        for (int t = 1; t < steps; t++) TensorPrimitives.Max(y, x.Slice(t * block, block), y);
    }

    /// <summary>
    /// GlobalMaxPooling1D's backward: <c>dy[b, f]</c> split equally among the steps whose <c>x[t, b, f]</c> equals the
    /// maximum <c>y[b, f]</c> (TensorFlow's gradient of <c>reduce_max</c>), 0 elsewhere; nothing when <paramref name="dx"/> is empty.
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Features per step.</param>
    /// <param name="x">The forward pass's input, time-major <c>[steps, batch, width]</c>.</param>
    /// <param name="y">The forward pass's output <c>[batch, width]</c>.</param>
    /// <param name="dy">∂loss/∂output <c>[batch, width]</c>.</param>
    /// <param name="dx">∂loss/∂input, time-major <c>[steps, batch, width]</c>, overwritten.</param>
    /// <exception cref="ArgumentException">A span is shorter than the shapes say.</exception>
    public static void MaxPoolBackward(int batch, int steps, int width, ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dx.IsEmpty) return;
        int block = batch * width;
        Require(steps * block, x.Length, nameof(x));
        Require(block, y.Length, nameof(y));
        Require(block, dy.Length, nameof(dy));
        Require(steps * block, dx.Length, nameof(dx));
        for (int i = 0; i < block; i++)
        {
            int ties = 0;
            for (int t = 0; t < steps; t++) ties += x[t * block + i] == y[i] ? 1 : 0;
            float share = ties == 0 ? 0 : dy[i] / ties;
            for (int t = 0; t < steps; t++) dx[t * block + i] = x[t * block + i] == y[i] ? share : 0;
        }
    }

    private static void Require(int needed, int length, string name)
    {
        if (length < needed) throw new ArgumentException($"'{name}' needs {needed} floats for the shapes given, but holds {length}", name);
    }
}
