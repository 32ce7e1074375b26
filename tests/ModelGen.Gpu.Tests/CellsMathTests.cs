using System;
using ModelGen.Gpu.Kernels;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// The scalar activations the generated kernels call, run on the host (where XMath.Exp2 is exact to float rounding; on
/// PTX it is <c>ex2.approx</c>, checked by the device smoke script): σ and tanh against double precision over
/// [−16, 16] in steps of 2⁻¹⁰, relative error, the small-|x| region of tanh included.
/// </summary>
public sealed class CellsMathTests
{
    [Fact]
    public void SigmoidAndTanh_MatchDoublePrecision_WithinFloatRounding()
    {
        double worstSigmoid = 0, worstTanh = 0, worstTanhAt = 0;
        for (int i = -16 * 1024; i <= 16 * 1024; i++)
        {
            float x = i / 1024f;
            double sigmoid = 1 / (1 + Math.Exp(-(double)x)), tanh = Math.Tanh(x);
            worstSigmoid = Math.Max(worstSigmoid, Math.Abs(CellMath.Sigmoid(x) - sigmoid) / sigmoid);
            if (tanh == 0) Assert.Equal(0f, CellMath.Tanh(x));
            else
            {
                double error = Math.Abs(CellMath.Tanh(x) - tanh) / Math.Abs(tanh);
                if (error > worstTanh) (worstTanh, worstTanhAt) = (error, x);
            }
        }
        // σ's error grows with |x|: the float product x·log₂e is rounded (≈ 6e-8 relative), which exp2 turns into
        // ≈ |x|·log₂e·ln 2·6e-8 relative; 9.2e-7 at x = −16 on the host.
        Assert.True(worstSigmoid <= 1e-6, $"σ: worst relative error {worstSigmoid:E2}");
        Assert.True(worstTanh <= 4e-7, $"tanh: worst relative error {worstTanh:E2} at x = {worstTanhAt}");
    }

    [Fact]
    public void Tanh_IsOdd_AndSaturates()
    {
        foreach (float x in new[] { 1e-6f, 0.01f, 0.0625f, 0.125f, 0.5f, 3f, 20f, 100f })
            Assert.Equal(-CellMath.Tanh(x), CellMath.Tanh(-x));
        Assert.Equal(1f, CellMath.Tanh(100f));
        Assert.Equal(0f, CellMath.Sigmoid(-200f));
        Assert.Equal(1f, CellMath.Sigmoid(200f));
    }
}
