namespace ModelGen.Gpu;

/// <summary>
/// A generated model that can move to a <see cref="GpuDevice"/>: generated for every model of a project that references
/// ModelGen.Gpu. PyTorch's <c>model.to(device)</c>. Disposing the model frees its device memory, as <c>To(null)</c>
/// does (the device's parameters come back to the host first, so the model goes on working on the CPU).
/// </summary>
/// <typeparam name="TInput"><c>float</c> for <c>[batch, steps, features]</c> inputs; <c>int</c> for token ids <c>[batch, steps]</c>.</typeparam>
public interface IGpuModel<TInput> : ISequentialModel<TInput>, IDeviceHosted, System.IDisposable where TInput : unmanaged
{
    /// <summary>The device the model runs on; null while it runs on the CPU.</summary>
    GpuDevice? Device { get; }

    /// <summary>The model's passes on <see cref="Device"/>; null while it runs on the CPU.</summary>
    GpuRunner<TInput>? Runner { get; }

    /// <summary>
    /// Moves the model to <paramref name="device"/>: its parameters are copied there and every later pass runs there.
    /// <c>null</c> moves it back to the CPU: the parameters are copied back and the device memory is freed.
    /// </summary>
    /// <param name="device">The device, or null for the CPU.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "PyTorch's name (model.to(device)); To is a keyword only in Visual Basic.")]
    void To(GpuDevice? device);
}
