using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace ModelGen.Gpu;

/// <summary>
/// Where a model runs on the GPU backend: one ILGPU context and accelerator (a CUDA device, or ILGPU's CPU accelerator,
/// which runs the same kernels on OS threads). The counterpart of PyTorch's <c>torch.device("cuda:0")</c>. Kernels are
/// compiled once per device and kept (<see cref="Kernel{TKey, TDelegate}(TKey, Func{Accelerator, TDelegate})"/>); disposing the device frees the accelerator and
/// everything allocated on it. Models still on it are moved back to the CPU first (<c>To(null)</c>: their parameters and
/// optimizer state come back), so a device disposed before its models loses nothing; dispose the models first all
/// the same, as with any owner of device memory.
/// </summary>
public sealed class GpuDevice : IDisposable
{
    private readonly Context _context;
    private bool _disposed;
    // The models moved here (each holds its model weakly): Dispose brings those still here back to the CPU first.
    private readonly List<IResident> _residents = [];

    /// <summary>A model that moved to a device, as the device sees it.</summary>
    internal interface IResident
    {
        /// <summary>The model, if it is alive and still on <paramref name="device"/>; null otherwise.</summary>
        ISequentialModel? ModelOn(GpuDevice device);

        /// <summary>Moves the model back to the CPU if it is still on <paramref name="device"/>.</summary>
        void Leave(GpuDevice device);
    }

    /// <summary>Records a model that moved to this device (its runner's constructor calls it).</summary>
    internal void Attach(IResident resident)
    {
        lock (_residents)
        {
            _residents.RemoveAll(r => r.ModelOn(this) is null); // gone, or moved on since
            _residents.Add(resident);
        }
    }

    private GpuDevice(Context context, Accelerator accelerator)
    {
        _context = context;
        Accelerator = accelerator;
    }

    /// <summary>True once <see cref="Dispose"/> has run: nothing can run on the device any more.</summary>
    public bool IsDisposed => _disposed;

    /// <summary>The ILGPU accelerator every buffer and kernel of this device lives on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>True for a CUDA device, false for ILGPU's CPU accelerator.</summary>
    public bool IsCuda => Accelerator.AcceleratorType == AcceleratorType.Cuda;

    /// <summary>The device's name as ILGPU reports it (e.g. <c>NVIDIA H200</c>, <c>CPUAccelerator</c>).</summary>
    public string Name => Accelerator.Name;

    /// <summary>Threads per warp: 32 on NVIDIA GPUs, as configured on the CPU accelerator. Kernels never assume 32.</summary>
    public int WarpSize => Accelerator.WarpSize;

    /// <summary>The largest group (thread block) the device runs.</summary>
    public int MaxGroupSize => Accelerator.MaxNumThreadsPerGroup;

    /// <summary>Multiprocessors (SMs); on the CPU accelerator, the simulated ones, each running one group at a time.</summary>
    public int Multiprocessors => Accelerator.NumMultiprocessors;

    /// <summary>Shared memory per group in bytes without the driver opt-in (48 KB on NVIDIA GPUs).</summary>
    public int SharedMemoryPerGroup => Accelerator.MaxSharedMemoryPerGroup;

    /// <summary>
    /// The first CUDA device when one is present, else ILGPU's CPU accelerator (see <see cref="CpuAccelerator"/> for its
    /// default configuration).
    /// </summary>
    /// <returns>A new device; the caller disposes it.</returns>
    public static GpuDevice Default()
    {
        var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        if (context.GetCudaDevices().Count > 0)
            return new GpuDevice(context, context.GetCudaDevice(0).CreateCudaAccelerator(context));
        context.Dispose();
        return CpuAccelerator();
    }

    /// <summary>The CUDA device numbered <paramref name="index"/> (as <c>cuda:index</c> in PyTorch).</summary>
    /// <param name="index">The device's index among the CUDA devices, from 0.</param>
    /// <returns>A new device; the caller disposes it.</returns>
    /// <exception cref="InvalidOperationException">There is no CUDA device with that index (the message gives how many there are).</exception>
    public static GpuDevice Cuda(int index = 0)
    {
        var context = Context.Create(builder => builder.Cuda().EnableAlgorithms());
        int count = context.GetCudaDevices().Count;
        if (index < 0 || index >= count)
        {
            context.Dispose();
            throw new InvalidOperationException($"CUDA device {index} was asked for; this machine has {count} CUDA device(s)");
        }
        return new GpuDevice(context, context.GetCudaDevice(index).CreateCudaAccelerator(context));
    }

