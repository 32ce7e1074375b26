using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu;

/// <summary>
/// A model's passes on a <see cref="GpuDevice"/>: the device copies of its parameters and gradients, its device
/// workspace, and Forward/Backward over device-resident batches. The generator derives one runner per model (when the
/// project references ModelGen.Gpu); the training loop (<c>Fit</c> on a device) drives it without host round trips.
/// Parameters and gradients keep the host layout (<see cref="ISequentialModel.Parameters"/>, Keras order), so copying
/// them between host and device is one block copy each way.
/// </summary>
/// <typeparam name="TInput"><c>float</c> for <c>[batch, steps, features]</c> inputs; <c>int</c> for token ids <c>[batch, steps]</c>.</typeparam>
public abstract class GpuRunner<TInput> : IDisposable where TInput : unmanaged
{
    private MemoryBuffer1D<TInput, Stride1D.Dense>? _input;
    private MemoryBuffer1D<float, Stride1D.Dense>? _outputGradient;
    private MemoryBuffer1D<float, Stride1D.Dense>? _inputGradient;
    private bool _disposed;

    /// <summary>Allocates the device copies of <paramref name="model"/>'s parameters and gradients and copies the parameters over.</summary>
    /// <param name="device">The device to run on.</param>
    /// <param name="model">The host model whose layout and parameters this runner mirrors.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="device"/> was disposed.</exception>
    /// <exception cref="InvalidOperationException">A <c>Fit</c> is training the model: it moves before or after.</exception>
    protected GpuRunner(GpuDevice device, ISequentialModel<TInput> model)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(model);
        if (device.IsDisposed) throw new ObjectDisposedException(nameof(GpuDevice), "the GpuDevice was disposed: create a new one to run the model on");
        Workers.ThrowIfTraining(model, "Moving to a device (To)");
        Device = device;
        Model = model;
        Parameters = device.Accelerator.Allocate1D<float>(model.Parameters.Length);
        Gradients = device.Accelerator.Allocate1D<float>(model.Parameters.Length);
        PushParameters();
        ClearGradients();
        if (model is IGpuModel<TInput> hosted) device.Attach(new Resident(hosted));
    }

    // How the device sees the model (held weakly: the device does not keep models alive).
    private sealed class Resident(IGpuModel<TInput> model) : GpuDevice.IResident
    {
        private readonly WeakReference<IGpuModel<TInput>> _model = new(model);

        public ISequentialModel? ModelOn(GpuDevice device) => _model.TryGetTarget(out var m) && ReferenceEquals(m.Device, device) ? m : null;

        public void Leave(GpuDevice device) => (ModelOn(device) as IGpuModel<TInput>)?.To(null);
    }

    /// <summary>The device the passes run on.</summary>
    public GpuDevice Device { get; }

    /// <summary>The host model this runner mirrors.</summary>
    public ISequentialModel<TInput> Model { get; }

    /// <summary>The parameters on the device, laid out as <see cref="ISequentialModel.Parameters"/>.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Parameters { get; }

    /// <summary>The gradients on the device, laid out as <see cref="Parameters"/>; <see cref="Backward(ArrayView{float}, bool, ArrayView{float})"/> adds to them.</summary>
    public MemoryBuffer1D<float, Stride1D.Dense> Gradients { get; }

    /// <summary>Samples in the last forward pass.</summary>
    public int Batch { get; protected set; }

    /// <summary>Steps per sample of the last forward pass's input.</summary>
    public int Steps { get; protected set; }

    /// <summary>
    /// The output of the last forward pass on the device, batch-major: <c>[batch, units]</c>, or <c>[batch, steps, units]</c>
    /// for a sequence output (<see cref="ISequentialModel.OutputLength"/> floats).
    /// </summary>
    public abstract ArrayView<float> Output { get; }

    /// <summary>
    /// The output layer's values before its activation in the last forward pass, batch-major and shaped like
    /// <see cref="Output"/>, when the output layer is a Dense (see <see cref="ILogitOutput"/>); empty otherwise.
    /// </summary>
    public virtual ArrayView<float> OutputLogits => default;

    /// <summary>
    /// The mask over output rows of the last forward pass, batch-major <c>[batch, steps]</c> (1 real, 0 padding), for a
    /// masked sequence output; empty otherwise (see <see cref="ISequentialModel.OutputMask"/>).
    /// </summary>
    public virtual ArrayView<byte> OutputMask => default;

    /// <summary>Runs the model on a batch already on the device.</summary>
    /// <param name="input">Batch-major input: <c>[batch, steps, features]</c> floats or <c>[batch, steps]</c> token ids.</param>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="training">Dropout applied and the activations Backward needs kept (Keras <c>training=True</c>).</param>
    public abstract void Forward(ArrayView<TInput> input, int batch, int steps, bool training);

    /// <summary>
    /// Checks a batch on the host before it goes to the device, for what the device kernels cannot report (a token id
    /// outside the vocabulary, which a gather would read as a row of zeros). Every upload path calls it: the host-span
    /// <c>Forward</c> and the training engine. The generated runner of a model that takes token ids overrides it.
    /// </summary>
    /// <param name="input">The batch, batch-major, on the host.</param>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <exception cref="ArgumentOutOfRangeException">A token id is outside the vocabulary (the message names the sample and step).</exception>
    public virtual void CheckInput(ReadOnlySpan<TInput> input, int batch, int steps)
    {
    }

    /// <summary>Back-propagation through time for the last forward pass; adds every parameter's gradient to <see cref="Gradients"/>.</summary>
    /// <param name="outputGradient">∂loss/∂output (or ∂loss/∂logits when <paramref name="fromLogits"/>), shaped like <see cref="Output"/>.</param>
    /// <param name="fromLogits">Start from ∂loss/∂logits: the output activation's slope is not applied (see <see cref="ILogitOutput.BackwardFromLogits"/>).</param>
    /// <param name="inputGradient">Empty, or a view shaped like the last input (float inputs) receiving ∂loss/∂input.</param>
    public abstract void Backward(ArrayView<float> outputGradient, bool fromLogits, ArrayView<float> inputGradient);

    /// <summary>Copies the host model's <see cref="ISequentialModel.Parameters"/> to the device (after they were written on the host).</summary>
    public void PushParameters() => Parameters.View.CopyFromCPU(Model.Parameters);

    /// <summary>Copies the device's parameters into the host model's <see cref="ISequentialModel.Parameters"/> (waits for queued work).</summary>
    public void PullParameters() => Parameters.View.CopyToCPU(Model.Parameters);

    /// <summary>Copies the device's gradients into the host model's <see cref="ISequentialModel.Gradients"/> (waits for queued work).</summary>
    public void PullGradients() => Gradients.View.CopyToCPU(Model.Gradients);

    /// <summary>Sets every device gradient to zero.</summary>
    public void ClearGradients() => Gradients.MemSetToZero();

    /// <summary>
    /// <see cref="Forward(ArrayView{TInput}, int, int, bool)"/> from and to host memory: uploads the batch, runs, and
    /// downloads the output (the path of <see cref="ISequentialModel{TInput}.Forward"/> on a device).
    /// </summary>
    /// <param name="input">Batch-major input on the host.</param>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="output">Receives the output, batch-major.</param>
    /// <param name="training">Training mode.</param>
    public void Forward(ReadOnlySpan<TInput> input, int batch, int steps, Span<float> output, bool training)
    {
        CheckInput(input, batch, steps);
        var view = Upload(ref _input, input);
        Forward(view, batch, steps, training);
        Output.SubView(0, output.Length).CopyToCPU(output);
    }

    /// <summary>
    /// <see cref="Backward(ArrayView{float}, bool, ArrayView{float})"/> from and to host memory, with the host model's
    /// accumulate-into-<see cref="ISequentialModel.Gradients"/> semantics: the host gradients go to the device, the pass
    /// adds to them, and they come back.
    /// </summary>
    /// <param name="outputGradient">∂loss/∂output (or ∂loss/∂logits), on the host.</param>
    /// <param name="fromLogits">Start from ∂loss/∂logits.</param>
    /// <param name="inputGradient">Empty, or receives ∂loss/∂input on the host.</param>
    public void Backward(ReadOnlySpan<float> outputGradient, bool fromLogits, Span<float> inputGradient)
    {
        Gradients.View.CopyFromCPU(Model.Gradients);
        var dOut = Upload(ref _outputGradient, outputGradient);
        ArrayView<float> dIn = default;
        if (!inputGradient.IsEmpty)
        {
            Ensure(ref _inputGradient, inputGradient.Length);
            dIn = _inputGradient!.View.SubView(0, inputGradient.Length);
        }
        Backward(dOut, fromLogits, dIn);
        PullGradients();
        if (!inputGradient.IsEmpty) dIn.CopyToCPU(inputGradient);
    }

    /// <summary>Grows <paramref name="buffer"/> to at least <paramref name="length"/> elements (never shrinks; contents are not kept).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="buffer">The buffer, null before the first call.</param>
    /// <param name="length">The elements needed.</param>
    protected void Ensure<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        if (buffer is not null && buffer.Length >= length) return;
        buffer?.Dispose();
        buffer = Device.Accelerator.Allocate1D<T>(Math.Max(length, 1));
    }

    private ArrayView<T> Upload<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, ReadOnlySpan<T> data) where T : unmanaged
    {
        Ensure(ref buffer, data.Length);
        ArrayView<T> view = buffer!.View.SubView(0, data.Length);
        view.CopyFromCPU(data);
        return view;
    }

    /// <summary>Frees the device buffers this runner allocated (the derived class frees its workspace in <see cref="Dispose(bool)"/>).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Frees device memory; override to free the workspace, then call the base.</summary>
    /// <param name="disposing">True when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed) return;
        _disposed = true;
        if (!disposing) return;
        _input?.Dispose();
        _outputGradient?.Dispose();
        _inputGradient?.Dispose();
        Parameters.Dispose();
        Gradients.Dispose();
    }
}
