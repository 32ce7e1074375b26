using System;
using System.Collections.Generic;
using System.IO;

namespace ModelGen;

/// <summary>
/// Keras <c>ModelCheckpoint</c>: saves the weights after each epoch, or with <c>saveBestOnly</c> only when
/// <c>monitor</c> improves. Files are written atomically, and never with parameters that hold NaN or ∞: such an
/// epoch is skipped and listed in <see cref="Warnings"/>.
/// </summary>
/// <remarks>
/// The path is a Python format string, filled as Keras fills it (<c>filepath.format(epoch=epoch + 1, **logs)</c>):
/// <c>{epoch}</c> is the 1-based epoch number and any other field is a logged value (<c>loss</c>, <c>val_loss</c>,
/// <c>accuracy</c> …), each with an optional Python format spec: <c>"ckpt-{epoch:02d}-{val_loss:.2f}.mgw"</c> gives
/// <c>ckpt-01-3.00.mgw</c>, <c>ckpt-02-2.00.mgw</c> …. <c>{{</c> and <c>}}</c> are literal braces. A field without a spec
/// prints a float as Python's <c>repr</c> of the logged value. <c>Fit</c> checks the path before it trains: a path that is a
/// folder, or a folder before the first field that is a file, is an <see cref="System.IO.IOException"/> with nothing trained.
/// </remarks>
public sealed class ModelCheckpoint : Callback
{
    private readonly PathTemplate _path;
    private readonly Monitor _monitor;
    private readonly bool _saveBestOnly;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <param name="filePath">Path template, e.g. <c>"ckpt-{epoch:02d}-{val_loss:.2f}.mgw"</c>.</param>
    /// <param name="monitor">Logged value that <paramref name="saveBestOnly"/> watches.</param>
    /// <param name="saveBestOnly">Save only when <paramref name="monitor"/> improves.</param>
    /// <param name="mode">Whether the monitored value should go down or up.</param>
    /// <exception cref="ArgumentException">The template is malformed: an unmatched brace, an empty or nested field, or a
    /// format spec Python would not accept. A field that names no value the run logs (<c>{val_loss}</c> without validation
    /// data) is refused by <c>Fit</c> before it trains (<see cref="InvalidOperationException"/>).</exception>
    public ModelCheckpoint(string filePath, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        _path = new PathTemplate(filePath, nameof(filePath));
        _monitor = new Monitor(monitor, mode, 0);
        _saveBestOnly = saveBestOnly;
    }

    /// <summary>Number of files written so far.</summary>
    public int Saves { get; private set; }

    /// <summary>The path of the last file written, or null.</summary>
    public string? LastPath { get; private set; }

    private readonly List<string> _warnings = [];

    /// <summary>
    /// One line per epoch that was not saved because the parameters held NaN or ∞ (a checkpoint never replaces a good
    /// file with non-finite weights; Keras has no such check).
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Settles which way the monitored value improves (<see cref="MonitorMode.Auto"/>: the value's own direction).</summary>
    internal override void Prepare()
    {
        // The monitor matters only to saveBestOnly (Keras's default val_loss is not read otherwise); the path's fields always.
        if (_saveBestOnly) Context.CheckLogged(_monitor.Name, $"{nameof(ModelCheckpoint)} (monitor)");
        foreach (var field in _path.Fields)
            if (field != "epoch") Context.CheckLogged(field, $"{nameof(ModelCheckpoint)} (path template field {{{field}}})");
        _monitor.Resolve(Context.Model, nameof(ModelCheckpoint));
        // Where the files will go, checked before anything trains (a folder as the path, or a file where a folder must be,
        // failed only at the first save, after an epoch was applied): the whole path when it has no fields, else the
        // folders before the first field.
        if (_path.IsFixed) FilePath.CheckWritable(_path.FixedPrefix);
        else FilePath.CheckFolder(Path.GetDirectoryName(Path.GetFullPath(_path.FixedPrefix + "_")), _path.FixedPrefix + "…");
    }

    /// <inheritdoc/>
    public override void OnTrainBegin() => _monitor.Reset();

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The path names a field that is neither <c>epoch</c> nor in <paramref name="logs"/>.</exception>
    /// <exception cref="FormatException">A format spec does not fit its value (<c>:d</c> on a float).</exception>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        if (_saveBestOnly && !_monitor.Improved(_monitor.Read(logs, nameof(ModelCheckpoint)))) return;
        DeviceSync.Pull(Context.Model); // a model on a device: check the parameters it has now
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(Context.Model.Parameters))
        {
            // Never replace a good checkpoint with weights that hold NaN or ∞ (Keras would write them).
            _warnings.Add($"epoch {epoch + 1}: not saved, the parameters of '{Context.Model.Info.Name}' hold NaN or ∞; the last file written ({LastPath ?? "none"}) is kept");
            return;
        }
        string path = _path.Format(epoch, logs);
        Context.Model.SaveWeights(path);
        LastPath = path;
        Saves++;
    }
}
