using System;
using System.IO;
using ModelGen.Gpu;
using ModelGen.Tests;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// <c>parity</c>: small LSTM, GRU, SimpleRNN and Bidirectional models (the PyTorch fixtures' weights and inputs) run
/// on the chosen device and compared, outputs and every gradient (parameters and input), with
/// (1) the CPU path of the same instance, (2) the committed PyTorch float64 reference (tests/ModelGen.Tests/Fixtures),
/// (3) PyTorch float32 on CUDA (cuDNN) when torch_gpu_parity.py wrote <c>torchgpu_*.json</c>. Tolerance: torch.allclose
/// with rtol 1e-4, atol 1e-5. Loss: Σ output ⊙ R, so ∂loss/∂output = R (the fixtures' <c>output_weights</c>).
/// </summary>
internal static class Parity
{
    private const double RTol = 1e-4, ATol = 1e-5;

    private static readonly (string Fixture, Func<ISequentialModel<float>> Create)[] Cases =
    [
        ("lstm_i3_h5_t7_b4", () => new PLstmI3H5()),
        ("lstm_i2_h9_t5_b3_l2", () => new PLstmI2H9L2()),
        ("lstm_i3_h17_t8_b5_head3", () => new PLstmI3H17Head3()),
        ("gru_i3_h5_t7_b4", () => new PGruI3H5()),
        ("gru_i4_h10_t6_b3_head2", () => new PGruI4H10Head2()),
        ("rnn_tanh_i3_h5_t7_b4", () => new PRnnTanhI3H5()),
        ("rnn_relu_i3_h8_t6_b2_head1", () => new PRnnReluI3H8Head1()),
        ("lstm_i3_h5_t6_b3_bi", () => new PBiLstmI3H5()),
        ("gru_i4_h7_t5_b2_bi", () => new PBiGruI4H7()),
        ("lstm_i3_h7_t6_b3_head2_bi", () => new PBiLstmI3H7Head2()),
    ];

    /// <summary>The passes' results: output, parameter gradients, input gradient.</summary>
    private sealed record Result(float[] Output, float[] Gradients, float[] InputGradient);

    public static void Run(GpuDevice device, Checks checks, string? torchGpuDir)
    {
        torchGpuDir ??= Path.Combine(AppContext.BaseDirectory, "Fixtures");
        int compared = 0;
        foreach (var (name, create) in Cases)
        {
            var fixture = TorchFixture.Load(name);
            var model = create();
            if (model is not IGpuModel<float> gpu)
            {
                Checks.Skip(name, $"{model.GetType().Name} has no GPU backend (IGpuModel<float> not generated: the GPU model generator has not landed)");
                continue;
            }
            fixture.LoadInto(model.Info, model.Parameters);
            compared++;
            var cpu = Passes(model, fixture, null);
            Result device_;
            try
            {
                device_ = Passes(model, fixture, gpu, device);
            }
            catch (Exception e) when (e is NotSupportedException or InvalidOperationException or ArgumentException)
            {
                checks.Fail(name, $"on {device}: {e.GetType().Name}: {e.Message}");
                continue;
            }
            Compare(checks, $"{name} device vs CPU path", cpu, device_);
            Compare(checks, $"{name} device vs PyTorch float64", new Result(fixture.Output, fixture.ExpectedGradients(model.Info), fixture.InputGradient), device_);

            string torchGpu = Path.Combine(torchGpuDir, "torchgpu_" + name + ".json");
            if (File.Exists(torchGpu))
            {
                var t = TorchFixture.Load(Path.GetRelativePath(Path.Combine(AppContext.BaseDirectory, "Fixtures"), torchGpu[..^".json".Length]));
                Compare(checks, $"{name} device vs PyTorch float32 ({TorchDevice(torchGpu)})", new Result(t.Output, t.ExpectedGradients(model.Info), t.InputGradient), device_);
            }
            else
            {
                Checks.Skip($"{name} device vs PyTorch on CUDA", $"no {torchGpu} (torch_gpu_parity.py writes it)");
            }
        }
        checks.That(compared > 0, "parity", $"{compared} of {Cases.Length} models compared on {device}");
    }

    /// <summary>Forward (training) and backward on the CPU (<paramref name="gpu"/> null) or on <paramref name="device"/>.</summary>
    private static Result Passes(ISequentialModel<float> model, TorchFixture fixture, IGpuModel<float>? gpu, GpuDevice? device = null)
    {
        int b = fixture.Batch, t = fixture.Steps;
        var output = new float[model.OutputLength(b, t)];
        var inputGradient = new float[fixture.Input.Length];
        Array.Clear(model.Gradients);
        if (gpu is null)
        {
            model.Forward(fixture.Input, b, t, output, training: true);
            model.Backward(fixture.OutputWeights, inputGradient);
            return new Result(output, (float[])model.Gradients.Clone(), inputGradient);
        }
        gpu.To(device);
        try
        {
            var runner = gpu.Runner ?? throw new InvalidOperationException("To(device) left Runner null");
            runner.Forward(fixture.Input, b, t, output, training: true);
            runner.Backward(fixture.OutputWeights, fromLogits: false, inputGradient);
            return new Result(output, (float[])model.Gradients.Clone(), inputGradient);
        }
        finally
        {
            gpu.To(null);
        }
    }

    private static void Compare(Checks checks, string name, Result expected, Result actual)
    {
        var o = Checks.AllClose(expected.Output, actual.Output, RTol, ATol);
        var g = Checks.AllClose(expected.Gradients, actual.Gradients, RTol, ATol);
        var x = Checks.AllClose(expected.InputGradient, actual.InputGradient, RTol, ATol);
        checks.That(o.Ok && g.Ok && x.Ok, name,
            $"worst |diff|/(atol+rtol|ref|): output {Checks.G(o.Worst)}, parameter gradients {Checks.G(g.Worst)} (index {g.At}), input gradient {Checks.G(x.Worst)}; ≤ 1 passes (rtol {RTol}, atol {ATol})");
    }

    private static string TorchDevice(string path)
    {
        string text = File.ReadAllText(path);
        int i = text.IndexOf("\"torch_device\":\"", StringComparison.Ordinal);
        return i < 0 ? "?" : text[(i + 16)..text.IndexOf('"', i + 16)];
    }
}
