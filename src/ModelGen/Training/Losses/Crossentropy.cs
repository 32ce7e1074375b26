using System;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// Keras <c>BinaryCrossentropy</c>. Per element <c>−[t·log p + (1 − t)·log(1 − p)]</c>; per sample the mean over the
/// last axis (Keras takes the mean, not the sum, for this loss); then the mean over samples.
/// </summary>
/// <remarks>
/// From probabilities, <c>p</c> is the output clipped to <c>[1e-7, 1 − 1e-7]</c> as Keras 3 does, and the gradient is 0
/// where the clip is active (<c>tf.clip_by_value</c>'s gradient); tf.keras 2 also adds 1e-7 inside each logarithm, so
/// its loss at a saturated output is a little lower (its gradients agree). From logits, the numerically stable form
/// <c>max(x, 0) − x·t + log(1 + exp(−|x|))</c> (TensorFlow's <c>sigmoid_cross_entropy_with_logits</c>), with gradient
/// <c>sigmoid(x) − t</c>, both divided by <c>samples·width</c>. With label smoothing <c>s</c> each target is first
/// replaced by <c>t·(1 − s) + s/2</c> (Keras's <c>label_smoothing</c>).
/// </remarks>
public sealed class BinaryCrossentropyLoss : Loss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">True when the output is a logit (no sigmoid on the last layer).</param>
    /// <param name="labelSmoothing">Keras <c>label_smoothing</c>, in [0, 1]: targets move towards 1/2, each becoming
    /// <c>t·(1 − s) + s/2</c>. 0 (the default) leaves them as given.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    public BinaryCrossentropyLoss(bool fromLogits = false, float labelSmoothing = 0f) : base("binary_crossentropy")
    {
        FromLogits = fromLogits;
        LabelSmoothing = Crossentropy.CheckSmoothing(labelSmoothing);
    }

    /// <inheritdoc/>
    internal override Loss? FusedWith(string activation)
        => !FromLogits && string.Equals(activation, "sigmoid", StringComparison.OrdinalIgnoreCase) ? new BinaryCrossentropyLoss(fromLogits: true, LabelSmoothing) : null;

    /// <summary>True when the output is read as logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Keras <c>label_smoothing</c>: each target is read as <c>t·(1 − s) + s/2</c>; 0 for none.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    internal override (int Index, float Value)? FindInvalidTarget(ReadOnlySpan<float> targets, int width) => Crossentropy.OutsideUnitInterval(targets);

    /// <inheritdoc/>
    internal override string ValidTargets(int width)
        => $"{Name} takes targets in [0, 1], 0/1 labels or probabilities (class indices of a softmax output need sparse_categorical_crossentropy)";

    /// <inheritdoc/>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        double scale = 1.0 / output.Length;
        bool withGradient = !gradient.IsEmpty;
        double total = 0;
        double keep = 1.0 - LabelSmoothing, toward = 0.5 * LabelSmoothing;
        if (FromLogits)
        {
            for (int i = 0; i < output.Length; i++)
            {
                double x = output[i], t = target[i] * keep + toward;
                total += Math.Max(x, 0.0) - x * t + Math.Log(1.0 + Math.Exp(-Math.Abs(x)));
                if (withGradient) gradient[i] = (float)((Crossentropy.Sigmoid(x) - t) * scale);
            }
        }
        else
        {
            for (int i = 0; i < output.Length; i++)
            {
                double y = output[i], t = target[i] * keep + toward;
                double p = Math.Clamp(y, Crossentropy.Low, Crossentropy.High);
                total -= t * Math.Log(p) + (1.0 - t) * Math.Log(1.0 - p);
                if (withGradient)
                    gradient[i] = y < Crossentropy.Low || y > Crossentropy.High ? 0f : (float)((-t / p + (1.0 - t) / (1.0 - p)) * scale);
            }
        }
        return (float)(total * scale);
    }
}

