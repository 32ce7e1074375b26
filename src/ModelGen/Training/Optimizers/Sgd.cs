using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Keras <c>SGD</c>. Without momentum <c>w ← w − lr·g</c>. With momentum <c>m ← μ·m − lr·g</c>, then <c>w ← w + m</c>, or
/// with Nesterov <c>w ← w + μ·m − lr·g</c> (using the new <c>m</c>).
/// </summary>
public sealed class Sgd : Optimizer
{
    private static readonly string[] NoSlots = [];
    private static readonly string[] MomentumSlot = ["momentum"];

    /// <summary>Creates the optimizer (Keras defaults).</summary>
    /// <param name="learningRate">Learning rate (Keras default 0.01).</param>
    /// <param name="momentum">Momentum μ in [0, 1]; 0 is plain gradient descent.</param>
    /// <param name="nesterov">True for Nesterov momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="momentum"/> is outside [0, 1].</exception>
    public Sgd(float learningRate = 0.01f, float momentum = 0f, bool nesterov = false)
        : base("SGD", learningRate, CheckMomentum(momentum) == 0f ? NoSlots : MomentumSlot)
    {
        Momentum = momentum;
        Nesterov = nesterov;
    }

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>True for Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        if (Momentum == 0f)
        {
            TensorPrimitives.MultiplyAdd(gradients, -learningRate, parameters, parameters);
            return;
        }

        var m = Slot(0);
        float mu = Momentum, lr = learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            for (int k = 0; k < pv.Length; k++)
            {
                var step = gv[k] * lr;
                var mk = mv[k] * mu - step;
                mv[k] = mk;
                pv[k] += Nesterov ? mk * mu - step : mk;
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < parameters.Length; i++)
        {
            float step = gradients[i] * lr;
            float mk = m[i] * mu - step;
            m[i] = mk;
            parameters[i] += Nesterov ? mk * mu - step : mk;
        }
    }

    private static float CheckMomentum(float momentum) =>
        momentum is >= 0f and <= 1f ? momentum : throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1]");
}
