using ILGPU.Algorithms;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// The exp2-based activations GPU.md B4 recommends for parity (no <c>tanh.approx</c>): run on the device by the smoke
/// kernel and on the host for comparison. On PTX <see cref="XMath.Exp2(float)"/> is the hardware <c>ex2.approx</c>.
/// </summary>
public static class Activations
{
    /// <summary>log2(e) in float.</summary>
    public const float Log2E = 1.44269504088896341f;

    /// <summary>σ(x) = 1/(1+2^(−x·log2 e)).</summary>
    /// <param name="x">Pre-activation.</param>
    /// <returns>σ(x).</returns>
    public static float Sigmoid(float x) => 1f / (1f + XMath.Exp2(-x * Log2E));

    /// <summary>tanh(x) = 2σ(2x) − 1 (loses relative accuracy for |x| ≪ 1).</summary>
    /// <param name="x">Pre-activation.</param>
    /// <returns>tanh(x).</returns>
    public static float TanhViaSigmoid(float x) => 2f / (1f + XMath.Exp2(-2f * x * Log2E)) - 1f;

    /// <summary>tanh(x): the odd Taylor polynomial to x⁷ for |x| &lt; 0.125, else 2σ(2x) − 1.</summary>
    /// <param name="x">Pre-activation.</param>
    /// <returns>tanh(x).</returns>
    public static float TanhHybrid(float x)
    {
        if (x > -0.125f && x < 0.125f)
        {
            float z = x * x;
            return x * (1f + z * (-1f / 3f + z * (2f / 15f + z * (-17f / 315f))));
        }
        return TanhViaSigmoid(x);
    }
}
