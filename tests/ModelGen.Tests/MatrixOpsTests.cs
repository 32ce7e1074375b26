using System;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>The row helpers of <see cref="MatrixOps"/> against plain loops, at whatever vector width this process runs.</summary>
public sealed class MatrixOpsTests
{
    /// <summary>
    /// Column sums (bias gradients) follow their documented order, rows four at a time and then one by one, at every
    /// width and row length: the in-register path (up to four vectors), the in-memory path (longer rows) and the
    /// narrower tails all give the bits of a plain loop in that order.
    /// </summary>
    [Theory]
    [InlineData(6400, 8)]   // W4's SimpleRNN(8) bias: 64 samples × 100 steps
    [InlineData(3200, 120)] // W2's LSTM(30) gate bias
    [InlineData(1792, 784)] // W3's LSTM(196)
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(3, 3)]
    [InlineData(7, 17)]
    [InlineData(13, 31)]
    [InlineData(9, 64)]
    [InlineData(9, 65)]
    [InlineData(5, 70)]
    public void Column_sums_are_rows_four_at_a_time_in_order(int rows, int n)
    {
        var random = new Random(rows * 7 + n);
        var m = new float[rows * n];
        for (int i = 0; i < m.Length; i++) m[i] = (float)(random.NextDouble() * 2 - 1) * (i % 5 == 0 ? 1e3f : 1f);
        var start = new float[n];
        for (int j = 0; j < n; j++) start[j] = (float)random.NextDouble();
        var expected = (float[])start.Clone();
        int r4 = rows - rows % 4;
        for (int j = 0; j < n; j++)
        {
            float s = expected[j];
            int r = 0;
            for (; r < r4; r += 4) s += (m[r * n + j] + m[(r + 1) * n + j]) + (m[(r + 2) * n + j] + m[(r + 3) * n + j]);
            for (; r < rows; r++) s += m[r * n + j];
            expected[j] = s;
        }
        var actual = (float[])start.Clone();
        MatrixOps.AddColumnSums(rows, m, actual);
        for (int j = 0; j < n; j++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[j]) == BitConverter.SingleToInt32Bits(actual[j]),
                $"{rows} × {n}: column {j} sums to {actual[j]:R}, expected {expected[j]:R}");
    }

    /// <summary>
    /// A transpose puts every element where a plain loop does, at whatever width this process runs: shapes with whole
    /// 8 × 8 blocks and 32 × 32 tiles, partial ones on either side, and the kernels the backward passes transpose (W3's
    /// recurrent kernel and its folded projection). Elements past the matrix in the destination are left alone.
    /// </summary>
    [Theory]
    [InlineData(0, 5)]
    [InlineData(5, 0)]
    [InlineData(1, 1)]
    [InlineData(1, 9)]
    [InlineData(9, 1)]
    [InlineData(8, 8)]
    [InlineData(7, 17)]
    [InlineData(16, 24)]
    [InlineData(33, 65)]
    [InlineData(40, 31)]
    [InlineData(196, 784)] // W3's LSTM(196): U, [196, 4·196]
    [InlineData(128, 784)] // W3's folded projection W, [128, 4·196]
    [InlineData(30, 120)]  // W2's LSTM(30)
    public void Transpose_puts_every_element_where_a_plain_loop_does(int rows, int columns)
    {
        var random = new Random(rows * 31 + columns);
        var src = new float[rows * columns];
        for (int i = 0; i < src.Length; i++) src[i] = (float)random.NextDouble();
        var expected = new float[rows * columns + 3];
        expected.AsSpan().Fill(-7f);
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++) expected[c * rows + r] = src[r * columns + c];
        var dst = new float[rows * columns + 3];
        dst.AsSpan().Fill(-7f);
        MatrixOps.Transpose(rows, columns, src, dst);
        Assert.Equal(expected, dst);
    }

    /// <summary>A transpose of buffers too short for its shape, or of a negative shape, is refused before anything is written.</summary>
    [Fact]
    public void Transpose_of_short_buffers_is_rejected_with_the_sizes()
    {
        var dst = new float[12];
        var e = Assert.Throws<ArgumentException>(() => MatrixOps.Transpose(3, 4, new float[11], dst));
        Assert.Contains("needs 12 floats; source has 11, destination 12", e.Message);
        Assert.Throws<ArgumentException>(() => MatrixOps.Transpose(3, 4, new float[12], new float[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => MatrixOps.Transpose(-1, 4, new float[12], dst));
        Assert.All(dst, v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Column_sums_of_a_short_matrix_are_rejected_with_both_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixOps.AddColumnSums(3, new float[8], new float[3]));
        Assert.Contains("9", error.Message);
        Assert.Contains("8", error.Message);
    }
}
