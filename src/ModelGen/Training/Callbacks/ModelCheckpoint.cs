using System.Collections.Generic;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// Keras <c>ModelCheckpoint</c>: saves the weights after each epoch, or with <c>saveBestOnly</c> only when
/// <c>monitor</c> improves. <c>{epoch}</c> in the path is replaced by the 1-based epoch number. Files are written atomically.
/// </summary>
public sealed class ModelCheckpoint : Callback
{
    private readonly string _path;
    private readonly Monitor _monitor;
    private readonly bool _saveBestOnly;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    public ModelCheckpoint(string filePath, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto)
    {
        _path = filePath;
        _monitor = new Monitor(monitor, mode, 0);
        _saveBestOnly = saveBestOnly;
    }

    /// <summary>Number of files written so far.</summary>
    public int Saves { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _monitor.Reset();

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        if (_saveBestOnly && !_monitor.Improved(_monitor.Read(logs, nameof(ModelCheckpoint)))) return;
        Context.Model.SaveWeights(_path.Replace("{epoch}", (epoch + 1).ToString(CultureInfo.InvariantCulture), System.StringComparison.Ordinal));
        Saves++;
    }
}
