using System;
using System.Numerics.Tensors;

namespace ModelGen;

/// <summary>
/// Keras <c>MeanSquaredError</c>: per sample <c>mean_j (output_j − target_j)²</c>, then the mean over samples, which is the
/// mean over every element. Gradient: <c>2 (output − target) / (samples·width)</c>.
/// </summary>
public sealed class MeanSquaredErrorLoss : Loss
{
    // Per thread, not per instance: one loss object serves every Evaluate on a model shared by many threads, and may be
    // shared between models trained at once (as Keras's and PyTorch's loss objects are).
    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>Creates the loss (Keras name <c>mean_squared_error</c>, string <c>"mse"</c>).</summary>
    public MeanSquaredErrorLoss() : base("mean_squared_error") { }

    /// <inheritdoc/>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        int n = output.Length;
        Span<float> diff = gradient.IsEmpty ? Scratch.Grow(ref t_scratch, n) : gradient;
        TensorPrimitives.Subtract(output, target, diff);
        float loss = TensorPrimitives.SumOfSquares(diff) / n;
        if (!gradient.IsEmpty) TensorPrimitives.Multiply(diff, 2f / n, gradient);
        return loss;
    }
}

/// <summary>
/// Keras <c>MeanAbsoluteError</c>: per sample <c>mean_j |output_j − target_j|</c>, then the mean over samples. Gradient:
/// <c>sign(output − target) / (samples·width)</c>, 0 where output equals target (as TensorFlow differentiates <c>abs</c>).
/// </summary>
public sealed class MeanAbsoluteErrorLoss : Loss
{
    // Per thread, not per instance: one loss object serves every Evaluate on a model shared by many threads, and may be
    // shared between models trained at once (as Keras's and PyTorch's loss objects are).
    [ThreadStatic]
    private static float[]? t_scratch;

    /// <summary>Creates the loss (Keras name <c>mean_absolute_error</c>, string <c>"mae"</c>).</summary>
    public MeanAbsoluteErrorLoss() : base("mean_absolute_error") { }

    /// <inheritdoc/>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        int n = output.Length;
        Span<float> diff = gradient.IsEmpty ? Scratch.Grow(ref t_scratch, n) : gradient;
        TensorPrimitives.Subtract(output, target, diff);
        float loss = TensorPrimitives.SumOfMagnitudes(diff) / n;
        if (!gradient.IsEmpty)
        {
            float scale = 1f / n;
            for (int i = 0; i < gradient.Length; i++)
            {
                float d = gradient[i];
                gradient[i] = d > 0f ? scale : d < 0f ? -scale : d == 0f ? 0f : float.NaN;
            }
        }
        return loss;
    }
}

/// <summary>
/// Keras <c>Huber(delta)</c> (PyTorch's <c>HuberLoss(delta=…)</c>, mean reduction): per element, with
/// <c>d = output − target</c>, <c>d²/2</c> where <c>|d| ≤ delta</c> and <c>delta·(|d| − delta/2)</c> beyond; per sample the mean
/// over the last axis, then the mean over samples, which is the mean over every element. Gradient:
/// <c>clamp(d, −delta, delta) / (samples·width)</c>.
/// </summary>
public sealed class HuberLoss : Loss
{
    /// <summary>Creates the loss (Keras name <c>huber_loss</c>, string <c>"huber"</c>).</summary>
    /// <param name="delta">Where the loss turns from quadratic to linear: positive and finite (Keras's default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive and finite.</exception>
    public HuberLoss(float delta = 1f) : base("huber_loss")
        => Delta = delta > 0f && float.IsFinite(delta) ? delta
            : throw new ArgumentOutOfRangeException(nameof(delta), delta, "delta must be positive and finite (Keras's default is 1)");

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta { get; }

    /// <inheritdoc/>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        int n = output.Length;
        double delta = Delta, total = 0;
        float scale = 1f / n;
        for (int i = 0; i < n; i++)
        {
            double d = (double)output[i] - target[i], a = Math.Abs(d);
            total += a <= delta ? 0.5 * d * d : delta * (a - 0.5 * delta);
            if (!gradient.IsEmpty) gradient[i] = (float)Math.Clamp(d, -delta, delta) * scale; // NaN stays NaN
        }
        return (float)(total / n);
    }
}

/// <summary>
/// Grow-only scratch buffers: allocation on the first (or a larger) call only. The losses keep theirs per thread
/// (<see cref="ThreadStaticAttribute"/>), so that a loss object is safe to share between threads and models.
/// </summary>
internal static class Scratch
{
    /// <summary>Returns the first <paramref name="length"/> floats of <paramref name="buffer"/>, replacing it by a larger array first if needed.</summary>
    public static Span<float> Grow(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length) buffer = new float[length];
        return buffer.AsSpan(0, length);
    }
}
