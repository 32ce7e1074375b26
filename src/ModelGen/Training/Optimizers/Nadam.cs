using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Keras 3 <c>Nadam</c> (<c>keras.optimizers.Nadam</c>): Adam with Nesterov momentum (Dozat, 2015), with Keras's
/// momentum-cache schedule <c>uₖ = β₁·(1 − ½·0.96ᵏ)</c>. With <c>t = iterations + 1</c> and <c>Πₜ = u₁·…·uₜ</c>:
/// <c>m ← m + (g − m)(1 − β₁)</c>, <c>v ← v + (g² − v)(1 − β₂)</c>,
/// <c>m̂ = uₜ₊₁·m / (1 − Πₜ·uₜ₊₁) + (1 − uₜ)·g / (1 − Πₜ)</c>, <c>v̂ = v / (1 − β₂ᵗ)</c>,
/// <c>w ← w − lr·m̂ / (√v̂ + ε)</c>.
/// </summary>
/// <remarks>
/// PyTorch's <c>torch.optim.NAdam</c> computes the same update when constructed with <c>momentum_decay=1</c> (its
/// default 4e-3 makes the cache <c>β₁·(1 − ½·0.96^(0.004·t))</c>, a different schedule). Note: in PyTorch 1.13 only the
/// <c>foreach=True</c> path matches; its single-tensor path multiplies <c>uₜ</c> into the next product twice.
/// State (saved in weight files): <c>momentum</c> and <c>velocity</c>, as Keras names them. Keras also keeps the
/// product <c>Πₜ</c> as a variable; here it is a function of <see cref="Optimizer.Iterations"/>, recomputed (in double
/// precision) after a restore, so a restored optimizer continues exactly.
/// </remarks>
public sealed class Nadam : Optimizer
{
    private static readonly string[] Slots = ["momentum", "velocity"];

    private long _productStep;
    private double _product = 1;

    /// <summary>Creates the optimizer with Keras's defaults (<c>keras.optimizers.Nadam()</c>).</summary>
    /// <param name="learningRate">Learning rate (Keras default 1e-3).</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1) (Keras default 0.9).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1) (Keras default 0.999).</param>
    /// <param name="epsilon">Added to √v̂ (Keras's "epsilon hat"), ≥ 0 (Keras default 1e-7).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Nadam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base("nadam", learningRate, Slots)
    {
        Beta1 = HyperParameter.Decay(beta1, nameof(beta1));
        Beta2 = HyperParameter.Decay(beta2, nameof(beta2));
        Epsilon = HyperParameter.NonNegative(epsilon, nameof(epsilon));
    }

    /// <summary>β₁ (Keras <c>beta_1</c>).</summary>
    public float Beta1 { get; }

    /// <summary>β₂ (Keras <c>beta_2</c>).</summary>
    public float Beta2 { get; }

    /// <summary>ε (Keras <c>epsilon</c>), added to √v̂.</summary>
    public float Epsilon { get; }

    /// <summary>The momentum cache <c>uₖ = β₁·(1 − ½·0.96ᵏ)</c>.</summary>
    private double MomentumCache(double k) => Beta1 * (1.0 - 0.5 * Math.Pow(0.96, k));

    /// <summary><c>Πₜ = u₁·…·uₜ</c>, advanced one factor per step and recomputed from 1 when the iteration count moves back (a restore).</summary>
    private double ProductThrough(long t)
    {
        if (t < _productStep)
        {
            _productStep = 0;
            _product = 1;
        }
        while (_productStep < t) _product *= MomentumCache(++_productStep);
        return _product;
    }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        var m = Slot(0);
        var v = Slot(1);
        long t = Iterations + 1;
        double u = MomentumCache(t), uNext = MomentumCache(t + 1), product = ProductThrough(t);
        float momentumScale = (float)(uNext / (1.0 - product * uNext));
        float gradientScale = (float)((1.0 - u) / (1.0 - product));
        float velocityScale = (float)(1.0 / (1.0 - Math.Pow(Beta2, t)));
        float c1 = 1f - Beta1, c2 = 1f - Beta2, eps = Epsilon, lr = learningRate;
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var epsV = new Vector<float>(eps);
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                var mk = mv[k] + (g - mv[k]) * c1;
                var vk = vv[k] + (g * g - vv[k]) * c2;
                mv[k] = mk;
                vv[k] = vk;
                var mHat = mk * momentumScale + g * gradientScale;
                pv[k] -= mHat * lr / (Vector.SquareRoot(vk * velocityScale) + epsV);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            float mk = m[i] + (g - m[i]) * c1;
            float vk = v[i] + (g * g - v[i]) * c2;
            m[i] = mk;
            v[i] = vk;
            float mHat = mk * momentumScale + g * gradientScale;
            parameters[i] -= mHat * lr / (MathF.Sqrt(vk * velocityScale) + eps);
        }
    }
}
