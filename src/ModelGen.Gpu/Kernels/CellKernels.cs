using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Kernels;

/// <summary>
/// Scalar activations for generated GPU kernels: plain <c>float</c> maths, exp2-based (<c>ex2.approx</c> on PTX through
/// ILGPU.Algorithms' <c>XMath.Exp2</c>), no <c>tanh.approx</c>, no <c>CopySign</c>, no vectors. The counterparts of the
/// CPU runtime's <c>FastMath</c> (Keras's <c>sigmoid</c>, <c>hard_sigmoid</c>, <c>tanh</c>), within a few ulp of it.
/// </summary>
public static class CellMath
{
    private const float Log2E = 1.44269504f;

    /// <summary>The logistic sigmoid, <c>1 / (1 + 2^(−x·log₂e))</c>.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>σ(<paramref name="x"/>), in (0, 1).</returns>
    public static float Sigmoid(float x) => 1f / (1f + XMath.Exp2(-x * Log2E));

    /// <summary>Keras 3's hard sigmoid, <c>clip(x/6 + 1/2, 0, 1)</c> (<c>relu6(x + 3) / 6</c>).</summary>
    /// <param name="x">The argument.</param>
    /// <returns>The value, in [0, 1].</returns>
    public static float HardSigmoid(float x)
    {
        float y = x * (1f / 6f) + 0.5f;
        return y < 0f ? 0f : y > 1f ? 1f : y;
    }

    /// <summary>
    /// tanh: <c>(1 − e)/(1 + e)</c> with <c>e = 2^(−2|x|·log₂e)</c>, the sign restored by a select (not CopySign); below
    /// |x| = 1/8 the odd Taylor polynomial to x⁷ (truncation below 2e-9 relative), which avoids the cancellation in
    /// <c>1 − e</c>: there <c>ex2.approx</c>'s error is multiplied by e/(1 − e), about 3.5 at |x| = 1/8 but 7.5 at 1/16.
    /// </summary>
    /// <param name="x">The argument.</param>
    /// <returns>tanh <paramref name="x"/>, in [−1, 1].</returns>
    public static float Tanh(float x)
    {
        float a = x < 0f ? -x : x;
        if (a < 0.125f)
        {
            float z = x * x;
            return x * (1f + z * (-1f / 3f + z * (2f / 15f + z * (-17f / 315f))));
        }
        float e = XMath.Exp2(-2f * Log2E * a);
        float t = (1f - e) / (1f + e);
        return x < 0f ? -t : t;
    }

    /// <summary>relu, <c>max(x, 0)</c>.</summary>
    /// <param name="x">The argument.</param>
    /// <returns>The value, at least 0.</returns>
    public static float Relu(float x) => x > 0f ? x : 0f;
}

