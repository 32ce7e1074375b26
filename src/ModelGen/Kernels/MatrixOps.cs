using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>Small layout and reduction helpers the generated code calls with constant sizes.</summary>
public static class MatrixOps
{
    /// <summary>Writes <c>dst[c×r] = src[r×c]ᵀ</c>.</summary>
    /// <param name="rows">Rows of <paramref name="src"/>.</param>
    /// <param name="columns">Columns of <paramref name="src"/>.</param>
    /// <param name="src">The <c>[rows, columns]</c> matrix, row-major.</param>
    /// <param name="dst">Receives the <c>[columns, rows]</c> transpose, row-major.</param>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>rows·columns</c> floats.</exception>
    public static void Transpose(int rows, int columns, ReadOnlySpan<float> src, Span<float> dst)
    {
        if (src.Length < rows * columns || dst.Length < rows * columns)
            throw new ArgumentException($"transpose of [{rows}×{columns}] needs {rows * columns} floats; source has {src.Length}, destination {dst.Length}");
        for (int r = 0; r < rows; r++)
        {
            var row = src.Slice(r * columns, columns);
            for (int c = 0; c < row.Length; c++) dst[c * rows + r] = row[c];
        }
    }

    /// <summary>Copies <paramref name="row"/> into each of the <paramref name="rows"/> rows of <paramref name="dst"/>.</summary>
    /// <param name="rows">Rows to write.</param>
    /// <param name="row">The row (e.g. a bias), its length the width of <paramref name="dst"/>.</param>
    /// <param name="dst">The <c>[rows, row.Length]</c> matrix, overwritten.</param>
    /// <exception cref="ArgumentException"><paramref name="dst"/> holds fewer than <c>rows·row.Length</c> floats.</exception>
    public static void BroadcastRows(int rows, ReadOnlySpan<float> row, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int width = row.Length;
        if (dst.Length < (long)rows * width)
            throw new ArgumentException($"broadcasting a row of {width} floats into {rows} rows needs {(long)rows * width} floats; the destination has {dst.Length}", nameof(dst));
        ref float from = ref MemoryMarshal.GetReference(row);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int r = 0; r < rows; r++) CopyFloats(ref from, ref Unsafe.Add(ref to, r * width), width);
    }

    /// <summary>Adds two rows element-wise and writes the sum into each row of <paramref name="dst"/>: the bias of PyTorch-style layers with two biases.</summary>
    /// <param name="rows">Rows to write.</param>
    /// <param name="first">The first row (e.g. PyTorch's <c>bias_ih</c>).</param>
    /// <param name="second">The second row, as long as <paramref name="first"/> (e.g. <c>bias_hh</c>).</param>
    /// <param name="dst">The <c>[rows, first.Length]</c> matrix, overwritten.</param>
    public static void BroadcastRows(int rows, ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> dst)
    {
        TensorPrimitives.Add(first, second, dst.Slice(0, first.Length));
        for (int r = 1; r < rows; r++) dst.Slice(0, first.Length).CopyTo(dst.Slice(r * first.Length, first.Length));
    }

    /// <summary><c>sums[j] += Σ_r m[r, j]</c> for an <c>[rows × sums.Length]</c> matrix: bias gradients.</summary>
    /// <param name="rows">Rows of <paramref name="m"/>.</param>
    /// <param name="m">The <c>[rows, sums.Length]</c> matrix, row-major.</param>
    /// <param name="sums">The column sums are added to it.</param>
    public static void AddColumnSums(int rows, ReadOnlySpan<float> m, Span<float> sums)
    {
        int n = sums.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums, m.Slice(r * n, n), sums);
    }

    /// <summary>Reorders <c>[batch, steps, width]</c> (batch-major, as users pass data) into <c>[steps, batch, width]</c> (time-major, as cells read it).</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step.</param>
    /// <param name="src">The <c>[batch, steps, width]</c> block.</param>
    /// <param name="dst">Receives the <c>[steps, batch, width]</c> block; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>batch·steps·width</c> floats.</exception>
    public static void BatchToTimeMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        CheckReorder(batch, steps, width, src.Length, dst.Length);
        ref float from = ref MemoryMarshal.GetReference(src);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                CopyFloats(ref Unsafe.Add(ref from, (b * steps + t) * width), ref Unsafe.Add(ref to, (t * batch + b) * width), width);
    }

    /// <summary>Reorders <c>[steps, batch, width]</c> into <c>[batch, steps, width]</c>.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step.</param>
    /// <param name="src">The <c>[steps, batch, width]</c> block.</param>
    /// <param name="dst">Receives the <c>[batch, steps, width]</c> block; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>batch·steps·width</c> floats.</exception>
    public static void TimeToBatchMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        CheckReorder(batch, steps, width, src.Length, dst.Length);
        ref float from = ref MemoryMarshal.GetReference(src);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                CopyFloats(ref Unsafe.Add(ref from, (t * batch + b) * width), ref Unsafe.Add(ref to, (b * steps + t) * width), width);
    }

    private static void CheckReorder(int batch, int steps, int width, int sourceLength, int destinationLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        long needed = (long)batch * steps * width;
        if (sourceLength < needed || destinationLength < needed)
            throw new ArgumentException($"reordering [{batch}, {steps}, {width}] needs {needed} floats; source has {sourceLength}, destination {destinationLength}");
    }

    /// <summary>
    /// Copies <paramref name="count"/> floats with inline vector moves, widest accelerated first: the rows these
    /// helpers move are a few floats to a few hundred, where a call to <c>Memmove</c> per row cost more than the copy
    /// (4 % of an LSTM(30) model's inference went to reordering its 2-feature input one <c>CopyTo</c> per step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyFloats(ref float from, ref float to, int count)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= count; i += 4) Vector128.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        for (; i < count; i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
    }

    /// <summary>Row-wise softmax of an <c>[rows × width]</c> matrix, in place.</summary>
    /// <param name="rows">Rows of <paramref name="m"/>.</param>
    /// <param name="width">Values per row (classes).</param>
    /// <param name="m">The <c>[rows, width]</c> logits, replaced by probabilities.</param>
    public static void SoftmaxRows(int rows, int width, Span<float> m)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = m.Slice(r * width, width);
            TensorPrimitives.SoftMax(row, row);
        }
    }

    /// <summary>
    /// Gradient through a row-wise softmax: <c>dz = y ⊙ (dy − Σ dy⊙y)</c>, with <paramref name="y"/> the softmax output.
    /// </summary>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row (classes).</param>
    /// <param name="y">The softmax outputs <c>[rows, width]</c>.</param>
    /// <param name="dy">∂loss/∂y <c>[rows, width]</c>.</param>
    /// <param name="dz">Receives ∂loss/∂logits <c>[rows, width]</c>; may be <paramref name="dy"/> itself.</param>
    public static void SoftmaxBackwardRows(int rows, int width, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * width, width);
            var dyr = dy.Slice(r * width, width);
            var dzr = dz.Slice(r * width, width);
            float dot = TensorPrimitives.Dot(yr, dyr);
            TensorPrimitives.Subtract(dyr, dot, dzr);
            TensorPrimitives.Multiply(dzr, yr, dzr);
        }
    }
}
