using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>Small layout and reduction helpers the generated code calls with constant sizes.</summary>
public static class MatrixOps
{
    /// <summary>Writes <c>dst[c×r] = src[r×c]ᵀ</c>.</summary>
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
    public static void BroadcastRows(int rows, ReadOnlySpan<float> row, Span<float> dst)
    {
        for (int r = 0; r < rows; r++) row.CopyTo(dst.Slice(r * row.Length, row.Length));
    }

    /// <summary>Adds two rows element-wise and writes the sum into each row of <paramref name="dst"/>: the bias of PyTorch-style layers with two biases.</summary>
    public static void BroadcastRows(int rows, ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> dst)
    {
        TensorPrimitives.Add(first, second, dst.Slice(0, first.Length));
        for (int r = 1; r < rows; r++) dst.Slice(0, first.Length).CopyTo(dst.Slice(r * first.Length, first.Length));
    }

    /// <summary><c>sums[j] += Σ_r m[r, j]</c> for an <c>[rows × sums.Length]</c> matrix: bias gradients.</summary>
    public static void AddColumnSums(int rows, ReadOnlySpan<float> m, Span<float> sums)
    {
        int n = sums.Length;
        for (int r = 0; r < rows; r++) TensorPrimitives.Add(sums, m.Slice(r * n, n), sums);
    }

    /// <summary>Reorders <c>[batch, steps, width]</c> (batch-major, as users pass data) into <c>[steps, batch, width]</c> (time-major, as cells read it).</summary>
    public static void BatchToTimeMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                src.Slice((b * steps + t) * width, width).CopyTo(dst.Slice((t * batch + b) * width, width));
    }

    /// <summary>Reorders <c>[steps, batch, width]</c> into <c>[batch, steps, width]</c>.</summary>
    public static void TimeToBatchMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                src.Slice((t * batch + b) * width, width).CopyTo(dst.Slice((b * steps + t) * width, width));
    }

    /// <summary>Row-wise softmax of an <c>[rows × width]</c> matrix, in place.</summary>
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
