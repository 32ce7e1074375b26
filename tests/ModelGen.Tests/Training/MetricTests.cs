using System;

namespace ModelGen.Tests.Training;

/// <summary>Metric values on Keras's docstring examples, batch weighting, and Keras's "accuracy" resolution.</summary>
public sealed class MetricTests
{
    [Fact]
    public void Binary_accuracy_uses_a_strict_threshold()
    {
        // outputs [0.6, 0.4, 0.5, 0.9] > 0.5 → [1, 0, 0, 1]; targets [1, 1, 0, 0] → right, wrong, right (0.5 is not > 0.5), wrong
        var metric = new BinaryAccuracy();
        metric.Update([0.6f, 0.4f, 0.5f, 0.9f], [1, 1, 0, 0], 4);
        Assert.Equal(0.5f, metric.Result);
        Assert.Equal("binary_accuracy", metric.Name);

        // Threshold 0 for logits: [−0.1, 0.1] → [0, 1] against [0, 1] → 1.0
        var logits = new BinaryAccuracy(threshold: 0f);
        logits.Update([-0.1f, 0.1f], [0, 1], 2);
        Assert.Equal(1f, logits.Result);
    }

    [Fact]
    public void Binary_accuracy_averages_the_last_axis_per_sample()
    {
        // row 0: [0.9, 0.1, 0.8] → [1, 0, 1] vs [1, 0, 0] → 2/3; row 1: [0.2, 0.3, 0.7] → [0, 0, 1] vs [0, 0, 1] → 1 → mean 5/6
        var metric = new BinaryAccuracy();
        metric.Update([0.9f, 0.1f, 0.8f, 0.2f, 0.3f, 0.7f], [1, 0, 0, 0, 0, 1], 2);
        Assert.Equal(5.0 / 6, metric.Result, 6);
    }

    [Fact]
    public void Running_mean_is_weighted_by_batch_size()
    {
        // batch 1: 2 samples, both right (1.0); batch 2: 6 samples, 3 right (0.5) → (2·1 + 6·0.5) / 8 = 0.625, not (1 + 0.5)/2
        var metric = new BinaryAccuracy();
        metric.Update([0.9f, 0.1f], [1, 0], 2);
        metric.Update([0.9f, 0.9f, 0.9f, 0.1f, 0.1f, 0.1f], [1, 1, 1, 1, 1, 1], 6);
        Assert.Equal(0.625f, metric.Result);

        metric.Reset();
        Assert.Equal(0f, metric.Result);
        metric.Update([0.1f], [1], 1);
        Assert.Equal(0f, metric.Result);
        metric.Update([0.9f], [1], 1);
        Assert.Equal(0.5f, metric.Result);
    }

    [Fact]
    public void Categorical_accuracy_keras_example()
    {
        // Keras docstring: y_true [[0, 0, 1], [0, 1, 0]], y_pred [[0.1, 0.9, 0.8], [0.05, 0.95, 0]] → 0.5
        var metric = new CategoricalAccuracy();
        metric.Update([0.1f, 0.9f, 0.8f, 0.05f, 0.95f, 0f], [0, 0, 1, 0, 1, 0], 2);
        Assert.Equal(0.5f, metric.Result);
        Assert.Equal("categorical_accuracy", metric.Name);
    }

    [Fact]
    public void Categorical_accuracy_ties_take_the_first_index_like_argmax()
    {
        var metric = new CategoricalAccuracy();
        metric.Update([0.5f, 0.5f, 0f], [1, 0, 0], 1);
        Assert.Equal(1f, metric.Result);
    }

    [Fact]
    public void Sparse_categorical_accuracy_keras_example()
    {
        // Keras docstring: y_true [[2], [1]], y_pred [[0.1, 0.6, 0.3], [0.05, 0.95, 0]] → 0.5
        var metric = new SparseCategoricalAccuracy();
        metric.Update([0.1f, 0.6f, 0.3f, 0.05f, 0.95f, 0f], [2, 1], 2);
        Assert.Equal(0.5f, metric.Result);
    }

