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
/// What Keras's decay schedules share: an initial rate, a decay period in steps and a decay rate, with
/// <c>step / decaySteps</c> floored when <see cref="Staircase"/> is set.
/// </summary>
public abstract class DecaySchedule : LearningRateSchedule
{
    /// <summary>Creates the schedule.</summary>
    /// <param name="initialLearningRate">Rate at step 0.</param>
    /// <param name="decaySteps">Decay period in steps; positive.</param>
    /// <param name="decayRate">Decay rate.</param>
    /// <param name="staircase">True to decay in whole periods (integer division).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="decaySteps"/> is not positive, or
    /// <paramref name="initialLearningRate"/> or <paramref name="decayRate"/> is not a finite number ≥ 0.</exception>
    protected DecaySchedule(float initialLearningRate, long decaySteps, float decayRate, bool staircase)
    {
        if (decaySteps <= 0) throw new ArgumentOutOfRangeException(nameof(decaySteps), decaySteps, "decaySteps must be > 0");
        if (!(initialLearningRate >= 0f) || float.IsPositiveInfinity(initialLearningRate))
            throw new ArgumentOutOfRangeException(nameof(initialLearningRate), initialLearningRate, "initialLearningRate must be a finite number ≥ 0");
        if (!(decayRate >= 0f) || float.IsPositiveInfinity(decayRate))
            throw new ArgumentOutOfRangeException(nameof(decayRate), decayRate, "decayRate must be a finite number ≥ 0");
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

    /// <summary><c>iteration / decaySteps</c>, floored when <see cref="Staircase"/> is set.</summary>
    /// <param name="iteration">Optimizer steps taken so far (0 for the first update).</param>
    /// <returns>The number of decay periods elapsed.</returns>
    protected double Periods(long iteration)
    {
        double p = (double)iteration / DecaySteps;
        return Staircase ? Math.Floor(p) : p;
    }
}

/// <summary>
/// Keras <c>ExponentialDecay</c>: <c>initial · decayRate^(step / decaySteps)</c>, with the exponent floored when
/// <see cref="DecaySchedule.Staircase"/> is set.
/// </summary>
public sealed class ExponentialDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    : DecaySchedule(initialLearningRate, decaySteps, decayRate, staircase)
{
    /// <inheritdoc/>
    public override float Rate(long iteration) => (float)(InitialLearningRate * Math.Pow(DecayRate, Periods(iteration)));
}

/// <summary>
/// Keras <c>InverseTimeDecay</c>: <c>initial / (1 + decayRate · step / decaySteps)</c>, with <c>step / decaySteps</c>
/// floored when <see cref="DecaySchedule.Staircase"/> is set.
/// </summary>
public sealed class InverseTimeDecay(float initialLearningRate, long decaySteps, float decayRate, bool staircase = false)
    : DecaySchedule(initialLearningRate, decaySteps, decayRate, staircase)
{
    /// <inheritdoc/>
    public override float Rate(long iteration) => (float)(InitialLearningRate / (1.0 + DecayRate * Periods(iteration)));
}
