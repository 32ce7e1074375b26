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

/// <summary>
/// The hold a generated model's <c>To</c> takes while it moves (not for code of your own): a <c>Predict</c> or
/// <c>Evaluate</c> that another thread runs on the model's device makes the move throw instead of freeing the buffers
/// that call uses, and no such call starts on the device until the move is done (it then runs where the model went).
/// </summary>
[System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
public readonly struct DeviceMove : System.IDisposable
{
    private readonly Workers.DeviceGate _gate;

    private DeviceMove(Workers.DeviceGate gate) => _gate = gate;

    /// <summary>Takes the hold of <paramref name="model"/> for a move on this thread; dispose it when the move is done.</summary>
    /// <param name="model">The model that moves.</param>
    /// <returns>The hold.</returns>
    /// <exception cref="System.InvalidOperationException">A <c>Predict</c> or <c>Evaluate</c> runs on the model's device on
    /// another thread, or <c>Fit</c> trains the model: it moves when they have returned.</exception>
    public static DeviceMove Begin(ISequentialModel model)
    {
        System.ArgumentNullException.ThrowIfNull(model);
        return new(Workers.BeginMove(model, "Moving to or off a device (To)"));
    }

    /// <summary>Releases the hold.</summary>
    public void Dispose()
    {
        if (_gate is not null) Workers.EndMove(_gate);
    }
}
