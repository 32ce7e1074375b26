using System;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>The inlined SIMD activations against double-precision references over their whole useful range.</summary>
public sealed class VectorMathTests
{
    [Fact]
    public void Sigmoid_tanh_and_exp_are_accurate()
    {
        double worstSigmoid = 0, worstTanh = 0, worstExpRelative = 0;
        for (double v = -100; v <= 100; v += 0.01337)
        {
            var x = Vector256.Create((float)v);
            double xf = (float)v;
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(VectorMath.Sigmoid(x)[3] - 1 / (1 + Math.Exp(-xf))));
            worstTanh = Math.Max(worstTanh, Math.Abs(VectorMath.Tanh(x)[5] - Math.Tanh(xf)));
            if (Math.Abs(xf) < 85)
                worstExpRelative = Math.Max(worstExpRelative, Math.Abs(VectorMath.Exp(x)[0] / Math.Exp(xf) - 1));
        }
        Assert.True(worstSigmoid < 2e-7, $"sigmoid error {worstSigmoid}");
        Assert.True(worstTanh < 3e-7, $"tanh error {worstTanh}");
        Assert.True(worstExpRelative < 3e-7, $"exp relative error {worstExpRelative}");
    }

    [Fact]
    public void Extremes_saturate_without_nan()
    {
        foreach (float v in new[] { float.MaxValue, 1e10f, 89f, -89f, -1e10f, float.MinValue, 0f, -0f })
        {
            var x = Vector256.Create(v);
            float s = VectorMath.Sigmoid(x)[0], t = VectorMath.Tanh(x)[0];
            Assert.InRange(s, 0f, 1f);
            Assert.InRange(t, -1f, 1f);
            Assert.Equal(MathF.Sign(v), MathF.Sign(t));
        }
        Assert.Equal(1f, VectorMath.Tanh(Vector256.Create(30f))[0]);
        Assert.Equal(0.5f, VectorMath.Sigmoid(Vector256<float>.Zero)[0]);
    }
}
