using System;
using ModelGen.Tests.Behaviour;

namespace ModelGen.Tests;

public sealed class RuntimeBehaviourTests
{
    /// <summary>Values uniform in [−1, 1) from <paramref name="seed"/>.</summary>
    internal static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }

    [Fact]
    public void The_allocation_measure_sees_a_step_that_allocates()
    {
        object? kept = null;
        long bytes = Allocations.FewestBytes(() => kept = new float[4]);
        Assert.NotNull(kept);
        Assert.InRange(bytes, 100 * 40, 100 * 64); // 100 arrays of 4 floats, 40 B each with their header (64-bit)
    }

    [Fact]
    public void Forward_and_backward_allocate_nothing_after_warm_up()
    {
        var model = new AllocationModel();
        const int Batch = 16;
        var x = Random(Batch * AllocationModel.TimeSteps * AllocationModel.InputFeatures, 1);
        var dy = Random(model.OutputLength(Batch, AllocationModel.TimeSteps), 2);
        var y = new float[dy.Length];
        var dx = new float[x.Length];
        model.Forward(x, Batch, y, training: true);
        model.Backward(dy, dx);

        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            model.Forward(x, Batch, y, training: true);
            model.Backward(dy, dx);
        }));
    }

    [Fact]
    public void Token_model_allocates_nothing_after_warm_up()
    {
        var model = new TokenModel();
        const int Batch = 8;
        var tokens = new int[Batch * TokenModel.TimeSteps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = (i * 7) % TokenModel.VocabularySize;
        var y = new float[Batch];
        var dy = Random(Batch, 3);
        model.Forward(tokens, Batch, y);
        model.Backward(dy);
        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            model.Forward(tokens, Batch, y);
            model.Backward(dy);
        }));
    }

    [Fact]
    public void Open_length_trains_on_10_steps_and_predicts_on_50()
    {
        var model = new OpenLengthModel();
        model.Initialize(seed: 7);
        const int Batch = 4;
        var x10 = Random(Batch * 10 * 2, 4);
        var y = new float[Batch];
        model.Forward(x10, Batch, 10, y, training: true);
        model.Backward(Random(Batch, 5));
        var before = (float[])y.Clone();

        var x50 = Random(Batch * 50 * 2, 6);
        var y50 = new float[Batch];
        model.Forward(x50, Batch, y50); // the length is inferred; the workspace grows once
        Assert.All(y50, v => Assert.True(float.IsFinite(v)));

        // After growing, the 10-step input still gives the same result as before.
        model.Forward(x10, Batch, y);
        Assert.Equal(before, y);

        // And a 50-step prediction equals a fresh model's with the same weights.
        var fresh = new OpenLengthModel();
        model.Parameters.CopyTo(fresh.Parameters, 0);
        var expected = new float[Batch];
        fresh.Forward(x50, Batch, 50, expected);
        Assert.Equal(expected, y50);
    }

    [Fact]
    public void Samples_in_a_batch_are_independent()
    {
        var model = new AllocationModel();
        model.Initialize(seed: 11);
        const int Batch = 5, Steps = AllocationModel.TimeSteps, F = AllocationModel.InputFeatures, U = AllocationModel.OutputUnits;
        var x = Random(Batch * Steps * F, 8);
        var all = new float[Batch * U];
        model.Forward(x, Batch, all);
        var one = new float[U];
        for (int b = 0; b < Batch; b++)
        {
            model.Forward(x.AsSpan(b * Steps * F, Steps * F), 1, one);
            for (int u = 0; u < U; u++) Assert.Equal(all[b * U + u], one[u], 5);
        }
    }

    [Fact]
    public void Same_seed_gives_same_weights()
    {
        var a = new AllocationModel();
        var b = new AllocationModel();
        a.Initialize(seed: 123);
        b.Initialize(seed: 123);
        Assert.Equal(a.Parameters, b.Parameters);
        b.Initialize(seed: 124);
        Assert.NotEqual(a.Parameters, b.Parameters);
    }

    [Fact]
    public void Wrong_input_length_says_what_was_expected()
    {
        var model = new AllocationModel();
        var y = new float[4];
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new float[29], 1, y));
        Assert.Contains("[1, 10, 3]", e.Message);
        Assert.Contains("30 values", e.Message);
        Assert.Contains("got 29", e.Message);
    }

    [Fact]
    public void Wrong_time_steps_for_a_declared_length_is_rejected()
    {
        var model = new AllocationModel();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new float[2 * 9 * 3], 2, 9, new float[8]));
        Assert.Contains("TimeSteps = 10", e.Message);
        Assert.Contains("9 steps", e.Message);
    }

    [Fact]
    public void Wrong_output_buffer_is_rejected()
    {
        var model = new AllocationModel();
        var e = Assert.Throws<ArgumentException>(() => model.Forward(new float[30], 1, new float[3]));
        Assert.Contains("4 floats", e.Message);
        Assert.Contains("holds 3", e.Message);
    }

    [Fact]
    public void Out_of_range_token_names_sample_step_and_value()
    {
        var model = new TokenModel();
        var tokens = new int[2 * TokenModel.TimeSteps];
        tokens[TokenModel.TimeSteps + 3] = 50;
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(tokens, 2, new float[2]));
        Assert.Contains("[0, 49]", e.Message);
        Assert.Contains("sample 1, step 3 holds 50", e.Message);
        tokens[TokenModel.TimeSteps + 3] = -1;
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(tokens, 2, new float[2]));
    }

    [Fact]
    public void Backward_before_forward_is_an_error()
    {
        var model = new AllocationModel();
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[4]));
    }

    [Fact]
    public void Backward_checks_the_gradient_shapes()
    {
        var model = new AllocationModel();
        model.Forward(new float[60], 2, new float[8]);
        Assert.Throws<ArgumentException>(() => model.Backward(new float[7]));
        Assert.Throws<ArgumentException>(() => model.Backward(new float[8], new float[59]));
        var tokens = new TokenModel();
        tokens.Forward(new int[TokenModel.TimeSteps], 1, new float[1]);
        Assert.Throws<ArgumentException>(() => tokens.Backward(new float[1], new float[TokenModel.TimeSteps]));
    }

    [Fact]
    public void Softmax_output_rows_sum_to_one()
    {
        var model = new AllocationModel();
        var y = new float[3 * 4];
        model.Forward(Random(3 * 30, 9), 3, y);
        for (int b = 0; b < 3; b++)
            Assert.Equal(1.0, y[b * 4] + y[b * 4 + 1] + y[b * 4 + 2] + y[b * 4 + 3], 5);
    }
}
