using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Kernels;

// Step masks on the device: one byte per time-major row, 1 real, 0 padding (the CPU runtime's StepMask).
public static partial class PassKernels
{
    /// <summary>Embedding(mask_zero): the time-major step mask from batch-major token ids, token 0 being padding (<c>StepMask.FromTokens</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="tokens">Token ids, batch-major <c>[batch, steps]</c>.</param>
    /// <param name="mask">Receives the mask, time-major <c>[steps, batch]</c>.</param>
    public static void MaskFromTokens(GpuDevice device, int batch, int steps, ArrayView<int> tokens, ArrayView<byte> mask)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (batch * steps == 0) return;
        device.Kernel((typeof(PassKernels), nameof(MaskFromTokens)), a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<int>, ArrayView<byte>>(MaskFromTokensKernel))
            (device.Accelerator.DefaultStream, batch * steps, new Shape(batch, steps, 1, 0, 0f), tokens, mask);
    }

    private static void MaskFromTokensKernel(Index1D i, Shape s, ArrayView<int> tokens, ArrayView<byte> mask)
    {
        int b = i % s.Batch, t = i / s.Batch;
        mask[i] = tokens[b * s.Steps + t] != 0 ? (byte)1 : (byte)0;
    }

    /// <summary>A time-major step mask turned batch-major (<c>StepMask.ToBatchMajor</c>), for losses and metrics.</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="mask">Time-major mask <c>[steps, batch]</c>.</param>
    /// <param name="batchMajor">Receives it <c>[batch, steps]</c>.</param>
    public static void MaskToBatchMajor(GpuDevice device, int batch, int steps, ArrayView<byte> mask, ArrayView<byte> batchMajor)
        => LaunchBytes(device, nameof(MaskToBatchMajor), MaskToBatchMajorKernel, batch * steps, new Shape(batch, steps, 1, 0, 0f), mask, batchMajor);

    private static void MaskToBatchMajorKernel(Index1D i, Shape s, ArrayView<byte> mask, ArrayView<byte> batchMajor)
    {
        int t = i % s.Steps, b = i / s.Steps;
        batchMajor[i] = mask[t * s.Batch + b];
    }

    /// <summary>A time-major step mask with the steps in reverse order (<c>SequenceOps.ReverseTime</c> of bytes).</summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="mask">Time-major mask.</param>
    /// <param name="reversed">Receives it last step first.</param>
    public static void ReverseTime(GpuDevice device, int batch, int steps, ArrayView<byte> mask, ArrayView<byte> reversed)
        => LaunchBytes(device, nameof(ReverseTime) + "Mask", ReverseMaskKernel, batch * steps, new Shape(batch, steps, 1, 0, 0f), mask, reversed);

    private static void ReverseMaskKernel(Index1D i, Shape s, ArrayView<byte> mask, ArrayView<byte> reversed)
        => reversed[i] = mask[(s.Steps - 1 - i / s.Batch) * s.Batch + i % s.Batch];

    private static void LaunchBytes(GpuDevice device, string key, System.Action<Index1D, Shape, ArrayView<byte>, ArrayView<byte>> kernel, int n, Shape shape,
        ArrayView<byte> a, ArrayView<byte> b)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (n <= 0) return;
        device.Kernel((typeof(PassKernels), key), kernel, static (acc, k) => acc.LoadAutoGroupedKernel(k))(device.Accelerator.DefaultStream, n, shape, a, b);
    }

    /// <summary>
    /// Keras <c>Masking(mask_value)</c> (<c>StepMask.Masking</c>): a row whose every value equals <paramref name="value"/> is
    /// padding; its mask byte is 0 and its output zeros; other rows are copied.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Time-major rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="value">The padding value.</param>
    /// <param name="x">Input rows.</param>
    /// <param name="mask">Receives the mask, one byte per row.</param>
    /// <param name="y">Receives the masked rows.</param>
    public static void Masking(GpuDevice device, int rows, int width, float value, ArrayView<float> x, ArrayView<byte> mask, ArrayView<float> y)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (rows == 0) return;
        device.Kernel((typeof(PassKernels), nameof(Masking)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<float>, ArrayView<byte>, ArrayView<float>>(MaskingKernel))
            (device.Accelerator.DefaultStream, rows, new Shape(rows, 1, width, 0, value), x, mask, y);
    }

    private static void MaskingKernel(Index1D r, Shape s, ArrayView<float> x, ArrayView<byte> mask, ArrayView<float> y)
    {
        bool real = false;
        for (int j = 0; j < s.Width; j++)
            if (x[r * s.Width + j] != s.Value) real = true;
        mask[r] = real ? (byte)1 : (byte)0;
        for (int j = 0; j < s.Width; j++) y[r * s.Width + j] = real ? x[r * s.Width + j] : 0f;
    }

    /// <summary>Masking's backward (<c>StepMask.CopyUnmasked</c>): real rows copied, padding rows zero; nothing when the target is empty.</summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Time-major rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="mask">The step mask.</param>
    /// <param name="source">∂output rows.</param>
    /// <param name="target">Receives ∂input rows.</param>
    public static void CopyUnmasked(GpuDevice device, int rows, int width, ArrayView<byte> mask, ArrayView<float> source, ArrayView<float> target)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (rows == 0 || target.Length == 0) return;
        device.Kernel((typeof(PassKernels), nameof(CopyUnmasked)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(CopyUnmaskedKernel))
            (device.Accelerator.DefaultStream, rows * width, new Shape(rows, 1, width, 0, 0f), mask, source, target);
    }

    private static void CopyUnmaskedKernel(Index1D i, Shape s, ArrayView<byte> mask, ArrayView<float> source, ArrayView<float> target)
        => target[i] = mask[i / s.Width] != 0 ? source[i] : 0f;

    /// <summary>Copies token ids (the batch the passes keep for Backward).</summary>
    /// <param name="device">The device.</param>
    /// <param name="source">Token ids.</param>
    /// <param name="target">Receives them (at least as long).</param>
    public static void Copy(GpuDevice device, ArrayView<int> source, ArrayView<int> target)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (source.Length == 0) return;
        device.Kernel((typeof(PassKernels), "CopyInts"), a => a.LoadAutoGroupedKernel<Index1D, ArrayView<int>, ArrayView<int>>(CopyIntsKernel))
            (device.Accelerator.DefaultStream, (int)source.Length, source, target);
    }

    private static void CopyIntsKernel(Index1D i, ArrayView<int> source, ArrayView<int> target) => target[i] = source[i];
}
