using System;
using System.Collections.Generic;
using ModelGen.Tests.Parity;

namespace ModelGen.Tests;

/// <summary>
/// Outputs and gradients match PyTorch (float64 reference) with rtol = atol = 1e-5, as torch.allclose counts
/// them. PyTorch weights are loaded into the generated models after converting layouts: PyTorch keeps
/// transposed matrices, two biases, and GRU gates in r, z, n order.
/// </summary>
public sealed class TorchParityTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<string> Cases => new()
    {
        "rnn_tanh_i3_h5_t7_b4", "rnn_relu_i4_h6_t5_b3", "rnn_tanh_i2_h9_t5_b3_l2", "rnn_relu_i3_h8_t6_b2_head1",
        "lstm_i3_h5_t7_b4", "lstm_i1_h13_t9_b2", "lstm_i8_h24_t4_b3", "lstm_i2_h9_t5_b3_l2", "lstm_i3_h17_t8_b5_head3",
        "gru_i3_h5_t7_b4", "gru_i7_h11_t6_b3", "gru_i5_h7_t4_b2_l2", "gru_i4_h10_t6_b3_head2",
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
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Outputs_and_gradients_match_pytorch(string name)
    {
        var fixture = TorchFixture.Load(name);
        var model = Models[name]();
        Assert.Equal(fixture.Layers + (fixture.HeadUnits > 0 ? 1 : 0), model.Info.Layers.Count);
        fixture.LoadInto(model.Info, model.Parameters);

        var output = new float[model.OutputLength(fixture.Batch, fixture.Steps)];
        model.Forward(fixture.Input, fixture.Batch, fixture.Steps, output);
        Assertions.AllClose(fixture.Output, output, Tolerance, Tolerance, $"{name} output");

        if (fixture.HeadUnits == 0)
        {
            // h_n of the last layer is its output at the last step.
            int b = fixture.Batch, t = fixture.Steps, h = fixture.Hidden;
            var last = new float[b * h];
            for (int i = 0; i < b; i++) output.AsSpan((i * t + t - 1) * h, h).CopyTo(last.AsSpan(i * h, h));
            Assertions.AllClose(fixture.FinalHidden.AsSpan((fixture.Layers - 1) * b * h, b * h), last, Tolerance, Tolerance, $"{name} h_n");
        }

        // loss = Σ output ⊙ R, so ∂loss/∂output = R.
        var inputGradient = new float[fixture.Input.Length];
        Array.Clear(model.Gradients);
        model.Backward(fixture.OutputWeights, inputGradient);
        Assertions.AllClose(fixture.ExpectedGradients(model.Info), model.Gradients, Tolerance, Tolerance, $"{name} parameter gradients");
        Assertions.AllClose(fixture.InputGradient, inputGradient, Tolerance, Tolerance, $"{name} input gradient");
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
