using System;
using System.Linq;

namespace ModelGen.Tests.Options;

/// <summary>
/// What the options do, observed from outside: padding 'pre' and 'post' agree under a mask, dropout works only in
/// training (with the rate and the structure Keras gives it), stateful layers carry their state, returned states
/// are the final states, Keras's counts, allocation-free passes, and clear errors for misuse.
/// </summary>
public sealed class OptionBehaviourTests
{
    // ------------------------------------------------------------------ masking

    [Fact]
    public void Mask_zero_pre_and_post_padding_give_the_same_outputs_and_gradients()
    {
        var model = new MaskedTokenModel();
        model.Initialize(seed: 5);
        int[] pre = { 0, 0, 0, 0, 3, 9, 1, 7 };
        int[] post = { 3, 9, 1, 7, 0, 0, 0, 0 };
        var (preOutput, preGradients) = Run(model, pre);
        var (postOutput, postGradients) = Run(model, post);
        Assert.Equal(preOutput, postOutput);
        AssertClose(preGradients, postGradients, 1e-6f);

        // A different sentence gives a different output: the comparison is not vacuous.
        var (otherOutput, _) = Run(model, new[] { 3, 9, 1, 8, 0, 0, 0, 0 });
        Assert.NotEqual(preOutput[0], otherOutput[0]);

        static (float[] Output, float[] Gradients) Run(MaskedTokenModel model, int[] tokens)
        {
            var output = new float[1];
            model.Forward(tokens, 1, output);
            Array.Clear(model.Gradients);
            model.Backward(new[] { 1f });
            return (output, model.Gradients.ToArray());
        }
    }

    [Fact]
    public void Masking_layer_pre_and_post_padding_give_the_same_outputs_and_gradients()
    {
        var model = new MaskedFloatModel();
        model.Initialize(seed: 6);
        var real = new float[] { 0.5f, -1f, 0.25f, 0.75f, -0.5f, 0.1f };
        var pre = new float[14];
        var post = new float[14];
        real.CopyTo(pre, 8);
        real.CopyTo(post, 0);
        var (preOutput, preGradients, preInput) = Run(model, pre);
        var (postOutput, postGradients, postInput) = Run(model, post);
        Assert.Equal(preOutput, postOutput);
        AssertClose(preGradients, postGradients, 1e-6f);
        AssertClose(preInput[8..], postInput[..6], 1e-6f);
        Assert.All(preInput[..8], v => Assert.Equal(0f, v));

        static (float[] Output, float[] Gradients, float[] Input) Run(MaskedFloatModel model, float[] x)
        {
            var output = new float[1];
            model.Forward(x, 1, output);
            Array.Clear(model.Gradients);
            var dx = new float[x.Length];
            model.Backward(new[] { 1f }, dx);
            return (output, model.Gradients.ToArray(), dx);
        }
    }

    // ------------------------------------------------------------------ dropout

    [Fact]
    public void Dropout_does_nothing_at_inference()
    {
        var dropout = new DropoutModel();
        var plain = new NoDropoutModel();
        dropout.Initialize(seed: 8);
        Assert.Equal(plain.Parameters.Length, dropout.Parameters.Length);
        dropout.Parameters.CopyTo(plain.Parameters, 0);
        var x = Random(4 * 5 * 3, 9);
        var a = new float[dropout.OutputLength(4, 5)];
        var b = new float[a.Length];
        dropout.Forward(x, 4, a);
        plain.Forward(x, 4, b);
        Assert.Equal(b, a);

        // In training it changes the output, the same way for the same seed.
        var t1 = new float[a.Length];
        var t2 = new float[a.Length];
        dropout.SeedDropout(3);
        dropout.Forward(x, 4, t1, training: true);
        dropout.SeedDropout(3);
        dropout.Forward(x, 4, t2, training: true);
        Assert.Equal(t1, t2);
        Assert.NotEqual(a, t1);
    }