    [Fact]
    public void Mae_and_mse_metrics_keras_examples()
    {
        // Keras docstrings: y_true [[0, 1], [0, 0]], y_pred [[1, 1], [0, 0]] → |d| = [[1, 0], [0, 0]] → mae 0.25, mse 0.25
        var mae = new MeanAbsoluteErrorMetric();
        var mse = new MeanSquaredErrorMetric();
        mae.Update([1, 1, 0, 0], [0, 1, 0, 0], 2);
        mse.Update([1, 1, 0, 0], [0, 1, 0, 0], 2);
        Assert.Equal(0.25f, mae.Result);
        Assert.Equal(0.25f, mse.Result);

        // Then a batch of 1 with |d| = [3, 1]: mae row 2, mse row 5 → mae (2·0.25 + 2)/3 = 0.8333, mse (2·0.25 + 5)/3 = 1.8333
        mae.Update([3, 0], [0, 1], 1);
        mse.Update([3, 0], [0, 1], 1);
        Assert.Equal(2.5 / 3, mae.Result, 6);
        Assert.Equal(5.5 / 3, mse.Result, 6);
    }

    [Fact]
    public void Loss_mean_weights_batches_by_samples()
    {
        // (1.0·2 + 4.0·6) / 8 = 3.25
        var tracker = new LossMean();
        tracker.Add(1f, 2);
        tracker.Add(4f, 6);
        Assert.Equal(3.25f, tracker.Result);
        Assert.Equal("loss", tracker.Name);

        // With a loss: batch [1, 3] vs 0 → mse 5 (2 samples); batch [2] vs 0 → 4 (1 sample) → (10 + 4)/3 = 4.6667
        var computed = new LossMean(Loss.MeanSquaredError(), "val_loss");
        computed.Update([1, 3], [0, 0], 2);
        computed.Update([2], [0], 1);
        Assert.Equal(14.0 / 3, computed.Result, 5);
        Assert.Equal("val_loss", computed.Name);

        Assert.Throws<InvalidOperationException>(() => tracker.Update([1], [0], 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => tracker.Add(1f, -1));
        tracker.Add(100f, 0); // a batch with no real rows weighs nothing
        Assert.Equal(3.25f, tracker.Result);
    }

    [Fact]
    public void Accuracy_resolves_by_loss_as_keras_does()
    {
        var binary = Metric.FromName("accuracy", Loss.BinaryCrossentropy());
        Assert.IsType<BinaryAccuracy>(binary);
        Assert.Equal("accuracy", binary.Name);

        var sparse = Metric.FromName("accuracy", Loss.SparseCategoricalCrossentropy(fromLogits: true));
        Assert.IsType<SparseCategoricalAccuracy>(sparse);
        Assert.Equal("accuracy", sparse.Name);

        var categorical = Metric.FromName("acc", Loss.CategoricalCrossentropy());
        Assert.IsType<CategoricalAccuracy>(categorical);
        Assert.Equal("acc", categorical.Name);

        // A single output unit is binary whatever the loss (Keras: y_pred.shape[-1] == 1).
        Assert.IsType<BinaryAccuracy>(Metric.FromName("accuracy", Loss.MeanSquaredError(), outputUnits: 1));
        Assert.IsType<CategoricalAccuracy>(Metric.FromName("accuracy", Loss.MeanSquaredError(), outputUnits: 3));
        Assert.IsType<BinaryAccuracy>(Metric.FromName("accuracy", Loss.SparseCategoricalCrossentropy(), outputUnits: 1));
    }

    [Theory]
    [InlineData("binary_accuracy", typeof(BinaryAccuracy))]
    [InlineData("categorical_accuracy", typeof(CategoricalAccuracy))]
    [InlineData("sparse_categorical_accuracy", typeof(SparseCategoricalAccuracy))]
    [InlineData("mae", typeof(MeanAbsoluteErrorMetric))]
    [InlineData("mean_absolute_error", typeof(MeanAbsoluteErrorMetric))]
    [InlineData("mse", typeof(MeanSquaredErrorMetric))]
    [InlineData("mean_squared_error", typeof(MeanSquaredErrorMetric))]
    [InlineData("binary_crossentropy", typeof(LossMetric))]
    [InlineData("categorical_crossentropy", typeof(LossMetric))]
    [InlineData("sparse_categorical_crossentropy", typeof(LossMetric))]
    public void FromName_explicit_metrics_keep_their_name(string name, Type type)
    {
        var metric = Metric.FromName(name, Loss.BinaryCrossentropy());
        Assert.IsType(type, metric);
        Assert.Equal(name, metric.Name);
    }

    [Fact]
    public void Crossentropy_metrics_give_the_keras_docstring_values()
    {
        // Keras's BinaryCrossentropy, CategoricalCrossentropy and SparseCategoricalCrossentropy metric docstrings (trial J:
        // metrics=["binary_crossentropy"] was refused): unweighted, then with sample_weight; to 5 places, as the float32
        // inputs (0.4f is 0.40000000596) move the sixth.
        var binary = Metric.FromName("binary_crossentropy", Loss.MeanSquaredError());
        binary.Update([0.6f, 0.4f, 0.4f, 0.6f], [0, 1, 0, 0], 2);
        Assert.Equal(0.81492424, binary.Result, 5);
        binary.Reset();
        binary.Update([0.6f, 0.4f, 0.4f, 0.6f], [0, 1, 0, 0], 2, [1f, 0f]);
        Assert.Equal(0.9162905, binary.Result, 5);
        Assert.Equal(MonitorMode.Min, binary.Direction);

        float[] probabilities = [0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f];
        var categorical = Metric.FromName("categorical_crossentropy", Loss.MeanSquaredError());
        categorical.Update(probabilities, [0, 1, 0, 0, 0, 1], 2);
        Assert.Equal(1.1769392, categorical.Result, 5);
        categorical.Reset();
        categorical.Update(probabilities, [0, 1, 0, 0, 0, 1], 2, [0.3f, 0.7f]);
        Assert.Equal(1.6271976, categorical.Result, 5);

        var sparse = Metric.FromName("sparse_categorical_crossentropy", Loss.MeanSquaredError());
        sparse.Update(probabilities, [1, 2], 2);
        Assert.Equal(1.1769392, sparse.Result, 5);
        sparse.Update(probabilities, [1, 2], 2); // a second batch of the same: the running mean stays
        Assert.Equal(1.1769392, sparse.Result, 5);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => sparse.Update(probabilities, [1, 3], 2)); // class 3 of a 3-wide output
        Assert.Contains("3", e.Message);
    }

