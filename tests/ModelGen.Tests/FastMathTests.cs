using System;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>
/// The activations the generated cells fuse into their loops: accuracy against double precision, special values,
/// and bit-identical results across the scalar, 256-bit, 512-bit and span forms (the cells mix them by shape).
/// </summary>
public sealed class FastMathTests
{
    // Every 601st float from 1e-30 to 20, and its negation: about 2.9 million values covering every exponent
    // in that range with many mantissas each; then 0.
    private static System.Collections.Generic.IEnumerable<float> Samples()
    {
        int from = BitConverter.SingleToInt32Bits(1e-30f), to = BitConverter.SingleToInt32Bits(20f);
        for (int bits = from; bits <= to; bits += 601)
        {
            float x = BitConverter.Int32BitsToSingle(bits);
            yield return x;
            yield return -x;
        }
        yield return 0f;
    }

    [Fact]
    public void Tanh_is_within_a_few_ulp_of_double_precision()
    {
        double worst = 0;
        float at = 0;
        int count = 0;
        foreach (float x in Samples())
        {
            count++;
            double expected = Math.Tanh(x);
            double relative = Math.Abs(FastMath.Tanh(x) - expected) / Math.Max(Math.Abs(expected), 1e-37);
            if (relative > worst) (worst, at) = (relative, x);
        }
        Assert.True(count > 1_000_000, $"only {count} samples");
        // The rational form's rounding reaches 6 ulp just below 1, where floats are 6e-8 apart, with fused multiply-adds
        // and 7 without (over every float: 3.44e-7 and 4.14e-7); 4.2e-7 is the larger.
        Assert.True(worst < 4.2e-7, $"largest relative error {worst:E2} at x = {at:R}");
    }

    [Fact]
    public void Tanh_never_exceeds_one_and_is_one_where_it_rounds_to_one()
    {
        // Every float in [8, 12]: the rational quotient crosses 1 near 9.16 and is clamped there; past 9.5 it is at least
        // one ulp above 1 before the clamp, with or without fused multiply-adds, so the result is exactly 1.
        int from = BitConverter.SingleToInt32Bits(8f), to = BitConverter.SingleToInt32Bits(12f);
        for (int bits = from; bits <= to; bits++)
        {
            float x = BitConverter.Int32BitsToSingle(bits), y = FastMath.Tanh(x);
            Assert.True(y <= 1f, $"tanh({x:R}) = {y:R}");
            Assert.True(FastMath.Tanh(-x) == -y, $"tanh(-{x:R}) = {FastMath.Tanh(-x):R}, not -tanh({x:R}) = {-y:R}");
            if (x >= 9.5f) Assert.True(y == 1f, $"tanh({x:R}) = {y:R}, not 1");
        }
    }

