using System;
using System.Linq;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests.Training;

/// <summary>
/// EarlyStopping's <c>baseline</c> and <c>start_from_epoch</c> (trial J: missing), on a metric whose value per epoch is
/// scripted, against Keras 3's rules: an improvement restarts the patience count only when it also beats the baseline,
/// an epoch that improves on the best never stops training, and the epochs before <c>start_from_epoch</c> are not watched.
/// </summary>
public sealed class EarlyStoppingTests
{
    /// <summary>The epoch Fit is in.</summary>
    private sealed class EpochClock : Callback
    {
        public int Epoch;
        public override void OnEpochBegin(int epoch) => Epoch = epoch;
    }

    /// <summary>A metric that logs <paramref name="values"/>[epoch], higher is better.</summary>
    private sealed class Scripted(float[] values, EpochClock clock) : Metric("scripted")
    {
        public override MonitorMode Direction => MonitorMode.Max;
        public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples) => Accumulate(values[clock.Epoch] * (double)samples, samples);
    }

    /// <summary>Fits for as many epochs as there are values; returns the callback and the epochs run.</summary>
    private static (EarlyStopping Stop, int Epochs) Run(float[] values, EarlyStopping stop)
    {
        var (x, y) = FitTests.Classes(20, seed: 8);
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        var clock = new EpochClock();
        model.Compile(new Sgd(), Loss.CategoricalCrossentropy(), [new Scripted(values, clock)], []);
        var history = model.Fit(x, y, epochs: values.Length, batchSize: 20, verbose: 0, callbacks: [clock, stop]);
        Assert.Equal(values.Take(history.Epochs.Count), history["scripted"]);
        return (stop, history.Epochs.Count);
    }

    private static readonly float[] Climbing = [0.1f, 0.2f, 0.15f, 0.3f, 0.25f, 0.6f, 0.55f, 0.7f];

    [Fact]
    public void Without_a_baseline_improvements_keep_training_going()
    {
        var (stop, epochs) = Run(Climbing, new EarlyStopping("scripted", patience: 2));
        Assert.Equal(Climbing.Length, epochs);
        Assert.Equal(-1, stop.StoppedEpoch);
        Assert.Equal(7, stop.BestEpoch);
    }

    [Fact]
    public void Improvements_short_of_the_baseline_do_not_restart_the_count()
    {
        // Baseline 0.5: epochs 0 and 1 improve (0.1, 0.2) but stay under it, so the count reaches 2; epoch 2 (0.15)
        // does not improve, and with the count at 3 ≥ 2 training stops there.
        var (stop, epochs) = Run(Climbing, new EarlyStopping("scripted", patience: 2, baseline: 0.5f));
        Assert.Equal(2, stop.StoppedEpoch);
        Assert.Equal(3, epochs);
        Assert.Equal(1, stop.BestEpoch);
    }

    [Fact]
    public void A_baseline_beaten_restarts_the_count_as_without_one()
    {
        // Baseline 0.15: epoch 1 (0.2) beats it and restarts the count; from there on it runs as without a baseline.
        var (stop, epochs) = Run(Climbing, new EarlyStopping("scripted", patience: 2, baseline: 0.15f));
        Assert.Equal(Climbing.Length, epochs);
        Assert.Equal(-1, stop.StoppedEpoch);
        // minDelta counts against the baseline too: with 0.06, epoch 1's 0.2 improves on 0.1 but does not beat 0.15 by
        // more than 0.06, so the count is not restarted and epoch 2 (no improvement, count 3) stops training.
        var (strict, _) = Run(Climbing, new EarlyStopping("scripted", patience: 2, baseline: 0.15f, minDelta: 0.06f));
        Assert.Equal(2, strict.StoppedEpoch);
    }

    [Fact]
    public void Epochs_before_start_from_epoch_are_not_watched()
    {
        float[] values = [0.9f, 0.8f, 0.7f, 0.6f, 0.65f, 0.5f, 0.4f, 0.3f];
        // Patience 0: without a warm-up the first epoch that does not improve (epoch 1) stops training.
        Assert.Equal(1, Run(values, new EarlyStopping("scripted")).Stop.StoppedEpoch);
        // Watching from epoch 3: 0.6 is the first value seen, 0.65 improves on it, 0.5 (epoch 5) stops training; the
        // best is epoch 4, not epoch 0's higher value, which was never seen.
        var (stop, epochs) = Run(values, new EarlyStopping("scripted", startFromEpoch: 3));
        Assert.Equal(5, stop.StoppedEpoch);
        Assert.Equal(6, epochs);
        Assert.Equal(4, stop.BestEpoch);
    }

    [Fact]
    public void A_baseline_that_is_not_a_number_or_a_negative_start_is_refused()
    {
        Assert.Equal("baseline", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(baseline: float.NaN)).ParamName);
        Assert.Equal("baseline", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(baseline: float.PositiveInfinity)).ParamName);
        Assert.Equal("startFromEpoch", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(startFromEpoch: -1)).ParamName);
    }
}
