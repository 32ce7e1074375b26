using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Training;

/// <summary>
/// An <see cref="Optimizer"/>'s state buffers on a device and the scalars of its update (the learning rate and Adam's
/// bias-corrected step size computed on the host each step, as the host optimizer computes them). While attached the
/// device holds the current state: reading it on the host (<see cref="Optimizer.GetState"/>, weight files) pulls it,
/// restoring a state or a host step detaches it.
/// </summary>
internal sealed class DeviceOptimizer : IDeviceOptimizerState, IDisposable
{
    /// <summary>The optimizers with a device update, as the error message names them.</summary>
    public const string Supported = "Sgd (momentum, nesterov), Adam, AdamW (AMSGrad) and RmsProp (momentum, centered)";

    private readonly GpuDevice _device;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _slots;
    private readonly int _count;

    private DeviceOptimizer(GpuDevice device, Optimizer optimizer, int count)
    {
        _device = device;
        Optimizer = optimizer;
        _count = count;
        _slots = new MemoryBuffer1D<float, Stride1D.Dense>[optimizer.SlotCount];
        for (int i = 0; i < _slots.Length; i++) _slots[i] = device.Accelerator.Allocate1D<float>(Math.Max(count, 1));
    }

    /// <summary>The host optimizer.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Throws when <paramref name="optimizer"/> has no device update.</summary>
    /// <exception cref="NotSupportedException">Not SGD, Adam, AdamW or RMSprop; the message names it and the supported ones.</exception>
    public static void Check(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer is not (Sgd or Adam or AdamW or RmsProp))
            throw new NotSupportedException($"{optimizer.GetType().Name} ('{optimizer.Name}') has no update on a GPU device; the device trains with {Supported}. Compile with one of them, or move the model to the CPU (model.To(null)) to train with {optimizer.GetType().Name}");
    }

    /// <summary>
    /// The device state of <paramref name="optimizer"/> for <paramref name="count"/> parameters: <paramref name="current"/>
    /// when it is that optimizer's, else a new one; uploaded from the host state unless the device already holds the current one.
    /// </summary>
    public static DeviceOptimizer For(GpuDevice device, Optimizer optimizer, int count, DeviceOptimizer? current)
    {
        Check(optimizer);
        var state = current is not null && ReferenceEquals(current.Optimizer, optimizer) && current._count == count ? current : null;
        if (state is null)
        {
            current?.Detach();
            current?.Dispose();
            state = new DeviceOptimizer(device, optimizer, count);
        }
        if (!ReferenceEquals(optimizer.DeviceState, state))
        {
            optimizer.DeviceState?.PullState(); // another device (or runner) held the current state: the host copy first
            var host = optimizer.HostSlots(count); // throws for an optimizer sized for another model: nothing changed yet
            for (int i = 0; i < state._slots.Length; i++) ((ArrayView<float>)state._slots[i].View.SubView(0, count)).CopyFromCPU(host[i]);
            optimizer.DeviceState = state;
        }
        return state;
    }

    /// <summary>Slot <paramref name="index"/> on the device, or a placeholder view when the optimizer has fewer slots.</summary>
    public ArrayView<float> Slot(int index, ArrayView<float> placeholder) => index < _slots.Length ? _slots[index].View : placeholder;

    /// <summary>The update's settings for the step about to be taken (learning rate from the schedule at the current iteration).</summary>
    public UpdateArgs Arguments()
    {
        float lr = Optimizer.LearningRate;
        switch (Optimizer)
        {
            case Sgd sgd:
                return new UpdateArgs(TrainingKernels.SgdKind, lr, sgd.Momentum, 0f, 0f, 0f, 0f, sgd.Nesterov ? 1 : 0);
            case Adam adam:
                return new UpdateArgs(TrainingKernels.AdamKind, lr, Alpha(lr, adam.Beta1, adam.Beta2), 0f, 1f - adam.Beta1, 1f - adam.Beta2, adam.Epsilon, 0);
            case AdamW w:
                return new UpdateArgs(TrainingKernels.AdamKind, lr, Alpha(lr, w.Beta1, w.Beta2), w.WeightDecay * lr, 1f - w.Beta1, 1f - w.Beta2, w.Epsilon, w.AmsGrad ? 1 : 0);
            case RmsProp rms:
                return new UpdateArgs(TrainingKernels.RmsPropKind, lr, rms.Rho, 1f - rms.Rho, rms.Momentum, 0f, rms.Epsilon,
                    (rms.Momentum > 0f ? 1 : 0) | (rms.Centered ? 2 : 0));
            default:
                Check(Optimizer);
                throw new InvalidOperationException("unreachable");
        }
    }

    // Adam's and AdamW's bias-corrected step size, exactly as their host Update computes it.
    private float Alpha(float learningRate, float beta1, float beta2)
    {
        double t = Optimizer.Iterations + 1;
        return (float)(learningRate * Math.Sqrt(1.0 - Math.Pow(beta2, t)) / (1.0 - Math.Pow(beta1, t)));
    }

    /// <inheritdoc/>
    public void PullState()
    {
        var host = Optimizer.HostSlots(_count);
        for (int i = 0; i < _slots.Length; i++) ((ArrayView<float>)_slots[i].View.SubView(0, _count)).CopyToCPU(host[i]);
    }

    /// <summary>Copies the state back to the host and detaches, when this device holds the optimizer's current state.</summary>
    public void Detach()
    {
        if (!ReferenceEquals(Optimizer.DeviceState, this)) return;
        PullState();
        Optimizer.DeviceState = null;
    }

    /// <summary>Frees the device buffers.</summary>
    public void Dispose()
    {
        foreach (var s in _slots) s.Dispose();
    }
}
