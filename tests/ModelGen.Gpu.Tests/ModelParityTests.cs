using System;
using ModelGen.Gpu.Tests.Models;
using static ModelGen.Gpu.Tests.ModelHarness;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// Every layer kind and option the GPU passes render: the same model instance's Forward and Backward on the CPU and on
/// the device (CPU accelerator) agree within 1e-4 relative — output, input gradient, every parameter gradient.
/// </summary>
[Collection(GpuModelsDefinition.Name)]
public sealed class ModelParityTests
{
    private static T Create<T>(int seed) where T : ISequentialModel, new()
    {
        var model = new T();
        Initializers.Initialize(model.Info, model.Parameters, seed);
        return model;
    }

    [Fact]
    public void Dense_tanh_softmax_per_step()
    {
        var model = Create<GpuDenseModel>(1);
        Compare(model, Random(2, 2 * 3 * 4), batch: 2, steps: 3);
        // The output layer's logits (before softmax) come from the device too.
        model.To(null);
        var output = new float[model.OutputLength(2, 3)];
        model.Forward(Random(2, 2 * 3 * 4), 2, 3, output);
        var cpuLogits = model.OutputLogits.ToArray();
        model.To(Device);
        model.Forward(Random(2, 2 * 3 * 4), 2, 3, output);
        AssertClose(cpuLogits, model.OutputLogits, "logits");
        model.To(null);
    }

    [Fact]
    public void Lstm_last_step_into_Dense()
    {
        var model = Create<GpuLstmModel>(3);
        Compare(model, Random(4, 3 * 4 * 3), batch: 3, steps: 4);
        model.To(null);
    }
}

/// <summary>The recurrent kinds, masks, Bidirectional, Embedding, states and dropout on the device.</summary>
[Collection(GpuModelsDefinition.Name)]
public sealed class ModelParityRecurrentTests
{
    private static T Create<T>(int seed) where T : ISequentialModel, new()
    {
        var model = new T();
        Initializers.Initialize(model.Info, model.Parameters, seed);
        return model;
    }

    /// <summary>Rows of zeros (Masking's padding value) at the end of sample 0 and in the middle of sample 1.</summary>
    private static float[] Padded(int seed, int batch, int steps, int features, params (int Sample, int Step)[] padding)
    {
        var x = Random(seed, batch * steps * features);
        foreach (var (b, t) in padding) x.AsSpan((b * steps + t) * features, features).Clear();
        return x;
    }

    [Fact]
    public void Gru_open_length_sequences() => Compare(Create<GpuGruModel>(5), Random(6, 2 * 3 * 3), batch: 2, steps: 3);

    [Fact]
    public void Gru_reset_before() => Compare(Create<GpuGruResetBeforeModel>(7), Random(8, 3 * 4 * 2), batch: 3, steps: 4);

    [Fact]
    public void SimpleRnn_tanh_relu_sigmoid_linear_stacked() => Compare(Create<GpuSimpleRnnModel>(9), Random(10, 2 * 3 * 2), batch: 2, steps: 3);

