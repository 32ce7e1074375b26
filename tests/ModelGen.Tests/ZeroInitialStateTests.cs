using System;
using Xunit;

namespace ModelGen.Tests.ZeroInitialState;

// Every recurrent cell form, open length so that a pass can be one step long: LSTM, GRU (reset after and before),
// SimpleRNN unrolled (8 units) and through the general loop (5).
[Sequential(Features = 3)]
[Lstm(11, ReturnSequences = true)]
[Gru(9, ReturnSequences = true)]
[Gru(8, ResetAfter = false, ReturnSequences = true)]
[SimpleRnn(8, ReturnSequences = true)]
[SimpleRnn(16, Activation = "relu", ReturnSequences = true)]
[SimpleRnn(5)]
[Dense(2)]
public partial class ZeroStartStackModel;

// dU's product over 84 rows (4 × 21) takes the packed path, over the 80 left from zeros the direct one: 7 × 28 × 84 ≥
// Gemm.PackedWork > 7 × 28 × 80; 28 columns leave a tail narrower than a 256-bit vector.
[Sequential(Features = 3)]
[Lstm(7)]
[Dense(1)]
public partial class ZeroStartPathModel;

// The unrolled SimpleRNN reading the folded Embedding's table rows at its first step.
[Sequential]
[Embedding(13, 4)]
[SimpleRnn(8)]
[Dense(1)]
public partial class ZeroStartEmbeddingModel;

// The options around the skipped products: a step mask (a sample whose first steps are padding carries h[-1] on),
// both directions of a Bidirectional, recurrent dropout (the products read h[t-1] ⊙ m), no bias (GRU's rc starts
// from zeros instead of b_rec).
[Sequential(Features = 3)]
[Masking(0.0)]
[Bidirectional]
[Gru(5, ReturnSequences = true, RecurrentDropout = 0.3)]
[Lstm(6, ReturnSequences = true, RecurrentDropout = 0.4, UseBias = false)]
[Gru(4, ReturnSequences = true, UseBias = false, RecurrentDropout = 0.2)]
[Gru(3, ResetAfter = false, UseBias = false, RecurrentDropout = 0.3, ReturnSequences = true)]
[SimpleRnn(4, RecurrentDropout = 0.5)]
[Dense(2)]
public partial class ZeroStartOptionsModel;

