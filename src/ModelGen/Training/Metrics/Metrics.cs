using System;
using System.Numerics.Tensors;

namespace ModelGen;

/// <summary>
/// Keras <c>BinaryAccuracy</c>: an element counts as right when <c>(output &gt; threshold)</c> equals its target (0 or 1);
/// per sample the mean over the last axis, then the running mean over samples.
/// </summary>
public sealed class BinaryAccuracy : Metric
{
    /// <summary>Higher is better.</summary>
    public override MonitorMode Direction => MonitorMode.Max;

    /// <summary>Creates the metric.</summary>
    /// <param name="threshold">Outputs strictly above it count as 1 (Keras default 0.5; use 0 for logits).</param>
    /// <param name="name">Logged name; <c>binary_accuracy</c> by default, <c>accuracy</c> when resolved from that string.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite (every output would compare false).</exception>
    public BinaryAccuracy(float threshold = 0.5f, string name = "binary_accuracy") : base(name)
        => Threshold = float.IsFinite(threshold) ? threshold
            : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a finite number (0.5 for probabilities, 0 for logits)");

    /// <summary>Decision threshold.</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        int width = CheckLengths(output, target, samples, sparseTarget: false);
        long right = 0;
        for (int i = 0; i < output.Length; i++)
            if ((output[i] > Threshold ? 1f : 0f) == target[i]) right++;
        Accumulate((double)right / width, samples);
    }
}

/// <summary>Keras <c>CategoricalAccuracy</c>: a sample counts as right when the argmax of the output equals the argmax of its one-hot target.</summary>
public sealed class CategoricalAccuracy : Metric
{
    /// <summary>Higher is better.</summary>
    public override MonitorMode Direction => MonitorMode.Max;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Logged name; <c>categorical_accuracy</c> by default.</param>
    public CategoricalAccuracy(string name = "categorical_accuracy") : base(name) { }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        int width = CheckLengths(output, target, samples, sparseTarget: false);
        long right = 0;
        for (int r = 0; r < samples; r++)
            if (TensorPrimitives.IndexOfMax(output.Slice(r * width, width)) == TensorPrimitives.IndexOfMax(target.Slice(r * width, width))) right++;
        Accumulate(right, samples);
    }
}

/// <summary>Keras <c>SparseCategoricalAccuracy</c>: a sample counts as right when the argmax of the output equals its class index (stored as a float).</summary>
public sealed class SparseCategoricalAccuracy : Metric
{
    /// <summary>Higher is better.</summary>
    public override MonitorMode Direction => MonitorMode.Max;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Logged name; <c>sparse_categorical_accuracy</c> by default.</param>
    public SparseCategoricalAccuracy(string name = "sparse_categorical_accuracy") : base(name) { }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        int width = CheckLengths(output, target, samples, sparseTarget: true);
        long right = 0;
        for (int r = 0; r < samples; r++)
            if (TensorPrimitives.IndexOfMax(output.Slice(r * width, width)) == target[r]) right++;
        Accumulate(right, samples);
    }
}

/// <summary>Keras metric <c>"mae"</c>: per sample the mean of <c>|output − target|</c> over the last axis, then the running mean.</summary>
public sealed class MeanAbsoluteErrorMetric : Metric
{
    /// <summary>Lower is better.</summary>
    public override MonitorMode Direction => MonitorMode.Min;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Logged name; <c>mae</c> by default.</param>
    public MeanAbsoluteErrorMetric(string name = "mae") : base(name) { }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        int width = CheckLengths(output, target, samples, sparseTarget: false);
        double sum = 0;
        for (int i = 0; i < output.Length; i++) sum += Math.Abs((double)output[i] - target[i]);
        Accumulate(sum / width, samples);
    }
}

/// <summary>Keras metric <c>"mse"</c>: per sample the mean of <c>(output − target)²</c> over the last axis, then the running mean.</summary>
public sealed class MeanSquaredErrorMetric : Metric
{
    /// <summary>Lower is better.</summary>
    public override MonitorMode Direction => MonitorMode.Min;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Logged name; <c>mse</c> by default.</param>
    public MeanSquaredErrorMetric(string name = "mse") : base(name) { }

