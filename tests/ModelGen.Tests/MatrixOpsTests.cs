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

    [Fact]
    public void Column_sums_of_a_short_matrix_are_rejected_with_both_sizes()
    {
        var error = Assert.Throws<ArgumentException>(() => MatrixOps.AddColumnSums(3, new float[8], new float[3]));
        Assert.Contains("9", error.Message);
        Assert.Contains("8", error.Message);
    }
}
