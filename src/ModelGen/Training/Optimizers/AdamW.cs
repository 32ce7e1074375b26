using System;
using System.Numerics;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Keras 3 <c>AdamW</c> (<c>keras.optimizers.AdamW</c>): Adam with decoupled weight decay (Loshchilov &amp; Hutter, 2019).
/// Each step first decays every parameter it updates, <c>w ← w − w·λ·lr</c>, as Keras's <c>_apply_weight_decay</c> does
/// (Keras decays every trainable variable, biases included, unless excluded; so does this), then takes Keras's Adam
/// step with <c>t = iterations + 1</c>: <c>α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)</c>, <c>m ← m + (g − m)(1 − β₁)</c>,
/// <c>v ← v + (g² − v)(1 − β₂)</c>, with AMSGrad <c>v̂ ← max(v̂, v)</c> used in place of <c>v</c>,
/// <c>w ← w − α·m / (√v + ε)</c>.
/// </summary>
/// <remarks>
/// PyTorch's <c>torch.optim.AdamW</c> decays the same way (<c>p ← p·(1 − lr·λ)</c>) but adds ε to the bias-corrected
/// <c>√(v / (1 − β₂ᵗ))</c>, where Keras adds it to <c>√v</c> ("epsilon hat"); the two agree exactly only at ε = 0. This
/// class follows Keras. State (saved in weight files): <c>momentum</c>, <c>velocity</c> and, with AMSGrad,
/// <c>velocity_hat</c>, as Keras names them.
/// </remarks>
public sealed class AdamW : Optimizer
{
    private static readonly string[] Slots = ["momentum", "velocity"];
    private static readonly string[] AmsGradSlots = ["momentum", "velocity", "velocity_hat"];

    /// <summary>Creates the optimizer with Keras's defaults (<c>keras.optimizers.AdamW()</c>).</summary>
    /// <param name="learningRate">Learning rate (Keras default 1e-3).</param>
    /// <param name="weightDecay">Decoupled weight decay λ ≥ 0 (Keras default 0.004); each step multiplies it by the learning rate.</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1) (Keras default 0.9).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1) (Keras default 0.999).</param>
    /// <param name="epsilon">Added to √v (Keras's "epsilon hat"), ≥ 0 (Keras default 1e-7).</param>
    /// <param name="amsGrad">True for the AMSGrad variant (Keras <c>amsgrad</c>, default false).</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public AdamW(float learningRate = 1e-3f, float weightDecay = 0.004f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f, bool amsGrad = false)
        : base("adamw", learningRate, amsGrad ? AmsGradSlots : Slots)
    {
        WeightDecay = HyperParameter.NonNegative(weightDecay, nameof(weightDecay));
        Beta1 = HyperParameter.Decay(beta1, nameof(beta1));
        Beta2 = HyperParameter.Decay(beta2, nameof(beta2));
        Epsilon = HyperParameter.NonNegative(epsilon, nameof(epsilon));
        AmsGrad = amsGrad;
    }

    /// <summary>Weight decay λ (Keras <c>weight_decay</c>).</summary>
    public float WeightDecay { get; }

    /// <summary>β₁ (Keras <c>beta_1</c>).</summary>
    public float Beta1 { get; }

    /// <summary>β₂ (Keras <c>beta_2</c>).</summary>
    public float Beta2 { get; }

    /// <summary>ε (Keras <c>epsilon</c>), added to √v.</summary>
    public float Epsilon { get; }

    /// <summary>True for AMSGrad (Keras <c>amsgrad</c>).</summary>
    public bool AmsGrad { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        double t = Iterations + 1;
        float alpha = (float)(learningRate * Math.Sqrt(1.0 - Math.Pow(Beta2, t)) / (1.0 - Math.Pow(Beta1, t)));
        AdamStep.Apply(parameters, gradients, Slot(0), Slot(1), AmsGrad ? Slot(2) : Span<float>.Empty,
            alpha, WeightDecay * learningRate, 1f - Beta1, 1f - Beta2, Epsilon);
    }
}
