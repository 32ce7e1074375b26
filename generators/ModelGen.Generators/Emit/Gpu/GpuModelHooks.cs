namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The lines the CPU model-class emitters add when the model also has GPU passes (<see cref="GpuModelEmitter"/>): while a
/// device is set, Forward and Backward run there after their argument checks, and the members that read the last pass
/// (OutputMask, OutputLogits, final states and their gradients) read the device's copies. Without the GPU backend
/// nothing is added, so CPU-only output is unchanged.
/// </summary>
internal static class GpuModelHooks
{
    /// <summary>Forward on the device, after the argument checks.</summary>
    public static void Forward(CodeWriter w)
    {
        using (w.Block("if (_gpu is not null)"))
        {
            w.Line("GpuForward(input, batchSize, timeSteps, output, training);");
            w.Line("return;");
        }
    }

    /// <summary>Backward on the device, after the argument checks.</summary>
    public static void Backward(CodeWriter w, bool fromLogits)
    {
        using (w.Block("if (_gpu is not null)"))
        {
            w.Line($"GpuBackward(outputGradient, inputGradient, {(fromLogits ? "fromLogits" : "false")});");
            w.Line("return;");
        }
    }

    /// <summary><paramref name="cpu"/>, or the device's <paramref name="member"/> of the passes while a device is set.</summary>
    public static string Read(bool gpu, string cpu, string member) => gpu ? $"(_gpu is not null ? _gpu.{member} : {cpu})" : cpu;
}
