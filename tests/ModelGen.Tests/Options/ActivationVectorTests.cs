using System;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests.Options;

/// <summary>The single-vector activations of the unrolled steps agree with the scalar math functions.</summary>
public sealed class ActivationVectorTests
{
    [Fact]
    public void Tanh_sigmoid_relu_match_MathF_across_the_range()
    {
        double worstTanh = 0, worstSigmoid = 0;
        for (int i = -4000; i <= 4000; i++)
        {
            float x = i * 0.005f * (1 + Math.Abs(i) / 400f); // dense near 0, out to about ±220
            var v = Vector256.Create(x);
            float tanh = Activations.Tanh(v)[3];
            float sigmoid = Activations.Sigmoid(v)[5];
            worstTanh = Math.Max(worstTanh, Math.Abs(tanh - Math.Tanh(x)) / Math.Max(1e-30, Math.Abs(Math.Tanh(x))));
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(sigmoid - 1 / (1 + Math.Exp(-x))));
            Assert.Equal(Math.Max(x, 0f), Activations.Relu(v)[7]);
            Assert.Equal(Math.Sign(x), Math.Sign(tanh));
        }
        Assert.True(worstTanh < 1e-6, $"tanh relative error {worstTanh:G3}");
        Assert.True(worstSigmoid < 1e-7, $"sigmoid absolute error {worstSigmoid:G3}");
        Assert.Equal(0f, Activations.Tanh(Vector256<float>.Zero)[0]);
    }
}
