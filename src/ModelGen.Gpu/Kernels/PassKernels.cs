using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Kernels;

/// <summary>
/// The element-wise steps of a generated model's passes on a <see cref="GpuDevice"/>, between the cells: layout changes
/// (batch-major ↔ time-major, time reversal), step masks (from token ids, Keras <c>Masking</c>), dropout multiplies,
/// Bidirectional merge and split, Embedding gather and scatter-add, and the copies, sums and clears the passes need.
/// Each is the device twin of the CPU runtime's <c>ModelGen.Kernels</c> routine of the same name, with the same layouts
/// (time-major <c>[steps·batch, width]</c> rows, row <c>t·batch + b</c>) and the same accumulate-or-overwrite rule.
/// Every method queues one kernel on the device's default stream (nothing waits) and does nothing for an empty range.
/// Generated code calls them; they are public for that reason.
/// </summary>
public static partial class PassKernels
{
    /// <summary>The view of <paramref name="length"/> elements of <paramref name="buffer"/> from <paramref name="offset"/>.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="buffer">A device buffer (allocated: the generated workspace sizes it before any pass reads it).</param>
    /// <param name="offset">First element.</param>
    /// <param name="length">Elements.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    public static ArrayView<T> Part<T>(MemoryBuffer1D<T, Stride1D.Dense>? buffer, long offset, long length) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return buffer.View.SubView(offset, length);
    }

    /// <summary>The whole of <paramref name="buffer"/> as a view.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="buffer">A device buffer.</param>
    /// <returns>The view.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="buffer"/> is null.</exception>
    public static ArrayView<T> All<T>(MemoryBuffer1D<T, Stride1D.Dense>? buffer) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return buffer.View;
    }

    /// <summary>Frees <paramref name="buffer"/> (if any) and sets it to null.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="buffer">The buffer.</param>
    public static void Free<T>(ref MemoryBuffer1D<T, Stride1D.Dense>? buffer) where T : unmanaged
    {
        buffer?.Dispose();
        buffer = null;
    }

    /// <summary>(Re)allocates <paramref name="buffer"/> with <paramref name="length"/> elements (at least one), freeing the old one.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="device">The device.</param>
    /// <param name="buffer">The buffer.</param>
    /// <param name="length">Elements.</param>
    public static void Allocate<T>(GpuDevice device, ref MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(device);
        buffer?.Dispose();
        buffer = null;
        buffer = device.Accelerator.Allocate1D<T>(Math.Max(length, 1));
    }

    /// <summary>Copies host values into a device view of the same length (waits for the copy).</summary>
    /// <param name="source">Host values.</param>
    /// <param name="target">The device view.</param>
    public static void Upload(ReadOnlySpan<float> source, ArrayView<float> target)
    {
        if (source.IsEmpty) return;
        target.SubView(0, source.Length).CopyFromCPU(source);
    }

    /// <summary>Copies a device view into host memory of the same length (waits for queued work).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The device view.</param>
    /// <param name="target">Host memory.</param>
    public static void Download<T>(ArrayView<T> source, Span<T> target) where T : unmanaged
    {
        if (target.IsEmpty) return;
        source.SubView(0, target.Length).CopyToCPU(target);
    }

    /// <summary>The shape of one element-wise launch, passed by value.</summary>
    internal readonly record struct Shape(int Batch, int Steps, int Width, int Flag, float Value);

    private static Action<AcceleratorStream, Index1D, Shape, ArrayView<float>, ArrayView<float>> FloatPair(GpuDevice device, string key,
        Action<Index1D, Shape, ArrayView<float>, ArrayView<float>> kernel)
        => device.Kernel((typeof(PassKernels), key), kernel, static (a, k) => a.LoadAutoGroupedKernel(k));

    private static Action<AcceleratorStream, Index1D, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> FloatTriple(GpuDevice device, string key,
        Action<Index1D, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> kernel)
        => device.Kernel((typeof(PassKernels), key), kernel, static (a, k) => a.LoadAutoGroupedKernel(k));

    private static void Launch(GpuDevice device, string key, Action<Index1D, Shape, ArrayView<float>, ArrayView<float>> kernel, long n, Shape shape,
        ArrayView<float> a, ArrayView<float> b)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (n <= 0) return;
        FloatPair(device, key, kernel)(device.Accelerator.DefaultStream, (int)n, shape, a, b);
    }

    private static void Launch(GpuDevice device, string key, Action<Index1D, Shape, ArrayView<float>, ArrayView<float>, ArrayView<float>> kernel, long n,
        Shape shape, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (n <= 0) return;
        FloatTriple(device, key, kernel)(device.Accelerator.DefaultStream, (int)n, shape, a, b, c);
    }

    /// <summary>Batch-major <c>[batch, steps, width]</c> → time-major <c>[steps, batch, width]</c> (<c>MatrixOps.BatchToTimeMajor</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="source">Batch-major values.</param>
    /// <param name="target">Receives them time-major.</param>
    public static void BatchToTimeMajor(GpuDevice device, int batch, int steps, int width, ArrayView<float> source, ArrayView<float> target)
        => Launch(device, nameof(BatchToTimeMajor), BatchToTimeMajorKernel, (long)batch * steps * width, new Shape(batch, steps, width, 0, 0f), source, target);

    private static void BatchToTimeMajorKernel(Index1D i, Shape s, ArrayView<float> source, ArrayView<float> target)
    {
        int j = i % s.Width, row = i / s.Width, b = row % s.Batch, t = row / s.Batch;
        target[i] = source[(b * s.Steps + t) * s.Width + j];
    }

    /// <summary>Time-major <c>[steps, batch, width]</c> → batch-major <c>[batch, steps, width]</c> (<c>MatrixOps.TimeToBatchMajor</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="source">Time-major values.</param>
    /// <param name="target">Receives them batch-major.</param>
    public static void TimeToBatchMajor(GpuDevice device, int batch, int steps, int width, ArrayView<float> source, ArrayView<float> target)
        => Launch(device, nameof(TimeToBatchMajor), TimeToBatchMajorKernel, (long)batch * steps * width, new Shape(batch, steps, width, 0, 0f), source, target);

    private static void TimeToBatchMajorKernel(Index1D i, Shape s, ArrayView<float> source, ArrayView<float> target)
    {
        int j = i % s.Width, row = i / s.Width, t = row % s.Steps, b = row / s.Steps;
        target[i] = source[(t * s.Batch + b) * s.Width + j];
    }

    /// <summary>Copies <paramref name="source"/> into <paramref name="target"/> (as long as the source).</summary>
    /// <param name="device">The device.</param>
    /// <param name="source">Values.</param>
    /// <param name="target">Receives them.</param>
    public static void Copy(GpuDevice device, ArrayView<float> source, ArrayView<float> target)
        => Launch(device, nameof(Copy), CopyKernel, source.Length, default, source, target);

    private static void CopyKernel(Index1D i, Shape s, ArrayView<float> source, ArrayView<float> target) => target[i] = source[i];

    /// <summary>Sets every value of <paramref name="target"/> to zero.</summary>
    /// <param name="device">The device.</param>
    /// <param name="target">The values.</param>
    public static void Clear(GpuDevice device, ArrayView<float> target)
        => Launch(device, nameof(Clear), ClearKernel, target.Length, default, target, target);

    private static void ClearKernel(Index1D i, Shape s, ArrayView<float> target, ArrayView<float> unused) => target[i] = 0f;

    /// <summary><c>target = a ⊙ b</c> over <paramref name="length"/> values (a dropout mask applied).</summary>
    /// <param name="device">The device.</param>
    /// <param name="length">Values.</param>
    /// <param name="a">First factor.</param>
    /// <param name="b">Second factor.</param>
    /// <param name="target">Receives the product (may be <paramref name="a"/>).</param>
    public static void Multiply(GpuDevice device, long length, ArrayView<float> a, ArrayView<float> b, ArrayView<float> target)
        => Launch(device, nameof(Multiply), MultiplyKernel, length, default, a, b, target);

    private static void MultiplyKernel(Index1D i, Shape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> target) => target[i] = a[i] * b[i];

    /// <summary><c>target = a + b</c> over <paramref name="length"/> values.</summary>
    /// <param name="device">The device.</param>
    /// <param name="length">Values.</param>
    /// <param name="a">First term.</param>
    /// <param name="b">Second term.</param>
    /// <param name="target">Receives the sum (may be <paramref name="a"/>).</param>
    public static void Add(GpuDevice device, long length, ArrayView<float> a, ArrayView<float> b, ArrayView<float> target)
        => Launch(device, nameof(Add), AddKernel, length, default, a, b, target);

    private static void AddKernel(Index1D i, Shape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> target) => target[i] = a[i] + b[i];

    /// <summary>
    /// Each sample's mask <c>[batch, width]</c> applied at every step of time-major <paramref name="x"/>
    /// (<c>SequenceOps.MultiplyPerSequence</c>: input dropout, SpatialDropout1D).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="x">Time-major values.</param>
    /// <param name="mask">The per-sample mask, <c>[batch, width]</c>.</param>
    /// <param name="target">Receives the product, time-major.</param>
    public static void MultiplyPerSequence(GpuDevice device, int batch, int steps, int width, ArrayView<float> x, ArrayView<float> mask, ArrayView<float> target)
        => Launch(device, nameof(MultiplyPerSequence), MultiplyPerSequenceKernel, (long)batch * steps * width, new Shape(batch, steps, width, 0, 0f), x, mask, target);

    private static void MultiplyPerSequenceKernel(Index1D i, Shape s, ArrayView<float> x, ArrayView<float> mask, ArrayView<float> target)
        => target[i] = x[i] * mask[i % (s.Batch * s.Width)];

    /// <summary>Time-major values with the steps in reverse order (<c>SequenceOps.ReverseTime</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="source">Time-major values.</param>
    /// <param name="target">Receives them last step first.</param>
    public static void ReverseTime(GpuDevice device, int batch, int steps, int width, ArrayView<float> source, ArrayView<float> target)
        => Launch(device, nameof(ReverseTime), ReverseTimeKernel, (long)batch * steps * width, new Shape(batch, steps, width, 0, 0f), source, target);

    private static void ReverseTimeKernel(Index1D i, Shape s, ArrayView<float> source, ArrayView<float> target)
    {
        int block = s.Batch * s.Width, t = i / block;
        target[i] = source[(s.Steps - 1 - t) * block + i % block];
    }

    /// <summary>
    /// A recurrent direction's input gradient into the layer's (<c>SequenceOps.AccumulateInputGradient</c>): read in
    /// reverse step order for a reversed direction, through its input-dropout mask when one is given, written or added.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="width">Input features.</param>
    /// <param name="part">The direction's ∂input, time-major in its own step order.</param>
    /// <param name="reversed">The direction ran the sequence last step first.</param>
    /// <param name="dropoutMask">Its input-dropout mask <c>[batch, width]</c>, or empty.</param>
    /// <param name="target">The layer's ∂input, time-major; nothing happens when it is empty.</param>
    /// <param name="add">Add to <paramref name="target"/> (the second direction) instead of overwriting it.</param>
    public static void AccumulateInputGradient(GpuDevice device, int batch, int steps, int width, ArrayView<float> part, bool reversed,
        ArrayView<float> dropoutMask, ArrayView<float> target, bool add)
    {
        if (target.Length == 0) return;
        int flags = (reversed ? 1 : 0) | (dropoutMask.Length > 0 ? 2 : 0) | (add ? 4 : 0);
        Launch(device, nameof(AccumulateInputGradient), AccumulateKernel, (long)batch * steps * width, new Shape(batch, steps, width, flags, 0f),
            part, dropoutMask.Length > 0 ? dropoutMask : part, target);
    }

    private static void AccumulateKernel(Index1D i, Shape s, ArrayView<float> part, ArrayView<float> mask, ArrayView<float> target)
    {
        int block = s.Batch * s.Width, t = i / block, within = i % block;
        float v = part[((s.Flag & 1) != 0 ? s.Steps - 1 - t : t) * block + within];
        if ((s.Flag & 2) != 0) v *= mask[within];
        target[i] = (s.Flag & 4) != 0 ? target[i] + v : v;
    }
}
