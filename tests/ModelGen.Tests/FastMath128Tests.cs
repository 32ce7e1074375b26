using System;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>
/// The 128-bit activations the generated cells' 128-bit paths call (SSE, NEON): bit-identical to the 256-bit forms
/// wherever the CPU has FMA (x64 with AVX2, every ARM64), and within the accuracy bound of the other forms against
/// double precision everywhere (tanh and sigmoid on x64 without FMA multiply and add separately).
/// </summary>
public sealed class FastMath128Tests
{
    private static readonly bool Fused = System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    [Fact]
    public void The_128_bit_forms_agree_with_the_256_bit_ones_lane_by_lane()
    {
        var random = new Random(11);
        var x = new float[8];
        for (int round = 0; round < 4000; round++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)((random.NextDouble() - 0.5) * (round % 4 == 0 ? 40 : 6));
            var lower = Vector128.Create<float>(x.AsSpan(0, 4));
            var upper = Vector128.Create<float>(x.AsSpan(4, 4));
            var wide = Vector256.Create<float>(x);
            Check(FastMath.Tanh(lower), FastMath.Tanh(upper), FastMath.Tanh(wide), x, Math.Tanh, "tanh");
            Check(FastMath.Sigmoid(lower), FastMath.Sigmoid(upper), FastMath.Sigmoid(wide), x, v => 1 / (1 + Math.Exp(-v)), "sigmoid");
            // Hard sigmoid is fused at every width, so bit-identical everywhere.
            Check(FastMath.HardSigmoid(lower), FastMath.HardSigmoid(upper), FastMath.HardSigmoid(wide), x, null, "hard sigmoid");
        }
    }

    [Fact]
    public void Special_values_are_the_same_as_the_wider_forms()
    {
        var x = Vector128.Create(float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0f);
        var tanh = FastMath.Tanh(x);
        Assert.True(float.IsNaN(tanh[0]));
        Assert.Equal(1f, tanh[1]);
        Assert.Equal(-1f, tanh[2]);
        Assert.True(float.IsNegative(tanh[3]) && tanh[3] == 0f, "tanh(-0) keeps its sign");
        var sigmoid = FastMath.Sigmoid(x);
        Assert.True(float.IsNaN(sigmoid[0]));
        Assert.Equal(1f, sigmoid[1]);
        Assert.InRange(sigmoid[2], 0f, 2e-38f);
        Assert.Equal(0.5f, sigmoid[3]);
    }

    private static void Check(Vector128<float> lower, Vector128<float> upper, Vector256<float> wide, float[] x, Func<double, double>? exact, string what)
    {
        for (int i = 0; i < 8; i++)
        {
            float narrow = i < 4 ? lower.GetElement(i) : upper.GetElement(i - 4), reference = wide.GetElement(i);
            if (Fused || exact is null)
            {
                Assert.True(BitConverter.SingleToInt32Bits(reference) == BitConverter.SingleToInt32Bits(narrow),
                    $"{what}({x[i]:R}): 128-bit {narrow:R}, 256-bit {reference:R}");
                continue;
            }
            double expected = exact(x[i]);
            double error = Math.Abs(narrow - expected) / Math.Max(Math.Abs(expected), 1e-37);
            // The same bounds as the accuracy tests of the other forms: tanh 4.2e-7, the sigmoid 2.5e-7.
            Assert.True(error < (what == "tanh" ? 4.2e-7 : 2.5e-7) || Math.Abs(narrow - expected) < 1e-37, $"{what}({x[i]:R}) = {narrow:R} at 128 bits, exact {expected:R}");
        }
    }
}
