using System;

namespace ModelGen;

/// <summary>
/// A Keras metric: a running mean of a per-sample value over the batches seen since <see cref="Reset"/>, each batch
/// weighted by its number of samples (Keras's <c>Mean</c> / <c>MeanMetricWrapper</c>), or, through
/// <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, int, ReadOnlySpan{float})"/>, the weighted mean
/// <c>Σ w·value / Σ w</c> Keras's <c>weighted_metrics</c> take.
/// </summary>
/// <remarks>
/// Outputs are read as <c>[samples, width]</c>, <c>width = output.Length / samples</c>; for sequence outputs pass
/// <c>samples = batch·steps</c> (every step counts once, which is the same mean Keras takes). A batch of 0 rows (every
/// step masked) changes nothing. Updates allocate nothing.
/// </remarks>
public abstract class Metric
{
    /// <summary>Names <see cref="FromName(string, Loss)"/> accepts.</summary>
    public const string ValidNames =
        "accuracy, acc, binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, mae, mean_absolute_error, mse, mean_squared_error, auc, precision, recall, binary_crossentropy, categorical_crossentropy, sparse_categorical_crossentropy";

    private double _total;
    private double _count;
    private double _rowWeight = 1;

    /// <summary>Creates a metric with the name Keras logs it under.</summary>
    /// <param name="name">Name, e.g. <c>accuracy</c>.</param>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>Name the metric is logged under (<c>accuracy</c>, <c>val_accuracy</c> is up to the caller).</summary>
    public string Name { get; }

    /// <summary>
    /// Which way the metric improves, for callbacks that monitor it in <see cref="MonitorMode.Auto"/> (Keras 3's metric
    /// <c>_direction</c>): <see cref="MonitorMode.Max"/> for accuracies, AUC, precision and recall,
    /// <see cref="MonitorMode.Min"/> for errors and losses. <see cref="MonitorMode.Auto"/> (the default for a metric of
    /// your own) means not known: a callback monitoring it in Auto mode then refuses to start, as Keras 3 does. Override
    /// it in your metric, or pass the mode to the callback.
    /// </summary>
    public virtual MonitorMode Direction => MonitorMode.Auto;

    /// <summary>Forgets every batch seen (Keras <c>reset_state()</c>, called at the start of each epoch).</summary>
    public virtual void Reset()
    {
        _total = 0;
        _count = 0;
    }

    /// <summary>Adds a batch.</summary>
    /// <param name="output">Model output, <c>[samples, width]</c>.</param>
    /// <param name="target">Targets: same length as <paramref name="output"/>, or one class index per row for sparse metrics.</param>
    /// <param name="samples">Rows: the batch size, or <c>batch·steps</c> for sequence outputs.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public abstract void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples);

    /// <summary>
    /// Adds a batch with one weight per row, as Keras's <c>update_state(y_true, y_pred, sample_weight)</c>: the running
    /// value becomes <c>Σ w·value / Σ w</c> over every row seen. Empty weights are the unweighted
    /// <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/>; rows of weight 0 count for nothing.
    /// </summary>
    /// <remarks>Each weighted row goes through <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> on its own,
    /// so any metric built on <see cref="Accumulate"/> is weighted correctly.</remarks>
    /// <param name="output">Model output, <c>[samples, width]</c>.</param>
    /// <param name="target">Targets, as for the unweighted overload.</param>
    /// <param name="samples">Rows.</param>
    /// <param name="weights">Empty, or one finite, non-negative weight per row, <c>[samples]</c>.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, ReadOnlySpan<float> weights)
    {
        if (weights.IsEmpty || samples == 0)
        {
            Update(output, target, samples);
            return;
        }
        if (weights.Length != samples)
            throw new ArgumentException($"{Name}: {weights.Length} weights for {samples} rows; expected one weight per row or none", nameof(weights));
        int width = Loss.RowWidth(output, samples);
        if (target.Length % samples != 0)
            throw new ArgumentException($"{Name}: target has {target.Length} values, which does not split into {samples} rows", nameof(target));
        int perRow = target.Length / samples;
        try
        {
            for (int r = 0; r < samples; r++)
            {
                if (weights[r] == 0f) continue;
                _rowWeight = weights[r];
                Update(output.Slice(r * width, width), target.Slice(r * perRow, perRow), 1);
            }
        }
        finally
        {
            _rowWeight = 1;
        }
    }

    /// <summary>The mean over every sample since <see cref="Reset"/>; 0 before any update (Keras's <c>divide_no_nan</c>).</summary>
    public virtual float Result => _count == 0 ? 0f : (float)(_total / _count);

