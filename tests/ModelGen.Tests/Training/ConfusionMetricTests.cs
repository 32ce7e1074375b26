using System;
using System.Linq;

namespace ModelGen.Tests.Training;

/// <summary>
/// Precision, Recall and AUC against Keras's docstring examples and hand-derived values, AUC's 200-threshold default
/// against an explicit-threshold reference and the exact (Mann–Whitney) area, and metric objects in Compile (built-in and
/// a user-defined subclass) through Fit and Evaluate.
/// </summary>
public sealed class ConfusionMetricTests
{
    // Keras docstrings call update_state(y_true, y_pred); Update takes (output, target).

    [Fact]
    public void Precision_keras_docstring_example()
    {
        // keras.metrics.Precision: update_state([0, 1, 1, 1], [1, 0, 1, 1]) → 0.6666667; with sample_weight [0, 0, 1, 0] → 1.0
        var m = new Precision();
        m.Update([1, 0, 1, 1], [0, 1, 1, 1], 4);
        Assert.Equal(0.6666667f, m.Result, 6);
        m.Reset();
        m.Update([1, 0, 1, 1], [0, 1, 1, 1], 4, [0, 0, 1, 0]);
        Assert.Equal(1f, m.Result);
        Assert.Equal(("precision", 0.5f), (m.Name, m.Threshold));
    }

    [Fact]
    public void Recall_keras_docstring_example()
    {
        // keras.metrics.Recall: update_state([0, 1, 1, 1], [1, 0, 1, 1]) → 0.6666667; with sample_weight [0, 0, 1, 0] → 1.0
        var m = new Recall();
        m.Update([1, 0, 1, 1], [0, 1, 1, 1], 4);
        Assert.Equal(0.6666667f, m.Result, 6);
        m.Reset();
        m.Update([1, 0, 1, 1], [0, 1, 1, 1], 4, [0, 0, 1, 0]);
        Assert.Equal(1f, m.Result);
        Assert.Equal(("recall", 0.5f), (m.Name, m.Threshold));
    }

    [Fact]
    public void Precision_and_recall_use_a_strict_threshold_and_accumulate_over_batches()
    {
        // outputs [0.5, 0.7, 0.2, 0.9], targets [1, 1, 1, 0]: 0.5 is not > 0.5 → predicted [0, 1, 0, 1]: tp 1, fp 1, fn 2
        var precision = new Precision();
        var recall = new Recall();
        foreach (var (o, t) in new[] { (new float[] { 0.5f, 0.7f }, new float[] { 1, 1 }), (new float[] { 0.2f, 0.9f }, new float[] { 1, 0 }) })
        {
            precision.Update(o, t, 2);
            recall.Update(o, t, 2);
        }
        Assert.Equal(0.5f, precision.Result);
        Assert.Equal(1f / 3, recall.Result, 6);
        Assert.Equal(0f, new Precision().Result);   // divide_no_nan before any update
        var logits = new Recall(threshold: 0f);
        logits.Update([-0.1f, 0.1f], [1, 1], 2);
        Assert.Equal(0.5f, logits.Result);
    }

    [Fact]
    public void Auc_keras_docstring_example()
    {
        // keras.metrics.AUC(num_thresholds=3): update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9]) → 0.75
        // (thresholds [0 − 1e-7, 0.5, 1 + 1e-7]; tp [2, 1, 0], fp [2, 0, 0]; recall [1, 0.5, 0], fpr [1, 0, 0]);
        // with sample_weight [1, 0, 0, 1] → 1.0
        var m = new Auc(numThresholds: 3);
        m.Update([0, 0.5f, 0.3f, 0.9f], [0, 0, 1, 1], 4);
        Assert.Equal(0.75f, m.Result, 6);
        m.Reset();
        m.Update([0, 0.5f, 0.3f, 0.9f], [0, 0, 1, 1], 4, [1, 0, 0, 1]);
        Assert.Equal(1f, m.Result, 6);
        Assert.Equal([-1e-7, 0.5, 1 + 1e-7], Enumerable.Range(0, 3).Select(m.Threshold));
        var defaults = new Auc();
        Assert.Equal(("auc", 200, AucCurve.Roc, AucSummationMethod.Interpolation, false),
            (defaults.Name, defaults.NumThresholds, defaults.Curve, defaults.SummationMethod, defaults.FromLogits));
        Assert.Equal(0f, defaults.Result);
    }

