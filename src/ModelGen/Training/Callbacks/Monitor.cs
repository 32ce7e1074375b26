using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>Whether a monitored quantity should go down or up; <c>Auto</c> infers it from the name as Keras does.</summary>
public enum MonitorMode
{
    /// <summary>Accuracy-like names (<c>acc</c>, <c>accuracy</c>, <c>auc</c>) improve upwards, everything else downwards.</summary>
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
    private readonly bool _higherIsBetter;

    public Monitor(string name, MonitorMode mode, float minDelta)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!float.IsFinite(minDelta)) throw new ArgumentOutOfRangeException(nameof(minDelta), minDelta, "minDelta must be a finite number");
        _name = name;
        _minDelta = Math.Abs(minDelta);
        _higherIsBetter = mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => name.EndsWith("acc", StringComparison.Ordinal) || name.EndsWith("accuracy", StringComparison.Ordinal) || name.EndsWith("auc", StringComparison.Ordinal),
        };
        Reset();
    }

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
        bool better = _higherIsBetter ? value - _minDelta > Best : value + _minDelta < Best;
        if (better) Best = value;
        return better;
    }
}
