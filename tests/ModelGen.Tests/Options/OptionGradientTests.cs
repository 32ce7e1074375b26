using System;
using System.Collections.Generic;

namespace ModelGen.Tests.Options;

/// <summary>
/// Finite-difference checks of every parameter (and input, and initial-state) gradient for each issue-4 option
/// and for combinations. Same method and tolerances as <see cref="GradientCheckTests"/>: L = Σ output ⊙ R,
/// central differences, pass when |numeric − analytic| ≤ 2e-3 + 2e-2·|analytic|. Dropout models run in
/// training mode with the dropout generator reseeded before every pass, so each pass draws the same masks.
/// </summary>
public sealed class OptionGradientTests
{
    private const float Epsilon = 1e-2f;
    private const float KinkEpsilon = 1e-3f;

    [Fact] public void GoBackwards_lstm_sequences() => Check(new GoBackwardsLstmModel(), batch: 3, steps: 5);
    [Fact] public void Bidirectional_concat_then_sum_stacked() => Check(new BidirectionalStackModel(), batch: 2, steps: 5);
    [Fact] public void Bidirectional_mul_then_ave() => Check(new BidirectionalMulAveModel(), batch: 3, steps: 4);
    [Fact] public void HardSigmoid_gates_without_biases() => Check(new HardSigmoidNoBiasModel(), batch: 2, steps: 4, KinkEpsilon);
    [Fact] public void Lstm_relu_linear_sigmoid_activations() => Check(new ActivatedLstmModel(), batch: 3, steps: 5, KinkEpsilon);
    [Fact] public void Gru_relu_sigmoid_linear_activations_both_forms() => Check(new ActivatedGruModel(), batch: 3, steps: 5, KinkEpsilon);

    [Fact]
    public void Dropout_and_recurrent_dropout_in_training()
    {
        var model = new DropoutModel();
        Check(model, batch: 3, steps: 5, training: true, beforeForward: () => model.SeedDropout(42));
    }

    [Fact]
    public void TimeDistributed_softmax_after_backwards_rnn_with_dropout()
    {
        var model = new TimeDistributedModel();
        Check(model, batch: 2, steps: 5, training: true, beforeForward: () => model.SeedDropout(7));
    }

    [Fact]
    public void Masking_bidirectional_sequences_then_lstm()
    {
        // Sample 0 padded after its 4 real steps, sample 1 before them, sample 2 in the middle.
        var model = new MaskedBidirectionalModel();
        var padded = new[] { (0, 4), (0, 5), (1, 0), (1, 1), (2, 2) };
        Check(model, batch: 3, steps: 6, prepare: x => Pad(x, 3, 6, 3, padded));
    }

    [Fact]
    public void Masking_then_backwards_rnn_open_length()
    {
        var model = new MaskedFloatModel();
        Check(model, batch: 2, steps: 7, prepare: x => Pad(x, 2, 7, 2, new[] { (0, 0), (0, 1), (1, 5), (1, 6) }));
    }

    [Fact]
    public void Unrolled_small_simple_rnn_steps_behind_a_mask()
    {
        var model = new UnrolledRnnModel();
        Check(model, batch: 3, steps: 5, prepare: x => Pad(x, 3, 5, 3, new[] { (0, 0), (2, 4) }));
    }

    [Fact]
    public void Embedding_mask_zero_bidirectional_lstm()
    {
        var model = new MaskedTokenModel();
        Randomize(model.Parameters, new Random(3));
        int[] tokens = { 0, 0, 0, 4, 7, 4, 11, 2, /**/ 5, 9, 1, 3, 0, 0, 0, 0 };
        var r = RandomVector(model.OutputLength(2, 8), new Random(4));
        var analytic = Backprop(model, tokens, 2, 8, r, training: false, beforeForward: null);
        CheckParameters(model, analytic, () => Loss(model, tokens, 2, 8, r, false, null), Epsilon);
    }

