using System;
using System.Linq;
using ModelGen.Tests.GradientCheck;

namespace ModelGen.Tests.SequenceLayers;

/// <summary>
/// RepeatVector, GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten and Activation: Keras's documented shapes and
/// examples, hand-computed values, masks, parameter counts (all 0), training through Fit and allocation.
/// </summary>
public sealed class SequenceLayerTests
{
    private static float[] Random(int length, int seed) => RuntimeBehaviourTests.Random(length, seed);

    [Fact]
    public void RepeatVector_keras_docstring_shape_and_values()
    {
        var layer = RepeatDocstringModel.Metadata.Layers[1];
        Assert.Equal(("repeat_vector", "RepeatVector", "(None, 3, 32)", 0), (layer.Name, layer.Type, layer.OutputShape, layer.ParameterCount));
        Assert.Empty(layer.Parameters);

        var model = new RepeatDocstringModel();
        var source = new RepeatSourceModel();
        model.Initialize(seed: 7);
        model.Parameters.CopyTo(source.Parameters, 0);
        const int Batch = 2, Steps = 5;
        var x = Random(Batch * Steps * 2, 1);
        Assert.Equal(Batch * 3 * 32, model.OutputLength(Batch, Steps));
        var y = new float[model.OutputLength(Batch, Steps)];
        var h = new float[source.OutputLength(Batch, Steps)];
        model.Forward(x, Batch, Steps, y);
        source.Forward(x, Batch, Steps, h);
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < 3; t++)
                Assert.Equal(h.AsSpan(b * 32, 32).ToArray(), y.AsSpan((b * 3 + t) * 32, 32).ToArray());
    }

    [Fact]
    public void RepeatVector_backward_sums_over_the_steps()
    {
        var model = new RepeatDocstringModel();
        var source = new RepeatSourceModel();
        model.Initialize(seed: 3);
        model.Parameters.CopyTo(source.Parameters, 0);
        const int Batch = 2, Steps = 4;
        var x = Random(Batch * Steps * 2, 2);
        var dy = Random(model.OutputLength(Batch, Steps), 3);
        var summed = new float[Batch * 32];
        for (int b = 0; b < Batch; b++)
            for (int t = 0; t < 3; t++)
                for (int f = 0; f < 32; f++) summed[b * 32 + f] += dy[(b * 3 + t) * 32 + f];
        model.Forward(x, Batch, Steps, new float[dy.Length]);
        model.Backward(dy);
        source.Forward(x, Batch, Steps, new float[summed.Length]);
        source.Backward(summed);
        Assert.Equal(source.Gradients, model.Gradients);
    }

    [Fact]
    public void Encoder_decoder_summary_matches_keras()
    {
        var layers = EncoderDecoder64.Metadata.Layers;
        Assert.Equal(
            new[] { ("lstm", "LSTM", "(None, 64)", 16_896), ("repeat_vector", "RepeatVector", "(None, 10, 64)", 0),
                ("lstm_1", "LSTM", "(None, 10, 64)", 33_024), ("time_distributed", "TimeDistributed", "(None, 10, 3)", 195) },
            layers.Select(l => (l.Name, l.Type, l.OutputShape, l.ParameterCount)).ToArray());
        Assert.Equal(50_115, EncoderDecoder64.ParameterCount);
        Assert.Contains(new EncoderDecoder64().Summary().Split('\n'),
            line => line.StartsWith("repeat_vector (RepeatVector) ", StringComparison.Ordinal) && line.Contains("(None, 10, 64)") && line.EndsWith(" 0", StringComparison.Ordinal));
        Assert.Equal(2 * 10 * 3, new EncoderDecoder64().OutputLength(2, 5));
    }

    [Fact]
    public void GlobalAveragePooling1D_keras_docstring_and_hand_computed_mean()
    {
        var layer = AveragePoolDocstring.Metadata.Layers[0];
        Assert.Equal(("global_average_pooling1d", "GlobalAveragePooling1D", "(None, 4)", 0), (layer.Name, layer.Type, layer.OutputShape, layer.ParameterCount));
        float[] x =
        [
            1, 2, 3, 4,   5, 6, 7, 8,   0, -3, 2, 1,
            -1, 0, 0, 9,  1, 0, 3, 0,   3, 3, 3, 3,
        ];
        var y = new float[8];
        new AveragePoolDocstring().Forward(x, 2, y);
        float[] expected = [2, 5f / 3, 4, 13f / 3, 1, 1, 2, 4];
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], y[i], 1e-6f);
    }

    [Fact]
    public void GlobalAveragePooling1D_with_a_mask_averages_the_unmasked_steps_as_keras()
    {
        // Keras: "mask: Binary tensor of shape (batch_size, steps) indicating whether a given step should be masked
        // (excluded from the average)"; a sample with every step masked gives 0/0.
        float[] x =
        [
            1, 2,   0, 0,   3, 4,
            0, 0,   6, -2,  0, 0,
            0, 0,   0, 0,   0, 0,
        ];
        var model = new MaskedAverage();
        var y = new float[6];
        model.Forward(x, 3, 3, y);
        Assert.Equal(new float[] { 2, 3, 6, -2 }, y.AsSpan(0, 4).ToArray());
        Assert.True(float.IsNaN(y[4]) && float.IsNaN(y[5]), "Keras divides by a count of 0");
        // ∂/∂x: 1/count at unmasked steps, nothing into padding (Masking zeroes it too), nothing for the empty sample.
        var dx = new float[x.Length];
        model.Backward([1, 1, 1, 1, 1, 1], dx);
        Assert.Equal(new float[] { 0.5f, 0.5f, 0, 0, 0.5f, 0.5f, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 }, dx);
    }

    [Fact]
    public void GlobalMaxPooling1D_keras_docstring_hand_computed_max_and_tied_gradient()
    {
        var layer = MaxPoolDocstring.Metadata.Layers[0];
        Assert.Equal(("global_max_pooling1d", "GlobalMaxPooling1D", "(None, 4)", 0), (layer.Name, layer.Type, layer.OutputShape, layer.ParameterCount));
        var model = new MaxOfTwo();
        float[] x = [1, -2,  3, -1,  0, -5,     2, 1,  2, 0,  -7, 1];
        var y = new float[4];
        model.Forward(x, 2, 3, y);
        Assert.Equal(new float[] { 3, -1, 2, 1 }, y);
        // The gradient goes to the maximum; tied maxima share it equally (TensorFlow's reduce_max gradient).
        var dx = new float[x.Length];
        model.Backward([1, 2, 4, 6], dx);
        Assert.Equal(new float[] { 0, 0, 1, 2, 0, 0,   2, 3, 2, 0, 0, 3 }, dx);
    }

    [Fact]
    public void Flatten_keras_docstring_shape_and_batch_major_values()
    {
        var layer = FlattenDocstring.Metadata.Layers[0];
        Assert.Equal(("flatten", "Flatten", "(None, 640)", 0), (layer.Name, layer.Type, layer.OutputShape, layer.ParameterCount));
        var x = Random(2 * 3 * 2, 4);
        var y = new float[12];
        var model = new FlattenSmall();
        model.Forward(x, 2, y);
        Assert.Equal(x, y); // [batch, steps, features] row-major is [batch, steps·features]
        var dy = Random(12, 5);
        var dx = new float[12];
        model.Backward(dy, dx);
        Assert.Equal(dy, dx);
    }

    [Fact]
    public void Activation_keras_docstring_relu_and_softmax()
    {
        var layer = ReluDocstring.Metadata.Layers[0];
        Assert.Equal(("activation", "Activation", "(None, 1, 4)", 0), (layer.Name, layer.Type, layer.OutputShape, layer.ParameterCount));
        var y = new float[4];
        new ReluDocstring().Forward([-3.0f, -1.0f, 0.0f, 2.0f], 1, y);
        Assert.Equal(new float[] { 0, 0, 0, 2 }, y);

        var s = new float[3];
        new SoftmaxLayer().Forward([1f, 2f, 3f], 1, s);
        double z = Math.Exp(1) + Math.Exp(2) + Math.Exp(3);
        for (int i = 0; i < 3; i++) Assert.Equal(Math.Exp(i + 1) / z, s[i], 1e-6);
    }

    [Fact]
    public void Activation_keeps_the_mask_and_RepeatVector_ends_it()
    {
        int[] tokens = [3, 0, 1,   0, 0, 4];
        var activation = new MaskedActivation();
        activation.Forward(tokens, 2, new float[activation.OutputLength(2, 3)]);
        Assert.Equal(new byte[] { 1, 0, 1, 0, 0, 1 }, activation.OutputMask.ToArray());

        ISequentialModel<int> repeated = new MaskBeforeRepeat();
        repeated.Forward(tokens, 2, 3, new float[repeated.OutputLength(2, 3)]);
        Assert.True(repeated.OutputMask.IsEmpty);
        Assert.Equal(2 * 2 * 2, repeated.OutputLength(2, 3));
    }

    [Fact]
    public void Masked_GlobalAveragePooling1D_gradients_match_finite_differences()
    {
        var model = new MaskedAveragePoolModel();
        model.Initialize(seed: 2);
        var random = new Random(3);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] += (float)(random.NextDouble() - 0.5) * 0.5f;
        const int Batch = 3, Steps = 5;
        int[] tokens = [0, 0, 3, 5, 8,   1, 2, 0, 4, 0,   7, 7, 7, 7, 6];
        var r = Random(Batch * 2, 4);
        double Loss()
        {
            var output = new float[r.Length];
            model.Forward(tokens, Batch, Steps, output);
            double sum = 0;
            for (int i = 0; i < r.Length; i++) sum += (double)output[i] * r[i];
            return sum;
        }
        model.Forward(tokens, Batch, Steps, new float[r.Length]);
        Array.Clear(model.Gradients);
        model.Backward(r);
        var analytic = model.Gradients.ToArray();
        Assert.Contains(analytic, g => g != 0);
        FiniteDifferences.Check(model.Parameters, analytic, Loss, 1e-2f, i => $"masked average parameter [{i}]");
    }

    [Fact]
    public void An_all_padding_sample_under_masked_average_pooling_is_named_when_fit_stops()
    {
        // 0/0 on a sample with no real step (an empty text), as in Keras: Fit's message names the sample and the cause,
        // not the learning rate.
        var model = new MaskedAveragePoolModel();
        model.Initialize(seed: 4);
        model.Compile(new Adam(), Loss.MeanSquaredError());
        var before = (float[])model.Parameters.Clone();
        int[] tokens = [1, 2, 3, 0, 0,   0, 0, 0, 0, 0,   4, 4, 0, 0, 0];
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(tokens, new float[3 * 2], batchSize: 3, verbose: 0, shuffle: false));
        Assert.Contains("the model's output is NaN or ∞ for sample 1, whose inputs and targets are finite", e.Message);
        Assert.Contains("all masked padding", e.Message);
        Assert.DoesNotContain("learning rate", e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Encoder_decoder_trains_with_targets_at_the_repeated_length()
    {
        // Input: 5 steps of one-hot digits in {0, 1, 2}; target: the first 4 digits (4 output steps, not 5).
        var random = new Random(11);
        const int Samples = 256, InSteps = 5, OutSteps = 4;
        var x = new float[Samples * InSteps * 3];
        var y = new float[Samples * OutSteps * 3];
        for (int s = 0; s < Samples; s++)
            for (int t = 0; t < InSteps; t++)
            {
                int digit = random.Next(3);
                x[(s * InSteps + t) * 3 + digit] = 1;
                if (t < OutSteps) y[(s * OutSteps + t) * 3 + digit] = 1;
            }
        var model = new TinySeq2Seq();
        model.Initialize(seed: 1);
        model.Compile(new Adam(learningRate: 0.01f), Loss.CategoricalCrossentropy(), "accuracy");
        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, y.AsSpan(1).ToArray(), epochs: 1, verbose: 0, timeSteps: InSteps));
        Assert.Contains($"[{Samples}, {OutSteps}, 3]", error.Message);
        var history = model.Fit(x, y, epochs: 15, batchSize: 32, verbose: 0, seed: 2, timeSteps: InSteps);
        Assert.True(history["loss"][^1] < history["loss"][0] / 2, $"loss {history["loss"][0]} → {history["loss"][^1]}");
        Assert.Equal(Samples * OutSteps * 3, model.Predict(x, timeSteps: InSteps).Length);
        Assert.True(model.Evaluate(x, y, timeSteps: InSteps)["accuracy"] > 0.6f);
    }

    [Fact]
    public void Sequence_layers_allocate_nothing_per_step_after_warm_up()
    {
        ISequentialModel<float>[] models = [new RepeatEncoderDecoderModel(), new OpenRepeatModel(), new AveragePoolModel(), new MaxPoolModel(),
            new FlattenModel(), new ActivationStackModel()];
        foreach (var model in models)
        {
            const int Batch = 8;
            int steps = model.Info.TimeSteps ?? 6;
            var x = Random(Batch * steps * model.Info.InputFeatures, 1);
            var dy = Random(model.OutputLength(Batch, steps), 2);
            var y = new float[dy.Length];
            var dx = new float[x.Length];
            model.Forward(x, Batch, steps, y, training: true);
            model.Backward(dy, dx);
            long allocated = Allocations.FewestBytes(() =>
            {
                model.Forward(x, Batch, steps, y, training: true);
                model.Backward(dy, dx);
            }, steps: 20);
            Assert.True(allocated == 0, $"{model.Info.Name} allocated");
        }
    }
}
