using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Kernels;

// Bidirectional merge and split, Embedding gather and scatter-add on the device (the CPU runtime's Bidirectional and Embedding).
public static partial class PassKernels
{
    /// <summary>Merged values per unit pair: forward f, backward r (Keras <c>merge_mode</c>; <see cref="ModelGen.Kernels.MergeMode"/> as an int).</summary>
    private static float Merged(int mode, float f, float r) => mode switch
    {
        1 => f + r,
        2 => f * r,
        _ => (f + r) * 0.5f,
    };

    /// <summary>
    /// Bidirectional with <c>return_sequences</c> (<c>Bidirectional.MergeSequence</c>): step t of the output merges the forward
    /// direction's step t with the backward direction's step steps−1−t (it ran reversed); masked rows are zeros.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="mode">Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="units">Units per direction.</param>
    /// <param name="forward">The forward direction's h, time-major <c>[steps, batch, units]</c>.</param>
    /// <param name="backward">The backward direction's h in its own (reversed) step order.</param>
    /// <param name="mask">The step mask, or empty.</param>
    /// <param name="output">Receives the merged rows, <c>[steps, batch, 2·units]</c> for concat, else <c>[steps, batch, units]</c>.</param>
    public static void MergeSequence(GpuDevice device, ModelGen.Kernels.MergeMode mode, int batch, int steps, int units, ArrayView<float> forward,
        ArrayView<float> backward, ArrayView<byte> mask, ArrayView<float> output)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        int width = mode == ModelGen.Kernels.MergeMode.Concat ? 2 * units : units;
        if (batch * steps == 0) return;
        var shape = new Shape(batch, steps, units, (int)mode | (mask.Length > 0 ? 8 : 0), 0f);
        device.Kernel((typeof(PassKernels), nameof(MergeSequence)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>>(MergeSequenceKernel))
            (device.Accelerator.DefaultStream, batch * steps * width, shape, forward, backward, mask.Length > 0 ? mask : default, output);
    }

    private static void MergeSequenceKernel(Index1D i, Shape s, ArrayView<float> forward, ArrayView<float> backward, ArrayView<byte> mask, ArrayView<float> output)
    {
        int mode = s.Flag & 7, u = s.Width, width = mode == 0 ? 2 * u : u;
        int row = i / width, j = i % width, b = row % s.Batch, t = row / s.Batch;
        if ((s.Flag & 8) != 0 && mask[row] == 0)
        {
            output[i] = 0f;
            return;
        }
        int reversedRow = (s.Steps - 1 - t) * s.Batch + b;
        if (mode == 0) output[i] = j < u ? forward[row * u + j] : backward[reversedRow * u + j - u];
        else output[i] = Merged(mode, forward[row * u + j], backward[reversedRow * u + j]);
    }

    /// <summary>Bidirectional returning the last step only (<c>Bidirectional.MergeLast</c>): each direction's final h merged.</summary>
    /// <param name="device">The device.</param>
    /// <param name="mode">Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="units">Units per direction.</param>
    /// <param name="forward">The forward direction's final h <c>[batch, units]</c>.</param>
    /// <param name="backward">The backward direction's final h.</param>
    /// <param name="output">Receives the merged rows.</param>
    public static void MergeLast(GpuDevice device, ModelGen.Kernels.MergeMode mode, int batch, int units, ArrayView<float> forward, ArrayView<float> backward,
        ArrayView<float> output)
        => MergeSequence(device, mode, batch, 1, units, forward, backward, default, output);

    /// <summary>
    /// The backward of <see cref="MergeSequence"/> (<c>Bidirectional.SplitSequence</c>): ∂merged into each direction's ∂h, the
    /// backward direction's in its own step order; masked rows give zeros.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="mode">Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="units">Units per direction.</param>
    /// <param name="forward">The forward direction's h (read by mul).</param>
    /// <param name="backward">The backward direction's h (read by mul).</param>
    /// <param name="mask">The step mask, or empty.</param>
    /// <param name="dOutput">∂merged, time-major.</param>
    /// <param name="dForward">Receives the forward direction's ∂h.</param>
    /// <param name="dBackward">Receives the backward direction's ∂h.</param>
    public static void SplitSequence(GpuDevice device, ModelGen.Kernels.MergeMode mode, int batch, int steps, int units, ArrayView<float> forward,
        ArrayView<float> backward, ArrayView<byte> mask, ArrayView<float> dOutput, ArrayView<float> dForward, ArrayView<float> dBackward)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (batch * steps == 0) return;
        var shape = new Shape(batch, steps, units, (int)mode | (mask.Length > 0 ? 8 : 0), 0f);
        device.Kernel((typeof(PassKernels), nameof(SplitSequence)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<float>, ArrayView<float>, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(SplitKernel))
            (device.Accelerator.DefaultStream, batch * steps * units, shape, forward, backward, mask.Length > 0 ? mask : default, dOutput, dForward, dBackward);
    }

