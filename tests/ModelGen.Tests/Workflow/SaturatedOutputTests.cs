using System;

namespace ModelGen.Tests.Workflow;

/// <summary>
/// Issue 12, item 2, generated side: a model whose output layer is a Dense, or an Activation layer (trial J: Keras on
/// TensorFlow takes the logits of <c>Dense(1)</c> + <c>Activation('sigmoid')</c> as of <c>Dense(1, activation='sigmoid')</c>),
/// implements <see cref="ILogitOutput"/>, so Fit and Evaluate take a sigmoid or softmax cross-entropy from the logits,
/// as Keras on TensorFlow does. The issue's case (logit 20, target 0) gives loss 20 and ∂loss/∂logit = 1, where the
/// clipped probability gives 15.94 and gradient 0. Each test runs both forms.
/// </summary>
public sealed class SaturatedOutputTests
{
    /// <summary>−log σ(−20) = −log softmax([20, 0])₀… for the wrong class: 20 + log(1 + e⁻²⁰).</summary>
    private static readonly double Twenty = 20 + Math.Log(1 + Math.Exp(-20));

    /// <summary>h = x (kernel 1, recurrent kernel 0), then Dense kernel 20 per unit given, bias 0: logits 20·x·kernel.</summary>
    private static void Saturate(ISequentialModel model, ReadOnlySpan<float> denseKernel)
    {
        Array.Clear(model.Parameters);
        var rnn = model.Info.Layers[0].Parameters;
        model.Parameters[rnn[0].Offset] = 1f; // SimpleRNN kernel [1, 1]
        var dense = model.Info.Layers[1].Parameters;
        denseKernel.CopyTo(model.Parameters.AsSpan(dense[0].Offset, dense[0].Length));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_issue_case_gives_loss_20_and_gradient_1(bool activationLayer)
    {
        ISequentialModel<float> model = activationLayer ? new SaturatedSigmoidLayerModel() : new SaturatedSigmoidModel();
        var logits = (ILogitOutput)model;
        Saturate(model, [20f]);
        model.Compile(new Sgd(learningRate: 1f), Loss.BinaryCrossentropy(), "accuracy");
        Assert.Equal("sigmoid", logits.OutputActivation);

        var result = model.Evaluate([1f], [0f]);
        Assert.Equal(Twenty, result["loss"], 4);
        Assert.Equal(0f, result["accuracy"]);
        // Evaluate runs on a worker (the instance's workspace is left alone); the instance's own Forward keeps its logits.
        var output = new float[1];
        model.Forward(new[] { 1f }, 1, 1, output);
        Assert.Equal(20f, logits.OutputLogits[0]);

        var history = model.Fit([1f], [0f], epochs: 1, batchSize: 1, verbose: 0);
        Assert.Equal(Twenty, history["loss"][0], 4);
        // ∂loss/∂logit = σ(20) − 0 = 1: SGD with rate 1 moves the Dense bias by −1 and its kernel by −h = −1.
        var dense = model.Info.Layers[1].Parameters;
        Assert.Equal(-1f, model.Parameters[dense[1].Offset], 5);
        Assert.Equal(19f, model.Parameters[dense[0].Offset], 5);
        Assert.Equal(1f, model.Gradients[dense[1].Offset], 5); // the last step's ∂loss/∂bias
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void A_saturated_softmax_gives_loss_20_and_gradient_1(bool sparse, bool activationLayer)
    {
        ISequentialModel<float> model = activationLayer ? new SaturatedSoftmaxLayerModel() : new SaturatedSoftmaxModel();
        Saturate(model, [20f, 0f]);
        model.Compile(new Sgd(learningRate: 1f), sparse ? Loss.SparseCategoricalCrossentropy() : Loss.CategoricalCrossentropy());
        Assert.Equal("softmax", ((ILogitOutput)model).OutputActivation);
        float[] y = sparse ? [1f] : [0f, 1f];

        Assert.Equal(Twenty, model.Evaluate([1f], y)["loss"], 4);
        model.Fit([1f], y, epochs: 1, batchSize: 1, verbose: 0);
        // ∂loss/∂logits = softmax([20, 0]) − onehot(1) = [1, −1]: the biases move to [−1, 1].
        var bias = model.Info.Layers[1].Parameters[1];
        Assert.Equal(-1f, model.Parameters[bias.Offset], 5);
        Assert.Equal(1f, model.Parameters[bias.Offset + 1], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Sequence_logits_are_batch_major_and_their_loss_is_the_cross_entropy_of_the_output(bool activationLayer)
    {
        ISequentialModel<float> model = activationLayer ? new SequenceSoftmaxLayerModel() : new SequenceSoftmaxModel();
        Initializers.Initialize(model, seed: 5); // what the generated Initialize does (no dropout here to reseed)
        const int Batch = 2, Steps = 3, Classes = 3;
        var random = new Random(6);
        var x = new float[Batch * Steps * 2];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 4 - 2);
        var y = new float[Batch * Steps];
        for (int i = 0; i < y.Length; i++) y[i] = i % Classes;
        var p = new float[model.OutputLength(Batch, Steps)];
        model.Forward(x, Batch, Steps, p);

        // softmax of each batch-major row of logits is that row of the output.
        var logits = ((ILogitOutput)model).OutputLogits.ToArray();
        Assert.Equal(p.Length, logits.Length);
        double expected = 0;
        for (int row = 0; row < Batch * Steps; row++)
        {
            var z = logits.AsSpan(row * Classes, Classes);
            double max = Math.Max(z[0], Math.Max(z[1], z[2])), sum = 0;
            for (int c = 0; c < Classes; c++) sum += Math.Exp(z[c] - max);
            for (int c = 0; c < Classes; c++) Assert.Equal(Math.Exp(z[c] - max) / sum, p[row * Classes + c], 5);
            expected += -(z[(int)y[row]] - max - Math.Log(sum));
        }
        model.Compile(new Sgd(), Loss.SparseCategoricalCrossentropy());
        Assert.Equal(expected / (Batch * Steps), model.Evaluate(x, y, batchSize: Batch)["loss"], 4);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BackwardFromLogits_is_the_gradient_of_a_loss_on_the_logits(bool activationLayer)
    {
        // L = Σ logits ⊙ R, so BackwardFromLogits(R) must give ∂L/∂θ: finite differences over every parameter.
        ISequentialModel<float> model = activationLayer ? new SequenceSoftmaxLayerModel() : new SequenceSoftmaxModel();
        var logits = (ILogitOutput)model;
        var random = new Random(7);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        const int Batch = 2, Steps = 3;
        var x = new float[Batch * Steps * 2];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        var r = new float[model.OutputLength(Batch, Steps)];
        for (int i = 0; i < r.Length; i++) r[i] = (float)(random.NextDouble() * 2 - 1);
        var output = new float[r.Length];
        model.Forward(x, Batch, Steps, output);
        Array.Clear(model.Gradients);
        var dx = new float[x.Length];
        logits.BackwardFromLogits(r, dx);
        var analytic = model.Gradients.AsSpan().ToArray();
        double Loss()
        {
            model.Forward(x, Batch, Steps, output);
            var z = logits.OutputLogits;
            double sum = 0;
            for (int i = 0; i < r.Length; i++) sum += (double)z[i] * r[i];
            return sum;
        }
        FiniteDifferences.Check(model.Parameters, analytic, Loss, 1e-2f, i => $"parameter [{i}]");
        FiniteDifferences.Check(x, dx, Loss, 1e-2f, i => $"input [{i}]");
    }

    [Fact]
    public void Every_dense_output_exposes_its_logits_and_only_those()
    {
        Assert.Equal("linear", ((ILogitOutput)new StatefulRegressionModel()).OutputActivation);
        Assert.Equal("sigmoid", ((ILogitOutput)new PaddedStepModel()).OutputActivation);
        Assert.False(new GradientCheck.LstmModel() is ILogitOutput); // the output layer is an LSTM: no logits
        Assert.True(new SaturatedSigmoidModel().OutputLogits.IsEmpty); // before a forward pass
        Assert.Equal("softmax", ((ILogitOutput)new SequenceSoftmaxLayerModel()).OutputActivation); // an Activation layer's
        Assert.True(new SaturatedSigmoidLayerModel().OutputLogits.IsEmpty);
    }
}
