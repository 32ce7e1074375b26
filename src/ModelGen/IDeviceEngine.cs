namespace ModelGen;

/// <summary>
/// A model that can run its passes on another device (the ModelGen.Gpu package): the runtime's <c>Fit</c>,
/// <c>Evaluate</c> and <c>Predict</c> ask it for its <see cref="DeviceEngine"/> and, when there is one, hand it whole
/// batches instead of running the host passes. Generated models implement it when the project references ModelGen.Gpu.
/// </summary>
public interface IDeviceHosted
{
    /// <summary>The engine of the device the model runs on; null while it runs on the CPU.</summary>
    IDeviceEngine? DeviceEngine { get; }
}

/// <summary>
/// What the runtime needs of a device a model runs on (implemented by ModelGen.Gpu's <c>GpuEngine</c>): the host copy
/// of the parameters kept in step with the device's.
/// </summary>
public interface IDeviceEngine
{
    /// <summary>The device in words, e.g. <c>CUDA: NVIDIA H200</c>.</summary>
    string DeviceName { get; }

    /// <summary>Copies the device's parameters into <see cref="ISequentialModel.Parameters"/>: before anything on the host reads them (saving, callbacks).</summary>
    void PullParameters();

    /// <summary>Copies <see cref="ISequentialModel.Parameters"/> to the device: after anything on the host wrote them (loading, setting weights).</summary>
    void PushParameters();
}