/// <summary>
/// Runtime element-wise and row kernels the generated GPU cells call around their products: bias rows, column sums,
/// softmax rows and their backward, token gathers, and stand-ins for optional views. Every method queues work on the
/// device's default stream and returns at once.
/// </summary>
public static class CellKernels
{
    /// <summary>
    /// <paramref name="view"/>, or a one-element device buffer when it is empty (kernels take no empty views; the
    /// generated cell passes a flag saying whether the real one was given).
    /// </summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="device">The device.</param>
    /// <param name="view">The optional view.</param>
    /// <returns>A view with at least one element.</returns>
    public static ArrayView<T> OrDummy<T>(GpuDevice device, ArrayView<T> view) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(device);
        if (view.IsValid && view.Length > 0) return view;
        return device.Kernel(("ModelGen.Gpu.CellKernels.Dummy", typeof(T)), static acc =>
        {
            var buffer = acc.Allocate1D<T>(1);
            buffer.MemSetToZero();
            return new Func<ArrayView<T>>(() => buffer.View);
        })();
    }

    /// <summary>True when an optional view was given (valid and not empty).</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="view">The view.</param>
    /// <returns>Whether it holds elements.</returns>
    public static bool Given<T>(ArrayView<T> view) where T : unmanaged => view.IsValid && view.Length > 0;

    /// <summary>Sets the first <paramref name="length"/> floats of <paramref name="target"/> to 0.</summary>
    /// <param name="device">The device.</param>
    /// <param name="target">The view.</param>
    /// <param name="length">Floats to clear.</param>
    public static void Clear(GpuDevice device, ArrayView<float> target, long length)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (length <= 0) return;
        target.SubView(0, length).MemSetToZero();
    }

    /// <summary>Copies the first <paramref name="length"/> floats of <paramref name="source"/> into <paramref name="target"/>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="source">The source view.</param>
    /// <param name="target">The target view.</param>
    /// <param name="length">Floats to copy.</param>
    public static void Copy(GpuDevice device, ArrayView<float> source, ArrayView<float> target, long length)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (length <= 0) return;
        ArrayView<float> from = source.SubView(0, length), to = target.SubView(0, length);
        from.CopyTo(to);
    }

    /// <summary>Every row of <paramref name="target"/> <c>[rows, width]</c> (row stride <paramref name="ld"/>) set to <paramref name="bias"/> <c>[width]</c>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="bias">The row to repeat.</param>
    /// <param name="target">The rows.</param>
    /// <param name="ld">The target's row stride.</param>
    public static void BiasRows(GpuDevice device, int rows, int width, ArrayView<float> bias, ArrayView<float> target, int ld)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (rows <= 0 || width <= 0) return;
        var kernel = device.Kernel(("ModelGen.Gpu.CellKernels", nameof(BiasRows)), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(BiasRowsKernel));
        kernel(rows * width, width, ld, bias, target);
    }

    private static void BiasRowsKernel(Index1D i, int width, int ld, ArrayView<float> bias, ArrayView<float> target)
    {
        int r = i / width, j = i - r * width;
        target[r * ld + j] = bias[j];
    }

    /// <summary><c>target[j] += Σ_r m[r, j]</c> over <paramref name="rows"/> rows of <paramref name="m"/> (row stride <paramref name="ld"/>), in the host's order (<see cref="ModelGen.Kernels.MatrixOps.AddColumnSums"/>: rows four at a time, then one by one), so both give the same bits.</summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Columns.</param>
    /// <param name="m">The matrix.</param>
    /// <param name="ld">Its row stride.</param>
    /// <param name="target">The sums are added here, <c>[width]</c>.</param>
    public static void AddColumnSums(GpuDevice device, int rows, int width, ArrayView<float> m, int ld, ArrayView<float> target)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (rows <= 0 || width <= 0) return;
        var kernel = device.Kernel(("ModelGen.Gpu.CellKernels", nameof(AddColumnSums)), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, int, int, ArrayView<float>, ArrayView<float>>(ColumnSumsKernel));
        kernel(width, rows, ld, m, target);
    }

    // The host's order (MatrixOps.AddColumnSums): rows four at a time, (r0 + r1) + (r2 + r3), onto the target, then
    // any last rows one by one, so host and device bias gradients agree bit for bit.
    private static void ColumnSumsKernel(Index1D j, int rows, int ld, ArrayView<float> m, ArrayView<float> target)
    {
        float sum = target[j];
        int r = 0, r4 = rows - rows % 4;
        for (; r < r4; r += 4) sum += (m[r * ld + j] + m[(r + 1) * ld + j]) + (m[(r + 2) * ld + j] + m[(r + 3) * ld + j]);
        for (; r < rows; r++) sum += m[r * ld + j];
        target[j] = sum;
    }

    /// <summary>Softmax of every row of <paramref name="y"/> <c>[rows, width]</c>, in place (the row maximum subtracted first; Keras <c>softmax</c>).</summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="y">The rows.</param>
    public static void SoftmaxRows(GpuDevice device, int rows, int width, ArrayView<float> y)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (rows <= 0) return;
        var kernel = device.Kernel(("ModelGen.Gpu.CellKernels", nameof(SoftmaxRows)), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>>(SoftmaxKernel));
        kernel(rows, width, y);
    }

    private static void SoftmaxKernel(Index1D r, int width, ArrayView<float> y)
    {
        int at = r * width;
        float max = y[at];
        for (int j = 1; j < width; j++) max = y[at + j] > max ? y[at + j] : max;
        float sum = 0f;
        for (int j = 0; j < width; j++)
        {
            float e = XMath.Exp(y[at + j] - max);
            y[at + j] = e;
            sum += e;
        }
        float inverse = 1f / sum;
        for (int j = 0; j < width; j++) y[at + j] *= inverse;
    }

    /// <summary>Softmax's backward per row, in place: <c>dy ← y ⊙ (dy − Σ dy⊙y)</c>.</summary>
    /// <param name="device">The device.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="y">The softmax outputs.</param>
    /// <param name="dy">∂loss/∂y on entry, ∂loss/∂logits on return.</param>
    public static void SoftmaxBackwardRows(GpuDevice device, int rows, int width, ArrayView<float> y, ArrayView<float> dy)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (rows <= 0) return;
        var kernel = device.Kernel(("ModelGen.Gpu.CellKernels", nameof(SoftmaxBackwardRows)), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<float>, ArrayView<float>>(SoftmaxBackwardKernel));
        kernel(rows, width, y, dy);
    }

    private static void SoftmaxBackwardKernel(Index1D r, int width, ArrayView<float> y, ArrayView<float> dy)
    {
        int at = r * width;
        float dot = 0f;
        for (int j = 0; j < width; j++) dot += dy[at + j] * y[at + j];
        for (int j = 0; j < width; j++) dy[at + j] = y[at + j] * (dy[at + j] - dot);
    }

    /// <summary>
    /// Rows of <paramref name="table"/> <c>[vocabulary, width]</c> gathered time-major: row <c>t·batch + b</c> of
    /// <paramref name="target"/> is the table row of <c>tokens[b, t]</c> (<paramref name="tokens"/> <c>[batch, steps]</c>,
    /// ids already checked).
    /// </summary>
    /// <param name="device">The device.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="tokens">Token ids, batch-major.</param>
    /// <param name="table">The table.</param>
    /// <param name="target">Receives <c>[steps·batch, width]</c>.</param>
    public static void GatherTimeMajor(GpuDevice device, int batch, int steps, int width, ArrayView<int> tokens, ArrayView<float> table, ArrayView<float> target)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (batch <= 0 || steps <= 0) return;
        var kernel = device.Kernel(("ModelGen.Gpu.CellKernels", nameof(GatherTimeMajor)), static acc =>
            acc.LoadAutoGroupedStreamKernel<Index1D, int, int, int, ArrayView<int>, ArrayView<float>, ArrayView<float>>(GatherKernel));
        kernel(steps * batch * width, batch, steps, width, tokens, table, target);
    }

    private static void GatherKernel(Index1D i, int batch, int steps, int width, ArrayView<int> tokens, ArrayView<float> table, ArrayView<float> target)
    {
        int row = i / width, j = i - row * width;
        int t = row / batch, b = row - t * batch;
        target[i] = table[tokens[b * steps + t] * width + j];
    }
}
