using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// Keras <c>ReduceLROnPlateau</c>: multiplies the learning rate by <c>factor</c> when <c>monitor</c> has not
/// improved (by more than <c>minDelta</c>) for <c>patience</c> epochs, then waits <c>cooldown</c> epochs; never below <c>minLr</c>.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly Monitor _monitor;
    private readonly float _factor;
    private readonly int _patience;
    private readonly int _cooldown;
    private readonly float _minLr;
    private int _wait;
    private int _cooldownLeft;

    /// <summary>Creates the callback with Keras's defaults.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="factor"/> is outside [0, 1), <paramref name="patience"/> or
    /// <paramref name="cooldown"/> is negative, <paramref name="minLr"/> or <paramref name="minDelta"/> is not a finite number (≥ 0 for minLr).</exception>
    /// <param name="monitor">The log entry watched (Keras <c>monitor</c>), e.g. <c>val_loss</c> or <c>accuracy</c>.</param>
    /// <param name="factor">Keras <c>factor</c>: the new learning rate is <c>lr · factor</c>, in [0, 1).</param>
    /// <param name="patience">Keras <c>patience</c>: epochs without improvement before the rate is reduced.</param>
    /// <param name="mode">Whether lower or higher is better; <see cref="MonitorMode.Auto"/> takes the loss as lower and a compiled metric by its direction (<see cref="Metric.Direction"/>), refusing a value whose direction is unknown.</param>
    /// <param name="minDelta">Keras <c>min_delta</c>: a change smaller than this (absolute) is not an improvement.</param>
    /// <param name="cooldown">Keras <c>cooldown</c>: epochs to wait after a reduction before counting again.</param>
    /// <param name="minLr">Keras <c>min_lr</c>: the learning rate is never reduced below it.</param>
    /// <exception cref="ArgumentException"><paramref name="monitor"/> is null, empty or white space.</exception>
    public ReduceLROnPlateau(string monitor = "val_loss", float factor = 0.1f, int patience = 10, MonitorMode mode = MonitorMode.Auto, float minDelta = 1e-4f, int cooldown = 0, float minLr = 0)
    {
        if (factor >= 1f) throw new ArgumentOutOfRangeException(nameof(factor), factor, "ReduceLROnPlateau does not support a factor ≥ 1");
        if (!(factor >= 0f)) throw new ArgumentOutOfRangeException(nameof(factor), factor, "factor must be a number in [0, 1)");
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), patience, "patience must be ≥ 0 epochs");
        if (cooldown < 0) throw new ArgumentOutOfRangeException(nameof(cooldown), cooldown, "cooldown must be ≥ 0 epochs");
        if (!(minLr >= 0f) || float.IsPositiveInfinity(minLr)) throw new ArgumentOutOfRangeException(nameof(minLr), minLr, "minLr must be a finite number ≥ 0");
        _monitor = new Monitor(monitor, mode, minDelta);
        _factor = factor;
        _patience = patience;
        _cooldown = cooldown;
        _minLr = minLr;
    }

    /// <summary>Settles which way the monitored value improves (<see cref="MonitorMode.Auto"/>: the value's own direction).</summary>
    internal override void Prepare()
    {
        if (Context.Optimizer.Schedule is not null)
            throw new InvalidOperationException("ReduceLROnPlateau changes the learning rate, but the optimizer follows a LearningRateSchedule: use one or the other");
        Context.CheckLogged(_monitor.Name, $"{nameof(ReduceLROnPlateau)} (monitor)");
        _monitor.Resolve(Context.Model, nameof(ReduceLROnPlateau));
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _monitor.Reset();
        _wait = 0;
        _cooldownLeft = 0;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        float value = _monitor.Read(logs, nameof(ReduceLROnPlateau));
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }
        if (_monitor.Improved(value))
        {
            _wait = 0;
            return;
        }
        if (_cooldownLeft > 0) return;
        _wait++;
        if (_wait >= _patience)
        {
            var optimizer = Context.Optimizer;
            if (optimizer.LearningRate > _minLr)
            {
                optimizer.LearningRate = MathF.Max(optimizer.LearningRate * _factor, _minLr);
                _cooldownLeft = _cooldown;
                _wait = 0;
            }
        }
    }
}
