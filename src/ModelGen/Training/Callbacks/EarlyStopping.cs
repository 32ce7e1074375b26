using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// Keras <c>EarlyStopping</c>: stops when <c>monitor</c> has not improved by more than <c>minDelta</c> for
/// <c>patience</c> epochs; with <c>restoreBestWeights</c> the parameters of the best epoch are put back at the end.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly Monitor _monitor;
    private readonly int _patience;
    private readonly bool _restoreBestWeights;
    private readonly float? _baseline;
    private readonly int _startFromEpoch;
    private float[]? _bestWeights;
    private int _wait;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="patience"/> is negative or <paramref name="minDelta"/> is not a finite number.</exception>
    /// <param name="monitor">The log entry watched (Keras <c>monitor</c>), e.g. <c>val_loss</c> or <c>val_accuracy</c>.</param>
    /// <param name="minDelta">Keras <c>min_delta</c>: a change smaller than this (absolute) is not an improvement.</param>
    /// <param name="patience">Keras <c>patience</c>: epochs without improvement before training stops.</param>
    /// <param name="mode">Whether lower or higher is better; <see cref="MonitorMode.Auto"/> takes the loss as lower and a compiled metric by its direction (<see cref="Metric.Direction"/>), refusing a value whose direction is unknown.</param>
    /// <param name="restoreBestWeights">Keras <c>restore_best_weights</c>: put back the parameters of the best epoch when training ends.</param>
    /// <param name="baseline">Keras <c>baseline</c>: a value the monitored one must beat (by more than
    /// <paramref name="minDelta"/>) before an improvement restarts the patience count, or null for none. Training that
    /// never beats it stops at the first epoch without improvement once <paramref name="patience"/> epochs have passed
    /// (Keras 3's rule: an epoch that improves on the best never stops training).</param>
    /// <param name="startFromEpoch">Keras <c>start_from_epoch</c>: epochs (0-based, counted as Fit counts them,
    /// <c>initialEpoch</c> included) before which the callback watches nothing, a warm-up.</param>
    /// <exception cref="ArgumentException"><paramref name="monitor"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="baseline"/> is not a finite number, or
    /// <paramref name="startFromEpoch"/> is negative.</exception>
    public EarlyStopping(string monitor = "val_loss", float minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false,
        float? baseline = null, int startFromEpoch = 0)
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 0 epochs");
        if (baseline is float b && !float.IsFinite(b)) throw new ArgumentOutOfRangeException(nameof(baseline), b, "baseline must be a finite number, or null for none");
        if (startFromEpoch < 0) throw new ArgumentOutOfRangeException(nameof(startFromEpoch), startFromEpoch, "startFromEpoch must be ≥ 0");
        _monitor = new Monitor(monitor, mode, minDelta);
        _patience = patience;
        _restoreBestWeights = restoreBestWeights;
        _baseline = baseline;
        _startFromEpoch = startFromEpoch;
    }

    /// <summary>The epoch (0-based) at which training was stopped, or −1.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <summary>The epoch (0-based) with the best monitored value.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>Settles which way the monitored value improves (<see cref="MonitorMode.Auto"/>: the value's own direction).</summary>
    internal override void Prepare()
    {
        Context.CheckLogged(_monitor.Name, $"{nameof(EarlyStopping)} (monitor)");
        _monitor.Resolve(Context.Model, nameof(EarlyStopping));
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _monitor.Reset();
        _wait = 0;
        StoppedEpoch = -1;
        BestEpoch = -1;
        _bestWeights = null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        float value = _monitor.Read(logs, nameof(EarlyStopping));
        if (epoch < _startFromEpoch) return; // the warm-up
        if (_restoreBestWeights) DeviceSync.Pull(Context.Model); // a model on a device: read its current parameters
        if (_restoreBestWeights && _bestWeights is null) _bestWeights = (float[])Context.Model.Parameters.Clone();
        _wait++;
        if (_monitor.Improved(value))
        {
            BestEpoch = epoch;
            // Only an improvement past the baseline as well restarts the count (Keras).
            if (_baseline is not float baseline || _monitor.Beats(value, baseline)) _wait = 0;
            if (_restoreBestWeights) Context.Model.Parameters.CopyTo(_bestWeights!, 0);
            return;
        }
        if (_wait >= _patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Context.StopTraining = true;
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd()
    {
        if (_restoreBestWeights && _bestWeights is not null && BestEpoch >= 0)
        {
            _bestWeights.CopyTo(Context.Model.Parameters, 0);
            DeviceSync.Push(Context.Model);
        }
    }
}