    [Fact]
    public void Clamping_x_squared_gives_the_bits_that_clamping_x_gave()
    {
        // tanh clamps x² to 100 instead of x to ±10 (one operation fewer). The reference below is the form it replaced,
        // written out; every sample, every 4093rd float beyond 10 up to the largest, and ±∞ must give the same bits.
        static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
            => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported ? Vector256.FusedMultiplyAdd(a, b, c) : a * b + c;
        static float ClampingX(float value)
        {
            var x = Vector256.Create(value);
            var a = Vector256.MaxNative(Vector256.Create(-10f), Vector256.MinNative(Vector256.Create(10f), x));
            var t = a * a;
            var p = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector256.Create(1.341949218414129e-08f), t, Vector256.Create(2.0661032976931892e-05f)), t, Vector256.Create(0.0034989826381206512f)), t, Vector256.Create(0.1338396966457367f)), t, Vector256<float>.One);
            var q = MultiplyAdd(MultiplyAdd(MultiplyAdd(MultiplyAdd(Vector256.Create(7.804595156812866e-07f), t, Vector256.Create(0.0003291016910225153f)), t, Vector256.Create(0.025890154764056206f)), t, Vector256.Create(0.46717286109924316f)), t, Vector256<float>.One);
            var y = a * p / q;
            return Vector256.MaxNative(-Vector256<float>.One, Vector256.MinNative(Vector256<float>.One, y)).ToScalar();
        }
        var values = new System.Collections.Generic.List<float>(Samples()) { float.PositiveInfinity, float.NegativeInfinity, float.MaxValue, float.MinValue };
        for (int bits = BitConverter.SingleToInt32Bits(10f); bits > 0 && bits <= BitConverter.SingleToInt32Bits(float.MaxValue); bits += 4093)
        {
            values.Add(BitConverter.Int32BitsToSingle(bits));
            values.Add(-BitConverter.Int32BitsToSingle(bits));
        }
        int checkedCount = 0;
        foreach (float x in values)
        {
            float expected = ClampingX(x), actual = FastMath.Tanh(Vector256.Create(x)).ToScalar();
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"tanh({x:R}) = {actual:R}, clamping x gave {expected:R}");
            checkedCount++;
        }
        Assert.True(checkedCount > 3_000_000, $"only {checkedCount} values");
    }

    [Fact]
    public void Sigmoid_is_within_a_few_ulp_of_double_precision()
    {
        double worst = 0;
        float at = 0;
        foreach (float x in Samples())
        {
            double expected = 1 / (1 + Math.Exp(-(double)x));
            double relative = Math.Abs(FastMath.Sigmoid(x) - expected) / expected;
            if (relative > worst) (worst, at) = (relative, x);
        }
        // Over every float in [−87, 87] the largest is 1.8e-7 with fused multiply-adds and without (FastMath remarks).
        Assert.True(worst < 2.0e-7, $"largest relative error {worst:E2} at x = {at:R}");
        // Far out, where e^-x leaves the clamped range, still the right values.
        Assert.Equal(1f, FastMath.Sigmoid(200f));
        Assert.InRange(FastMath.Sigmoid(-200f), 0f, 2e-38f);
    }

    [Fact]
    public void Special_values_behave_like_the_functions()
    {
        Assert.True(float.IsNaN(FastMath.Tanh(float.NaN)));
        Assert.True(float.IsNaN(FastMath.Sigmoid(float.NaN)));
        Assert.True(float.IsNaN(FastMath.HardSigmoid(float.NaN)));
        Assert.Equal(1f, FastMath.Tanh(float.PositiveInfinity));
        Assert.Equal(-1f, FastMath.Tanh(float.NegativeInfinity));
        Assert.Equal(1f, FastMath.Tanh(30f));
        Assert.Equal(0f, FastMath.Tanh(0f));
        Assert.True(float.IsNegative(FastMath.Tanh(-0f)), "tanh(-0) keeps its sign");
        Assert.Equal(1f, FastMath.Sigmoid(float.PositiveInfinity));
        Assert.InRange(FastMath.Sigmoid(float.NegativeInfinity), 0f, 2e-38f);
        Assert.Equal(0.5f, FastMath.Sigmoid(0f));
        Assert.Equal(0f, FastMath.HardSigmoid(-3f));
        Assert.Equal(1f, FastMath.HardSigmoid(3f));
        Assert.Equal(0.5f, FastMath.HardSigmoid(0f));
        Assert.Equal(0.75f, FastMath.HardSigmoid(1.5f));
    }

    [Fact]
    public void Every_width_and_the_span_forms_give_identical_bits()
    {
        var random = new Random(7);
        var x = new float[16];
        for (int round = 0; round < 2000; round++)
        {
            for (int i = 0; i < x.Length; i++) x[i] = (float)((random.NextDouble() - 0.5) * (round % 4 == 0 ? 40 : 6));
            var v512 = Vector512.Create<float>(x);
            var lower = Vector256.Create<float>(x.AsSpan(0, 8));
            var upper = Vector256.Create<float>(x.AsSpan(8, 8));
            AssertSame(FastMath.Tanh(v512), FastMath.Tanh(lower), FastMath.Tanh(upper), x, FastMath.Tanh);
            AssertSame(FastMath.Sigmoid(v512), FastMath.Sigmoid(lower), FastMath.Sigmoid(upper), x, FastMath.Sigmoid);
            AssertSame(FastMath.HardSigmoid(v512), FastMath.HardSigmoid(lower), FastMath.HardSigmoid(upper), x, FastMath.HardSigmoid);
            for (int q = 0; q < 4; q++) // the 128-bit forms, a quarter at a time
            {
                var quarter = Vector128.Create<float>(x.AsSpan(4 * q, 4));
                AssertSame128(FastMath.Tanh(quarter), FastMath.Tanh(v512), q);
                AssertSame128(FastMath.Sigmoid(quarter), FastMath.Sigmoid(v512), q);
                AssertSame128(FastMath.HardSigmoid(quarter), FastMath.HardSigmoid(v512), q);
            }
        }
    }

    private static void AssertSame128(Vector128<float> narrow, Vector512<float> wide, int quarter)
    {
        for (int i = 0; i < 4; i++)
            Assert.Equal(BitConverter.SingleToInt32Bits(wide.GetElement(4 * quarter + i)), BitConverter.SingleToInt32Bits(narrow.GetElement(i)));
    }

    private static void AssertSame(Vector512<float> wide, Vector256<float> lower, Vector256<float> upper, float[] x, Func<float, float> scalar)
    {
        for (int i = 0; i < 16; i++)
        {
            float fromWide = wide.GetElement(i), fromNarrow = i < 8 ? lower.GetElement(i) : upper.GetElement(i - 8);
            Assert.Equal(BitConverter.SingleToInt32Bits(scalar(x[i])), BitConverter.SingleToInt32Bits(fromWide));
            Assert.Equal(BitConverter.SingleToInt32Bits(fromWide), BitConverter.SingleToInt32Bits(fromNarrow));
        }
    }

    public static TheoryData<int> Lengths => [0, 1, 3, 4, 5, 7, 8, 9, 12, 13, 15, 16, 17, 23, 24, 30, 31, 33, 60, 100];

    // Lengths that hit every path: under one vector, whole vectors, and ragged ends after 256- and 512-bit loops,
    // both into another array and in place (the overlapping last vector must read the original values).
    [Theory]
    [MemberData(nameof(Lengths))]
    public void Span_forms_equal_the_scalar_form_in_place_and_not(int length)
    {
        var random = new Random(length);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)((random.NextDouble() - 0.5) * 8);
        Check(FastMath.Tanh, FastMath.Tanh);
        Check(FastMath.Sigmoid, FastMath.Sigmoid);
        Check(FastMath.HardSigmoid, FastMath.HardSigmoid);

        void Check(SpanFunction span, Func<float, float> scalar)
        {
            var y = new float[length + 3]; // longer destinations are allowed; the extra stays untouched
            y[length] = 42f;
            span(x, y);
            var inPlace = (float[])x.Clone();
            span(inPlace, inPlace);
            for (int i = 0; i < length; i++)
            {
                Assert.Equal(scalar(x[i]), y[i]);
                Assert.Equal(scalar(x[i]), inPlace[i]);
            }
            Assert.Equal(42f, y[length]);
        }
    }

    [Fact]
    public void A_short_destination_is_refused()
    {
        var e = Assert.Throws<ArgumentException>(() => FastMath.Tanh(new float[10], new float[9]));
        Assert.Contains("9", e.Message, StringComparison.Ordinal);
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
    }

    private delegate void SpanFunction(ReadOnlySpan<float> x, Span<float> y);
}

