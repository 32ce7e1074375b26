using System;
using System.Linq;
using ModelGen.Kernels;
using Xunit;

namespace ModelGen.Tests;

[Sequential(Features = 4)]
[Lstm(8, ReturnSequences = true)]
[Dense(1)]
public partial class LongLstmModel;

[Sequential(Features = 4)]
[Gru(8, ReturnSequences = true)]
[Dense(1)]
public partial class LongGruModel;

[Sequential(Features = 4)]
[Gru(8, ResetAfter = false, ReturnSequences = true)]
[Dense(1)]
public partial class LongGruResetBeforeModel;

[Sequential(Features = 4)]
[SimpleRnn(8, ReturnSequences = true)]
[Dense(1)]
public partial class LongSimpleRnnModel;

/// <summary>
/// Back-propagation through thousands of steps: the gradient carried back decays below float32's normal range long
/// before the first step. Without a flush it stays subnormal (x64 then takes a ~100-cycle assist on every operation,
/// which made an LSTM(128)'s training step 170× slower for 10× the steps); these tests see that without timing
/// anything, through the input gradient, which every step writes from the carried gradient.
/// </summary>
public sealed class LongSequenceTests
{
    private const int Batch = 2, Steps = 2000, Features = 4;

    public static TheoryData<string> Cells => new() { "LSTM", "GRU", "GRU reset before", "SimpleRNN" };

    private static ISequentialModel<float> Create(string cell, int seed)
    {
        switch (cell)
        {
            case "LSTM": { var m = new LongLstmModel(); m.Initialize(seed); return m; }
            case "GRU": { var m = new LongGruModel(); m.Initialize(seed); return m; }
            case "GRU reset before": { var m = new LongGruResetBeforeModel(); m.Initialize(seed); return m; }
            case "SimpleRNN": { var m = new LongSimpleRnnModel(); m.Initialize(seed); return m; }
            default: throw new ArgumentOutOfRangeException(nameof(cell), cell, "no such test model");
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void The_carried_gradient_decays_to_zero_never_to_subnormals(string cell)
    {
        var model = Create(cell, 11);
        var random = new Random(3);
        var x = new float[Batch * Steps * Features];
        for (int i = 0; i < x.Length; i++) x[i] = 2f * random.NextSingle() - 1f;
        var y = new float[model.OutputLength(Batch, Steps)];
        var dy = new float[y.Length]; // outputs [batch, steps, 1]: a gradient at the last step only
        for (int b = 0; b < Batch; b++) dy[b * Steps + Steps - 1] = 1f;
        var dx = new float[x.Length];

        model.Forward(x, Batch, Steps, y, training: true);
        model.Backward(dy, dx);

        // dx is batch-major [batch, steps, features]: step t of sample b at (b·Steps + t)·Features.
        float Largest(int t) => Enumerable.Range(0, Batch).Max(b => Enumerable.Range(0, Features).Max(f => MathF.Abs(dx[(b * Steps + t) * Features + f])));
        Assert.True(Largest(Steps - 1) > 1e-6f, $"the last step's input gradient is {Largest(Steps - 1)}");
        Assert.Equal(0f, Largest(0)); // the gradient has died out long before the first step: the range the test is about
        int subnormal = dx.Count(float.IsSubnormal);
        Assert.True(subnormal == 0, $"{subnormal} of {dx.Length} input-gradient values are subnormal (first at step {Array.FindIndex(dx, float.IsSubnormal) / Features % Steps})");
        Assert.All(model.Gradients, g => Assert.True(float.IsFinite(g)));
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_state_decaying_under_zero_inputs_goes_to_zero_never_to_subnormals(string cell)
    {
        var model = Create(cell, 2);
        var parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] *= 0.5f; // contracting weights: the state decays geometrically
        var random = new Random(4);
        var x = new float[Batch * Steps * Features]; // [batch, steps, features]: random for 20 steps, then zeros (padding)
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < 20; t++)
                for (int f = 0; f < Features; f++) x[(b * Steps + t) * Features + f] = 2f * random.NextSingle() - 1f;
        var y = new float[model.OutputLength(Batch, Steps)];

        foreach (bool training in new[] { false, true })
        {
            model.Forward(x, Batch, Steps, y, training);
            Assert.True(MathF.Abs(y[19]) > 1e-6f, $"the output at step 19 is {y[19]}");
            Assert.Equal(0f, y[Steps - 1]); // the state has died out: the range the test is about
            int subnormal = y.Count(float.IsSubnormal);
            Assert.True(subnormal == 0, $"training: {training}: {subnormal} of {y.Length} outputs are subnormal (first at step {Array.FindIndex(y, float.IsSubnormal) % Steps})");
        }
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void A_training_step_at_thousands_of_steps_allocates_nothing_after_warm_up(string cell)
    {
        var model = Create(cell, 5);
        var x = new float[Batch * Steps * Features];
        for (int i = 0; i < x.Length; i++) x[i] = MathF.Sin(i * 0.37f);
        var y = new float[model.OutputLength(Batch, Steps)];
        var dy = new float[y.Length];
        var dx = new float[x.Length];
        void Step()
        {
            model.Forward(x, Batch, Steps, y, training: true);
            for (int i = 0; i < y.Length; i++) dy[i] = y[i] - 0.5f;
            Array.Clear(model.Gradients);
            model.Backward(dy, dx);
        }
        Step();
        Assert.Equal(0, Allocations.FewestBytes(Step, steps: 2));
    }

    [Fact]
    public void Flush_zeroes_magnitudes_below_two_to_the_minus_100_and_keeps_every_other_value_bit_for_bit()
    {
        Assert.True(Underflow.Threshold == MathF.ScaleB(1f, -100), $"the threshold is {Underflow.Threshold:R}, not 2^-100");
        float below = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(Underflow.Threshold) - 1);
        float[] kept = [Underflow.Threshold, -Underflow.Threshold, 1f, -3.5e-20f, float.MaxValue, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e-30f];
        float[] flushed = [below, -below, float.Epsilon, -float.Epsilon, 1e-38f, 1e-40f, -5e-31f, -0f, 0f];
        // Every length up to a few vectors, so the 512-, 256-, 128-bit and scalar parts all see both kinds.
        for (int length = 0; length <= 70; length++)
        {
            var values = new float[length];
            for (int i = 0; i < length; i++) values[i] = i % 2 == 0 ? kept[i / 2 % kept.Length] : flushed[i / 2 % flushed.Length];
            var original = (float[])values.Clone();
            Underflow.Flush(values);
            for (int i = 0; i < length; i++)
            {
                int expected = i % 2 == 0 ? BitConverter.SingleToInt32Bits(original[i]) : 0; // +0, whatever the sign
                Assert.True(expected == BitConverter.SingleToInt32Bits(values[i]), $"length {length}, element {i}: {original[i]:R} became {values[i]:R}");
            }
        }
    }
}
