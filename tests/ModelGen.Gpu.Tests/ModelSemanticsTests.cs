using System;
using ModelGen.Gpu.Tests.Models;
using static ModelGen.Gpu.Tests.ModelHarness;

namespace ModelGen.Gpu.Tests.Models
{
    // The CPU path's option-behaviour models (tests/ModelGen.Tests/Options/OptionModels.cs), declared here to run on the device.

    [Sequential(TimeSteps = 8)]
    [Embedding(12, 4, MaskZero = true)]
    [Bidirectional]
    [Lstm(5)]
    [Dense(1, Activation = "sigmoid")]
    public partial class GpuMaskedTokenModel;

    [Sequential(Features = 2)]
    [Masking(0.0)]
    [Gru(5, ReturnSequences = true)]
    [SimpleRnn(4, GoBackwards = true)]
    [Dense(1)]
    public partial class GpuMaskedFloatModel;

    [Sequential(Features = 3)]
    [Lstm(5, ReturnSequences = true, ReturnState = true)]
    [Bidirectional]
    [SimpleRnn(4, ReturnSequences = true, ReturnState = true)]
    [Gru(3, ReturnState = true)]
    public partial class GpuInitialStateModel;

    [Sequential(Features = 2)]
    [Lstm(5, Stateful = true, ReturnSequences = true, ReturnState = true)]
    public partial class GpuStatefulLstmModel;

    [Sequential(Features = 2)]
    [Lstm(5, ReturnSequences = true)]
    public partial class GpuPlainLstmModel;

    [Sequential(TimeSteps = 5, Features = 3)]
    [Lstm(7, GoBackwards = true, ReturnSequences = true)]
    [Dense(2)]
    public partial class GpuGoBackwardsLstmModel;

    [Sequential(TimeSteps = 5, Features = 3)]
    [Lstm(7, ReturnSequences = true)]
    [Dense(2)]
    public partial class GpuForwardsLstmTwin;
}

namespace ModelGen.Gpu.Tests
{
    /// <summary>
    /// The CPU path's hidden-state and mask semantics tests (tests/ModelGen.Tests/Options/OptionBehaviourTests.cs), run
    /// with the models on the device: padding pre and post agree under a mask, stateful layers continue where the last
    /// batch ended, final states are the last outputs and initial states change the run, go_backwards reads in order.
    /// </summary>
    [Collection(GpuModelsDefinition.Name)]
    public sealed class ModelSemanticsTests
    {
        private static void Near(float expected, float actual) => Assert.True(Math.Abs(actual - expected) <= 1e-5f * (1 + Math.Abs(expected)), $"{actual} vs {expected}");

        [Fact]
        public void Mask_zero_pre_and_post_padding_give_the_same_outputs_and_gradients_on_the_device()
        {
            var model = new GpuMaskedTokenModel();
            model.Initialize(seed: 5);
            model.To(ModelHarness.Device);
            int[] pre = { 0, 0, 0, 0, 3, 9, 1, 7 };
            int[] post = { 3, 9, 1, 7, 0, 0, 0, 0 };
            var (preOutput, preGradients) = Run(model, pre);
            var (postOutput, postGradients) = Run(model, post);
            Near(preOutput[0], postOutput[0]);
            AssertClose(preGradients, postGradients, "gradients, pre vs post padding");
            var (otherOutput, _) = Run(model, new[] { 3, 9, 1, 8, 0, 0, 0, 0 });
            Assert.NotEqual(preOutput[0], otherOutput[0]);
            model.To(null);

            static (float[] Output, float[] Gradients) Run(GpuMaskedTokenModel model, int[] tokens)
            {
                var output = new float[1];
                model.Forward(tokens, 1, output);
                Array.Clear(model.Gradients);
                model.Backward(new[] { 1f });
                return (output, (float[])model.Gradients.Clone());
            }
        }

        [Fact]
        public void Masking_layer_pre_and_post_padding_give_the_same_outputs_and_gradients_on_the_device()
        {
            var model = new GpuMaskedFloatModel();
            model.Initialize(seed: 6);
            model.To(ModelHarness.Device);
            var real = new float[] { 0.5f, -1f, 0.25f, 0.75f, -0.5f, 0.1f };
            var pre = new float[14];
            var post = new float[14];
            real.CopyTo(pre, 8);
            real.CopyTo(post, 0);
            var (preOutput, preGradients, preInput) = Run(model, pre);
            var (postOutput, postGradients, postInput) = Run(model, post);
            Near(preOutput[0], postOutput[0]);
            AssertClose(preGradients, postGradients, "gradients, pre vs post padding");
            AssertClose(preInput.AsSpan(8), postInput.AsSpan(0, 6), "∂input, pre vs post padding");
            Assert.All(preInput[..8], v => Assert.Equal(0f, v));
            model.To(null);

            static (float[] Output, float[] Gradients, float[] Input) Run(GpuMaskedFloatModel model, float[] x)
            {
                var output = new float[1];
                model.Forward(x, 1, output);
                Array.Clear(model.Gradients);
                var dx = new float[x.Length];
                model.Backward(new[] { 1f }, dx);
                return (output, (float[])model.Gradients.Clone(), dx);
            }
        }

