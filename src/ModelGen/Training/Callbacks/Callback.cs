using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// Hooks into <c>Fit</c>, as Keras's <c>keras.callbacks.Callback</c>: override what you need. Logs hold the
/// loss and metrics by Keras name (<c>loss</c>, <c>accuracy</c>, <c>val_loss</c> …).
/// </summary>
public abstract class Callback
{
    /// <summary>The training run this callback belongs to; set before <see cref="OnTrainBegin"/>.</summary>
    public TrainingContext Context { get; internal set; } = null!;

    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin() { }

    /// <summary>Checks that can refuse a run, made once <see cref="Context"/> is set and before any callback's <see cref="OnTrainBegin"/>.</summary>
    internal virtual void Prepare() { }

    /// <summary>After the last epoch (also after an early stop).</summary>
    public virtual void OnTrainEnd() { }

    /// <summary>Before each epoch (0-based).</summary>
    /// <param name="epoch">The epoch about to run, 0-based.</param>
    public virtual void OnEpochBegin(int epoch) { }

    /// <summary>After each epoch, with the epoch's training and validation results.</summary>
    /// <param name="epoch">The epoch that ended, 0-based.</param>
    /// <param name="logs">Its <c>loss</c> and metrics, with <c>val_</c> twins when there is validation data (also added to <see cref="TrainingContext.History"/>).</param>
    public virtual void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) { }

    /// <summary>Before each training batch (0-based within the epoch), as Keras's <c>on_train_batch_begin</c>.</summary>
    /// <param name="batch">Index of the batch in the epoch.</param>
    public virtual void OnBatchBegin(int batch) { }

    /// <summary>After each training batch, with the running mean loss and metrics of the epoch so far.</summary>
    /// <param name="batch">The batch within the epoch, 0-based.</param>
    /// <param name="logs">The epoch's running <c>loss</c> and metrics; the dictionary is reused within the epoch, so copy what you keep.</param>
    public virtual void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) { }
}

/// <summary>What a callback can see and steer during <c>Fit</c>.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(ISequentialModel model, Optimizer optimizer, History history, int epochs)
    {
        Model = model;
        Optimizer = optimizer;
        History = history;
        Epochs = epochs;
    }

    /// <summary>The model being trained.</summary>
    public ISequentialModel Model { get; }

    /// <summary>Its optimizer (callbacks such as <see cref="ReduceLROnPlateau"/> change its learning rate).</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The history so far.</summary>
    public History History { get; }

    /// <summary>Epochs requested.</summary>
    public int Epochs { get; }

    /// <summary>Set to stop after the current batch or epoch (Keras's <c>model.stop_training = True</c>).</summary>
    public bool StopTraining { get; set; }
}