    [Fact]
    public void Embedding_mask_zero_into_Lstm()
    {
        var model = Create<GpuEmbeddingModel>(11);
        int[] tokens = { 3, 1, 6, 0, 0, 2, 0, 5, 4, 1 };
        Compare(model, tokens, batch: 2, steps: 5);
        // The output mask (batch-major) read back from the device matches the tokens.
        Assert.Equal(new byte[] { 1, 1, 1, 0, 0, 1, 0, 1, 1, 1 }, model.OutputMask.ToArray());
        // Token ids are checked on the host before they reach the device.
        var output = new float[model.OutputLength(2, 5)];
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(new[] { 3, 1, 7, 0, 0, 2, 0, 5, 4, 1 }, 2, 5, output));
    }

    [Fact]
    public void Masking_padding_at_the_end_and_in_the_middle()
        => Compare(Create<GpuMaskingModel>(12), Padded(13, 2, 5, 2, (0, 3), (0, 4), (1, 2)), batch: 2, steps: 5);

    [Fact]
    public void GoBackwards() => Compare(Create<GpuGoBackwardsModel>(14), Random(15, 2 * 4 * 2), batch: 2, steps: 4);

    [Fact]
    public void Bidirectional_concat_sum_mul_ave() => Compare(Create<GpuBidirectionalModel>(16), Random(17, 2 * 4 * 2), batch: 2, steps: 4);

    [Fact]
    public void Bidirectional_masked_sequence_and_last_step()
        => Compare(Create<GpuMaskedBidirectionalModel>(18), Padded(19, 2, 5, 2, (0, 4), (1, 1), (1, 2)), batch: 2, steps: 5);

    [Fact]
    public void Initial_and_final_states_and_their_gradients()
    {
        var model = Create<GpuStatesModel>(20);
        const int batch = 2, u = 3;
        model.SetLstmInitialState(Random(21, batch * u), Random(22, batch * u));
        model.SetGruInitialState(Random(23, batch * u));
        var dh = Random(24, batch * u);
        var dc = Random(25, batch * u);
        var dg = Random(26, batch * u);
        void Between()
        {
            dh.CopyTo(model.LstmFinalStateGradient);
            dc.CopyTo(model.LstmFinalCellStateGradient);
            dg.CopyTo(model.GruFinalStateGradient);
        }
        var x = Random(27, batch * 4 * 2);
        var dy = Random(99, model.OutputLength(batch, 4)); // as Compare draws it
        Run(model, x, batch, 4, dy, training: false, inputGradient: true, Between);
        var cpu = (H: model.LstmFinalState.ToArray(), C: model.LstmFinalCellState.ToArray(), G: model.GruFinalState.ToArray(),
            Dh0: model.LstmInitialStateGradient.ToArray(), Dc0: model.LstmInitialCellStateGradient.ToArray(), Dg0: model.GruInitialStateGradient.ToArray());
        Compare(model, x, batch, 4, between: Between);
        AssertClose(cpu.H, model.LstmFinalState, "final h");
        AssertClose(cpu.C, model.LstmFinalCellState, "final c");
        AssertClose(cpu.G, model.GruFinalState, "GRU final h");
        AssertClose(cpu.Dg0, model.GruInitialStateGradient, "GRU ∂h0");
        AssertClose(cpu.Dc0, model.LstmInitialCellStateGradient, "∂c0");
        AssertClose(cpu.Dh0, model.LstmInitialStateGradient, "∂h0");
        model.To(null);
    }

    [Fact]
    public void Stateful_carries_the_final_state_into_the_next_batch()
    {
        var model = Create<GpuStatefulModel>(29);
        const int batch = 2, steps = 3;
        var first = Random(30, batch * steps * 2);
        var second = Random(31, batch * steps * 2);
        var dy = Random(32, model.OutputLength(batch, steps));
        var output = new float[model.OutputLength(batch, steps)];
        model.ResetStates();
        model.Forward(first, batch, steps, output);
        var cpu = Run(model, second, batch, steps, dy, training: false, inputGradient: true);
        var cpuDh0 = model.LstmInitialStateGradient.ToArray();
        model.To(Device);
        model.ResetStates();
        model.Forward(first, batch, steps, output);
        Assert.True(model.HoldsInitialState);
        var gpu = Run(model, second, batch, steps, dy, training: false, inputGradient: true);
        AssertClose(cpu.Output, gpu.Output, "second batch's output");
        AssertClose(cpu.Gradients, gpu.Gradients, "∂parameters");
        AssertClose(cpu.InputGradient, gpu.InputGradient, "∂input");
        AssertClose(cpuDh0, model.LstmInitialStateGradient, "∂(carried h)");
        model.To(null);
    }

    [Fact]
    public void Dropout_recurrent_dropout_and_spatial_dropout_drop_the_same_values()
    {
        var model = Create<GpuDropoutModel>(33);
        var (cpu, _) = Compare(model, Random(34, 2 * 4 * 3), batch: 2, steps: 4, training: true, reseed: () => model.SeedDropout(35));
        // Dropout was active: the training output differs from inference.
        var inference = new float[cpu.Output.Length];
        model.Forward(Random(34, 2 * 4 * 3), 2, 4, inference);
        Assert.NotEqual(cpu.Output, inference);
        model.To(null);
    }
}
