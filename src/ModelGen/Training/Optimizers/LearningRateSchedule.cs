using System;

namespace ModelGen;

/// <summary>
/// A learning rate that is a function of the optimizer step (Keras <c>keras.optimizers.schedules.LearningRateSchedule</c>).
/// An <see cref="Optimizer"/> with a <see cref="Optimizer.Schedule"/> uses <c>Rate(Iterations)</c>, the number of steps
/// taken before the current one, as Keras does.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update that follows <paramref name="iteration"/> earlier updates.</summary>
    /// <param name="iteration">Optimizer iterations so far (Keras's <c>step</c>; 0 for the first update).</param>
    /// <returns>The learning rate.</returns>
    public abstract float Rate(long iteration);
}

/// <summary>
/// Keras <c>ExponentialDecay</c>: <c>initial · decayRate^(step / decaySteps)</c>, with the exponent floored when
/// <see cref="Staircase"/> is set.
/// </summary>
public sealed class ExponentialDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">Rate at step 0.</param>
    /// <param name="decaySteps">Steps over which the rate is multiplied by <paramref name="decayRate"/>; positive.</param>
    /// <param name="decayRate">Factor per <paramref name="decaySteps"/> steps.</param>
    /// <param name="staircase">True to decay in whole periods (integer division).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decaySteps"/> is not positive.</exception>
    public ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        if (decaySteps <= 0) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be > 0");
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <summary>Rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>Decay period in steps.</summary>
    public long DecaySteps { get; }

    /// <summary>Factor per period.</summary>
    public float DecayRate { get; }

    /// <summary>True when the exponent is floored.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float Rate(long iteration)
    {
        double p = (double)iteration / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return (float)(InitialLearningRate * Math.Pow(DecayRate, p));
    }
}

/// <summary>
/// Keras <c>InverseTimeDecay</c>: <c>initial / (1 + decayRate · step / decaySteps)</c>, with <c>step / decaySteps</c>
/// floored when <see cref="Staircase"/> is set.
/// </summary>
public sealed class InverseTimeDecay : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">Rate at step 0.</param>
    /// <param name="decaySteps">Steps per unit of decay; positive.</param>
    /// <param name="decayRate">Decay rate.</param>
    /// <param name="staircase">True to decay in whole periods (integer division).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decaySteps"/> is not positive.</exception>
    public InverseTimeDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    {
        if (decaySteps <= 0) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be > 0");
        InitialLearningRate = initialLearningRate;
        DecaySteps = decaySteps;
        DecayRate = decayRate;
        Staircase = staircase;
    }

    /// <summary>Rate at step 0.</summary>
    public float InitialLearningRate { get; }

    /// <summary>Decay period in steps.</summary>
    public long DecaySteps { get; }

    /// <summary>Decay rate.</summary>
    public float DecayRate { get; }

    /// <summary>True when <c>step / decaySteps</c> is floored.</summary>
    public bool Staircase { get; }

    /// <inheritdoc/>
    public override float Rate(long iteration)
    {
        double p = (double)iteration / DecaySteps;
        if (Staircase) p = Math.Floor(p);
        return (float)(InitialLearningRate / (1.0 + DecayRate * p));
    }
}
