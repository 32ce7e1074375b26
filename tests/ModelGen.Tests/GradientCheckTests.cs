using System;
using ModelGen.Tests.GradientCheck;

namespace ModelGen.Tests;

/// <summary>
/// Finite-difference checks of every parameter and input gradient, for every layer kind and for stacks.
/// Loss L = Σ output ⊙ R with a fixed random R, summed in double. Central differences with ε = 1e-2 on
/// float32 models (ε = 1e-3 where a ReLU is present, so a step rarely crosses its kink); a gradient passes when |numeric − analytic| ≤ 2e-3 + 2e-2·|analytic|. That bound sits
/// well above float32 round-off in L (about 1e-6 / 2ε) plus the O(ε²) truncation error, and far below the
/// size of any real mistake (a wrong gate, sign or transposition gives errors of order |analytic|).
/// </summary>
public sealed class GradientCheckTests
{
    private const float SmoothEpsilon = 1e-2f;
    private const float KinkEpsilon = 1e-3f;

    [Fact] public void SimpleRnn_tanh() => Check(new TanhRnnModel(), batch: 3, steps: 5);
    [Fact] public void SimpleRnn_relu() => Check(new ReluRnnModel(), batch: 3, steps: 5, KinkEpsilon);
    [Fact] public void SimpleRnn_sigmoid_sequences() => Check(new SigmoidRnnModel(), batch: 2, steps: 4);
    [Fact] public void SimpleRnn_linear() => Check(new LinearRnnModel(), batch: 2, steps: 4);
    [Fact] public void Lstm() => Check(new LstmModel(), batch: 3, steps: 4);
    [Fact] public void Gru_reset_after() => Check(new GruModel(), batch: 3, steps: 4);
    [Fact] public void Gru_reset_before() => Check(new GruResetBeforeModel(), batch: 3, steps: 4);
    [Fact] public void Dense_tanh_sigmoid_softmax_per_step() => Check(new DenseStackModel(), batch: 2, steps: 3);
    [Fact] public void Dense_relu_before_lstm() => Check(new ReluDenseModel(), batch: 2, steps: 3, KinkEpsilon);
    [Fact] public void Stack_lstm_gru_simple_rnn_softmax() => Check(new MixedStackModel(), batch: 2, steps: 5);
    [Fact] public void Stack_wide_open_length() => Check(new WideStackModel(), batch: 2, steps: 7);
    [Fact] public void Rows_wider_than_a_512_bit_vector() => Check(new WideRowModel(), batch: 2, steps: 4);

    // 3·6 = 18 rows > 13 words: the Embedding is folded into the GRU's input projection; 1·6 rows: it is not.
    // The layers around recurrent ones: RepeatVector (per-layer steps), pooling, Flatten, Activation.
    [Fact] public void RepeatVector_encoder_decoder() => Check(new RepeatEncoderDecoderModel(), batch: 2, steps: 5);
    [Fact] public void RepeatVector_open_length_longer_input() => Check(new OpenRepeatModel(), batch: 2, steps: 6);
    [Fact] public void RepeatVector_open_length_shorter_input() => Check(new OpenRepeatModel(), batch: 3, steps: 2);
    [Fact] public void Two_RepeatVectors_pooling_and_Flatten_between() => Check(new TwoRepeatsModel(), batch: 2, steps: 4);
    [Fact] public void GlobalAveragePooling1D() => Check(new AveragePoolModel(), batch: 3, steps: 5);
    [Fact] public void GlobalMaxPooling1D() => Check(new MaxPoolModel(), batch: 3, steps: 5, KinkEpsilon);
    [Fact] public void Flatten() => Check(new FlattenModel(), batch: 2, steps: 4);
    [Fact] public void Pooling_RepeatVector_Flatten_on_the_input() => Check(new InputPoolModel(), batch: 2, steps: 4);
    [Fact] public void GlobalMaxPooling1D_on_the_input() => Check(new InputMaxPoolModel(), batch: 2, steps: 4, KinkEpsilon);
    [Fact] public void Activation_tanh_sigmoid_softmax() => Check(new ActivationStackModel(), batch: 2, steps: 3);
    [Fact] public void Activation_relu_linear() => Check(new ReluActivationModel(), batch: 3, steps: 3, KinkEpsilon);