/// <summary>The embedding gather's width-specialised loops against a plain copy, and its id check.</summary>
public sealed class EmbeddingGatherTests
{
    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    [InlineData(5)]
    [InlineData(24)]
    [InlineData(4)]
    [InlineData(13)]
    [InlineData(36)]
    public void Gather_writes_time_major_rows_for_every_width(int width)
    {
        const int batch = 3, steps = 4, vocabulary = 11;
        var random = new Random(width);
        var table = new float[vocabulary * width];
        for (int i = 0; i < table.Length; i++) table[i] = (float)random.NextDouble();
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(vocabulary);
        var output = new float[batch * steps * width];
        Embedding.Gather(batch, steps, vocabulary, width, tokens, table, output, "embedding");
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < width; k++)
                    Assert.Equal(table[tokens[b * steps + t] * width + k], output[(t * batch + b) * width + k]);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    [InlineData(16)]
    [InlineData(36)]
    public void Scatter_add_sums_every_occurrence_into_its_row(int width)
    {
        const int batch = 3, steps = 5, vocabulary = 4; // few ids: rows receive several gradients
        var random = new Random(width);
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(vocabulary);
        var grad = new float[batch * steps * width];
        for (int i = 0; i < grad.Length; i++) grad[i] = random.Next(-8, 9) / 4f; // exact sums in any order
        var table = new float[vocabulary * width];
        for (int i = 0; i < table.Length; i++) table[i] = i;
        var expected = (float[])table.Clone();
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                for (int k = 0; k < width; k++)
                    expected[tokens[b * steps + t] * width + k] += grad[(t * batch + b) * width + k];
        Embedding.ScatterAdd(batch, steps, width, tokens, grad, table);
        Assert.Equal(expected, table);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    [InlineData(int.MinValue)]
    public void An_id_outside_the_vocabulary_is_named_with_its_sample_and_step(int bad)
    {
        const int batch = 3, steps = 7;
        var tokens = new int[batch * steps];
        tokens[2 * steps + 5] = bad; // sample 2, step 5: past the vectorised part of the check
        var output = new float[batch * steps * 8];
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.Gather(batch, steps, 11, 8, tokens, new float[11 * 8], output, "words"));
        Assert.Contains("'words'", e.Message, StringComparison.Ordinal);
        Assert.Contains("[0, 10]", e.Message, StringComparison.Ordinal);
        Assert.Contains($"sample 2, step 5 holds {bad}", e.Message, StringComparison.Ordinal);
        Assert.All(output, v => Assert.Equal(0f, v)); // nothing written before the check
    }
}