/// <summary>
/// Keras <c>CategoricalCrossentropy</c> with one-hot (or any probability-vector) targets: per sample
/// <c>−Σ_j t_j·log p_j</c>, then the mean over samples.
/// </summary>
/// <remarks>
/// From probabilities, as Keras does, each row is first divided by its sum and then clipped to <c>[1e-7, 1 − 1e-7]</c>;
/// the gradient goes through both (0 through an active clip). From logits, a stable log-softmax; the gradient is
/// <c>softmax(x)·Σt − t</c>, which is <c>softmax(x) − t</c> for one-hot targets. Both are divided by <c>samples</c>.
/// With label smoothing <c>s</c> each target is first replaced by <c>t·(1 − s) + s/classes</c> (Keras's
/// <c>label_smoothing</c>, PyTorch's <c>CrossEntropyLoss(label_smoothing)</c>).
/// </remarks>
public sealed class CategoricalCrossentropyLoss : Loss
{
    // Per thread (see Scratch): the smoothed targets of one row.
    [ThreadStatic]
    private static float[]? t_smoothed;

    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">True when the output is logits (no softmax on the last layer).</param>
    /// <param name="labelSmoothing">Keras <c>label_smoothing</c> (PyTorch's <c>CrossEntropyLoss(label_smoothing)</c>), in
    /// [0, 1]: each target becomes <c>t·(1 − s) + s/classes</c>. 0 (the default) leaves them as given.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    public CategoricalCrossentropyLoss(bool fromLogits = false, float labelSmoothing = 0f) : base("categorical_crossentropy")
    {
        FromLogits = fromLogits;
        LabelSmoothing = Crossentropy.CheckSmoothing(labelSmoothing);
    }

    /// <inheritdoc/>
    internal override Loss? FusedWith(string activation)
        => !FromLogits && string.Equals(activation, "softmax", StringComparison.OrdinalIgnoreCase) ? new CategoricalCrossentropyLoss(fromLogits: true, LabelSmoothing) : null;

    /// <summary>True when the output is read as logits.</summary>
    public bool FromLogits { get; }

    /// <summary>Keras <c>label_smoothing</c>: each target is read as <c>t·(1 − s) + s/classes</c>; 0 for none.</summary>
    public float LabelSmoothing { get; }

    /// <inheritdoc/>
    internal override (int Index, float Value)? FindInvalidTarget(ReadOnlySpan<float> targets, int width) => Crossentropy.OutsideUnitInterval(targets);

    /// <inheritdoc/>
    internal override string ValidTargets(int width)
        => $"{Name} takes one-hot or probability rows of {width} values, each in [0, 1] (one class index per row needs sparse_categorical_crossentropy)";

    /// <inheritdoc/>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        double scale = 1.0 / samples;
        double total = 0;
        var smoothed = LabelSmoothing == 0f ? Span<float>.Empty : Scratch.Grow(ref t_smoothed, width);
        float keep = 1f - LabelSmoothing, toward = LabelSmoothing / width;
        for (int r = 0; r < samples; r++)
        {
            var g = gradient.IsEmpty ? Span<float>.Empty : gradient.Slice(r * width, width);
            var t = target.Slice(r * width, width);
            if (!smoothed.IsEmpty)
            {
                for (int j = 0; j < width; j++) smoothed[j] = t[j] * keep + toward;
                t = smoothed;
            }
            total += Crossentropy.Row(output.Slice(r * width, width), t, FromLogits, scale, g);
        }
        return (float)(total * scale);
    }
}

/// <summary>
/// Keras <c>SparseCategoricalCrossentropy</c>: as <see cref="CategoricalCrossentropyLoss"/> with the target given as one
/// class index per row (stored as a float), the same as a one-hot row.
/// </summary>
public sealed class SparseCategoricalCrossentropyLoss : Loss
{
    // Per thread (see Scratch): the object is shared by every pass that uses it.
    [ThreadStatic]
    private static float[]? t_oneHot;

    /// <summary>Creates the loss.</summary>
    /// <param name="fromLogits">True when the output is logits (no softmax on the last layer).</param>
    public SparseCategoricalCrossentropyLoss(bool fromLogits = false) : base("sparse_categorical_crossentropy") => FromLogits = fromLogits;

    /// <inheritdoc/>
    internal override Loss? FusedWith(string activation)
        => !FromLogits && string.Equals(activation, "softmax", StringComparison.OrdinalIgnoreCase) ? new SparseCategoricalCrossentropyLoss(fromLogits: true) : null;

    /// <summary>True when the output is read as logits.</summary>
    public bool FromLogits { get; }

    /// <inheritdoc/>
    protected override int TargetLength(int samples, int width) => samples;

