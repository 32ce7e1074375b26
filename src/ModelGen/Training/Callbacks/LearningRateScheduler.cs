using System;
using System.Globalization;
using System.IO;

namespace ModelGen;

/// <summary>
/// Keras <c>keras.callbacks.LearningRateScheduler</c>: at the start of every epoch sets the optimizer's learning rate to
/// <c>schedule(epoch, currentRate)</c> (epoch 0-based, as in Keras).
/// </summary>
/// <remarks>
/// The optimizer must use a fixed rate (no <see cref="Optimizer.Schedule"/>; setting the rate would fail otherwise, so
/// this is checked before training starts). PyTorch's counterpart is <c>torch.optim.lr_scheduler.LambdaLR</c>
/// stepped per epoch (which multiplies an initial rate instead of receiving the current one).
/// </remarks>
public sealed class LearningRateScheduler : Callback
{
    private readonly Func<int, float, float> _schedule;
    private readonly TextWriter? _output;

    /// <summary>Creates the callback from a schedule of the epoch and the current rate (Keras's two-argument form).</summary>
    /// <param name="schedule">Returns the new rate, a finite number ≥ 0, from the 0-based epoch and the current rate.</param>
    /// <param name="verbose">0 quiet; 1 writes Keras's line <c>Epoch N: LearningRateScheduler setting learning rate to X.</c> each epoch.</param>
    /// <param name="output">Where the verbose line goes (the console by default).</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="verbose"/> is not 0 or 1.</exception>
    public LearningRateScheduler(Func<int, float, float> schedule, int verbose = 0, TextWriter? output = null)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        if (verbose is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0 (quiet) or 1 (a line per epoch)");
        _schedule = schedule;
        Verbose = verbose;
        _output = output;
    }

    /// <summary>Creates the callback from a schedule of the epoch alone (Keras's one-argument form).</summary>
    /// <param name="schedule">Returns the rate, a finite number ≥ 0, for the 0-based epoch.</param>
    /// <param name="verbose">0 quiet; 1 writes a line each epoch.</param>
    /// <param name="output">Where the verbose line goes (the console by default).</param>
    /// <exception cref="ArgumentNullException"><paramref name="schedule"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="verbose"/> is not 0 or 1.</exception>
    public LearningRateScheduler(Func<int, float> schedule, int verbose = 0, TextWriter? output = null)
        : this(schedule is null ? null! : (epoch, _) => schedule(epoch), verbose, output)
    {
    }

    /// <summary>0 quiet, 1 a line per epoch.</summary>
    public int Verbose { get; }

    /// <summary>Checks that the optimizer's rate can be set, before any callback's OnTrainBegin acts.</summary>
    /// <exception cref="InvalidOperationException">The optimizer follows a <see cref="LearningRateSchedule"/>.</exception>
    internal override void Prepare()
    {
        if (Context.Optimizer.Schedule is not null)
            throw new InvalidOperationException("LearningRateScheduler sets the learning rate, but the optimizer follows a LearningRateSchedule: use one or the other");
    }

    /// <summary>Sets the epoch's learning rate.</summary>
    /// <param name="epoch">Epoch index, 0-based.</param>
    /// <exception cref="InvalidOperationException">The schedule returned a negative, infinite or NaN rate; the rate is unchanged.</exception>
    public override void OnEpochBegin(int epoch)
    {
        var optimizer = Context.Optimizer;
        float rate = _schedule(epoch, optimizer.LearningRate);
        if (!(rate >= 0f) || float.IsPositiveInfinity(rate))
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"LearningRateScheduler: the schedule returned {rate} for epoch {epoch}; expected a finite learning rate ≥ 0"));
        optimizer.LearningRate = rate;
        if (Verbose > 0)
            (_output ?? Console.Out).WriteLine(string.Create(CultureInfo.InvariantCulture, $"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {rate}."));
    }
}
