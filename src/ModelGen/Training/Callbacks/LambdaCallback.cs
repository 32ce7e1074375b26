using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// Keras <c>keras.callbacks.LambdaCallback</c>: a callback built from delegates, each optional, called at the matching
/// point of <c>Fit</c>. Logs are the same dictionaries other callbacks receive (<c>loss</c>, metrics, <c>val_*</c>).
/// </summary>
/// <example><code>
/// var printer = new LambdaCallback(onEpochEnd: (epoch, logs) => Console.WriteLine($"{epoch}: {logs["loss"]}"));
/// model.Fit(x, y, epochs: 5, callbacks: [printer]);
/// </code></example>
public sealed class LambdaCallback : Callback
{
    private readonly Action<int>? _onEpochBegin, _onBatchBegin;
    private readonly Action<int, IReadOnlyDictionary<string, float>>? _onEpochEnd, _onBatchEnd;
    private readonly Action? _onTrainBegin, _onTrainEnd;

    /// <summary>Creates the callback; every delegate may be null (Keras's keyword arguments of the same names).</summary>
    /// <param name="onEpochBegin">Called with the 0-based epoch before it starts (Keras <c>on_epoch_begin</c>).</param>
    /// <param name="onEpochEnd">Called with the epoch and its logs after it ends (Keras <c>on_epoch_end</c>).</param>
    /// <param name="onBatchBegin">Called with the 0-based batch index before each training batch (Keras <c>on_batch_begin</c>).</param>
    /// <param name="onBatchEnd">Called with the batch index and the epoch's running logs after each training batch (Keras <c>on_batch_end</c>).</param>
    /// <param name="onTrainBegin">Called before the first epoch (Keras <c>on_train_begin</c>).</param>
    /// <param name="onTrainEnd">Called after the last epoch (Keras <c>on_train_end</c>).</param>
    public LambdaCallback(Action<int>? onEpochBegin = null, Action<int, IReadOnlyDictionary<string, float>>? onEpochEnd = null,
        Action<int>? onBatchBegin = null, Action<int, IReadOnlyDictionary<string, float>>? onBatchEnd = null,
        Action? onTrainBegin = null, Action? onTrainEnd = null)
    {
        _onEpochBegin = onEpochBegin;
        _onEpochEnd = onEpochEnd;
        _onBatchBegin = onBatchBegin;
        _onBatchEnd = onBatchEnd;
        _onTrainBegin = onTrainBegin;
        _onTrainEnd = onTrainEnd;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _onTrainBegin?.Invoke();

    /// <inheritdoc/>
    public override void OnTrainEnd() => _onTrainEnd?.Invoke();

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch) => _onEpochBegin?.Invoke(epoch);

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => _onEpochEnd?.Invoke(epoch, logs);

    /// <inheritdoc/>
    public override void OnBatchBegin(int batch) => _onBatchBegin?.Invoke(batch);

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => _onBatchEnd?.Invoke(batch, logs);
}