    private static void SplitKernel(Index1D i, Shape s, ArrayView<float> forward, ArrayView<float> backward, ArrayView<byte> mask, ArrayView<float> dOutput,
        ArrayView<float> dForward, ArrayView<float> dBackward)
    {
        int mode = s.Flag & 7, u = s.Width, width = mode == 0 ? 2 * u : u;
        int row = i / u, j = i % u, b = row % s.Batch, t = row / s.Batch;
        int f = row * u + j, r = ((s.Steps - 1 - t) * s.Batch + b) * u + j;
        if ((s.Flag & 8) != 0 && mask[row] == 0)
        {
            dForward[f] = 0f;
            dBackward[r] = 0f;
            return;
        }
        float dy = dOutput[row * width + j];
        if (mode == 0)
        {
            dForward[f] = dy;
            dBackward[r] = dOutput[row * width + u + j];
        }
        else if (mode == 1)
        {
            dForward[f] = dy;
            dBackward[r] = dy;
        }
        else if (mode == 2)
        {
            float fv = forward[f], rv = backward[r];
            dForward[f] = dy * rv;
            dBackward[r] = dy * fv;
        }
        else
        {
            dForward[f] = dy * 0.5f;
            dBackward[r] = dy * 0.5f;
        }
    }

    /// <summary>
    /// The backward of <see cref="MergeLast"/> (<c>Bidirectional.SplitLast</c>): every step's ∂h cleared, then ∂merged split
    /// into each direction's last block.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="mode">Keras <c>merge_mode</c>.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="units">Units per direction.</param>
    /// <param name="forward">The forward direction's final h.</param>
    /// <param name="backward">The backward direction's final h.</param>
    /// <param name="dOutput">∂merged <c>[batch, width]</c>.</param>
    /// <param name="dForward">Receives the forward direction's ∂h, time-major, all steps.</param>
    /// <param name="dBackward">Receives the backward direction's ∂h, likewise.</param>
    public static void SplitLast(GpuDevice device, ModelGen.Kernels.MergeMode mode, int batch, int steps, int units, ArrayView<float> forward,
        ArrayView<float> backward, ArrayView<float> dOutput, ArrayView<float> dForward, ArrayView<float> dBackward)
    {
        long last = (long)(steps - 1) * batch * units;
        Clear(device, dForward.SubView(0, last));
        Clear(device, dBackward.SubView(0, last));
        SplitSequence(device, mode, batch, 1, units, forward, backward, default, dOutput, dForward.SubView(last, (long)batch * units),
            dBackward.SubView(last, (long)batch * units));
    }

    /// <summary>
    /// Embedding (<c>Embedding.Gather</c>): each token's row of the table, time-major. Token ids are checked on the host
    /// before they reach the device (<c>GpuRunner.CheckInput</c>, called by every upload path); an id outside the vocabulary gives a zero row here.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="vocabulary">Rows of the table.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="tokens">Token ids, batch-major <c>[batch, steps]</c>.</param>
    /// <param name="table">The table <c>[vocabulary, width]</c>.</param>
    /// <param name="output">Receives the rows, time-major <c>[steps, batch, width]</c>.</param>
    public static void Gather(GpuDevice device, int batch, int steps, int vocabulary, int width, ArrayView<int> tokens, ArrayView<float> table, ArrayView<float> output)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (batch * steps == 0) return;
        device.Kernel((typeof(PassKernels), nameof(Gather)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<int>, ArrayView<float>, ArrayView<float>>(GatherKernel))
            (device.Accelerator.DefaultStream, batch * steps * width, new Shape(batch, steps, width, vocabulary, 0f), tokens, table, output);
    }

    private static void GatherKernel(Index1D i, Shape s, ArrayView<int> tokens, ArrayView<float> table, ArrayView<float> output)
    {
        int j = i % s.Width, row = i / s.Width, b = row % s.Batch, t = row / s.Batch;
        int id = tokens[b * s.Steps + t];
        output[i] = id >= 0 && id < s.Flag ? table[id * s.Width + j] : 0f;
    }

    /// <summary>
    /// Embedding's backward (<c>Embedding.ScatterAdd</c>): each row's gradient added to its token's row of the table's
    /// gradient. Rows sharing a token add through atomics, so their order (and the last bits of the sum) may vary
    /// between runs; the result agrees with the CPU's ordered sum to rounding.
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps.</param>
    /// <param name="vocabulary">Rows of the table.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="tokens">Token ids, batch-major.</param>
    /// <param name="gradient">∂output rows, time-major.</param>
    /// <param name="tableGradient">The table's gradient, added to.</param>
    public static void ScatterAdd(GpuDevice device, int batch, int steps, int vocabulary, int width, ArrayView<int> tokens, ArrayView<float> gradient,
        ArrayView<float> tableGradient)
    {
        System.ArgumentNullException.ThrowIfNull(device);
        if (batch * steps == 0) return;
        device.Kernel((typeof(PassKernels), nameof(ScatterAdd)),
                a => a.LoadAutoGroupedKernel<Index1D, Shape, ArrayView<int>, ArrayView<float>, ArrayView<float>>(ScatterAddKernel))
            (device.Accelerator.DefaultStream, batch * steps * width, new Shape(batch, steps, width, vocabulary, 0f), tokens, gradient, tableGradient);
    }

    private static void ScatterAddKernel(Index1D i, Shape s, ArrayView<int> tokens, ArrayView<float> gradient, ArrayView<float> tableGradient)
    {
        int j = i % s.Width, row = i / s.Width, b = row % s.Batch, t = row / s.Batch;
        int id = tokens[b * s.Steps + t];
        if (id >= 0 && id < s.Flag) Atomic.Add(ref tableGradient[id * s.Width + j], gradient[i]);
    }
}