/// <summary>
/// A pass that starts from zeros (no initial state set or carried) leaves out the products with h[-1] = 0: the first
/// step's recurrent product and the first block of the recurrent kernel's gradient. A zero state set by hand makes the
/// same pass compute them. Both must give the same outputs, parameter gradients and input gradients (compared as
/// values: at most the sign of an exactly-zero sum may differ).
/// </summary>
public sealed class ZeroInitialStateTests
{
    private static float[] Zeros(int units, int batch) => new float[units * batch];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(9)]
    public void Every_cell_from_zeros_matches_a_zero_state_set_by_hand(int steps)
    {
        const int batch = 5;
        Compare(() => new ZeroStartStackModel(), m => m.Initialize(7), Input(batch, steps, padded: false), steps, batch, training: false, m =>
        {
            m.SetLstmInitialState(Zeros(11, batch), Zeros(11, batch));
            m.SetGruInitialState(Zeros(9, batch));
            m.SetGru1InitialState(Zeros(8, batch));
            m.SetSimpleRnnInitialState(Zeros(8, batch));
            m.SetSimpleRnn1InitialState(Zeros(16, batch));
            m.SetSimpleRnn2InitialState(Zeros(5, batch));
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void Masking_bidirectional_and_recurrent_dropout_from_zeros_match_a_zero_state_set_by_hand(int steps)
    {
        const int batch = 4;
        Compare(() => new ZeroStartOptionsModel(), m => m.Initialize(7), Input(batch, steps, padded: true), steps, batch, training: true, m =>
        {
            m.SetBidirectionalForwardInitialState(Zeros(5, batch));
            m.SetBidirectionalBackwardInitialState(Zeros(5, batch));
            m.SetLstmInitialState(Zeros(6, batch), Zeros(6, batch));
            m.SetGru1InitialState(Zeros(4, batch)); // Keras names: the Bidirectional's GRU is 'gru'
            m.SetGru2InitialState(Zeros(3, batch));
            m.SetSimpleRnnInitialState(Zeros(4, batch));
        });
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void The_unrolled_step_over_a_folded_embedding_from_zeros_matches_a_zero_state_set_by_hand(int steps)
    {
        const int batch = 3;
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = (5 * i + 2) % 13;
        Compare(() => new ZeroStartEmbeddingModel(), m => m.Initialize(7), tokens, steps, batch, training: false,
            m => m.SetSimpleRnnInitialState(Zeros(8, batch)), inputGradient: false);
    }

    [Fact]
    public void Gradients_added_to_earlier_ones_match_when_the_shorter_product_takes_another_path()
    {
        // Backward adds to Gradients (PyTorch's accumulation): into a nonzero dU the direct path's tail columns once
        // summed from zero and then added, the packed path chained from dU, so leaving out the first rows changed
        // the last bit where it switched the path (found in review).
        const int batch = 4, steps = 21;
        Compare(() => new ZeroStartPathModel(), m => m.Initialize(5), Input(batch, steps, padded: false), steps, batch, training: false,
            m => m.SetLstmInitialState(Zeros(7, batch), Zeros(7, batch)), accumulate: true);
    }

    [Fact]
    public void A_state_reset_between_forward_and_backward_does_not_change_what_backward_leaves_out()
    {
        // Forward from a set (nonzero) state computes every product; ResetStates() before Backward must not make
        // Backward drop the first block of dU as if the pass had started from zeros.
        const int batch = 3, steps = 4;
        var input = Input(batch, steps, padded: false);
        var set = new ZeroStartStackModel();
        var reset = new ZeroStartStackModel();
        set.Initialize(11);
        reset.Initialize(11);
        var h = new float[8 * batch];
        for (int i = 0; i < h.Length; i++) h[i] = 0.25f * (i % 5) - 0.5f;
        set.SetSimpleRnnInitialState(h);
        reset.SetSimpleRnnInitialState(h);
        var (expectedOutput, expectedGradients, expectedInput) = Run(set, input, batch, steps, training: false, beforeBackward: null);
        var (output, gradients, inputGradient) = Run(reset, input, batch, steps, training: false, beforeBackward: () => reset.ResetStates());
        Assert.Equal(expectedOutput, output);
        Assert.Equal(expectedGradients, gradients);
        Assert.Equal(expectedInput, inputGradient);
    }

    // The same model twice, from zeros and with a zero state set by hand (which computes every product): outputs,
    // parameter gradients and input gradients must be equal.
    private static void Compare<TModel, TInput>(Func<TModel> create, Action<TModel> initialize, TInput[] input, int steps, int batch, bool training,
        Action<TModel> setZeros, bool inputGradient = true, bool accumulate = false) where TModel : ISequentialModel<TInput> where TInput : unmanaged
    {
        var fromZeros = create();
        var setByHand = create();
        initialize(fromZeros);
        initialize(setByHand);
        setZeros(setByHand);
        Assert.True(setByHand.HoldsInitialState);
        Assert.False(fromZeros.HoldsInitialState);
        var expected = Run(setByHand, input, batch, steps, training, beforeBackward: null, inputGradient, accumulate);
        var actual = Run(fromZeros, input, batch, steps, training, beforeBackward: null, inputGradient, accumulate);
        // Assert.Equal on floats compares values (−0 equals +0); any skipped nonzero term would show here.
        Assert.Equal(expected.Output, actual.Output);
        Assert.Equal(expected.Gradients, actual.Gradients);
        Assert.Equal(expected.InputGradient, actual.InputGradient);
        Assert.Contains(actual.Gradients, g => g != 0);
    }

    // [batch, steps, 3]; with padded, sample 1's first two steps and sample 2's last step are all zeros (masked).
    private static float[] Input(int batch, int steps, bool padded)
    {
        var random = new Random(3);
        var x = new float[batch * steps * 3];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        if (padded)
        {
            for (int t = 0; t < Math.Min(2, steps - 1); t++) Array.Clear(x, (1 * steps + t) * 3, 3);
            if (steps > 1) Array.Clear(x, (2 * steps + steps - 1) * 3, 3);
        }
        return x;
    }

    private static (float[] Output, float[] Gradients, float[] InputGradient) Run<TInput>(ISequentialModel<TInput> model, TInput[] input, int batch, int steps, bool training,
        Action? beforeBackward, bool inputGradient = true, bool accumulate = false) where TInput : unmanaged
    {
        var output = new float[model.OutputLength(batch, steps)];
        model.Forward(input, batch, steps, output, training);
        beforeBackward?.Invoke();
        var outputGradient = new float[output.Length];
        for (int i = 0; i < outputGradient.Length; i++) outputGradient[i] = 0.5f - 0.1f * (i % 9);
        Array.Clear(model.Gradients);
        if (accumulate) for (int i = 0; i < model.Gradients.Length; i++) model.Gradients[i] = 0.37f + 0.001f * (i % 13);
        var dx = inputGradient ? new float[input.Length] : Array.Empty<float>();
        model.Backward(outputGradient, dx);
        return (output, (float[])model.Gradients.Clone(), dx);
    }
}
