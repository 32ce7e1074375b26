using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Keras 3 <c>RMSprop</c>: <c>v ← ρ·v + (1 − ρ)·g²</c>; centered: <c>a ← ρ·a + (1 − ρ)·g</c> and
/// <c>d = v − a² + ε</c>, else <c>d = v + ε</c>; <c>Δ = lr·g / √d</c>; with momentum <c>μ</c>:
/// <c>mom ← μ·mom + Δ</c>, <c>w ← w − mom</c>, else <c>w ← w − Δ</c>. (ε sits inside the square root, as in Keras.)
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly int _momentumSlot = -1, _averageSlot = -1;

    /// <summary>Creates the optimizer (Keras defaults).</summary>
    /// <param name="learningRate">Learning rate (Keras default 1e-3).</param>
    /// <param name="rho">Discount of the squared-gradient average, in [0, 1].</param>
    /// <param name="momentum">Momentum μ ≥ 0; 0 for none.</param>
    /// <param name="epsilon">Added under the square root, ≥ 0.</param>
    /// <param name="centered">True to divide by the estimated variance instead of the second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public RmsProp(float learningRate = 1e-3f, float rho = 0.9f, float momentum = 0f, float epsilon = 1e-7f, bool centered = false)
        : base("rmsprop", learningRate, SlotNamesFor(momentum, centered))
    {
        if (!(rho is >= 0f and <= 1f)) throw new ArgumentOutOfRangeException(nameof(rho), rho, "rho must be in [0, 1]");
        if (!(momentum >= 0f) || float.IsPositiveInfinity(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be a finite number ≥ 0");
        if (!(epsilon >= 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be ≥ 0");
        Rho = rho;
        Momentum = momentum;
        Epsilon = epsilon;
        Centered = centered;
        int next = 1;
        if (momentum > 0f) _momentumSlot = next++;
        if (centered) _averageSlot = next;
    }

    /// <summary>ρ.</summary>
    public float Rho { get; }

    /// <summary>Momentum μ.</summary>
    public float Momentum { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <summary>True for centered RMSprop.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        var v = Slot(0);
        var mom = _momentumSlot < 0 ? Span<float>.Empty : Slot(_momentumSlot);
        var avg = _averageSlot < 0 ? Span<float>.Empty : Slot(_averageSlot);
        float rho = Rho, c = 1f - Rho, mu = Momentum, eps = Epsilon, lr = learningRate;
        bool useMomentum = _momentumSlot >= 0, centered = _averageSlot >= 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var momV = MemoryMarshal.Cast<float, Vector<float>>(mom);
            var avgV = MemoryMarshal.Cast<float, Vector<float>>(avg);
            var epsV = new Vector<float>(eps);
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                var vk = rho * vv[k] + c * (g * g);
                vv[k] = vk;
                Vector<float> denominator;
                if (centered)
                {
                    var ak = rho * avgV[k] + c * g;
                    avgV[k] = ak;
                    denominator = vk - ak * ak + epsV;
                }
                else
                {
                    denominator = vk + epsV;
                }
                var increment = lr * g / Vector.SquareRoot(denominator);
                if (useMomentum)
                {
                    var mk = mu * momV[k] + increment;
                    momV[k] = mk;
                    pv[k] -= mk;
                }
                else
                {
                    pv[k] -= increment;
                }
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            float vk = rho * v[i] + c * (g * g);
            v[i] = vk;
            float denominator;
            if (centered)
            {
                float ak = rho * avg[i] + c * g;
                avg[i] = ak;
                denominator = vk - ak * ak + eps;
            }
            else
            {
                denominator = vk + eps;
            }
            float increment = lr * g / MathF.Sqrt(denominator);
            if (useMomentum)
            {
                float mk = mu * mom[i] + increment;
                mom[i] = mk;
                parameters[i] -= mk;
            }
            else
            {
                parameters[i] -= increment;
            }
        }
    }

    private static string[] SlotNamesFor(float momentum, bool centered) => (momentum > 0f, centered) switch
    {
        (false, false) => ["velocity"],
        (true, false) => ["velocity", "momentum"],
        (false, true) => ["velocity", "average_gradient"],
        (true, true) => ["velocity", "momentum", "average_gradient"],
    };
}
