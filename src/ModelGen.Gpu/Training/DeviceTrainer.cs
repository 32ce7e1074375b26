using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using ILGPU;
using ILGPU.Runtime;
using ModelGen.Gpu.Kernels;

namespace ModelGen.Gpu.Training;

/// <summary>
/// The device work behind <see cref="GpuEngine{TInput}"/> for one runner: its batch buffers, parameter layout and the
/// optimizer's device state (kept per runner, so every engine over the runner shares them). See the engine's remarks.
/// </summary>
/// <typeparam name="TInput"><c>float</c> or <c>int</c> (token ids).</typeparam>
internal sealed class DeviceTrainer<TInput> : IDisposable where TInput : unmanaged
{
    private readonly object _gate = new();
    private MemoryBuffer1D<TInput, Stride1D.Dense>? _x;
    private MemoryBuffer1D<float, Stride1D.Dense>? _y, _weights, _outputGradient, _rowLoss;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _status;
    private readonly float[] _hostStatus = new float[Status.Length];
    private ParameterLayout? _layout;
    private DeviceOptimizer? _optimizer;

    /// <summary>The training state of <paramref name="runner"/>.</summary>
    public DeviceTrainer(GpuRunner<TInput> runner)
    {
        Runner = runner;
        var accelerator = runner.Device.Accelerator;
        _status = accelerator.Allocate1D<float>(Status.Length);
    }

    /// <summary>The model's passes on the device.</summary>
    public GpuRunner<TInput> Runner { get; }

    private string DeviceName => Runner.Device.ToString();

    private GpuDevice Device => Runner.Device;

    private ModelInfo Info => Runner.Model.Info;

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public void PullParameters()
    {
        lock (_gate) Runner.PullParameters();
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public void PushParameters()
    {
        lock (_gate) Runner.PushParameters();
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public static void CheckTraining(Optimizer optimizer, Loss loss)
    {
        DeviceOptimizer.Check(optimizer);
        DeviceLoss.KindOf(loss);
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public float TrainBatch<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Optimizer optimizer, Loss loss, bool fromOutputLogits, out DeviceStepResult result) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        lock (_gate)
        {
            var kind = DeviceLoss.KindOf(loss);
            var layout = Layout();
            _optimizer = DeviceOptimizer.For(Device, optimizer, layout.Count, _optimizer);
            var update = _optimizer.Arguments(); // the learning rate and step size of this step, before anything is queued

            Forward(x, y, rowWeights, batch, steps, training: true);
            int outputs = Runner.Model.OutputLength(batch, steps);
            Ensure(ref _outputGradient, outputs);
            var dOut = _outputGradient!.View.SubView(0, outputs);
            Loss(kind, DeviceLoss.ParameterOf(loss), fromOutputLogits, y.Length, rowWeights.Length > 0, batch, steps, layout, dOut);
            var scale = Device.Kernel("gputrain.ScaleByInverseRows", static a =>
                a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(TrainingKernels.ScaleByInverseRows));
            scale(outputs, dOut, _status.View);

            Runner.ClearGradients();
            Runner.Backward(dOut, fromOutputLogits, default);

            var parameters = Runner.Parameters.View;
            var gradients = Runner.Gradients.View;
            var check = Device.Kernel("gputrain.CheckGradients", static a =>
                a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>>(TrainingKernels.CheckGradients));
            if (layout.Count > 0) check(layout.Count, parameters, gradients, layout.L1.View, layout.TwoL2.View, layout.Flags.View, _status.View);
            Clip(optimizer, layout, gradients);

            var step = Device.Kernel("gputrain.Update", static a =>
                a.LoadAutoGroupedStreamKernel<Index1D, UpdateArgs, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.Update));
            var placeholder = CellKernels.OrDummy<float>(Device, default); // for the slots the optimizer does not use
            if (layout.Count > 0)
                step(layout.Count, update, parameters, gradients, layout.Flags.View, _optimizer.Slot(0, placeholder), _optimizer.Slot(1, placeholder), _optimizer.Slot(2, placeholder), _status.View);

            ReadStatus(y, kind);
            result = _hostStatus[Status.LossNotFinite] != 0f ? DeviceStepResult.NonFiniteLoss
                : _hostStatus[Status.GradientNotFinite] != 0f ? DeviceStepResult.NonFiniteGradient
                : DeviceStepResult.Applied;
            if (result == DeviceStepResult.Applied) optimizer.CountStep();
            return _hostStatus[Status.Loss];
        }
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public float EvaluateBatch<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Loss loss, bool fromOutputLogits) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(loss);
        lock (_gate)
        {
            var kind = DeviceLoss.KindOf(loss);
            var layout = Layout();
            Forward(x, y, rowWeights, batch, steps, training: false);
            Loss(kind, DeviceLoss.ParameterOf(loss), fromOutputLogits, y.Length, rowWeights.Length > 0, batch, steps, layout, default);
            ReadStatus(y, kind);
            return _hostStatus[Status.Loss];
        }
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public void PredictBatch<T>(ReadOnlySpan<T> x, int batch, int steps, Span<float> output) where T : unmanaged
    {
        lock (_gate)
        {
            Forward(x, default, default, batch, steps, training: false);
            CopyOutput(output);
        }
    }