        [Fact]
        public void Stateful_layer_continues_where_the_last_batch_ended_until_reset_on_the_device()
        {
            var stateful = new GpuStatefulLstmModel();
            var plain = new GpuPlainLstmModel();
            stateful.Initialize(seed: 10);
            stateful.Parameters.CopyTo(plain.Parameters, 0);
            stateful.To(ModelHarness.Device);
            plain.To(ModelHarness.Device);
            const int Batch = 3;
            var x = Random(11, Batch * 8 * 2);
            var whole = new float[Batch * 8 * 5];
            plain.Forward(x, Batch, 8, whole);
            var first = new float[Batch * 4 * 5];
            var second = new float[Batch * 4 * 5];
            stateful.Forward(Half(x, 0), Batch, 4, first);
            stateful.Forward(Half(x, 4), Batch, 4, second);
            for (int b = 0; b < Batch; b++)
                for (int t = 0; t < 8; t++)
                    for (int u = 0; u < 5; u++)
                        Near(whole[(b * 8 + t) * 5 + u], t < 4 ? first[(b * 4 + t) * 5 + u] : second[(b * 4 + t - 4) * 5 + u]);
            AssertClose(whole.AsSpan(((Batch - 1) * 8 + 7) * 5, 5), stateful.LstmFinalState.Slice((Batch - 1) * 5, 5), "final state");
            var error = Assert.Throws<ArgumentException>(() => stateful.Forward(new float[2 * 4 * 2], 2, 4, new float[2 * 4 * 5]));
            Assert.Contains("'lstm' holds an initial state for 3 samples, but the batch has 2", error.Message);
            stateful.ResetStates();
            var again = new float[first.Length];
            stateful.Forward(Half(x, 0), Batch, 4, again);
            Assert.Equal(first, again);
            stateful.To(null);
            plain.To(null);

            static float[] Half(float[] x, int start)
            {
                var half = new float[Batch * 4 * 2];
                for (int b = 0; b < Batch; b++) x.AsSpan((b * 8 + start) * 2, 4 * 2).CopyTo(half.AsSpan(b * 4 * 2));
                return half;
            }
        }

        [Fact]
        public void Final_states_are_the_last_outputs_and_initial_states_change_the_run_on_the_device()
        {
            var model = new GpuInitialStateModel();
            model.Initialize(seed: 12);
            model.To(ModelHarness.Device);
            Assert.True(model.LstmFinalState.IsEmpty); // no forward pass yet
            const int Batch = 2, Steps = 5;
            var x = Random(13, Batch * Steps * 3);
            var y = new float[Batch * 3];
            model.Forward(x, Batch, Steps, y);
            Assert.Equal(y, model.GruFinalState.ToArray());
            Assert.Equal(10, model.LstmFinalCellState.Length);
            Assert.True(model.LstmInitialStateGradient.IsEmpty); // it started from zeros
            model.SetLstmInitialState(Random(14, Batch * 5), Random(15, Batch * 5));
            var withState = new float[y.Length];
            model.Forward(x, Batch, Steps, withState);
            Assert.NotEqual(y, withState);
            model.ResetStates();
            var reset = new float[y.Length];
            model.Forward(x, Batch, Steps, reset);
            Assert.Equal(y, reset);
            model.To(null);
        }

        [Fact]
        public void Go_backwards_returns_the_sequence_in_reading_order_on_the_device()
        {
            var backwards = new GpuGoBackwardsLstmModel();
            backwards.Initialize(seed: 16);
            var x = Random(17, 2 * 5 * 3);
            var reversed = new float[x.Length];
            for (int b = 0; b < 2; b++)
                for (int t = 0; t < 5; t++)
                    x.AsSpan((b * 5 + t) * 3, 3).CopyTo(reversed.AsSpan((b * 5 + 4 - t) * 3));
            var forwards = new GpuForwardsLstmTwin();
            backwards.Parameters.CopyTo(forwards.Parameters, 0);
            backwards.To(ModelHarness.Device);
            forwards.To(ModelHarness.Device);
            var a = new float[2 * 5 * 2];
            var b2 = new float[a.Length];
            backwards.Forward(x, 2, a);
            forwards.Forward(reversed, 2, b2);
            Assert.Equal(b2, a);
            backwards.To(null);
            forwards.To(null);
        }
    }
}