    [Fact]
    public void A_crossentropy_metric_by_name_is_logged_by_Evaluate()
    {
        var model = new Workflow.SaturatedSigmoidModel();
        Initializers.Initialize(model, seed: 3);
        model.Compile(new Sgd(), Loss.MeanSquaredError(), "binary_crossentropy");
        float[] x = [0.3f, -0.5f, 0.9f, 0.1f], y = [0, 1, 1, 0];
        var result = model.Evaluate(x, y);
        float expected = Loss.BinaryCrossentropy().Compute(model.Predict(x), y, 4, default);
        Assert.Equal(expected, result["binary_crossentropy"], 5);
        Assert.NotEqual(result["loss"], result["binary_crossentropy"]); // the loss is the MSE
    }

    [Fact]
    public void FromName_unknown_lists_valid_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => Metric.FromName("f1_score", Loss.MeanSquaredError()));
        Assert.Contains("f1_score", ex.Message);
        Assert.Contains("sparse_categorical_accuracy", ex.Message);
    }

    [Fact]
    public void Length_mismatch_says_expected_and_actual()
    {
        var ex = Assert.Throws<ArgumentException>(() => new CategoricalAccuracy().Update([0.1f, 0.9f, 0.5f, 0.5f], [0, 1, 0], 2));
        Assert.Contains("expected 4", ex.Message);
        var sparse = Assert.Throws<ArgumentException>(() => new SparseCategoricalAccuracy().Update([0.1f, 0.9f, 0.5f, 0.5f], [0, 1, 0, 1], 2));
        Assert.Contains("expected 2", sparse.Message);
    }
}