    /// <summary>See <see cref="IDeviceEngine"/>.</summary>
    public bool ReadOutput(Span<float> output, Span<byte> mask)
    {
        lock (_gate)
        {
            CopyOutput(output);
            var deviceMask = Runner.OutputMask;
            if (deviceMask.Length == 0) return false;
            if (mask.Length != deviceMask.Length)
                throw new ArgumentException($"the output mask has {deviceMask.Length} rows; {mask.Length} were asked for", nameof(mask));
            deviceMask.CopyToCPU(mask);
            return true;
        }
    }

    private void CopyOutput(Span<float> output)
    {
        var device = Runner.Output;
        if (device.Length < output.Length)
            throw new InvalidOperationException($"the device output holds {device.Length} floats; {output.Length} were asked for");
        device.SubView(0, output.Length).CopyToCPU(output);
    }

    // Uploads the batch (inputs; targets and row weights when given) and runs the forward pass.
    private void Forward<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps, bool training) where T : unmanaged
    {
        if (typeof(T) != typeof(TInput))
            throw new ArgumentException($"the model on {DeviceName} takes {typeof(TInput).Name} inputs; {typeof(T).Name} were given", nameof(x));
        var input = MemoryMarshal.Cast<T, TInput>(x);
        Runner.CheckInput(input, batch, steps);
        Ensure(ref _x, input.Length);
        ArrayView<TInput> xView = _x!.View.SubView(0, input.Length);
        xView.CopyFromCPU(input);
        if (!y.IsEmpty) Upload(ref _y, y);
        if (!rowWeights.IsEmpty) Upload(ref _weights, rowWeights);
        Runner.Forward(xView, batch, steps, training);
    }

    // Queues the loss of the last forward pass: per-row values (and gradients into dOut unless it is empty), the penalty, the mean.
    // `parameter` is the loss's one setting (DeviceLoss.ParameterOf: Huber's delta, a cross-entropy's label smoothing).
    private void Loss(LossKind kind, float parameter, bool fromOutputLogits, int targets, bool weighted, int batch, int steps, ParameterLayout layout, ArrayView<float> dOut)
    {
        int units = Info.OutputUnits;
        int outputs = Runner.Model.OutputLength(batch, steps);
        int rows = outputs / units;
        var input = fromOutputLogits ? Runner.OutputLogits : Runner.Output;
        if (input.Length < outputs)
            throw new InvalidOperationException(fromOutputLogits
                ? $"the device runner of '{Info.Name}' exposes {input.Length} output logits; the loss reads {outputs}"
                : $"the device runner of '{Info.Name}' exposes {input.Length} outputs; the loss reads {outputs}");
        var mask = Runner.OutputMask;
        bool masked = mask.Length > 0;
        if (masked && mask.Length != rows)
            throw new InvalidOperationException($"the device runner of '{Info.Name}' reported an output mask of {mask.Length} rows for {rows} output rows");

        _status.MemSetToZero();
        if (layout.HasRegularizer)
        {
            var penalty = Device.Kernel("gputrain.Penalty", static a =>
                a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>>(TrainingKernels.Penalty));
            penalty(new KernelConfig(1, TrainingKernels.GroupSize(Device.Accelerator)), Runner.Parameters.View, layout.L1.View, layout.L2.View, layout.Flags.View, _status.View);
        }
        Ensure(ref _rowLoss, 2L * rows);
        var rowLoss = _rowLoss!.View.SubView(0, 2L * rows);
        var perRow = Device.Kernel("gputrain.RowLoss", static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, LossArgs, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(TrainingKernels.RowLoss));
        bool withGradient = dOut.Length > 0;
        var args = new LossArgs((int)kind, units, rows, weighted ? 1 : 0, masked ? 1 : 0, withGradient ? 1 : 0, parameter);
        if (rows > 0)
            perRow(rows, args, input.SubView(0, outputs), _y!.View.SubView(0, targets), weighted ? _weights!.View : CellKernels.OrDummy<float>(Device, default),
                masked ? mask : CellKernels.OrDummy<byte>(Device, default), rowLoss, withGradient ? dOut : CellKernels.OrDummy<float>(Device, default), _status.View);
        var finish = Device.Kernel("gputrain.FinishLoss", static a =>
            a.LoadStreamKernel<ArrayView<float>, int, int, ArrayView<float>>(TrainingKernels.FinishLoss));
        finish(new KernelConfig(1, TrainingKernels.GroupSize(Device.Accelerator)), rowLoss, rows, layout.HasRegularizer ? 1 : 0, _status.View);
    }

    // Queues clipping as the optimizer is set (Optimizer.Clip): per-tensor norms, the global norm, or element values.
    private void Clip(Optimizer optimizer, ParameterLayout layout, ArrayView<float> gradients)
    {
        if (layout.Count == 0) return;
        int group = TrainingKernels.GroupSize(Device.Accelerator);
        if (optimizer.ClipNorm is float clipNorm && layout.TensorCount > 0)
            ClipByNorm(layout.Tensors.View, layout.TensorCount, gradients, layout.Norms.View, clipNorm, global: 0, group);
        else if (optimizer.GlobalClipNorm is float globalClipNorm)
            ClipByNorm(layout.Whole.View, 1, gradients, layout.Norms.View, globalClipNorm, global: 1, group);
        else if (optimizer.ClipValue is float clipValue)
        {
            var clip = Device.Kernel("gputrain.ClipValue", static a =>
                a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float>(TrainingKernels.ClipValue));
            clip(layout.Count, gradients, clipValue);
        }
    }

    private void ClipByNorm(ArrayView<int> segments, int count, ArrayView<float> gradients, ArrayView<float> norms, float clip, int global, int group)
    {
        var norm = Device.Kernel("gputrain.SegmentNorms", static a =>
            a.LoadStreamKernel<ArrayView<int>, ArrayView<float>, ArrayView<float>>(TrainingKernels.SegmentNorms));
        var scale = Device.Kernel("gputrain.SegmentClip", static a =>
            a.LoadStreamKernel<ArrayView<int>, ArrayView<float>, ArrayView<float>, float, int>(TrainingKernels.SegmentClip));
        norm(new KernelConfig(count, group), segments, gradients, norms);
        scale(new KernelConfig(count, group), segments, gradients, norms, clip, global);
    }

    // The one read of a batch: the loss and the flags. A bad sparse target throws (the step was not applied).
    private void ReadStatus(ReadOnlySpan<float> y, LossKind kind)
    {
        _status.View.CopyToCPU(_hostStatus);
        if (_hostStatus[Status.BadTarget] == 0f) return;
        int row = (int)_hostStatus[Status.BadTargetRow];
        float value = row < y.Length ? y[row] : float.NaN;
        throw new ArgumentOutOfRangeException(nameof(y), value, string.Create(CultureInfo.InvariantCulture,
            $"{DeviceLoss.Name(kind)}: row {row} of the batch has class index {value}, which is not a whole number in [0, {Info.OutputUnits}); the step was not applied"));
    }

    private ParameterLayout Layout()
    {
        var info = Info;
        if (_layout is null || !ReferenceEquals(_layout.Info, info))
        {
            _layout?.Dispose();
            _layout = new ParameterLayout(Device, info);
        }
        return _layout;
    }

    private void Upload(ref MemoryBuffer1D<float, Stride1D.Dense>? buffer, ReadOnlySpan<float> data)
    {
        Ensure(ref buffer, data.Length);
        ((ArrayView<float>)buffer!.View.SubView(0, data.Length)).CopyFromCPU(data);
    }

    private void Ensure<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        if (buffer is not null && buffer.Length >= length) return;
        buffer?.Dispose();
        buffer = Device.Accelerator.Allocate1D<T>(Math.Max(length, 1));
    }

    /// <summary>
    /// Per-parameter flags (trainable layer, regularized tensor), regularizer coefficients and the tensors' segments for
    /// clipping, built once per model layout from <see cref="ModelInfo"/> as the host optimizer and
    /// <c>Regularization</c> read it.
    /// </summary>
    private sealed class ParameterLayout : IDisposable
    {
        public ParameterLayout(GpuDevice device, ModelInfo info)
        {
            Info = info;
            int count = info.ParameterCount;
            var flags = new byte[count];
            float[] l1 = new float[count], l2 = new float[count], twoL2 = new float[count];
            var segments = new List<int>();
            foreach (var layer in info.Layers)
            {
                foreach (var p in layer.Parameters)
                {
                    segments.Add(p.Offset);
                    segments.Add(p.Length);
                    for (int i = p.Offset; i < p.Offset + p.Length; i++)
                    {
                        if (!layer.Trainable) continue;
                        flags[i] |= TrainingKernels.Trainable;
                        if (p.Regularizer is not { } r) continue;
                        flags[i] |= TrainingKernels.Regularized;
                        (l1[i], l2[i], twoL2[i]) = (r.L1, r.L2, 2f * r.L2);
                        HasRegularizer = true;
                    }
                }
            }
            Count = count;
            TensorCount = segments.Count / 2;
            var accelerator = device.Accelerator;
            Flags = accelerator.Allocate1D(flags.Length == 0 ? new byte[1] : flags);
            L1 = accelerator.Allocate1D(l1.Length == 0 ? new float[1] : l1);
            L2 = accelerator.Allocate1D(l2.Length == 0 ? new float[1] : l2);
            TwoL2 = accelerator.Allocate1D(twoL2.Length == 0 ? new float[1] : twoL2);
            Tensors = accelerator.Allocate1D(segments.Count == 0 ? new int[2] : segments.ToArray());
            Whole = accelerator.Allocate1D(new[] { 0, count });
            Norms = accelerator.Allocate1D<float>(Math.Max(TensorCount, 1));
        }

        public ModelInfo Info { get; }

        public int Count { get; }

        public int TensorCount { get; }

        public bool HasRegularizer { get; }

        public MemoryBuffer1D<byte, Stride1D.Dense> Flags { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> L1 { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> L2 { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> TwoL2 { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Tensors { get; }

        public MemoryBuffer1D<int, Stride1D.Dense> Whole { get; }

        public MemoryBuffer1D<float, Stride1D.Dense> Norms { get; }

        public void Dispose()
        {
            Flags.Dispose();
            L1.Dispose();
            L2.Dispose();
            TwoL2.Dispose();
            Tensors.Dispose();
            Whole.Dispose();
            Norms.Dispose();
        }
    }

    /// <summary>Frees the device buffers (the optimizer state is pulled to the host first when this device holds it).</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            _optimizer?.Detach();
            _optimizer?.Dispose();
            _optimizer = null;
            _layout?.Dispose();
            _layout = null;
            _x?.Dispose();
            _y?.Dispose();
            _weights?.Dispose();
            _outputGradient?.Dispose();
            _rowLoss?.Dispose();
            _status.Dispose();
        }
    }
}
