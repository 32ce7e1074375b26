using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

/// <summary>
/// Issue 12, item 5, in Fit and Evaluate: <c>sampleWeight</c> per sample or per step (Keras's temporal weights),
/// <c>classWeight</c>, masks included. Keras: each batch loss is <c>Σ w·loss / rows</c> over the real rows, the logged
/// loss is the mean of the batch losses weighted by batch size, <c>metrics</c> ignore the weights and
/// <c>weighted_metrics</c> take <c>Σ w·value / Σ w</c>. References are computed here, in double, from Predict.
/// </summary>
public sealed class SampleWeightTests
{
    private static (float[] X, float[] Y) Classes(int samples, int seed) => FitTests.Classes(samples, seed);

    private static ClassifierModel Classifier(float learningRate = 0)
    {
        var model = new ClassifierModel();
        model.Initialize(seed: 7);
        model.Compile(new Sgd(learningRate), Loss.CategoricalCrossentropy(), ["accuracy"], ["accuracy"]);
        return model;
    }

    [Fact]
    public void Evaluate_weighs_sample_losses_and_only_the_weighted_metrics()
    {
        var model = Classifier();
        var (x, y) = Classes(10, seed: 1);
        float[] w = [1f, 0.5f, 2f, 0f, 3f, 1f, 1f, 0.25f, 4f, 1.5f];
        var p = model.Predict(x);
        double weightedLoss = 0, right = 0, weightedRight = 0, weightSum = 0;
        for (int s = 0; s < 10; s++)
        {
            double sum = p[s * 3] + p[s * 3 + 1] + p[s * 3 + 2];
            int c = Array.IndexOf(y, 1f, s * 3, 3) - s * 3;
            weightedLoss -= w[s] * Math.Log(p[s * 3 + c] / sum);
            bool ok = p.Skip(s * 3).Take(3).ToList().IndexOf(p.Skip(s * 3).Take(3).Max()) == c;
            right += ok ? 1 : 0;
            weightedRight += ok ? w[s] : 0;
            weightSum += w[s];
        }
        // Batches of 4, 4, 2: Σ_b n_b·(Σ_b w·loss / n_b) / 10 = Σ w·loss / 10.
        var result = model.Evaluate(x, y, batchSize: 4, sampleWeight: w);
        Assert.Equal(weightedLoss / 10, result["loss"], 5);
        Assert.Equal(right / 10, result["accuracy"], 6);
        Assert.Equal(weightedRight / weightSum, result["weighted_accuracy"], 6);
        Assert.Equal(["loss", "accuracy", "weighted_accuracy"], result.Keys);

        // Without weights the weighted metric is the plain one.
        var plain = model.Evaluate(x, y, batchSize: 4);
        Assert.Equal(plain["accuracy"], plain["weighted_accuracy"]);
    }

    [Fact]
    public void Class_weights_are_the_sample_weights_of_each_targets_class()
    {
        var model = Classifier();
        var (x, y) = Classes(12, seed: 2);
        var classWeight = new Dictionary<int, float> { [0] = 2f, [2] = 0.5f }; // class 1 missing: weight 1
        var w = Enumerable.Range(0, 12).Select(s => (Array.IndexOf(y, 1f, s * 3, 3) - s * 3) switch { 0 => 2f, 2 => 0.5f, _ => 1f }).ToArray();
        var byClass = model.Evaluate(x, y, batchSize: 5, classWeight: classWeight);
        var bySample = model.Evaluate(x, y, batchSize: 5, sampleWeight: w);
        Assert.Equal(bySample["loss"], byClass["loss"]);
        Assert.Equal(bySample["weighted_accuracy"], byClass["weighted_accuracy"]);
        Assert.NotEqual(model.Evaluate(x, y, batchSize: 5)["loss"], byClass["loss"]);
    }

