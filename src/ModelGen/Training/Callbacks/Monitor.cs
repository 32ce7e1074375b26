using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>Whether a monitored quantity should go down or up; <c>Auto</c> asks the quantity, as Keras 3 does.</summary>
public enum MonitorMode
{
    /// <summary>
    /// As Keras 3's <c>mode="auto"</c>: the loss (<c>loss</c>, <c>val_loss</c>) goes down, and a compiled metric goes its
    /// <see cref="Metric.Direction"/> (accuracies, AUC, precision and recall up; errors down). A value whose direction
    /// is not known (a metric of your own that does not say, a name no compiled metric logs) is refused when training
    /// starts, as Keras 3 refuses it: pass <see cref="Min"/> or <see cref="Max"/>. Keras 3's <c>ReduceLROnPlateau</c>
    /// reads the name instead (up only when it contains <c>acc</c>); ModelGen's uses the direction too, so that
    /// <c>val_auc</c> or <c>val_recall</c> goes up there as well.
    /// </summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>Tracks the best value of a monitored log entry (shared by EarlyStopping, ModelCheckpoint, ReduceLROnPlateau).</summary>
internal sealed class Monitor
{
    private readonly string _name;
    private readonly float _minDelta;
    private readonly MonitorMode _mode;
    private bool _higherIsBetter;

    public Monitor(string name, MonitorMode mode, float minDelta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, "monitor"); // the callbacks' own parameter, which the caller named
        if (!float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number");
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be MonitorMode.Auto, Min or Max");
        _name = name;
        _minDelta = Math.Abs(minDelta);
        _mode = mode;
        _higherIsBetter = mode == MonitorMode.Max;
        Reset();
    }

    /// <summary>
    /// Settles the direction for a run of <paramref name="model"/> (called when training begins): the mode given, or in
    /// Auto the monitored value's own (<see cref="ModelTraining.LoggedDirection"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">Auto, and the value's direction is not known.</exception>
    public void Resolve(ISequentialModel model, string callback)
    {
        if (_mode != MonitorMode.Auto) return;
        _higherIsBetter = ModelTraining.LoggedDirection(model, _name) switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => throw new InvalidOperationException(
                $"{callback} monitors '{_name}' with MonitorMode.Auto, but whether it should go up or down is not known: it is neither the loss " +
                "nor a compiled metric with a known Direction. Pass mode: MonitorMode.Max or MonitorMode.Min (Keras 3 refuses it too: mode='max' or 'min')"),
        };
    }

    /// <summary>The monitored log entry's name.</summary>
    public string Name => _name;

    public float Best { get; private set; }

    public void Reset() => Best = _higherIsBetter ? float.NegativeInfinity : float.PositiveInfinity;

    /// <summary>Reads the monitored value; throws with the available names if it is missing.</summary>
    public float Read(IReadOnlyDictionary<string, float> logs, string callback)
        => logs.TryGetValue(_name, out float v)
            ? v
            : throw new InvalidOperationException($"{callback} monitors '{_name}', which is not in the logs (available: {string.Join(", ", logs.Keys)}); pass validation data for val_ metrics or choose another monitor");

    /// <summary>True (and records it) when <paramref name="value"/> beats the best by more than min_delta.</summary>
    public bool Improved(float value)
    {
        bool better = Beats(value, Best);
        if (better) Best = value;
        return better;
    }

    /// <summary>True when <paramref name="value"/> beats <paramref name="reference"/> by more than min_delta (Keras's <c>_is_improvement</c>).</summary>
    public bool Beats(float value, float reference)
        => _higherIsBetter ? value - _minDelta > reference : value + _minDelta < reference;
}