    [Theory]
    // Docstring data, tp [2, 1, 0], fp [2, 0, 0], positives 2: recall [1, 0.5, 0], fpr [1, 0, 0], precision [0.5, 1, 0].
    [InlineData(AucCurve.Roc, AucSummationMethod.Minoring, 0.5)]        // 1·min(1, 0.5) + 0
    [InlineData(AucCurve.Roc, AucSummationMethod.Majoring, 1.0)]        // 1·max(1, 0.5) + 0
    [InlineData(AucCurve.PR, AucSummationMethod.Minoring, 0.25)]        // 0.5·min(0.5, 1) + 0.5·min(1, 0)
    [InlineData(AucCurve.PR, AucSummationMethod.Majoring, 1.0)]         // 0.5·max(0.5, 1) + 0.5·max(1, 0)
    // Keras interpolate_pr_auc: P = tp + fp = [4, 1, 0]. Interval 0: slope 1/3, intercept 1 − 1/3 = 2/3, ratio 4 →
    // (1/3)(1 + (2/3)·ln 4)/2; interval 1: slope 1, intercept 0, ratio 1 (P₂ = 0) → 1/2.
    [InlineData(AucCurve.PR, AucSummationMethod.Interpolation, 0.8206993735)]
    public void Auc_curves_and_summation_methods(AucCurve curve, AucSummationMethod method, double expected)
    {
        Assert.Equal(0.8206993735, (1 + 2.0 / 3 * Math.Log(4)) / 6 + 0.5, 1e-10);   // the interpolation case's value
        var m = new Auc(3, curve, method);
        m.Update([0, 0.5f, 0.3f, 0.9f], [0, 0, 1, 1], 4);
        Assert.Equal(expected, m.Result, 1e-6);
    }

    [Fact]
    public void Auc_with_200_thresholds_matches_explicit_thresholds_and_the_exact_area()
    {
        var random = new Random(7);
        int n = 3000;
        var target = new float[n];
        var output = new float[n];
        for (int i = 0; i < n; i++)
        {
            target[i] = random.Next(2);
            output[i] = (float)Math.Clamp(0.5 + (target[i] - 0.5) * 0.3 + (random.NextDouble() - 0.5) * 0.8, 0, 1);
        }
        var auc = new Auc();
        for (int start = 0; start < n; start += 128) // in batches
        {
            int count = Math.Min(128, n - start);
            auc.Update(output.AsSpan(start, count), target.AsSpan(start, count), count);
        }

        // Keras's explicit-threshold path: positive at threshold i when p > tᵢ; trapezoids of recall over fpr.
        double[] thresholds = [-1e-7, .. Enumerable.Range(1, 198).Select(i => i / 199.0), 1 + 1e-7];
        double positives = target.Sum(), negatives = n - positives, reference = 0;
        double Tpr(double t) => Enumerable.Range(0, n).Count(i => output[i] > t && target[i] == 1) / positives;
        double Fpr(double t) => Enumerable.Range(0, n).Count(i => output[i] > t && target[i] == 0) / negatives;
        for (int i = 0; i < 199; i++)
            reference += (Fpr(thresholds[i]) - Fpr(thresholds[i + 1])) * (Tpr(thresholds[i]) + Tpr(thresholds[i + 1])) / 2;
        Assert.Equal(reference, auc.Result, 5);

        // The exact area (probability a positive outranks a negative, ties half) is within the discretisation error.
        double wins = 0;
        for (int i = 0; i < n; i++)
            if (target[i] == 1)
                for (int j = 0; j < n; j++)
                    if (target[j] == 0) wins += output[i] > output[j] ? 1 : output[i] == output[j] ? 0.5 : 0;
        Assert.Equal(wins / (positives * negatives), auc.Result, 2);
        Assert.InRange(auc.Result, 0.6, 0.99);   // the data separates the classes, not perfectly
    }

    [Fact]
    public void Auc_from_logits_equals_auc_of_the_probabilities_and_clips_outputs()
    {
        float[] probabilities = [0.1f, 0.8f, 0.35f, 0.6f, 0.95f, 0.2f];
        float[] target = [0, 1, 0, 1, 1, 0];
        var logits = probabilities.Select(p => MathF.Log(p / (1 - p))).ToArray();
        var a = new Auc(numThresholds: 50);
        var b = new Auc(numThresholds: 50, fromLogits: true);
        a.Update(probabilities, target, 6);
        b.Update(logits, target, 6);
        Assert.Equal(a.Result, b.Result, 6);

        var clipped = new Auc(numThresholds: 3);
        clipped.Update([-2f, 0.5f, 0.3f, 7f], [0, 0, 1, 1], 4);   // as [0, 0.5, 0.3, 1]: the docstring's area
        Assert.Equal(0.75f, clipped.Result, 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Auc(numThresholds: 1));
    }

