using System;

namespace ModelGen.Gpu;

/// <summary>
/// The runtime's view of a model on a <see cref="GpuDevice"/> (<see cref="IDeviceEngine"/>): Fit, Evaluate and Predict
/// hand it whole batches; it keeps the host parameters in step with the device's.
/// </summary>
/// <typeparam name="TInput"><c>float</c> or <c>int</c> (token ids).</typeparam>
public sealed class GpuEngine<TInput> : IDeviceEngine where TInput : unmanaged
{
    /// <summary>Wraps <paramref name="runner"/>.</summary>
    /// <param name="runner">The model's passes on the device.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runner"/> is null.</exception>
    public GpuEngine(GpuRunner<TInput> runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        Runner = runner;
    }

    /// <summary>The model's passes on the device.</summary>
    public GpuRunner<TInput> Runner { get; }

    /// <inheritdoc/>
    public string DeviceName => Runner.Device.ToString();

    /// <inheritdoc/>
    public void PullParameters() => Runner.PullParameters();

    /// <inheritdoc/>
    public void PushParameters() => Runner.PushParameters();
}