    /// <summary>
    /// Adds <paramref name="sum"/>, the sum of the per-sample values of <paramref name="samples"/> samples, to the running
    /// mean (times the row's weight inside a weighted update). 0 samples change nothing.
    /// </summary>
    /// <param name="sum">Sum of per-sample values.</param>
    /// <param name="samples">Number of samples the sum covers.</param>
    protected void Accumulate(double sum, long samples)
    {
        if (samples == 0) return;
        _total += sum * _rowWeight;
        _count += samples * _rowWeight;
    }

    /// <summary>
    /// The weight of the rows the current <see cref="Update(ReadOnlySpan{float}, ReadOnlySpan{float}, int)"/> call adds: 1,
    /// or the row's weight while the weighted overload feeds rows one by one. Metrics that keep their own sums (e.g.
    /// confusion counts) multiply what they add by it.
    /// </summary>
    protected double RowWeight => _rowWeight;

    /// <summary>Checks an update's lengths and returns the row width.</summary>
    /// <param name="output">Model output.</param>
    /// <param name="target">Targets.</param>
    /// <param name="samples">Rows.</param>
    /// <param name="sparseTarget">True when the target holds one value per row.</param>
    /// <returns>Values per row; 0 for an update of 0 rows with empty spans.</returns>
    protected int CheckLengths(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, bool sparseTarget)
    {
        if (samples == 0 && output.IsEmpty && target.IsEmpty) return 0;
        int width = Loss.RowWidth(output, samples);
        int expected = sparseTarget ? samples : output.Length;
        if (target.Length != expected)
            throw new ArgumentException(
                sparseTarget
                    ? $"{Name}: target has {target.Length} values; expected {expected} (one class index per row)"
                    : $"{Name}: target has {target.Length} values; expected {expected} (same as output, [{samples} × {width}])",
                nameof(target));
        return width;
    }

    /// <summary>
    /// The metric a Keras string names, as in <c>model.compile(metrics=[…])</c>. <c>"accuracy"</c> and <c>"acc"</c> pick
    /// the accuracy that fits the loss: binary for <see cref="BinaryCrossentropyLoss"/>, sparse categorical for
    /// <see cref="SparseCategoricalCrossentropyLoss"/>, categorical otherwise, as tf.keras 2 chose (Keras 3 reads the
    /// shapes alone and gives a multi-label model, several sigmoid units with binary cross-entropy, categorical accuracy).
    /// The metric keeps the name given.
    /// </summary>
    /// <param name="name">Keras metric name (see <see cref="ValidNames"/>).</param>
    /// <param name="loss">The loss the model is compiled with.</param>
    /// <returns>A new metric.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid names.</exception>
    public static Metric FromName(string name, Loss loss) => FromName(name, loss, outputUnits: 0);

    /// <summary>
    /// As <see cref="FromName(string, Loss)"/>, also using the width of the output as Keras does: <c>"accuracy"</c> on a
    /// model with one output unit is binary accuracy whatever the loss.
    /// </summary>
    /// <param name="name">Keras metric name (see <see cref="ValidNames"/>).</param>
    /// <param name="loss">The loss the model is compiled with.</param>
    /// <param name="outputUnits">Units of the model's last layer (<see cref="ModelInfo.OutputUnits"/>), or 0 if unknown.</param>
    /// <returns>A new metric.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid names.</exception>
    public static Metric FromName(string name, Loss loss, int outputUnits)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(loss);
        if (string.Equals(name, "accuracy", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "acc", StringComparison.OrdinalIgnoreCase))
        {
            if (outputUnits == 1 || loss is BinaryCrossentropyLoss) return new BinaryAccuracy(name: name);
            if (loss is SparseCategoricalCrossentropyLoss) return new SparseCategoricalAccuracy(name);
            return new CategoricalAccuracy(name);
        }
        return name switch
        {
            "binary_accuracy" => new BinaryAccuracy(name: name),
            "categorical_accuracy" => new CategoricalAccuracy(name),
            "sparse_categorical_accuracy" => new SparseCategoricalAccuracy(name),
            "mae" or "mean_absolute_error" => new MeanAbsoluteErrorMetric(name),
            "mse" or "mean_squared_error" => new MeanSquaredErrorMetric(name),
            "auc" => new Auc(name: name),
            "precision" => new Precision(name: name),
            "recall" => new Recall(name: name),
            "binary_crossentropy" or "categorical_crossentropy" or "sparse_categorical_crossentropy" => new LossMetric(Loss.FromName(name), name),
            _ => throw new ArgumentException($"Unknown metric '{name}'. Valid names: {ValidNames}.", nameof(name)),
        };
    }
}