    // A training pass over 18 rows that use only 5 of the 13 words folds over those 5 (Embedding.Distinct); the loss
    // the finite differences read is an inference pass, which folds over every word.
    [Theory]
    [InlineData(3, false)]
    [InlineData(1, false)]
    [InlineData(3, true)]
    public void Embedding_gru_dense(int batch, bool fewWordsInTraining)
    {
        var model = new EmbeddingModel();
        model.Initialize(seed: 3);
        Perturb(model.Parameters, seed: 4);
        int Batch = batch;
        const int Steps = 6;
        var random = new Random(5);
        var tokens = new int[Batch * Steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = fewWordsInTraining ? 4 + random.Next(5) : random.Next(EmbeddingModel.VocabularySize);
        tokens[0] = tokens[Math.Min(7, tokens.Length - 1)] = fewWordsInTraining ? 6 : 11; // a repeated token: its gradient rows add up
        var r = RandomVector(model.OutputLength(Batch, Steps), random);
        var output = new float[r.Length];
        model.Forward(tokens, Batch, Steps, output, training: fewWordsInTraining);
        int distinct = (int)typeof(EmbeddingModel).GetField("_distinctWords", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(model)!;
        if (fewWordsInTraining) Assert.InRange(distinct, 1, 5);
        else Assert.Equal(0, distinct);
        Array.Clear(model.Gradients);
        model.Backward(r);
        CheckParameters(model, model.Gradients.AsSpan().ToArray(), () => Loss(model, tokens, Batch, Steps, r), SmoothEpsilon);
    }

    private static void Check(ISequentialModel<float> model, int batch, int steps, float epsilon = SmoothEpsilon)
    {
        var random = new Random(1);
        // Keras's initializers give zero biases; random ones exercise every term.
        var parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() - 0.5);
        var features = model.Info.InputFeatures;
        var x = RandomVector(batch * steps * features, random);
        var r = RandomVector(model.OutputLength(batch, steps), random);

        var output = new float[r.Length];
        model.Forward(x, batch, steps, output, training: true);
        Array.Clear(model.Gradients);
        var inputGradient = new float[x.Length];
        model.Backward(r, inputGradient);
        var analytic = model.Gradients.AsSpan().ToArray();

        CheckParameters(model, analytic, () => Loss(model, x, batch, steps, r), epsilon);
        for (int i = 0; i < x.Length; i++)
        {
            float saved = x[i];
            x[i] = saved + epsilon;
            double plus = Loss(model, x, batch, steps, r);
            x[i] = saved - epsilon;
            double minus = Loss(model, x, batch, steps, r);
            x[i] = saved;
            AssertClose((plus - minus) / (2 * epsilon), inputGradient[i], $"{model.Info.Name} input [{i}]");
        }
    }

    internal static void CheckParameters(ISequentialModel model, float[] analytic, Func<double> loss, float epsilon)
        => FiniteDifferences.Check(model.Parameters, analytic, loss, epsilon, i => $"{model.Info.Name} parameter [{i}] ({Where(model.Info, i)})");

    private static void AssertClose(double numeric, double analytic, string what) => FiniteDifferences.AssertClose(numeric, analytic, what);

    private static string Where(ModelInfo info, int index)
    {
        foreach (var layer in info.Layers)
            foreach (var p in layer.Parameters)
                if (index >= p.Offset && index < p.Offset + p.Length) return $"{layer.Name}.{p.Name}[{index - p.Offset}]";
        return "?";
    }

    private static double Loss<T>(ISequentialModel<T> model, T[] input, int batch, int steps, float[] r) where T : unmanaged
    {
        var output = new float[r.Length];
        model.Forward(input, batch, steps, output);
        double sum = 0;
        for (int i = 0; i < r.Length; i++) sum += (double)output[i] * r[i];
        return sum;
    }

    private static void Perturb(float[] parameters, int seed)
    {
        var random = new Random(seed);
        for (int i = 0; i < parameters.Length; i++) parameters[i] += (float)(random.NextDouble() - 0.5) * 0.5f;
    }

    private static float[] RandomVector(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}
