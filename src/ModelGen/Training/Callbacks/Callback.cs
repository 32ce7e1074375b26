using System;
using System.Collections.Generic;
using System.Linq;

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

    /// <summary>
    /// The names each epoch's logs will hold: <c>loss</c>, the compiled metrics, and their <c>val_</c> forms when the
    /// run has validation data. Callbacks check what they monitor against it before training starts.
    /// </summary>
    internal IReadOnlyList<string> LoggedNames { get; init; } = [];

    /// <summary>How this Fit overload takes validation data, for messages: <c>validationSplit or validationData</c>.</summary>
    internal string ValidationOptions { get; init; } = "validationSplit or validationData";

    /// <summary>
    /// Throws, before any batch runs, when <paramref name="name"/> will never be in an epoch's logs (Keras only warns, at
    /// every epoch, and the callback then does nothing: an <c>EarlyStopping</c> on <c>val_loss</c> without validation
    /// data never stops).
    /// </summary>
    /// <exception cref="InvalidOperationException">The name is not among <see cref="LoggedNames"/>.</exception>
    internal void CheckLogged(string name, string who)
    {
        foreach (var logged in LoggedNames)
            if (logged == name) return;
        string advice = name.StartsWith("val_", StringComparison.Ordinal) && !LoggedNames.Any(n => n.StartsWith("val_", StringComparison.Ordinal))
            ? $"this Fit has no validation data: pass {ValidationOptions}, or use a value it logs"
            : "use a value it logs (a metric must be compiled to be logged)";
        throw new InvalidOperationException($"{who} reads '{name}', which this Fit of '{Model.Info.Name}' will never log (it logs: {string.Join(", ", LoggedNames)}); {advice}. Nothing was trained");
    }
}