    [Fact]
    public void Dropout_layer_drops_its_rate_and_scales_the_rest()
    {
        var model = new DropoutOnlyModel();
        model.SeedDropout(1);
        const int Batch = 10, Steps = 50;
        var x = Random(Batch * Steps * 40, 2);
        var y = new float[x.Length];
        model.Forward(x, Batch, Steps, y, training: true);
        int dropped = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (y[i] == 0f) dropped++;
            else Near(x[i] / 0.7f, y[i]);
        }
        double rate = dropped / (double)x.Length; // 20,000 values: the standard error is 0.003
        Assert.InRange(rate, 0.28, 0.32);

        var dy = Random(x.Length, 3);
        var dx = new float[x.Length];
        model.Backward(dy, dx);
        for (int i = 0; i < x.Length; i++) Near(y[i] == 0f ? 0f : dy[i] / 0.7f, dx[i]);
    }

    [Fact]
    public void SpatialDropout1D_drops_whole_channels_for_every_step()
    {
        var model = new SpatialDropoutOnlyModel();
        model.SeedDropout(4);
        const int Batch = 20, Steps = 6, Channels = 40;
        var x = Random(Batch * Steps * Channels, 5);
        for (int i = 0; i < x.Length; i++) x[i] += 3f; // no value is zero by itself
        var y = new float[x.Length];
        model.Forward(x, Batch, Steps, y, training: true);
        int droppedChannels = 0;
        for (int b = 0; b < Batch; b++)
            for (int c = 0; c < Channels; c++)
            {
                var column = Enumerable.Range(0, Steps).Select(t => y[(b * Steps + t) * Channels + c]).ToArray();
                bool dropped = column[0] == 0f;
                if (dropped) droppedChannels++;
                for (int t = 0; t < Steps; t++)
                    Near(dropped ? 0f : x[(b * Steps + t) * Channels + c] * 2f, column[t]);
            }
        Assert.InRange(droppedChannels, 320, 480); // 800 channels at rate 0.5: the standard deviation is 14
    }

    // ------------------------------------------------------------------ states

    [Fact]
    public void Stateful_layer_continues_where_the_last_batch_ended_until_reset()
    {
        var stateful = new StatefulLstmModel();
        var plain = new PlainLstmModel();
        stateful.Initialize(seed: 10);
        stateful.Parameters.CopyTo(plain.Parameters, 0);
        const int Batch = 3;
        var x = Random(Batch * 8 * 2, 11);
        var whole = new float[Batch * 8 * 5];
        plain.Forward(x, Batch, 8, whole);

        // The same sequences in two halves of 4 steps.
        var first = new float[Batch * 4 * 5];
        var second = new float[Batch * 4 * 5];
        stateful.Forward(Half(x, 0), Batch, 4, first);
        stateful.Forward(Half(x, 4), Batch, 4, second);
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < 8; t++)
                for (int u = 0; u < 5; u++)
                {
                    float expected = whole[(b * 8 + t) * 5 + u];
                    float got = t < 4 ? first[(b * 4 + t) * 5 + u] : second[(b * 4 + t - 4) * 5 + u];
                    Near(expected, got);
                }
        Assert.Equal(whole.AsSpan(((Batch - 1) * 8 + 7) * 5, 5).ToArray(), stateful.LstmFinalState.Slice((Batch - 1) * 5, 5).ToArray());

        // A batch of another size is refused while a state is carried; after ResetStates it starts from zeros.
        var error = Assert.Throws<ArgumentException>(() => stateful.Forward(new float[2 * 4 * 2], 2, 4, new float[2 * 4 * 5]));
        Assert.Contains("'lstm' holds an initial state for 3 samples, but the batch has 2", error.Message);
        Assert.Contains("ResetStates()", error.Message);
        stateful.ResetStates();
        var again = new float[first.Length];
        stateful.Forward(Half(x, 0), Batch, 4, again);
        Assert.Equal(first, again);

        static float[] Half(float[] x, int start)
        {
            var half = new float[Batch * 4 * 2];
            for (int b = 0; b < Batch; b++) x.AsSpan((b * 8 + start) * 2, 4 * 2).CopyTo(half.AsSpan(b * 4 * 2));
            return half;
        }
    }

    [Fact]
    public void Final_states_are_the_last_outputs_and_initial_states_change_the_run()
    {
        var model = new InitialStateModel();
        model.Initialize(seed: 12);
        Assert.True(model.LstmFinalState.IsEmpty); // no forward pass yet
        const int Batch = 2, Steps = 5;
        var x = Random(Batch * Steps * 3, 13);
        var y = new float[Batch * 3];
        model.Forward(x, Batch, Steps, y);
        Assert.Equal(y, model.GruFinalState.ToArray());
        Assert.Equal(10, model.LstmFinalCellState.Length);
        Assert.True(model.LstmInitialStateGradient.IsEmpty); // it started from zeros

        model.SetLstmInitialState(Random(Batch * 5, 14), Random(Batch * 5, 15));
        var withState = new float[y.Length];
        model.Forward(x, Batch, Steps, withState);
        Assert.NotEqual(y, withState);
        model.ResetStates();
        var reset = new float[y.Length];
        model.Forward(x, Batch, Steps, reset);
        Assert.Equal(y, reset);

        var error = Assert.Throws<ArgumentException>(() => model.SetLstmInitialState(new float[7], new float[7]));
        Assert.Contains("[samples, 5]", error.Message);
        Assert.Contains("holds 7", error.Message);
        error = Assert.Throws<ArgumentException>(() => model.SetLstmInitialState(new float[10], new float[5]));
        Assert.Contains("cell state", error.Message);
        var nan = new float[10];
        nan[7] = float.NaN;
        error = Assert.Throws<ArgumentException>(() => model.SetLstmInitialState(new float[10], nan));
        Assert.Contains("initial c of 'lstm' holds NaN at sample 1, unit 2", error.Message);
    }

    [Fact]
    public void Go_backwards_returns_the_sequence_in_reading_order()
    {
        // A backwards layer over x equals a forwards layer (same weights) over x reversed in time.
        var backwards = new GoBackwardsLstmModel();
        backwards.Initialize(seed: 16);
        var x = Random(2 * 5 * 3, 17);
        var reversed = new float[x.Length];
        for (int b = 0; b < 2; b++)
            for (int t = 0; t < 5; t++)
                x.AsSpan((b * 5 + t) * 3, 3).CopyTo(reversed.AsSpan((b * 5 + 4 - t) * 3));
        var forwards = new ForwardsLstmTwin();
        backwards.Parameters.CopyTo(forwards.Parameters, 0);
        var a = new float[2 * 5 * 2];
        var b2 = new float[a.Length];
        backwards.Forward(x, 2, a);
        forwards.Forward(reversed, 2, b2);
        Assert.Equal(b2, a);
    }

    // ------------------------------------------------------------------ counts, allocations

    [Fact]
    public void Summary_counts_equal_keras()
    {
        Assert.Equal(98_816, KerasBidirectionalModel.ParameterCount);
        var summary = new KerasBidirectionalModel().Summary();
        Assert.Contains("bidirectional (Bidirectional)", summary);
        Assert.Contains("(None, 128)", summary);
        Assert.Contains("98,816", summary);
    }

    [Fact]
    public void Bidirectional_dropout_masked_training_allocates_nothing_after_warm_up()
    {
        var model = new DropoutModel();
        const int Batch = 4;
        var x = Random(Batch * 5 * 3, 18);
        var y = new float[model.OutputLength(Batch, 5)];
        var dy = Random(y.Length, 19);
        var dx = new float[x.Length];
        model.Forward(x, Batch, y, training: true);
        model.Backward(dy, dx);
        var tokens = new MaskedTokenModel();
        int[] ids = { 0, 0, 3, 4, 5, 6, 7, 8, 1, 2, 3, 0, 0, 0, 0, 0 };
        var p = new float[2];
        tokens.Forward(ids, 2, p);
        tokens.Backward(p);

        Assert.Equal(0, Allocations.FewestBytes(() =>
        {
            model.Forward(x, Batch, y, training: true);
            model.Backward(dy, dx);
            tokens.Forward(ids, 2, p);
            tokens.Backward(p);
        }, steps: 50));
    }

    private static void Near(float expected, float actual)
        => Assert.True(Math.Abs(expected - actual) <= 1e-5f * (1 + Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"[{i}]: {expected[i]} vs {actual[i]}");
    }

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}

/// <summary><see cref="GoBackwardsLstmModel"/> reading forwards.</summary>
[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(7, ReturnSequences = true)]
[Dense(2)]
public partial class ForwardsLstmTwin;