    [Fact]
    public void Initial_states_of_lstm_bidirectional_rnn_and_gru()
    {
        var model = new InitialStateModel();
        const int Batch = 2, Steps = 4;
        var random = new Random(11);
        var h0 = RandomVector(Batch * 5, random);
        var c0 = RandomVector(Batch * 5, random);
        var f0 = RandomVector(Batch * 4, random);
        var b0 = RandomVector(Batch * 4, random);
        var g0 = RandomVector(Batch * 3, random);
        void SetStates()
        {
            model.SetLstmInitialState(h0, c0);
            model.SetBidirectionalForwardInitialState(f0);
            model.SetBidirectionalBackwardInitialState(b0);
            model.SetGruInitialState(g0);
        }
        SetStates();
        Check(model, Batch, Steps, beforeForward: SetStates);

        // ∂loss/∂(every initial state) against finite differences.
        Randomize(model.Parameters, new Random(12));
        var x = RandomVector(Batch * Steps * 3, random);
        var r = RandomVector(model.OutputLength(Batch, Steps), random);
        SetStates();
        Backprop(model, x, Batch, Steps, r, training: false, beforeForward: null);
        var states = new (string Name, float[] Values, float[] Analytic)[]
        {
            ("lstm h0", h0, model.LstmInitialStateGradient.ToArray()),
            ("lstm c0", c0, model.LstmInitialCellStateGradient.ToArray()),
            ("forward h0", f0, model.BidirectionalForwardInitialStateGradient.ToArray()),
            ("backward h0", b0, model.BidirectionalBackwardInitialStateGradient.ToArray()),
            ("gru h0", g0, model.GruInitialStateGradient.ToArray()),
        };
        foreach (var (name, values, analytic) in states)
        {
            Assert.Equal(values.Length, analytic.Length);
            Assert.Contains(analytic, v => v != 0);
            CheckVector(values, analytic, () => { SetStates(); return Loss(model, x, Batch, Steps, r, false, null); }, Epsilon, name);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void Check(ISequentialModel<float> model, int batch, int steps, float epsilon = Epsilon,
        bool training = false, Action? beforeForward = null, Action<float[]>? prepare = null)
    {
        var random = new Random(1);
        Randomize(model.Parameters, random);
        var x = RandomVector(batch * steps * model.Info.InputFeatures, random);
        prepare?.Invoke(x);
        var r = RandomVector(model.OutputLength(batch, steps), random);
        var inputGradient = new float[x.Length];
        var analytic = Backprop(model, x, batch, steps, r, training, beforeForward, inputGradient);
        CheckParameters(model, analytic, () => Loss(model, x, batch, steps, r, training, beforeForward), epsilon);

        // Inputs: every value of a real step (a padded step's values sit on the mask's edge, where L jumps).
        int width = model.Info.InputFeatures;
        var checkedInputs = new List<int>();
        for (int i = 0; i < x.Length; i++)
            if (prepare is null || !IsPadding(x, i / width, width)) checkedInputs.Add(i);
        foreach (int i in checkedInputs)
        {
            float saved = x[i];
            x[i] = saved + epsilon;
            double plus = Loss(model, x, batch, steps, r, training, beforeForward);
            x[i] = saved - epsilon;
            double minus = Loss(model, x, batch, steps, r, training, beforeForward);
            x[i] = saved;
            AssertClose((plus - minus) / (2 * epsilon), inputGradient[i], $"{model.Info.Name} input [{i}]");
        }
        if (prepare is not null)
            for (int i = 0; i < x.Length; i++)
                if (IsPadding(x, i / width, width)) Assert.Equal(0f, inputGradient[i]);
    }

    private static float[] Backprop<T>(ISequentialModel<T> model, T[] x, int batch, int steps, float[] r, bool training, Action? beforeForward, float[]? inputGradient = null)
        where T : unmanaged
    {
        beforeForward?.Invoke();
        var output = new float[r.Length];
        model.Forward(x, batch, steps, output, training);
        Array.Clear(model.Gradients);
        model.Backward(r, inputGradient is null ? default : inputGradient.AsSpan());
        return model.Gradients.AsSpan().ToArray();
    }

    private static double Loss<T>(ISequentialModel<T> model, T[] x, int batch, int steps, float[] r, bool training, Action? beforeForward)
        where T : unmanaged
    {
        beforeForward?.Invoke();
        var output = new float[r.Length];
        model.Forward(x, batch, steps, output, training);
        double sum = 0;
        for (int i = 0; i < r.Length; i++) sum += (double)output[i] * r[i];
        return sum;
    }

    private static void CheckParameters(ISequentialModel model, float[] analytic, Func<double> loss, float epsilon)
        => GradientCheckTests.CheckParameters(model, analytic, loss, epsilon);

    private static void CheckVector(float[] values, float[] analytic, Func<double> loss, float epsilon, string what)
        => FiniteDifferences.Check(values, analytic, loss, epsilon, i => $"{what} [{i}]");

    private static void AssertClose(double numeric, double analytic, string what) => FiniteDifferences.AssertClose(numeric, analytic, what);

    /// <summary>Zeroes the features of the given (sample, step) pairs, batch-major: Masking(0.0) masks them.</summary>
    private static void Pad(float[] x, int batch, int steps, int width, (int Sample, int Step)[] padded)
    {
        foreach (var (b, t) in padded) Array.Clear(x, (b * steps + t) * width, width);
    }

    private static bool IsPadding(float[] x, int row, int width) => Array.TrueForAll(x[(row * width)..((row + 1) * width)], v => v == 0f);

    private static void Randomize(float[] parameters, Random random)
    {
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() - 0.5);
    }

    private static float[] RandomVector(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}
