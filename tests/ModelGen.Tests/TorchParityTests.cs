using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using ModelGen.Tests.Parity;

namespace ModelGen.Tests;

/// <summary>
/// Outputs and gradients match PyTorch (float64 reference) with rtol = atol = 1e-5, as torch.allclose counts
/// them. PyTorch weights are loaded into the generated models after converting layouts: PyTorch keeps
/// transposed matrices, two biases, and GRU gates in r, z, n order. Keras-only options are compared with their
/// PyTorch equivalents: Bidirectional (concat) with <c>bidirectional=True</c>, GoBackwards with the module run on
/// <c>x.flip(1)</c>, initial and returned states with <c>h_0</c>/<c>c_0</c> and <c>h_n</c>/<c>c_n</c>.
/// </summary>
public sealed class TorchParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Cases => new()
    {
        "rnn_tanh_i3_h5_t7_b4", "rnn_relu_i4_h6_t5_b3", "rnn_tanh_i2_h9_t5_b3_l2", "rnn_relu_i3_h8_t6_b2_head1",
        "lstm_i3_h5_t7_b4", "lstm_i1_h13_t9_b2", "lstm_i8_h24_t4_b3", "lstm_i2_h9_t5_b3_l2", "lstm_i3_h17_t8_b5_head3",
        "gru_i3_h5_t7_b4", "gru_i7_h11_t6_b3", "gru_i5_h7_t4_b2_l2", "gru_i4_h10_t6_b3_head2",
        // Bidirectional (concat), one and two layers, and one returning its last output into a head.
        "lstm_i3_h5_t6_b3_bi", "gru_i4_h7_t5_b2_bi", "rnn_tanh_i3_h9_t5_b2_bi", "lstm_i2_h7_t4_b2_l2_bi",
        "gru_i3_h7_t4_b2_l2_bi", "lstm_i3_h7_t6_b3_head2_bi",
        // GoBackwards.
        "lstm_i3_h5_t7_b2_back", "gru_i4_h7_t5_b3_back", "rnn_tanh_i2_h9_t6_b2_back",
        // Every shape of the generated loops at each vector width (CI runs these at 512, 256 and 128 bits): rows of
        // 4, 13, 20 and 36 units, and the unrolled SimpleRNN step of 8 and 16 units with an odd batch; a GRU of 67 units,
        // above the 64 up to which its forward activates z and r of every row before ĥ.
        "lstm_i3_h4_t5_b3", "lstm_i2_h13_t5_b5", "lstm_i3_h36_t4_b3", "gru_i3_h13_t5_b5", "gru_i3_h20_t4_b3",
        "rnn_tanh_i2_h8_t6_b5", "rnn_tanh_i3_h16_t5_b5", "gru_i2_h67_t3_b2",
    };

    private static readonly Dictionary<string, Func<ISequentialModel<float>>> Models = new()
    {
        ["rnn_tanh_i3_h5_t7_b4"] = () => new RnnTanhI3H5(),
        ["rnn_relu_i4_h6_t5_b3"] = () => new RnnReluI4H6(),
        ["rnn_tanh_i2_h9_t5_b3_l2"] = () => new RnnTanhI2H9L2(),
        ["rnn_relu_i3_h8_t6_b2_head1"] = () => new RnnReluI3H8Head1(),
        ["lstm_i3_h5_t7_b4"] = () => new LstmI3H5(),
        ["lstm_i1_h13_t9_b2"] = () => new LstmI1H13(),
        ["lstm_i8_h24_t4_b3"] = () => new LstmI8H24(),
        ["lstm_i2_h9_t5_b3_l2"] = () => new LstmI2H9L2(),
        ["lstm_i3_h17_t8_b5_head3"] = () => new LstmI3H17Head3(),
        ["gru_i3_h5_t7_b4"] = () => new GruI3H5(),
        ["gru_i7_h11_t6_b3"] = () => new GruI7H11(),
        ["gru_i5_h7_t4_b2_l2"] = () => new GruI5H7L2(),
        ["gru_i4_h10_t6_b3_head2"] = () => new GruI4H10Head2(),
        ["lstm_i3_h5_t6_b3_bi"] = () => new BiLstmI3H5(),
        ["gru_i4_h7_t5_b2_bi"] = () => new BiGruI4H7(),
        ["rnn_tanh_i3_h9_t5_b2_bi"] = () => new BiRnnTanhI3H9(),
        ["lstm_i2_h7_t4_b2_l2_bi"] = () => new BiLstmI2H7L2(),
        ["gru_i3_h7_t4_b2_l2_bi"] = () => new BiGruI3H7L2(),
        ["lstm_i3_h7_t6_b3_head2_bi"] = () => new BiLstmI3H7Head2(),
        ["lstm_i3_h5_t7_b2_back"] = () => new LstmI3H5Backwards(),
        ["gru_i4_h7_t5_b3_back"] = () => new GruI4H7Backwards(),
        ["rnn_tanh_i2_h9_t6_b2_back"] = () => new RnnTanhI2H9Backwards(),
        ["lstm_i3_h4_t5_b3"] = () => new LstmI3H4(),
        ["lstm_i2_h13_t5_b5"] = () => new LstmI2H13(),
        ["lstm_i3_h36_t4_b3"] = () => new LstmI3H36(),
        ["gru_i3_h13_t5_b5"] = () => new GruI3H13(),
        ["gru_i3_h20_t4_b3"] = () => new GruI3H20(),
        ["gru_i2_h67_t3_b2"] = () => new GruI2H67(),
        ["rnn_tanh_i2_h8_t6_b5"] = () => new RnnTanhI2H8(),
        ["rnn_tanh_i3_h16_t5_b5"] = () => new RnnTanhI3H16(),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_gradients_match_pytorch(string name)
    {
        var fixture = TorchFixture.Load(name);
        var model = Models[name]();
        var output = ForwardAndBackward(name, fixture, model);

        if (fixture.HeadUnits == 0)
        {
            // h_n of the last layer is its output at the last step it processed: step steps-1 for the forward
            // direction (also for GoBackwards, whose output is in processing order), step 0 for the backward
            // half of a Bidirectional output.
            int b = fixture.Batch, t = fixture.Steps, h = fixture.Hidden, width = fixture.OutputFeatures;
            for (int d = 0; d < fixture.Directions; d++)
            {
                int step = d == 0 ? t - 1 : 0;
                var last = new float[b * h];
                for (int i = 0; i < b; i++) output.AsSpan((i * t + step) * width + d * h, h).CopyTo(last.AsSpan(i * h, h));
                var expected = fixture.FinalState((fixture.Layers - 1) * fixture.Directions + d);
                Assertions.AllClose(expected, last, Tolerance, Tolerance, $"{name} h_n of direction {d}");
            }
        }
    }

    /// <summary>
    /// Loads the fixture's weights into <paramref name="model"/>, runs Forward and compares the output, calls
    /// <paramref name="afterForward"/> (to compare returned states), then runs Backward with ∂loss/∂output = R and
    /// compares every parameter gradient and the input gradient. Initial states must be set before; their
    /// gradients are the caller's to compare afterwards. Returns the output.
    /// </summary>
    private static float[] ForwardAndBackward(string name, TorchFixture fixture, ISequentialModel<float> model, Action? afterForward = null)
    {
        Assert.Equal(fixture.Layers + (fixture.HeadUnits > 0 ? 1 : 0), model.Info.Layers.Count);
        fixture.LoadInto(model.Info, model.Parameters);

        var output = new float[model.OutputLength(fixture.Batch, fixture.Steps)];
        model.Forward(fixture.Input, fixture.Batch, fixture.Steps, output);
        Assertions.AllClose(fixture.Output, output, Tolerance, Tolerance, $"{name} output");
        afterForward?.Invoke();

        // loss = Σ output ⊙ R, so ∂loss/∂output = R.
        var inputGradient = new float[fixture.Input.Length];
        Array.Clear(model.Gradients);
        model.Backward(fixture.OutputWeights, inputGradient);
        Assertions.AllClose(fixture.ExpectedGradients(model.Info), model.Gradients, Tolerance, Tolerance, $"{name} parameter gradients");
        Assertions.AllClose(fixture.InputGradient, inputGradient, Tolerance, Tolerance, $"{name} input gradient");
        return output;
    }

    // Initial and returned states. The generated members are named after each layer (Lstm, Lstm1,
    // BidirectionalForward, ...), so every model gets its own test; index k of the fixture's h_0, h_n ... is
    // layer l, direction d at k = l·directions + d, as PyTorch orders them.

    [Fact]
    public void Lstm_initial_and_final_states_match_pytorch()
    {
        const string name = "lstm_i3_h7_t5_b3_h0";
        var fixture = TorchFixture.Load(name);
        var model = new LstmI3H7States();
        model.SetLstmInitialState(fixture.InitialState(0), fixture.InitialCellState(0));
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalState(0), model.LstmFinalState, Tolerance, Tolerance, $"{name} h_n");
            Assertions.AllClose(fixture.FinalCellState(0), model.LstmFinalCellState, Tolerance, Tolerance, $"{name} c_n");
        });
        Assertions.AllClose(fixture.InitialStateGradient(0), model.LstmInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0");
        Assertions.AllClose(fixture.InitialCellStateGradient(0), model.LstmInitialCellStateGradient, Tolerance, Tolerance, $"{name} ∂c_0");
    }

    [Fact]
    public void Gru_initial_and_final_states_match_pytorch()
    {
        const string name = "gru_i4_h9_t6_b2_h0";
        var fixture = TorchFixture.Load(name);
        var model = new GruI4H9States();
        model.SetGruInitialState(fixture.InitialState(0));
        ForwardAndBackward(name, fixture, model,
            () => Assertions.AllClose(fixture.FinalState(0), model.GruFinalState, Tolerance, Tolerance, $"{name} h_n"));
        Assertions.AllClose(fixture.InitialStateGradient(0), model.GruInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0");
    }

    [Fact]
    public void Stacked_lstm_initial_and_final_states_match_pytorch()
    {
        // Two layers, each with its own h_0, c_0 (PyTorch h_0[0], h_0[1]). The first layer's final state is not
        // in the model's output, so this is where it is compared.
        const string name = "lstm_i2_h5_t4_b3_l2_h0";
        var fixture = TorchFixture.Load(name);
        var model = new LstmI2H5L2States();
        model.SetLstmInitialState(fixture.InitialState(0), fixture.InitialCellState(0));
        model.SetLstm1InitialState(fixture.InitialState(1), fixture.InitialCellState(1));
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalState(0), model.LstmFinalState, Tolerance, Tolerance, $"{name} h_n[0]");
            Assertions.AllClose(fixture.FinalCellState(0), model.LstmFinalCellState, Tolerance, Tolerance, $"{name} c_n[0]");
            Assertions.AllClose(fixture.FinalState(1), model.Lstm1FinalState, Tolerance, Tolerance, $"{name} h_n[1]");
            Assertions.AllClose(fixture.FinalCellState(1), model.Lstm1FinalCellState, Tolerance, Tolerance, $"{name} c_n[1]");
        });
        Assertions.AllClose(fixture.InitialStateGradient(0), model.LstmInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0[0]");
        Assertions.AllClose(fixture.InitialCellStateGradient(0), model.LstmInitialCellStateGradient, Tolerance, Tolerance, $"{name} ∂c_0[0]");
        Assertions.AllClose(fixture.InitialStateGradient(1), model.Lstm1InitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0[1]");
        Assertions.AllClose(fixture.InitialCellStateGradient(1), model.Lstm1InitialCellStateGradient, Tolerance, Tolerance, $"{name} ∂c_0[1]");
    }

    [Fact]
    public void Bidirectional_lstm_final_states_match_pytorch()
    {
        // Zero initial states; h_n[0], c_n[0] are the forward copy's, h_n[1], c_n[1] the backward copy's (its
        // state after reading back to step 0).
        const string name = "lstm_i3_h5_t6_b2_bi";
        var fixture = TorchFixture.Load(name);
        var model = new BiLstmI3H5States();
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalState(0), model.BidirectionalForwardFinalState, Tolerance, Tolerance, $"{name} h_n[0]");
            Assertions.AllClose(fixture.FinalCellState(0), model.BidirectionalForwardFinalCellState, Tolerance, Tolerance, $"{name} c_n[0]");
            Assertions.AllClose(fixture.FinalState(1), model.BidirectionalBackwardFinalState, Tolerance, Tolerance, $"{name} h_n[1]");
            Assertions.AllClose(fixture.FinalCellState(1), model.BidirectionalBackwardFinalCellState, Tolerance, Tolerance, $"{name} c_n[1]");
        });
        // No state was set, so there is no initial-state gradient to read.
        Assert.True(model.BidirectionalForwardInitialStateGradient.IsEmpty);
        Assert.True(model.BidirectionalBackwardInitialCellStateGradient.IsEmpty);
    }

    [Fact]
    public void Bidirectional_gru_initial_and_final_states_match_pytorch()
    {
        const string name = "gru_i3_h7_t5_b2_bi_h0";
        var fixture = TorchFixture.Load(name);
        var model = new BiGruI3H7States();
        model.SetBidirectionalForwardInitialState(fixture.InitialState(0));
        model.SetBidirectionalBackwardInitialState(fixture.InitialState(1));
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalState(0), model.BidirectionalForwardFinalState, Tolerance, Tolerance, $"{name} h_n[0]");
            Assertions.AllClose(fixture.FinalState(1), model.BidirectionalBackwardFinalState, Tolerance, Tolerance, $"{name} h_n[1]");
        });
        Assertions.AllClose(fixture.InitialStateGradient(0), model.BidirectionalForwardInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0[0]");
        Assertions.AllClose(fixture.InitialStateGradient(1), model.BidirectionalBackwardInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0[1]");
    }

    // Final states in the loss: ∂loss/∂h_n (and ∂c_n) of every layer and direction written into the generated
    // …FinalStateGradient spans between Forward and Backward, as PyTorch's loss sum(y·r) + sum(h_n·s) + sum(c_n·s_c)
    // gives them.

    [Fact]
    public void Stacked_lstm_final_states_in_the_loss_match_pytorch()
    {
        const string name = "lstm_i3_h5_t5_b3_l2_hn";
        var fixture = TorchFixture.Load(name);
        var model = new LstmI3H5L2FinalStates();
        ForwardAndBackward(name, fixture, model, () =>
        {
            fixture.FinalStateWeights(0).CopyTo(model.LstmFinalStateGradient);
            fixture.FinalCellStateWeights(0).CopyTo(model.LstmFinalCellStateGradient);
            fixture.FinalStateWeights(1).CopyTo(model.Lstm1FinalStateGradient);
            fixture.FinalCellStateWeights(1).CopyTo(model.Lstm1FinalCellStateGradient);
        });
    }

    [Fact]
    public void Stacked_bidirectional_gru_final_states_in_the_loss_match_pytorch()
    {
        const string name = "gru_i3_h6_t4_b2_l2_bi_hn";
        var fixture = TorchFixture.Load(name);
        var model = new BiGruI3H6L2FinalStates();
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalState(0), model.BidirectionalForwardFinalState, Tolerance, Tolerance, $"{name} h_n[0]");
            Assertions.AllClose(fixture.FinalState(3), model.Bidirectional1BackwardFinalState, Tolerance, Tolerance, $"{name} h_n[3]");
            fixture.FinalStateWeights(0).CopyTo(model.BidirectionalForwardFinalStateGradient);
            fixture.FinalStateWeights(1).CopyTo(model.BidirectionalBackwardFinalStateGradient);
            fixture.FinalStateWeights(2).CopyTo(model.Bidirectional1ForwardFinalStateGradient);
            fixture.FinalStateWeights(3).CopyTo(model.Bidirectional1BackwardFinalStateGradient);
        });
    }

    [Fact]
    public void Bidirectional_lstm_final_states_and_head_in_the_loss_match_pytorch()
    {
        // The layer's output is (forward h_n, backward h_n) into a head, so each h_n gets the head's gradient and S;
        // with initial states, their gradients see both too.
        const string name = "lstm_i2_h6_t5_b2_head2_bi_h0_hn";
        var fixture = TorchFixture.Load(name);
        var model = new BiLstmI2H6Head2FinalStates();
        model.SetBidirectionalForwardInitialState(fixture.InitialState(0), fixture.InitialCellState(0));
        model.SetBidirectionalBackwardInitialState(fixture.InitialState(1), fixture.InitialCellState(1));
        ForwardAndBackward(name, fixture, model, () =>
        {
            Assertions.AllClose(fixture.FinalCellState(1), model.BidirectionalBackwardFinalCellState, Tolerance, Tolerance, $"{name} c_n[1]");
            fixture.FinalStateWeights(0).CopyTo(model.BidirectionalForwardFinalStateGradient);
            fixture.FinalCellStateWeights(0).CopyTo(model.BidirectionalForwardFinalCellStateGradient);
            fixture.FinalStateWeights(1).CopyTo(model.BidirectionalBackwardFinalStateGradient);
            fixture.FinalCellStateWeights(1).CopyTo(model.BidirectionalBackwardFinalCellStateGradient);
        });
        Assertions.AllClose(fixture.InitialStateGradient(0), model.BidirectionalForwardInitialStateGradient, Tolerance, Tolerance, $"{name} ∂h_0[0]");
        Assertions.AllClose(fixture.InitialCellStateGradient(1), model.BidirectionalBackwardInitialCellStateGradient, Tolerance, Tolerance, $"{name} ∂c_0[1]");
    }

    [Fact]
    public void Bidirectional_views_are_the_parameters_the_fixtures_load()
    {
        // The fixtures load weights through Info's views (forward copy's three, then the backward copy's); the
        // named properties must be those same slices, the second layer's named after Keras's "bidirectional_1".
        var model = new BiLstmI2H7L2();
        var first = model.Info.Layers[0].Parameters;
        var second = model.Info.Layers[1].Parameters;
        SameSlice(model.Parameters, first[0], model.BidirectionalForwardKernel);
        SameSlice(model.Parameters, first[1], model.BidirectionalForwardRecurrentKernel);
        SameSlice(model.Parameters, first[2], model.BidirectionalForwardBias);
        SameSlice(model.Parameters, first[3], model.BidirectionalBackwardKernel);
        SameSlice(model.Parameters, first[4], model.BidirectionalBackwardRecurrentKernel);
        SameSlice(model.Parameters, first[5], model.BidirectionalBackwardBias);
        SameSlice(model.Gradients, first[3], model.BidirectionalBackwardKernelGradient);
        SameSlice(model.Parameters, second[0], model.Bidirectional1ForwardKernel);
        SameSlice(model.Parameters, second[3], model.Bidirectional1BackwardKernel);
        SameSlice(model.Gradients, second[5], model.Bidirectional1BackwardBiasGradient);
        // Keras shapes: kernel [inputs, 4H], recurrent kernel [H, 4H]; the second layer reads 2H = 14 features.
        Assert.Equal((2, 28), (first[0].Rows, first[0].Columns));
        Assert.Equal((7, 28), (first[4].Rows, first[4].Columns));
        Assert.Equal((14, 28), (second[3].Rows, second[3].Columns));
    }

    private static void SameSlice(float[] buffer, ParameterInfo view, Span<float> property)
    {
        Assert.Equal(view.Length, property.Length);
        Assert.True(Unsafe.AreSame(ref buffer[view.Offset], ref MemoryMarshal.GetReference(property)), $"{view.Name} is not at offset {view.Offset}");
    }

    [Fact]
    public void Backward_accumulates_like_pytorch_grad()
    {
        var fixture = TorchFixture.Load("lstm_i3_h5_t7_b4");
        var model = new LstmI3H5();
        fixture.LoadInto(model.Info, model.Parameters);
        var output = new float[model.OutputLength(fixture.Batch, fixture.Steps)];
        model.Forward(fixture.Input, fixture.Batch, fixture.Steps, output);
        Array.Clear(model.Gradients);
        model.Backward(fixture.OutputWeights);
        model.Backward(fixture.OutputWeights);
        var twice = fixture.ExpectedGradients(model.Info);
        for (int i = 0; i < twice.Length; i++) twice[i] *= 2;
        Assertions.AllClose(twice, model.Gradients, Tolerance, Tolerance, "two backward passes");
    }
}
