using System;

namespace ModelGen.Tests.Training;

/// <summary>
/// Issue 12, item 2, runtime side: a model that exposes its logits (<see cref="ILogitOutput"/>) gets its cross-entropy
/// from them, as Keras on TensorFlow computes it: loss 20 and ∂loss/∂logit = 1 for a saturated sigmoid (logit 20,
/// target 0), where the clipped probability gives 15.94 and no gradient. The generated models do not implement the
/// interface yet (the generator's part); these hand-written Dense(1, sigmoid) models stand in for them.
/// </summary>
public sealed class FusedLogitTests
{
    /// <summary>Dense(1, sigmoid) on one feature and one step, by hand: output = sigmoid(w·x + b).</summary>
    private class SigmoidModel : ISequentialModel<float>
    {
        protected float[] X = [], Z = [];

        public ModelInfo Info { get; } = new("SigmoidModel", 1, 1, 0, 1, false,
            [new LayerInfo("dense", "Dense", "(None, 1)", 2, [new ParameterInfo("kernel", 0, 1, 1, Initializer.Zeros), new ParameterInfo("bias", 1, 1, 1, Initializer.Zeros)])]);

        public float[] Parameters { get; } = new float[2];

        public float[] Gradients { get; } = new float[2];

        public int OutputLength(int batchSize, int timeSteps) => batchSize;

        public void Forward(ReadOnlySpan<float> input, int batchSize, int timeSteps, Span<float> output, bool training = false)
        {
            X = input.ToArray();
            Z = new float[batchSize];
            for (int i = 0; i < batchSize; i++)
            {
                Z[i] = Parameters[0] * X[i] + Parameters[1];
                output[i] = 1f / (1f + MathF.Exp(-Z[i]));
            }
        }

        public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
        {
            var dz = new float[Z.Length];
            for (int i = 0; i < Z.Length; i++)
            {
                float p = 1f / (1f + MathF.Exp(-Z[i]));
                dz[i] = outputGradient[i] * p * (1 - p);
            }
            AddLogitGradient(dz);
        }

        protected void AddLogitGradient(ReadOnlySpan<float> dz)
        {
            for (int i = 0; i < dz.Length; i++)
            {
                Gradients[0] += dz[i] * X[i];
                Gradients[1] += dz[i];
            }
        }
    }

    private sealed class SigmoidModelWithLogits : SigmoidModel, ILogitOutput
    {
        public string OutputActivation => "sigmoid";
        public ReadOnlySpan<float> OutputLogits => Z;
        public void BackwardFromLogits(ReadOnlySpan<float> logitGradient, Span<float> inputGradient) => AddLogitGradient(logitGradient);
    }

    private static T Saturated<T>() where T : SigmoidModel, new()
    {
        var model = new T();
        model.Parameters[0] = 0f;
        model.Parameters[1] = 20f; // logit 20 for every input
        model.Compile(new Sgd(learningRate: 1f), Loss.BinaryCrossentropy(), "accuracy");
        return model;
    }

    [Fact]
    public void Saturated_sigmoid_gives_loss_20_and_gradient_1_from_the_logits()
    {
        var fused = Saturated<SigmoidModelWithLogits>();
        var result = fused.Evaluate([1f], [0f]);
        Assert.Equal(20 + Math.Log(1 + Math.Exp(-20)), result["loss"], 5);
        Assert.Equal(0f, result["accuracy"]); // metrics read the probability (1 > 0.5 → class 1)

        fused.Fit([1f], [0f], epochs: 1, batchSize: 1, verbose: 0);
        // ∂loss/∂logit = sigmoid(20) − 0 ≈ 1: one SGD step of rate 1 moves the bias and the kernel (x = 1) by −1.
        Assert.Equal(19f, fused.Parameters[1], 5);
        Assert.Equal(-1f, fused.Parameters[0], 5);
    }

    [Fact]
    public void Without_logits_the_clipped_probability_is_stuck()
    {
        var plain = Saturated<SigmoidModel>();
        float loss = plain.Evaluate([1f], [0f])["loss"];
        Assert.InRange(loss, 15.9f, 16f); // −log(1 − clip(p)) with p = 1 in float
        plain.Fit([1f], [0f], epochs: 1, batchSize: 1, verbose: 0);
        Assert.Equal([0f, 20f], plain.Parameters);
    }

    [Fact]
    public void Other_losses_still_go_through_the_output()
    {
        var model = Saturated<SigmoidModelWithLogits>();
        model.Compile(new Sgd(), Loss.MeanSquaredError());
        float p = 1f / (1f + MathF.Exp(-20f));
        Assert.Equal(p * p, model.Evaluate([1f], [0f])["loss"], 6);
        model.Compile(new Sgd(), Loss.BinaryCrossentropy(fromLogits: true)); // the user's own from-logits loss reads the output
        Assert.Equal(p + Math.Log(1 + Math.Exp(-p)), model.Evaluate([1f], [0f])["loss"], 5);
    }
}