    /// <summary>
    /// ILGPU's CPU accelerator: the GPU kernels run on OS threads, one per simulated GPU thread, for tests and machines
    /// without a GPU. Correct (barriers, shared memory, atomics) but slow; keep shapes small.
    /// </summary>
    /// <param name="threadsPerWarp">Simulated threads per warp (at least 2; a power of two).</param>
    /// <param name="warpsPerGroup">Warps per multiprocessor: the largest group is <c>threadsPerWarp·warpsPerGroup</c> threads.</param>
    /// <param name="multiprocessors">Simulated multiprocessors; each runs one group at a time.</param>
    /// <returns>A new device; the caller disposes it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A count is below its minimum.</exception>
    public static GpuDevice CpuAccelerator(int threadsPerWarp = 4, int warpsPerGroup = 8, int multiprocessors = 2)
    {
        if (threadsPerWarp < 2 || (threadsPerWarp & (threadsPerWarp - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(threadsPerWarp), threadsPerWarp, "threads per warp must be a power of two, at least 2");
        ArgumentOutOfRangeException.ThrowIfLessThan(warpsPerGroup, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(multiprocessors, 1);
        var cpu = new CPUDevice(threadsPerWarp, warpsPerGroup, multiprocessors);
        var context = Context.Create(builder => builder.CPU(cpu).EnableAlgorithms());
        return new GpuDevice(context, context.GetCPUDevice(0).CreateCPUAccelerator(context, CPUAcceleratorMode.Parallel));
    }

    /// <summary>
    /// A kernel of this device, compiled on first use and kept for the device's lifetime (ILGPU compiles IL → PTX and
    /// the driver JITs it once; loading per call would pay that every time). Called at every launch: a cached kernel
    /// is found without allocating (the key is not boxed; keep <paramref name="load"/> a static lambda, or use the
    /// overload with a state).
    /// </summary>
    /// <typeparam name="TKey">The key's type, e.g. <c>(Type, string)</c> naming the kernel.</typeparam>
    /// <typeparam name="TDelegate">The launcher's delegate type (<c>Action&lt;AcceleratorStream, …&gt;</c>).</typeparam>
    /// <param name="key">Identifies the kernel among those of its key and delegate types.</param>
    /// <param name="load">Loads it: <c>static a =&gt; a.LoadAutoGroupedKernel&lt;…&gt;(Method)</c>.</param>
    /// <returns>The launcher.</returns>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public TDelegate Kernel<TKey, TDelegate>(TKey key, Func<Accelerator, TDelegate> load) where TKey : notnull where TDelegate : Delegate
        => Kernel(key, load, static (accelerator, load) => load(accelerator));

    /// <summary>As <see cref="Kernel{TKey, TDelegate}(TKey, Func{Accelerator, TDelegate})"/>, the loader taking a state (the kernel method), so that it need not capture it.</summary>
    /// <typeparam name="TKey">The key's type.</typeparam>
    /// <typeparam name="TState">The loader's state.</typeparam>
    /// <typeparam name="TDelegate">The launcher's delegate type.</typeparam>
    /// <param name="key">Identifies the kernel among those of its key and delegate types.</param>
    /// <param name="state">Passed to <paramref name="load"/> on first use.</param>
    /// <param name="load">Loads it: <c>static (a, method) =&gt; a.LoadAutoGroupedKernel(method)</c>.</param>
    /// <returns>The launcher.</returns>
    /// <exception cref="ObjectDisposedException">The device was disposed.</exception>
    public TDelegate Kernel<TKey, TState, TDelegate>(TKey key, TState state, Func<Accelerator, TState, TDelegate> load)
        where TKey : notnull where TDelegate : Delegate
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var kernels = Kernels<TKey, TDelegate>.Of.GetValue(this, static _ => new ConcurrentDictionary<TKey, TDelegate>());
        if (kernels.TryGetValue(key, out var kernel)) return kernel;
        return kernels.GetOrAdd(key, static (_, s) => s.load(s.accelerator, s.state), (load, state, accelerator: Accelerator));
    }

    // One cache per key and delegate type, per device (dropped with the device).
    private static class Kernels<TKey, TDelegate> where TKey : notnull where TDelegate : Delegate
    {
        public static readonly ConditionalWeakTable<GpuDevice, ConcurrentDictionary<TKey, TDelegate>> Of = new();
    }

    /// <summary>Waits until every kernel and copy issued on the device has finished.</summary>
    public void Synchronize() => Accelerator.Synchronize();

    /// <summary>The device in words, e.g. <c>CUDA: NVIDIA H200</c> or <c>ILGPU CPU accelerator (4×8 threads, 2 MPs)</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => IsCuda
        ? $"CUDA: {Name}"
        : $"ILGPU CPU accelerator ({WarpSize}×{MaxGroupSize / WarpSize} threads, {Multiprocessors} MPs)";

    /// <summary>
    /// Frees the accelerator, its kernels and every buffer allocated on it, after moving the models still on it back to
    /// the CPU (<c>To(null)</c>: parameters and optimizer state come back, and the models go on working there).
    /// </summary>
    /// <exception cref="InvalidOperationException">A <c>Fit</c> is training a model on the device, or a <c>Predict</c> or
    /// <c>Evaluate</c> runs on it on another thread: nothing is disposed then (dispose it after those calls). While it
    /// disposes, such calls wait, then run on the CPU.</exception>
    /// <exception cref="AggregateException">Moving a model back failed; the device is disposed all the same.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        IResident[] residents;
        lock (_residents) residents = [.. _residents];
        // Every model still here is held (no Predict or Evaluate starts on the device) from before anything moves until
        // the accelerator is gone; a model being trained, or run on another thread, refuses, and nothing is disposed.
        var held = new List<Workers.DeviceGate>();
        List<Exception>? failures = null;
        try
        {
            foreach (var r in residents)
                if (r.ModelOn(this) is { } model) held.Add(Workers.BeginMove(model, "Disposing its GpuDevice"));
            foreach (var r in residents)
            {
                try
                {
                    r.Leave(this);
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    (failures ??= []).Add(e);
                }
            }
            _disposed = true;
            lock (_residents) _residents.Clear();
            Accelerator.Dispose();
            _context.Dispose();
        }
        finally
        {
            foreach (var gate in held) Workers.EndMove(gate);
        }
        if (failures is not null)
            throw new AggregateException("GpuDevice.Dispose: moving a model still on the device back to the CPU failed; the device was disposed", failures);
    }
}
