using System;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

/// <summary>
/// Issue 12, item 3: a stateful layer needs one batch size until ResetStates(). Fit, Evaluate and Predict refuse a
/// batch size that would leave a partial batch (or give validation batches of another size) before the first pass,
/// so a refused call leaves the weights, the optimizer and the carried state as they were.
/// </summary>
public sealed class StatefulBatchTests
{
    private const string Rule = "a stateful layer needs the same batch size until ResetStates()";

    private static (float[] X, float[] Y) Data(int samples)
    {
        var random = new Random(samples);
        var x = new float[samples * 4 * 2];
        var y = new float[samples];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        for (int s = 0; s < samples; s++) y[s] = x[s * 8] + x[s * 8 + 7];
        return (x, y);
    }

    [Fact]
    public void The_layer_table_says_which_layers_are_stateful()
    {
        // What the batch-size rule reads (no reflection over the declaration's attributes).
        var layers = StatefulRegressionModel.Metadata.Layers;
        Assert.True(layers[0].Stateful);
        Assert.False(layers[1].Stateful);
        Assert.True(StatefulRegressionModel.Metadata.IsStateful);
        Assert.False(SaturatedSigmoidModel.Metadata.IsStateful);
        // A model that is not stateful takes any batch size.
        var model = new SaturatedSigmoidModel();
        model.Compile(new Sgd(), Loss.MeanSquaredError());
        model.Fit(new float[3], new float[3], epochs: 1, batchSize: 2, verbose: 0);
    }

    [Fact]
    public void Fit_refuses_a_batch_size_that_does_not_divide_the_samples_before_any_update()
    {
        var model = new StatefulRegressionModel();
        model.Initialize(seed: 3);
        model.Compile(new Adam(0.01f), Loss.MeanSquaredError());
        var (x, y) = Data(10);
        var before = (float[])model.Parameters.Clone();

        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0));
        Assert.Contains(Rule, e.Message);
        Assert.Contains("10 samples", e.Message);
        Assert.Contains("batch of 2", e.Message);
        Assert.Equal(before, model.Parameters);

        // Validation batches of another size would fail at the end of the first epoch: refused up front as well.
        var (xv, yv) = Data(2);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x[..(8 * 8)], y[..8], batchSize: 4, validationData: (xv, yv), verbose: 0));
        Assert.Contains(Rule, e.Message);
        Assert.Contains("validation", e.Message);
        Assert.Equal(before, model.Parameters);

        // A batch size that divides trains; Evaluate and Predict then keep that size.
        model.Fit(x, y, epochs: 1, batchSize: 5, shuffle: false, verbose: 0);
        Assert.NotEqual(before, model.Parameters);
        Assert.True(float.IsFinite(model.Evaluate(x, y, batchSize: 5)["loss"]));
        Assert.Equal(10, model.Predict(x, batchSize: 5).Length);
    }

    [Fact]
    public void Evaluate_and_predict_refuse_a_partial_last_batch_too()
    {
        var model = new StatefulRegressionModel();
        model.Initialize(seed: 4);
        model.Compile(new Adam(), Loss.MeanSquaredError());
        var (x, y) = Data(10);
        Assert.Contains(Rule, Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, batchSize: 4)).Message);
        Assert.Contains(Rule, Assert.Throws<ArgumentException>(() => model.Predict(x, batchSize: 3)).Message);
        // A set smaller than the batch size is one batch: nothing to refuse.
        Assert.Equal(10, model.Predict(x, batchSize: 32).Length);
    }

    [Fact]
    public void Models_without_a_stateful_layer_take_any_batch_size()
    {
        var model = new SequenceModel();
        model.Initialize(seed: 5);
        model.Compile(new Adam(), Loss.MeanSquaredError());
        var x = new float[7 * 4];
        var y = new float[7];
        Assert.Single(model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0).Epochs);
    }
}