    /// <inheritdoc/>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        int width = CheckLengths(output, target, samples, sparseTarget: false);
        double sum = 0;
        for (int i = 0; i < output.Length; i++)
        {
            double d = (double)output[i] - target[i];
            sum += d * d;
        }
        Accumulate(sum / width, samples);
    }
}

/// <summary>
/// A loss as a metric, as Keras's <c>BinaryCrossentropy</c>, <c>CategoricalCrossentropy</c> and
/// <c>SparseCategoricalCrossentropy</c> metric classes (and <c>metrics=["binary_crossentropy"]</c>) are: the loss's mean
/// over the rows seen, each row once (for a sequence output, every unmasked step). It reads the output as the loss
/// does (the cross-entropies of the metric names on probabilities, clipped to <c>[1e-7, 1 − 1e-7]</c>, as Keras's metrics
/// without <c>from_logits</c>); lower is better. Updates allocate nothing.
/// </summary>
public sealed class LossMetric : Metric
{
    /// <summary>Lower is better.</summary>
    public override MonitorMode Direction => MonitorMode.Min;

    /// <summary>Creates the metric.</summary>
    /// <param name="loss">The loss to average, e.g. <c>Loss.BinaryCrossentropy()</c>.</param>
    /// <param name="name">Logged name; the loss's Keras name (<see cref="Loss.Name"/>) by default.</param>
    /// <exception cref="ArgumentNullException"><paramref name="loss"/> is null.</exception>
    public LossMetric(Loss loss, string? name = null) : base(name ?? (loss ?? throw new ArgumentNullException(nameof(loss))).Name)
        => Loss = loss;

    /// <summary>The loss averaged.</summary>
    public Loss Loss { get; }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A sparse target is not a class index of the output (as the loss says).</exception>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        if (samples == 0 && output.IsEmpty && target.IsEmpty) return;
        Accumulate((double)Loss.Compute(output, target, samples, default) * samples, samples);
    }
}

/// <summary>
/// The running loss Keras logs as <c>loss</c> (or <c>val_loss</c>): the mean of each batch's mean loss weighted by the
/// batch's number of samples, so the epoch value is the mean over every sample.
/// </summary>
public sealed class LossMean : Metric
{
    /// <summary>Lower is better.</summary>
    public override MonitorMode Direction => MonitorMode.Min;

    private readonly Loss? _loss;

    /// <summary>Creates a tracker fed precomputed batch losses through <see cref="Add"/>.</summary>
    /// <param name="name">Logged name; <c>loss</c> by default.</param>
    public LossMean(string name = "loss") : base(name) { }

    /// <summary>Creates a tracker that can also compute the loss itself in <see cref="Update"/>.</summary>
    /// <param name="loss">Loss evaluated by <see cref="Update"/> (without gradient).</param>
    /// <param name="name">Logged name; <c>loss</c> by default.</param>
    public LossMean(Loss loss, string name = "loss") : base(name)
    {
        ArgumentNullException.ThrowIfNull(loss);
        _loss = loss;
    }

    /// <summary>Adds a batch whose mean loss is already known (the value <see cref="Loss.Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float})"/> returned).</summary>
    /// <param name="batchLoss">Mean loss of the batch.</param>
    /// <param name="samples">Samples in the batch (its weight); Keras weights by batch size. 0 changes nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative.</exception>
    public void Add(float batchLoss, int samples)
    {
        if (samples < 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must not be negative");
        Accumulate((double)batchLoss * samples, samples);
    }

    /// <summary>Computes the batch loss with the loss given at construction and adds it, weighted by <paramref name="samples"/>.</summary>
    /// <param name="output">Model output, <c>[samples, width]</c>.</param>
    /// <param name="target">Targets, as the loss takes them.</param>
    /// <param name="samples">Rows.</param>
    /// <exception cref="InvalidOperationException">The tracker was created without a loss.</exception>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        if (_loss is null) throw new InvalidOperationException($"{Name}: created without a Loss; use Add(batchLoss, samples) or pass the loss to the constructor");
        Add(_loss.Compute(output, target, samples, Span<float>.Empty), samples);
    }
}
