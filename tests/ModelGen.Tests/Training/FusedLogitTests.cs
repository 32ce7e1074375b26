using System;
using System.Linq;

namespace ModelGen.Tests.Training;

/// <summary>
/// Issue 12, item 2, runtime side: a model that exposes its logits (<see cref="ILogitOutput"/>) gets its cross-entropy
/// from them, as Keras on TensorFlow computes it: loss 20 and ∂loss/∂logit = 1 for a saturated sigmoid (logit 20,
/// target 0), where the clipped probability gives 15.94 and no gradient; the same for softmax. These hand-written Dense
/// models test the runtime alone, with and without the interface; the generated models' side is
/// <c>Workflow/SaturatedOutputTests</c>.
/// </summary>
public sealed class FusedLogitTests
{
    /// <summary>
    /// Dense(units) on one feature and one step, by hand: logits z = x·kernel + bias, output sigmoid(z) for one unit,
    /// softmax(z) otherwise. Parameters: kernel [1, units], then bias [units].
    /// </summary>
    private class DenseModel(int units) : ISequentialModel<float>
    {
        protected float[] X = [], Z = [], P = [];

        public ModelInfo Info { get; } = new("DenseModel", 1, 1, 0, units, false,
            [new LayerInfo("dense", "Dense", $"(None, {units})", 2 * units,
                [new ParameterInfo("kernel", 0, 1, units, Initializer.Zeros), new ParameterInfo("bias", units, 1, units, Initializer.Zeros)])]);

        public float[] Parameters { get; } = new float[2 * units];

        public float[] Gradients { get; } = new float[2 * units];

        public int OutputLength(int batchSize, int timeSteps) => batchSize * units;

        public void Forward(ReadOnlySpan<float> input, int batchSize, int timeSteps, Span<float> output, bool training = false)
        {
            X = input.ToArray();
            Z = new float[batchSize * units];
            for (int i = 0; i < batchSize; i++)
                for (int j = 0; j < units; j++) Z[i * units + j] = X[i] * Parameters[j] + Parameters[units + j];
            P = new float[Z.Length];
            for (int i = 0; i < batchSize; i++)
            {
                var z = Z.AsSpan(i * units, units);
                var p = P.AsSpan(i * units, units);
                if (units == 1) p[0] = 1f / (1f + MathF.Exp(-z[0]));
                else
                {
                    float max = z.ToArray().Max(), sum = 0;
                    for (int j = 0; j < units; j++) sum += p[j] = MathF.Exp(z[j] - max);
                    for (int j = 0; j < units; j++) p[j] /= sum;
                }
            }
            P.CopyTo(output);
        }

        public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        {
            var dz = new float[Z.Length];
            for (int i = 0; i < X.Length; i++)
            {
                var p = P.AsSpan(i * units, units);
                var g = outputGradient.Slice(i * units, units);
                if (units == 1) dz[i] = g[0] * p[0] * (1 - p[0]);
                else
                {
                    float dot = 0;
                    for (int j = 0; j < units; j++) dot += g[j] * p[j];
                    for (int j = 0; j < units; j++) dz[i * units + j] = p[j] * (g[j] - dot);
                }
            }
            AddLogitGradient(dz);
        }

        protected void AddLogitGradient(ReadOnlySpan<float> dz)
        {
            for (int i = 0; i < X.Length; i++)
                for (int j = 0; j < units; j++)
                {
                    Gradients[j] += dz[i * units + j] * X[i];
                    Gradients[units + j] += dz[i * units + j];
                }
        }
    }

    private sealed class DenseModelWithLogits(int units) : DenseModel(units), ILogitOutput
    {
        public string OutputActivation => Info.OutputUnits == 1 ? "sigmoid" : "softmax";
        public ReadOnlySpan<float> OutputLogits => Z;
        public void BackwardFromLogits(ReadOnlySpan<float> logitGradient, Span<float> inputGradient) => AddLogitGradient(logitGradient);
    }

    /// <summary>Logit 20 for the first unit (and 0 for a second), for every input: a saturated, confidently wrong output.</summary>
    private static DenseModel Saturated(bool withLogits, int units, Loss loss)
    {
        DenseModel model = withLogits ? new DenseModelWithLogits(units) : new DenseModel(units);
        model.Parameters[units] = 20f;
        model.Compile(new Sgd(learningRate: 1f), loss, "accuracy");
        return model;
    }

    private static readonly double Twenty = 20 + Math.Log(1 + Math.Exp(-20)); // −log σ(−20), −log softmax([20, 0])₁

    [Fact]
    public void Saturated_sigmoid_gives_loss_20_and_gradient_1_from_the_logits()
    {
        var fused = Saturated(withLogits: true, 1, Loss.BinaryCrossentropy());
        var result = fused.Evaluate([1f], [0f]);
        Assert.Equal(Twenty, result["loss"], 5);
        Assert.Equal(0f, result["accuracy"]); // metrics read the probability (1 > 0.5 → class 1)

        fused.Fit([1f], [0f], epochs: 1, batchSize: 1, verbose: 0);
        // ∂loss/∂logit = sigmoid(20) − 0 ≈ 1: one SGD step of rate 1 moves the bias and the kernel (x = 1) by −1.
        Assert.Equal(19f, fused.Parameters[1], 5);
        Assert.Equal(-1f, fused.Parameters[0], 5);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Saturated_softmax_gives_loss_20_and_gradient_1_from_the_logits(bool sparse)
    {
        var fused = Saturated(withLogits: true, 2, sparse ? Loss.SparseCategoricalCrossentropy() : Loss.CategoricalCrossentropy());
        float[] y = sparse ? [1f] : [0f, 1f];
        Assert.Equal(Twenty, fused.Evaluate([1f], y)["loss"], 5);
        fused.Fit([1f], y, epochs: 1, batchSize: 1, verbose: 0);
        // ∂loss/∂z = softmax(z) − onehot ≈ [1, −1]: the biases move to [19, 1].
        Assert.Equal(19f, fused.Parameters[2], 5);
        Assert.Equal(1f, fused.Parameters[3], 5);

        var plain = Saturated(withLogits: false, 2, sparse ? Loss.SparseCategoricalCrossentropy() : Loss.CategoricalCrossentropy());
        Assert.InRange(plain.Evaluate([1f], y)["loss"], 16f, 16.2f); // −log 1e-7: the clip
        plain.Fit([1f], y, epochs: 1, batchSize: 1, verbose: 0);
        Assert.Equal([0f, 0f, 20f, 0f], plain.Parameters);
    }

    [Fact]
    public void Without_logits_the_clipped_probability_is_stuck()
    {
        var plain = Saturated(withLogits: false, 1, Loss.BinaryCrossentropy());
        float loss = plain.Evaluate([1f], [0f])["loss"];
        Assert.InRange(loss, 15.9f, 16f); // −log(1 − clip(p)) with p = 1 in float
        plain.Fit([1f], [0f], epochs: 1, batchSize: 1, verbose: 0);
        Assert.Equal([0f, 20f], plain.Parameters);
    }

    [Fact]
    public void Other_losses_still_go_through_the_output()
    {
        var model = Saturated(withLogits: true, 1, Loss.MeanSquaredError());
        float p = 1f / (1f + MathF.Exp(-20f));
        Assert.Equal(p * p, model.Evaluate([1f], [0f])["loss"], 6);
        model.Compile(new Sgd(), Loss.BinaryCrossentropy(fromLogits: true)); // the user's own from-logits loss reads the output
        Assert.Equal(p + Math.Log(1 + Math.Exp(-p)), model.Evaluate([1f], [0f])["loss"], 5);
    }
}
