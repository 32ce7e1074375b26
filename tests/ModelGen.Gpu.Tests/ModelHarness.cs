using System;

namespace ModelGen.Gpu.Tests;

/// <summary>The GPU model tests share one small CPU-accelerator device (kernels compile once) and run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GpuModelsDefinition
{
    public const string Name = "GPU models";
}

/// <summary>
/// Runs the same model instance on the CPU and, moved with <c>To(device)</c>, on the device, and compares the two: the
/// output, the input gradient and every parameter gradient within 1e-4·(1 + |cpu|).
/// </summary>
internal static class ModelHarness
{
    private static readonly Lazy<GpuDevice> s_device = new(() => GpuDevice.CpuAccelerator(4, 4, 2));

    /// <summary>The shared device: 4 threads per warp, 4 warps per group, 2 multiprocessors.</summary>
    public static GpuDevice Device => s_device.Value;

    public static float[] Random(int seed, int n, float scale = 1f)
    {
        var random = new Random(seed);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (random.NextSingle() * 2 - 1) * scale;
        return x;
    }

    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values on the device, {expected.Length} on the CPU");
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-4f * (1 + Math.Abs(expected[i])),
                $"{what}[{i}] is {actual[i]} on the device, {expected[i]} on the CPU");
    }

    /// <summary>One forward and backward pass's results on the host.</summary>
    public sealed record Pass(float[] Output, float[] InputGradient, float[] Gradients);

    /// <summary>Forward, then Backward of <paramref name="outputGradient"/>, from cleared gradients; <paramref name="between"/> runs between them.</summary>
    public static Pass Run<TInput>(ISequentialModel<TInput> model, TInput[] input, int batch, int steps, float[] outputGradient, bool training,
        bool inputGradient, Action? between = null) where TInput : unmanaged
    {
        var output = new float[model.OutputLength(batch, steps)];
        model.Forward(input, batch, steps, output, training);
        between?.Invoke();
        Array.Clear(model.Gradients);
        var dx = inputGradient ? new float[input.Length] : Array.Empty<float>();
        model.Backward(outputGradient, dx);
        return new Pass(output, dx, (float[])model.Gradients.Clone());
    }

    /// <summary>
    /// The model on the CPU, then on the device (same parameters; <paramref name="reseed"/> resets its dropout generator
    /// before each pass), compared; the model is left on the device.
    /// </summary>
    public static (Pass Cpu, Pass Gpu) Compare<TInput>(IGpuModel<TInput> model, TInput[] input, int batch, int steps, bool training = false,
        Action? reseed = null, Action? between = null) where TInput : unmanaged
    {
        var dy = Random(99, model.OutputLength(batch, steps));
        bool floats = typeof(TInput) == typeof(float);
        reseed?.Invoke();
        var cpu = Run(model, input, batch, steps, dy, training, floats, between);
        model.To(Device);
        Assert.Same(Device, model.Device);
        reseed?.Invoke();
        var gpu = Run(model, input, batch, steps, dy, training, floats, between);
        Assert.Equal(batch, model.Runner!.Batch); // the pass ran on the device
        AssertClose(cpu.Output, gpu.Output, "output");
        AssertClose(cpu.InputGradient, gpu.InputGradient, "∂input");
        AssertClose(cpu.Gradients, gpu.Gradients, "∂parameters");
        return (cpu, gpu);
    }
}
