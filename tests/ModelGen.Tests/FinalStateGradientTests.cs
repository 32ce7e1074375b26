using System;
using ModelGen.Tests.GradientCheck;

namespace ModelGen.Tests;

/// <summary>
/// Issue 12, item 6: ∂loss/∂(final states) through the generated <c>…FinalStateGradient</c> and
/// <c>…FinalCellStateGradient</c> spans. Loss L = Σ output ⊙ R + Σ h_n ⊙ S (+ Σ c_n ⊙ S_c) over every layer and
/// direction that returns its state, summed in double; central differences with ε = 1e-2 against Backward, with the
/// tolerance of <see cref="FiniteDifferences"/>. A Backward that ignored a final-state gradient misses the S terms,
/// which are of the same size as the output's.
/// </summary>
public sealed class FinalStateGradientTests
{
    private const float Epsilon = 1e-2f;

    private delegate ReadOnlySpan<float> StateView();

    private delegate Span<float> GradientView();

    /// <summary>A final state the loss uses and where its gradient goes.</summary>
    private sealed record FinalState(string Name, StateView Value, GradientView Gradient);

    [Fact]
    public void Two_lstm_layers_returning_h_n_and_c_n()
    {
        var model = new LstmFinalStatesModel();
        Check(model, batch: 3, steps: 4,
        [
            new("lstm h_n", () => model.LstmFinalState, () => model.LstmFinalStateGradient),
            new("lstm c_n", () => model.LstmFinalCellState, () => model.LstmFinalCellStateGradient),
            new("lstm_1 h_n", () => model.Lstm1FinalState, () => model.Lstm1FinalStateGradient),
            new("lstm_1 c_n", () => model.Lstm1FinalCellState, () => model.Lstm1FinalCellStateGradient),
        ]);
    }

    [Fact]
    public void Bidirectional_gru_returning_both_directions_h_n()
    {
        var model = new BiGruFinalStatesModel();
        Check(model, batch: 2, steps: 5,
        [
            new("forward_gru h_n", () => model.BidirectionalForwardFinalState, () => model.BidirectionalForwardFinalStateGradient),
            new("backward_gru h_n", () => model.BidirectionalBackwardFinalState, () => model.BidirectionalBackwardFinalStateGradient),
        ]);
    }

    [Fact]
    public void Unrolled_simple_rnn_reading_backwards_returning_h_n()
    {
        var model = new BackwardsRnnFinalStateModel();
        Check(model, batch: 3, steps: 5, [new("simple_rnn h_n", () => model.SimpleRnnFinalState, () => model.SimpleRnnFinalStateGradient)]);
    }

    [Fact]
    public void Masked_lstm_carries_the_final_state_gradients_through_padding()
    {
        // Sample 0 ends with two padded steps: its h_n and c_n are those of step 2, carried over the padding.
        var model = new MaskedLstmFinalStatesModel();
        Check(model, batch: 2, steps: 5,
        [
            new("lstm h_n", () => model.LstmFinalState, () => model.LstmFinalStateGradient),
            new("lstm c_n", () => model.LstmFinalCellState, () => model.LstmFinalCellStateGradient),
        ], pad: x => x.AsSpan(3 * 2, 2 * 2).Clear(), checkInput: false);
    }

    [Fact]
    public void Forward_clears_the_final_state_gradients_and_they_are_empty_before_one()
    {
        var model = new LstmFinalStatesModel();
        Assert.True(model.LstmFinalStateGradient.IsEmpty);
        Assert.True(model.Lstm1FinalCellStateGradient.IsEmpty);
        const int Batch = 2;
        var x = Random(Batch * 4 * 3, new Random(3));
        var y = new float[model.OutputLength(Batch, 4)];
        model.Forward(x, Batch, y);
        Assert.Equal(Batch * 5, model.LstmFinalStateGradient.Length);
        Assert.Equal(Batch * 6, model.Lstm1FinalCellStateGradient.Length);

        // A gradient set for one pass does not leak into the next: after Forward, Backward gives the output's alone.
        model.Forward(x, Batch, y);
        Array.Clear(model.Gradients);
        model.Backward(y);
        var plain = model.Gradients.AsSpan().ToArray();
        model.Forward(x, Batch, y);
        model.Lstm1FinalStateGradient.Fill(1f);
        model.LstmFinalCellStateGradient.Fill(1f);
        Array.Clear(model.Gradients);
        model.Backward(y);
        Assert.NotEqual(plain, model.Gradients);
        model.Forward(x, Batch, y);
        Assert.All(model.Lstm1FinalStateGradient.ToArray(), v => Assert.Equal(0f, v));
        Assert.All(model.LstmFinalCellStateGradient.ToArray(), v => Assert.Equal(0f, v));
        Array.Clear(model.Gradients);
        model.Backward(y);
        Assert.Equal(plain, model.Gradients);
    }

    [Fact]
    public void Final_state_gradients_and_logits_allocate_nothing_after_warm_up()
    {
        var model = new MaskedLstmFinalStatesModel();
        const int Batch = 4;
        var x = Random(Batch * 5 * 2, new Random(4));
        var y = new float[model.OutputLength(Batch, 5)];
        var dy = Random(y.Length, new Random(5));
        var dx = new float[x.Length];
        int logits = 0;
        void Step()
        {
            model.Forward(x, Batch, y, training: true);
            model.LstmFinalStateGradient.Fill(0.5f);
            model.LstmFinalCellStateGradient.Fill(-0.5f);
            model.Backward(dy, dx);
            model.BackwardFromLogits(dy, dx);
            logits += model.OutputLogits.Length;
        }
        Step();
        int steps = 1;
        Assert.Equal(0, Allocations.FewestBytes(() => { Step(); steps++; }, steps: 50));
        Assert.Equal(steps * y.Length, logits);
    }

    private static void Check(ISequentialModel<float> model, int batch, int steps, FinalState[] states, Action<float[]>? pad = null, bool checkInput = true)
    {
        var random = new Random(11);
        var parameters = model.Parameters;
        for (int i = 0; i < parameters.Length; i++) parameters[i] = (float)(random.NextDouble() - 0.5);
        var x = Random(batch * steps * model.Info.InputFeatures, random);
        pad?.Invoke(x);
        var r = Random(model.OutputLength(batch, steps), random);
        var output = new float[r.Length];
        model.Forward(x, batch, steps, output);
        var s = new float[states.Length][];
        for (int k = 0; k < states.Length; k++)
        {
            s[k] = Random(states[k].Value().Length, random);
            Assert.Equal(s[k].Length, states[k].Gradient().Length);
            s[k].CopyTo(states[k].Gradient());
        }
        Array.Clear(model.Gradients);
        var inputGradient = new float[x.Length];
        model.Backward(r, inputGradient);
        var analytic = model.Gradients.AsSpan().ToArray();

        double Loss()
        {
            var y = new float[r.Length];
            model.Forward(x, batch, steps, y);
            double sum = 0;
            for (int i = 0; i < r.Length; i++) sum += (double)y[i] * r[i];
            for (int k = 0; k < states.Length; k++)
            {
                var value = states[k].Value();
                for (int i = 0; i < value.Length; i++) sum += (double)value[i] * s[k][i];
            }
            return sum;
        }

        string name = model.Info.Name;
        FiniteDifferences.Check(parameters, analytic, Loss, Epsilon, i => $"{name} parameter [{i}]");
        if (checkInput) FiniteDifferences.Check(x, inputGradient, Loss, Epsilon, i => $"{name} input [{i}]");
    }

    private static float[] Random(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(random.NextDouble() * 2 - 1);
        return v;
    }
}