    [Fact]
    public void Temporal_weights_under_a_mask_divide_each_batch_by_its_real_steps()
    {
        // Four padded sentences, a tag per step; weights per step, junk on padding steps.
        int[] x =
        {
            4, 7, 1, 9, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0,
            3, 3, 12, 5, 6, 0, 0, 0,
            0, 0, 2, 3, 12, 5, 6, 8,
        };
        var random = new Random(3);
        float[] y = Enumerable.Range(0, 32).Select(_ => (float)random.Next(3)).ToArray();
        float[] w = Enumerable.Range(0, 32).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
        var model = new MaskedTaggerModel();
        model.Initialize(seed: 8);
        model.Compile(new Sgd(0), Loss.SparseCategoricalCrossentropy(), ["accuracy"], ["accuracy"]);
        var p = model.Predict(x);

        double Reference(Func<int, double> weight, out double weightedAccuracy)
        {
            double epoch = 0, rightWeight = 0, weights = 0;
            for (int b = 0; b < 2; b++) // batches of two samples
            {
                double sum = 0;
                int valid = 0;
                for (int r = b * 16; r < b * 16 + 16; r++)
                {
                    if (x[r] == 0) continue;
                    double q = Math.Clamp(p[r * 3 + (int)y[r]] / (p[r * 3] + p[r * 3 + 1] + p[r * 3 + 2]), 1e-7, 1 - 1e-7);
                    sum -= weight(r) * Math.Log(q);
                    valid++;
                    int argmax = p[r * 3] >= p[r * 3 + 1] && p[r * 3] >= p[r * 3 + 2] ? 0 : p[r * 3 + 1] >= p[r * 3 + 2] ? 1 : 2;
                    rightWeight += argmax == (int)y[r] ? weight(r) : 0;
                    weights += weight(r);
                }
                epoch += 2 * (valid == 0 ? 0 : sum / valid);
            }
            weightedAccuracy = rightWeight / weights;
            return epoch / 4;
        }

        double loss = Reference(r => w[r], out double accuracy);
        var temporal = model.Evaluate(x, y, batchSize: 2, sampleWeight: w);
        Assert.Equal(loss, temporal["loss"], 5);
        Assert.Equal(accuracy, temporal["weighted_accuracy"], 5);

        // Per-sample weights spread over the sample's steps.
        float[] perSample = [0.5f, 9f, 2f, 1.5f];
        loss = Reference(r => perSample[r / 8], out accuracy);
        var spread = model.Evaluate(x, y, batchSize: 2, sampleWeight: perSample);
        Assert.Equal(loss, spread["loss"], 5);
        Assert.Equal(accuracy, spread["weighted_accuracy"], 5);

        // Class weights apply per step, by each step's class.
        var classWeight = new Dictionary<int, float> { [0] = 3f, [1] = 0.5f };
        loss = Reference(r => y[r] switch { 0 => 3, 1 => 0.5, _ => 1 }, out accuracy);
        var byClass = model.Evaluate(x, y, batchSize: 2, classWeight: classWeight);
        Assert.Equal(loss, byClass["loss"], 5);
        Assert.Equal(accuracy, byClass["weighted_accuracy"], 5);

        // Fit with a zero learning rate logs the same numbers.
        var history = model.Fit(x, y, epochs: 1, batchSize: 2, shuffle: false, verbose: 0, sampleWeight: w);
        Assert.Equal(temporal["loss"], history["loss"][0], 5);
        Assert.Equal(temporal["weighted_accuracy"], history["weighted_accuracy"][0], 5);
    }

    [Fact]
    public void Doubling_every_weight_is_doubling_the_sgd_learning_rate()
    {
        var (x, y) = Classes(16, seed: 4);
        var weighted = Classifier(learningRate: 0.05f);
        weighted.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: Enumerable.Repeat(2f, 16).ToArray());
        var faster = Classifier(learningRate: 0.1f);
        faster.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        Assertions.AllClose(faster.Parameters, weighted.Parameters, 1e-5, 1e-6, "parameters");

        // A weight of 0 takes a sample out of the gradient: training on it weighs nothing.
        var zero = Classifier(learningRate: 0.1f);
        var before = (float[])zero.Parameters.Clone();
        zero.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: new float[16]);
        Assert.Equal(before, zero.Parameters);
    }

    [Fact]
    public void Validation_split_keeps_the_held_out_samples_weights()
    {
        var model = Classifier();
        var (x, y) = Classes(10, seed: 5);
        float[] w = [1, 1, 1, 1, 1, 1, 1, 1, 3f, 0.5f];
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, validationSplit: 0.2f, verbose: 0, sampleWeight: w);
        var last = model.Evaluate(x[(8 * 6)..], y[(8 * 3)..], sampleWeight: w[8..]);
        Assert.Equal(last["loss"], history["val_loss"][0], 6);
        Assert.Equal(last["weighted_accuracy"], history["val_weighted_accuracy"][0], 6);
    }

    [Fact]
    public void Validation_data_takes_its_own_sample_weights()
    {
        // Keras's validation_data=(x_val, y_val, val_sample_weight) (trial J: validationData could not carry weights).
        var model = Classifier();
        var (x, y) = Classes(10, seed: 5);
        var (xv, yv) = Classes(6, seed: 9);
        float[] wv = [1, 0.5f, 3f, 0f, 2f, 1f];
        var history = model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, validationData: (xv, yv), validationSampleWeight: wv);
        var weighted = model.Evaluate(xv, yv, sampleWeight: wv);
        Assert.Equal(weighted["loss"], history["val_loss"][0], 6);
        Assert.Equal(weighted["weighted_accuracy"], history["val_weighted_accuracy"][0], 6);
        var plain = model.Evaluate(xv, yv);
        Assert.NotEqual(plain["loss"], history["val_loss"][0], 3); // the weights changed it

        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, validationData: (xv, yv), validationSampleWeight: new float[5]));
        Assert.Equal("validationSampleWeight", e.ParamName);
        Assert.Contains("[samples] = 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, validationSplit: 0.2, validationSampleWeight: wv));
        Assert.Contains("pass validationData too", e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Bad_weights_are_refused_before_training_with_what_was_expected()
    {
        var model = Classifier(learningRate: 0.1f);
        var (x, y) = Classes(10, seed: 6);
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: new float[9]));
        Assert.Contains("[samples] = 10", e.Message);
        Assert.Contains("holds 9", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: Enumerable.Repeat(1f, 10).ToArray(), classWeight: new Dictionary<int, float> { [0] = 2 }));
        Assert.Contains("not both", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, verbose: 0, sampleWeight: [1, 1, 1, -1, 1, 1, 1, 1, 1, 1]));
        Assert.Contains("sampleWeight[3] is -1", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, classWeight: new Dictionary<int, float> { [1] = float.NaN }));
        Assert.Contains("classWeight[1]", e.Message);
        Assert.Equal(before, model.Parameters);

        var tagger = new MaskedTaggerModel();
        tagger.Compile(new Adam(), Loss.SparseCategoricalCrossentropy());
        e = Assert.Throws<ArgumentException>(() => tagger.Evaluate(new int[16], new float[16], sampleWeight: new float[5]));
        Assert.Contains("[samples, steps] = 16", e.Message);
    }
}
