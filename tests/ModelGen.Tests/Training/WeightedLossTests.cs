using System;
using static ModelGen.Tests.Training.TrainingTestHelpers;

namespace ModelGen.Tests.Training;

/// <summary>
/// Issue 12, item 5, loss and metric level: Keras's weighted loss with reduction "sum_over_batch_size" is
/// <c>Σ w_r·loss_r / rows</c> (divided by the rows, not by Σw), and a weighted metric is <c>Σ w·value / Σ w</c>.
/// References are written out in double; gradients are checked against central differences of the reference.
/// </summary>
public sealed class WeightedLossTests
{
    private const int Rows = 4, Width = 3;
    private static readonly float[] Weights = [0.5f, 2f, 0f, 1.25f];

    /// <summary>Rows of positive values that sum to 1 (probabilities), so every crossentropy stays off its clip.</summary>
    private static float[] Probabilities(int seed)
    {
        var v = RandomFloats(Rows * Width, seed, 0.1f, 1f);
        for (int r = 0; r < Rows; r++)
        {
            float sum = v[r * Width] + v[r * Width + 1] + v[r * Width + 2];
            for (int j = 0; j < Width; j++) v[r * Width + j] /= sum;
        }
        return v;
    }

    private static double Mse(ReadOnlySpan<double> y, ReadOnlySpan<float> t) { double s = 0; for (int j = 0; j < y.Length; j++) s += (y[j] - t[j]) * (y[j] - t[j]); return s / y.Length; }
    private static double Mae(ReadOnlySpan<double> y, ReadOnlySpan<float> t) { double s = 0; for (int j = 0; j < y.Length; j++) s += Math.Abs(y[j] - t[j]); return s / y.Length; }
    private static double Bce(ReadOnlySpan<double> y, ReadOnlySpan<float> t) { double s = 0; for (int j = 0; j < y.Length; j++) s -= t[j] * Math.Log(y[j]) + (1 - t[j]) * Math.Log(1 - y[j]); return s / y.Length; }

    private static double Cce(ReadOnlySpan<double> y, ReadOnlySpan<float> t)
    {
        double sum = 0, s = 0;
        foreach (double v in y) sum += v;
        for (int j = 0; j < y.Length; j++) s -= t[j] * Math.Log(y[j] / sum);
        return s;
    }

    private delegate double RowLoss(ReadOnlySpan<double> y, ReadOnlySpan<float> t);

    private static double Reference(RowLoss row, double[] y, float[] t, int targetsPerRow)
    {
        double total = 0;
        for (int r = 0; r < Rows; r++) total += Weights[r] * row(y.AsSpan(r * Width, Width), t.AsSpan(r * targetsPerRow, targetsPerRow));
        return total / Rows;
    }

    private static void Check(Loss loss, RowLoss row, float[] output, float[] target, int targetsPerRow)
    {
        var gradient = new float[output.Length];
        float value = loss.Compute(output, target, Rows, Weights, gradient);
        var y = ToDouble(output);
        Assert.Equal(Reference(row, y, target, targetsPerRow), value, 6);
        Assert.Equal(value, loss.Compute(output, target, Rows, Weights, default), 6);
        for (int i = 0; i < y.Length; i++)
        {
            const double h = 1e-6;
            double keep = y[i];
            y[i] = keep + h; double up = Reference(row, y, target, targetsPerRow);
            y[i] = keep - h; double down = Reference(row, y, target, targetsPerRow);
            y[i] = keep;
            Assert.Equal((up - down) / (2 * h), gradient[i], 5);
        }
        for (int j = 0; j < Width; j++) Assert.Equal(0f, gradient[2 * Width + j]); // weight 0: no gradient
    }

    [Fact]
    public void Mse_and_mae_weigh_each_row_and_divide_by_rows()
    {
        var output = RandomFloats(Rows * Width, 1);
        var target = RandomFloats(Rows * Width, 2);
        Check(Loss.MeanSquaredError(), Mse, output, target, Width);
        Check(Loss.MeanAbsoluteError(), Mae, output, target, Width);
    }

    [Fact]
    public void Crossentropies_weigh_each_row_and_divide_by_rows()
    {
        var p = Probabilities(3);
        var binaryTargets = new float[] { 1, 0, 1, 0, 0, 1, 1, 1, 0, 0, 1, 0 };
        Check(Loss.BinaryCrossentropy(), Bce, p, binaryTargets, Width);
        var oneHot = new float[] { 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0 };
        Check(Loss.CategoricalCrossentropy(), Cce, p, oneHot, Width);
        float[] classes = [1, 0, 2, 1];
        Check(Loss.SparseCategoricalCrossentropy(), (y, t) => Cce(y, OneHot((int)t[0])), p, classes, 1);

        static float[] OneHot(int c) { var v = new float[Width]; v[c] = 1; return v; }
    }

    [Fact]
    public void Unit_weights_give_the_unweighted_loss_and_bad_lengths_are_refused()
    {
        var output = RandomFloats(Rows * Width, 4);
        var target = RandomFloats(Rows * Width, 5);
        var mse = Loss.MeanSquaredError();
        // The weighted mean sums in another order: within a few ulp (rounding both to 6 decimals failed on the scalar
        // path, whose two sums straddled a rounding boundary 1 ulp apart).
        float unweighted = mse.Compute(output, target, Rows, default);
        Assert.Equal(unweighted, mse.Compute(output, target, Rows, [1f, 1f, 1f, 1f], default), 4e-7 * unweighted);
        var e = Assert.Throws<ArgumentException>(() => mse.Compute(output, target, Rows, [1f, 1f], default));
        Assert.Contains("2 weights for 4 rows", e.Message);
    }

    [Fact]
    public void Weighted_metric_is_the_weighted_mean_over_rows()
    {
        // Rows right/wrong: [1, 0, 1, 1]; weights [0.5, 2, 0, 1.25] → (0.5 + 0 + 0 + 1.25) / 3.75
        var accuracy = new SparseCategoricalAccuracy();
        float[] output = [0.1f, 0.8f, 0.1f, 0.2f, 0.3f, 0.5f, 0.6f, 0.3f, 0.1f, 0.2f, 0.7f, 0.1f];
        accuracy.Update(output, [1, 0, 0, 1], Rows, Weights);
        Assert.Equal(1.75 / 3.75, accuracy.Result, 6);
        // A second batch adds to both sums: (1.75 + 2·1) / (3.75 + 2)
        accuracy.Update([0.9f, 0.05f, 0.05f], [0], 1, [2f]);
        Assert.Equal(3.75 / 5.75, accuracy.Result, 6);

        var mae = new MeanAbsoluteErrorMetric();
        mae.Update([1f, 3f, 5f], [0f, 0f, 0f], 3, [1f, 0f, 3f]); // (1·1 + 3·5) / 4
        Assert.Equal(4.0, mae.Result, 6);
    }
}
