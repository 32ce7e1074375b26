using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Keras 3 <c>Adagrad</c> (<c>keras.optimizers.Adagrad</c>): the accumulator starts at
/// <c>initial_accumulator_value</c>; each step <c>a ← a + g²</c>, <c>w ← w − lr·g / √(a + ε)</c> (ε inside the square
/// root, as in Keras).
/// </summary>
/// <remarks>
/// PyTorch's <c>torch.optim.Adagrad</c> (with <c>lr_decay = 0</c>) accumulates the same way but adds ε outside the root,
/// <c>lr·g / (√a + ε)</c>, and starts the accumulator at 0 by default (pass <c>initial_accumulator_value=0.1</c> for
/// Keras's start); the two agree exactly only at ε = 0. This class follows Keras. The accumulator is filled with
/// <see cref="InitialAccumulatorValue"/> when the state is created, i.e. by the step taken at <c>Iterations == 0</c>;
/// it is saved in weight files as <c>accumulator</c>, Keras's name.
/// </remarks>
public sealed class Adagrad : Optimizer
{
    private static readonly string[] Slots = ["accumulator"];

    /// <summary>Creates the optimizer with Keras's defaults (<c>keras.optimizers.Adagrad()</c>).</summary>
    /// <param name="learningRate">Learning rate (Keras default 1e-3; the original paper's form uses 1).</param>
    /// <param name="initialAccumulatorValue">Starting value of every accumulator, ≥ 0 (Keras default 0.1).</param>
    /// <param name="epsilon">Added to the accumulator under the square root, ≥ 0 (Keras default 1e-7).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is negative, NaN or infinite.</exception>
    public Adagrad(float learningRate = 1e-3f, float initialAccumulatorValue = 0.1f, float epsilon = 1e-7f)
        : base("adagrad", learningRate, Slots)
    {
        InitialAccumulatorValue = HyperParameter.NonNegative(initialAccumulatorValue, nameof(initialAccumulatorValue));
        Epsilon = HyperParameter.NonNegative(epsilon, nameof(epsilon));
    }

    /// <summary>Starting value of the accumulators (Keras <c>initial_accumulator_value</c>).</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε (Keras <c>epsilon</c>), added under the square root.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        // Slots are created zeroed by the first step (the only one at iteration 0, since a step always completes);
        // Keras builds them at initial_accumulator_value. Only this call's range is filled.
        var a = Slot(0)[..parameters.Length];
        if (Iterations == 0) a.Fill(InitialAccumulatorValue);
        float lr = learningRate, eps = Epsilon;
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var av = MemoryMarshal.Cast<float, Vector<float>>(a);
            var epsV = new Vector<float>(eps);
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                var ak = av[k] + g * g;
                av[k] = ak;
                pv[k] -= lr * g / Vector.SquareRoot(ak + epsV);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            float ak = a[i] + g * g;
            a[i] = ak;
            parameters[i] -= lr * g / MathF.Sqrt(ak + eps);
        }
    }
}