    /// <inheritdoc/>
    internal override (int Index, float Value)? FindInvalidTarget(ReadOnlySpan<float> targets, int width)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            float c = targets[i];
            if (!(c >= 0f && c < width) || c != MathF.Floor(c)) return (i, c);
        }
        return null;
    }

    /// <inheritdoc/>
    internal override string ValidTargets(int width)
        => string.Create(CultureInfo.InvariantCulture, $"{Name} takes one class index per output row, a whole number in [0, {width}) for the {width} output units");

    /// <inheritdoc/>
    /// <remarks>The class indices are checked before this runs (<see cref="Loss.Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, int, ReadOnlySpan{float}, Span{float})"/>).</remarks>
    protected override float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient)
    {
        var oneHot = Scratch.Grow(ref t_oneHot, width);
        oneHot.Clear();
        double scale = 1.0 / samples;
        double total = 0;
        for (int r = 0; r < samples; r++)
        {
            int c = (int)target[r];
            oneHot[c] = 1f;
            var g = gradient.IsEmpty ? Span<float>.Empty : gradient.Slice(r * width, width);
            total += Crossentropy.Row(output.Slice(r * width, width), oneHot, FromLogits, scale, g);
            oneHot[c] = 0f;
        }
        return (float)(total * scale);
    }
}

/// <summary>Shared crossentropy arithmetic, in double.</summary>
internal static class Crossentropy
{
    /// <summary>Lower clip bound, float32 <c>1e-7</c> as Keras casts it.</summary>
    public const double Low = Loss.Epsilon;

    /// <summary>Upper clip bound, float32 <c>1 − 1e-7</c>.</summary>
    public const double High = 1f - Loss.Epsilon;

    public static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    /// <summary>A label smoothing factor, checked: in [0, 1], as Keras requires.</summary>
    public static float CheckSmoothing(float labelSmoothing)
        => labelSmoothing is >= 0f and <= 1f ? labelSmoothing
            : throw new ArgumentOutOfRangeException(nameof(labelSmoothing), labelSmoothing, "labelSmoothing must be in [0, 1] (0: none)");

    /// <summary>
    /// The first finite target outside <c>[0, 1]</c>, which no probability cross-entropy can mean (Keras computes a
    /// meaningless loss from it: a class index given to binary_crossentropy, labels of −1/1); NaN and ±∞ are left to
    /// the checks for non-finite data, which name them as such.
    /// </summary>
    public static (int Index, float Value)? OutsideUnitInterval(ReadOnlySpan<float> targets)
    {
        for (int i = 0; i < targets.Length; i++)
        {
            float t = targets[i];
            if (float.IsFinite(t) && (t < 0f || t > 1f)) return (i, t);
        }
        return null;
    }

    /// <summary>
    /// <c>−Σ t_j log p_j</c> for one row and, when <paramref name="gradient"/> is not empty, its derivative times
    /// <paramref name="scale"/> written into it.
    /// </summary>
    public static double Row(ReadOnlySpan<float> y, ReadOnlySpan<float> t, bool fromLogits, double scale, Span<float> gradient)
    {
        int n = y.Length;
        double loss = 0;
        if (fromLogits)
        {
            double max = y[0];
            for (int j = 1; j < n; j++) max = Math.Max(max, y[j]);
            double sumExp = 0;
            for (int j = 0; j < n; j++) sumExp += Math.Exp(y[j] - max);
            double logSum = Math.Log(sumExp);
            double tSum = 0;
            for (int j = 0; j < n; j++)
            {
                loss -= t[j] * (y[j] - max - logSum);
                tSum += t[j];
            }
            if (!gradient.IsEmpty)
                for (int j = 0; j < n; j++)
                    gradient[j] = (float)((tSum * Math.Exp(y[j] - max - logSum) - t[j]) * scale);
            return loss;
        }

        // Keras: q = y / Σy, p = clip(q, ε, 1 − ε), loss = −Σ t log p.
        double sum = 0;
        for (int j = 0; j < n; j++) sum += y[j];
        double dot = 0;   // Σ_j (∂loss/∂q_j)·q_j
        for (int j = 0; j < n; j++)
        {
            double q = y[j] / sum;
            double p = Math.Clamp(q, Low, High);
            loss -= t[j] * Math.Log(p);
            dot += DLossDq(q, p, t[j]) * q;
        }
        if (!gradient.IsEmpty)
        {
            // ∂q_i/∂y_j = (δ_ij − q_i) / Σy, so ∂loss/∂y_j = (∂loss/∂q_j − Σ_i ∂loss/∂q_i·q_i) / Σy.
            for (int j = 0; j < n; j++)
            {
                double q = y[j] / sum;
                double p = Math.Clamp(q, Low, High);
                gradient[j] = (float)((DLossDq(q, p, t[j]) - dot) / sum * scale);
            }
        }
        return loss;
    }

    private static double DLossDq(double q, double p, double t) => q < Low || q > High ? 0.0 : -t / p;
}
