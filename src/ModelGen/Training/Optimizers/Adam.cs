using System;
using System.Numerics;
using System.Runtime.InteropServices;
using ModelGen.Kernels;

namespace ModelGen;

/// <summary>
/// Keras 3 <c>Adam</c>. With <c>t = iterations + 1</c>: <c>α = lr·√(1 − β₂ᵗ) / (1 − β₁ᵗ)</c>,
/// <c>m ← m + (g − m)(1 − β₁)</c>, <c>v ← v + (g² − v)(1 − β₂)</c>, <c>w ← w − α·m / (√v + ε)</c>.
/// </summary>
public sealed class Adam : Optimizer
{
    private static readonly string[] Slots = ["momentum", "velocity"];

    /// <summary>Creates the optimizer (Keras defaults).</summary>
    /// <param name="learningRate">Learning rate (Keras default 1e-3).</param>
    /// <param name="beta1">Decay of the first moment, in [0, 1).</param>
    /// <param name="beta2">Decay of the second moment, in [0, 1).</param>
    /// <param name="epsilon">Added to √v (Keras's "epsilon hat"), ≥ 0.</param>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Adam(float learningRate = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-7f)
        : base("adam", learningRate, Slots)
    {
        if (!(beta1 is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(beta1), beta1, "beta1 must be in [0, 1)");
        if (!(beta2 is >= 0f and < 1f)) throw new ArgumentOutOfRangeException(nameof(beta2), beta2, "beta2 must be in [0, 1)");
        if (!(epsilon >= 0f)) throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be ≥ 0");
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>β₁.</summary>
    public float Beta1 { get; }

    /// <summary>β₂.</summary>
    public float Beta2 { get; }

    /// <summary>ε.</summary>
    public float Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate)
    {
        double t = Iterations + 1;
        float alpha = (float)(learningRate * Math.Sqrt(1.0 - Math.Pow(Beta2, t)) / (1.0 - Math.Pow(Beta1, t)));
        AdamStep.Apply(parameters, gradients, Slot(0), Slot(1), Span<float>.Empty, alpha, decay: 0f, 1f - Beta1, 1f - Beta2, Epsilon);
    }
}

/// <summary>
/// Keras's Adam step, shared by <see cref="Adam"/> and <see cref="AdamW"/>: with <c>decay</c> = lr·λ the
/// weights are first decayed (AdamW's decoupled weight decay; 0 for Adam), and with <c>vHat</c> non-empty the
/// running maximum of v is used (AMSGrad).
/// </summary>
internal static class AdamStep
{
    // Updates of at least this many parameters are shared between threads (W3's 0.5 M: about 0.5 ms on one core).
    // Element-wise, so the split changes no result; chunks are whole vectors, so the scalar tail is the same too.
    internal const int ParallelLength = 1 << 18;
    private const int Chunk = 256;

    public static void Apply(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, Span<float> vHat,
        float alpha, float decay, float c1, float c2, float eps)
    {
        int chunks = (parameters.Length + Chunk - 1) / Chunk;
        int parts = parameters.Length >= ParallelLength ? Math.Min(Threading.IntraOpThreads, chunks) : 1;
        if (parts > 1)
        {
            var job = new Job { P = parameters, G = gradients, M = m, V = v, H = vHat, Alpha = alpha, Decay = decay, C1 = c1, C2 = c2, Eps = eps };
            RowParallel.Run(ref job, chunks, parts);
            return;
        }
        Range(parameters, gradients, m, v, vHat, alpha, decay, c1, c2, eps);
    }

    // Chunks [first, last) of Chunk parameters each: the update of one thread's share.
    private ref struct Job : IRowJob
    {
        public Span<float> P, M, V, H;
        public ReadOnlySpan<float> G;
        public float Alpha, Decay, C1, C2, Eps;

        public readonly void Rows(int first, int last)
        {
            int from = first * Chunk, to = Math.Min(P.Length, last * Chunk);
            Range(P[from..to], G[from..to], M[from..to], V[from..to], H.IsEmpty ? H : H[from..to], Alpha, Decay, C1, C2, Eps);
        }
    }

    private static void Range(Span<float> parameters, ReadOnlySpan<float> gradients, Span<float> m, Span<float> v, Span<float> vHat,
        float alpha, float decay, float c1, float c2, float eps)
    {
        bool amsGrad = !vHat.IsEmpty;
        int i = 0;
        if (Vector.IsHardwareAccelerated && parameters.Length >= Vector<float>.Count)
        {
            var pv = MemoryMarshal.Cast<float, Vector<float>>(parameters);
            var gv = MemoryMarshal.Cast<float, Vector<float>>(gradients);
            var mv = MemoryMarshal.Cast<float, Vector<float>>(m);
            var vv = MemoryMarshal.Cast<float, Vector<float>>(v);
            var hv = MemoryMarshal.Cast<float, Vector<float>>(vHat);
            var epsV = new Vector<float>(eps);
            for (int k = 0; k < pv.Length; k++)
            {
                var g = gv[k];
                var w = pv[k] - pv[k] * decay;
                var mk = mv[k] + (g - mv[k]) * c1;
                var vk = vv[k] + (g * g - vv[k]) * c2;
                mv[k] = mk;
                vv[k] = vk;
                if (amsGrad) hv[k] = vk = Vector.Max(hv[k], vk);
                pv[k] = w - mk * alpha / (Vector.SquareRoot(vk) + epsV);
            }
            i = pv.Length * Vector<float>.Count;
        }
        for (; i < parameters.Length; i++)
        {
            float g = gradients[i];
            float w = parameters[i] - parameters[i] * decay;
            float mk = m[i] + (g - m[i]) * c1;
            float vk = v[i] + (g * g - v[i]) * c2;
            m[i] = mk;
            v[i] = vk;
            if (amsGrad) vHat[i] = vk = MathF.Max(vHat[i], vk);
            parameters[i] = w - mk * alpha / (MathF.Sqrt(vk) + eps);
        }
    }
}