    [Fact]
    public void Names_resolve_in_FromName_and_string_Compile()
    {
        var loss = Loss.BinaryCrossentropy();
        Assert.IsType<Auc>(Metric.FromName("auc", loss));
        Assert.IsType<Precision>(Metric.FromName("precision", loss));
        Assert.Equal("recall", Assert.IsType<Recall>(Metric.FromName("recall", loss)).Name);
        Assert.Contains("auc, precision, recall", Metric.ValidNames);

        var (x, y) = TrainingExtrasModel.Data(32, seed: 1);
        var model = new TrainingExtrasModel();
        model.Initialize(seed: 1);
        model.Compile("adam", "binary_crossentropy", "auc", "precision", "recall");
        var history = model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0);
        Assert.Equal(["auc", "loss", "precision", "recall"], history.Values.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>A user-defined metric: the mean output value, built on <see cref="Metric.Accumulate"/>.</summary>
    private sealed class MeanPrediction : Metric
    {
        public MeanPrediction() : base("mean_prediction") { }

        public int Updates { get; private set; }

        public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
        {
            int width = CheckLengths(output, target, samples, sparseTarget: false);
            double sum = 0;
            foreach (float o in output) sum += o;
            Accumulate(sum / Math.Max(width, 1), samples);
            Updates++;
        }
    }

    [Fact]
    public void Compile_takes_metric_objects_including_user_defined_ones()
    {
        var (x, y) = TrainingExtrasModel.Data(40, seed: 3);
        var (vx, vy) = TrainingExtrasModel.Data(20, seed: 4);
        var model = new TrainingExtrasModel();
        model.Initialize(seed: 5);
        var user = new MeanPrediction();
        var auc = new Auc(numThresholds: 100, name: "roc");
        model.Compile(new Adam(0.01f), Loss.BinaryCrossentropy(), [user, auc, new Precision(threshold: 0.4f)]);

        var history = model.Fit(x, y, epochs: 2, batchSize: 8, validationData: (vx, vy), verbose: 0, seed: 1);
        Assert.Equal(["loss", "mean_prediction", "precision", "roc", "val_loss", "val_mean_prediction", "val_precision", "val_roc"],
            history.Values.Keys.Order(StringComparer.Ordinal));
        Assert.True(user.Updates > 0);

        // Evaluate resets the objects and reports what they compute from the model's outputs.
        var results = model.Evaluate(vx, vy, batchSize: 8);
        var predicted = model.Predict(vx, batchSize: 8);
        Assert.Equal(predicted.Average(), results["mean_prediction"], 5);
        var reference = new Auc(numThresholds: 100);
        reference.Update(predicted, vy, vy.Length);
        Assert.Equal(reference.Result, results["roc"], 6);
        Assert.Equal(reference.Result, auc.Result, 6);   // the object holds the last run's value
        var precision = new Precision(threshold: 0.4f);
        precision.Update(predicted, vy, vy.Length);
        Assert.Equal(precision.Result, results["precision"], 6);
        // The last epoch's validation ran on the final weights with the same batches: the same values.
        Assert.Equal(results["roc"], history["val_roc"][^1], 6);
    }

    [Fact]
    public void Weighted_metric_objects_take_sample_weights_and_duplicates_are_refused()
    {
        var (x, y) = TrainingExtrasModel.Data(16, seed: 6);
        var weights = Enumerable.Range(0, 16).Select(i => (float)(i % 3)).ToArray();
        var model = new TrainingExtrasModel();
        model.Initialize(seed: 2);
        var weighted = new Recall(name: "recall");
        model.Compile(new Sgd(), Loss.BinaryCrossentropy(), [new Recall()], [weighted]);
        var results = model.Evaluate(x, y, batchSize: 16, sampleWeight: weights);

        var predicted = model.Predict(x, batchSize: 16);
        var plain = new Recall();
        plain.Update(predicted, y, 16);
        var byWeight = new Recall();
        byWeight.Update(predicted, y, 16, weights);
        Assert.Equal(plain.Result, results["recall"], 6);
        Assert.Equal(byWeight.Result, results["weighted_recall"], 6);

        var shared = new Auc();
        var error = Assert.Throws<ArgumentException>(() => model.Compile(new Sgd(), Loss.BinaryCrossentropy(), [shared], [shared]));
        Assert.Contains("given twice", error.Message);
        Assert.Throws<ArgumentException>(() => model.Compile(new Sgd(), Loss.BinaryCrossentropy(), new Metric[] { null! }));
    }
}
