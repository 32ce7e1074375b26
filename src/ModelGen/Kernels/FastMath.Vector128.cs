using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

// The 128-bit forms (SSE on x64, NEON on ARM64): the same operations as the 256- and 512-bit forms in FastMath.cs,
// lane by lane. The generated cells' 128-bit paths call these where neither 512- nor 256-bit vectors run in hardware
// (every ARM64 machine). Their multiply-adds are MultiplyAddEstimate: fused where the CPU has FMA (every ARM64, every
// x64 with AVX2), so the results are bit-identical to the wider forms there; on x64 without FMA (which .NET also
// switches off with DOTNET_EnableAVX2=0 or DOTNET_EnableAVX=0) a multiply and an add, a few ulp apart, where a fused
// multiply-add would be computed in software at about a hundred times the cost.
public static partial class FastMath
{
    /// <summary>tanh of each lane (4 floats), bit-identical to the 256- and 512-bit forms.</summary>
    /// <param name="x">The four inputs.</param>
    /// <returns>tanh of each lane; NaN stays NaN, ±∞ give ±1.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Tanh(Vector128<float> x)
    {
        var a = Vector128.MinNative(Vector128.Create(TanhLimit), Vector128.Abs(x));
        var m = ExpM1Core(a * -2f, out var scale);
        m = Vector128.MultiplyAddEstimate(scale, m, scale - Vector128<float>.One);
        var y = -m / (m + Vector128.Create(2f));
        return y | (x & Vector128.Create(-0f));
    }

    /// <summary>The logistic sigmoid <c>1 / (1 + e^−x)</c> of each lane (4 floats), bit-identical to the wider forms.</summary>
    /// <param name="x">The four inputs.</param>
    /// <returns>σ of each lane; NaN stays NaN, +∞ gives 1 and −∞ gives 0.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Sigmoid(Vector128<float> x)
    {
        var s = Vector128.MaxNative(Vector128.Create(-SigmoidLimit), Vector128.MinNative(Vector128.Create(SigmoidLimit), -x));
        var p = ExpM1Core(s, out var scale);
        var e = Vector128.MultiplyAddEstimate(scale, p, scale);
        return Vector128<float>.One / (Vector128<float>.One + e);
    }

    /// <summary>
    /// Keras 3's and PyTorch's hard sigmoid, <c>clip(x / 6 + 1/2, 0, 1)</c>, of each lane (4 floats). Always fused (in
    /// software on x64 without FMA): a separate multiply and add would lose digits to cancellation near x = −3.
    /// </summary>
    /// <param name="x">The four inputs.</param>
    /// <returns>The hard sigmoid of each lane, in [0, 1].</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> HardSigmoid(Vector128<float> x)
        => Vector128.Min(Vector128.Max(Vector128.FusedMultiplyAdd(x, Vector128.Create(1f / 6f), Vector128.Create(0.5f)), Vector128<float>.Zero), Vector128<float>.One);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<float> ExpM1Core(Vector128<float> s, out Vector128<float> scale)
    {
        var n = Vector128.Round(s * Log2E);
        var r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Hi), s);
        r = Vector128.MultiplyAddEstimate(n, Vector128.Create(-Ln2Lo), r);
        var q = Vector128.MultiplyAddEstimate(Vector128.Create(C7), r, Vector128.Create(C6));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(C5));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(C4));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(C3));
        q = Vector128.MultiplyAddEstimate(q, r, Vector128.Create(C2));
        scale = Vector128.ShiftLeft(Vector128.ConvertToInt32Native(n) + Vector128.Create(127), 23).AsSingle();
        return Vector128.MultiplyAddEstimate(q * r, r, r);
    }
}
