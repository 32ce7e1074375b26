using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

/// <summary>
/// Issue 12, item 1: a batch whose every step is masked (a sentence of rare words that a Tokenizer with a small
/// numWords turns into padding only) has loss 0 and leaves the metrics unchanged, in Fit, Evaluate, the batch logs,
/// History and the progress line, as Keras gives it. Item 7: batch logs never carry an earlier epoch's val_* values.
/// </summary>
public sealed class MaskedBatchTests
{
    // Three samples: three real steps, padding only, two real steps then padding. Targets of padding steps are junk.
    private static readonly int[] X = { 1, 2, 3, 0, 0, 0, 4, 1, 0 };
    private static readonly float[] Y = { 1, 0, 1, 1, 1, 1, 0, 1, 0 };

    private static PaddedStepModel Compiled(float learningRate = 0)
    {
        var model = new PaddedStepModel();
        model.Initialize(seed: 12);
        model.Compile(new Sgd(learningRate), Loss.BinaryCrossentropy(), "accuracy");
        return model;
    }

    /// <summary>Per-sample mean cross-entropy over the real steps (0 for none) and the right/real counts, in double.</summary>
    private static (double[] Loss, int[] Right, int[] Real) Reference(PaddedStepModel model, int[] x, float[] y)
    {
        var p = model.Predict(x, batchSize: 1);
        int samples = x.Length / 3;
        var loss = new double[samples];
        var right = new int[samples];
        var real = new int[samples];
        for (int s = 0; s < samples; s++)
        {
            double sum = 0;
            for (int t = 0; t < 3; t++)
            {
                int r = s * 3 + t;
                if (x[r] == 0) continue;
                double q = Math.Clamp(p[r], 1e-7, 1 - 1e-7), target = y[r];
                sum -= target * Math.Log(q) + (1 - target) * Math.Log(1 - q);
                if ((p[r] > 0.5f ? 1f : 0f) == y[r]) right[s]++;
                real[s]++;
            }
            loss[s] = real[s] == 0 ? 0 : sum / real[s];
        }
        return (loss, right, real);
    }

    [Fact]
    public void Loss_and_metric_reductions_accept_zero_rows()
    {
        Assert.Equal(0f, Loss.BinaryCrossentropy().Compute([], [], 0, default));
        Assert.Equal(0f, Loss.SparseCategoricalCrossentropy().Compute([], [], 0, [], default));
        var accuracy = new BinaryAccuracy();
        accuracy.Update([0.9f, 0.2f], [1, 1], 2);
        accuracy.Update([], [], 0);
        accuracy.Update([], [], 0, []);
        Assert.Equal(0.5f, accuracy.Result);
        var mse = new MeanSquaredErrorMetric();
        mse.Update([], [], 0);
        Assert.Equal(0f, mse.Result); // nothing seen yet: divide_no_nan
        Assert.Throws<ArgumentOutOfRangeException>(() => Loss.MeanSquaredError().Compute([1f], [1f], 0, default));
    }

    [Fact]
    public void Evaluate_gives_an_all_padding_batch_loss_zero_and_leaves_metrics_unchanged()
    {
        var model = Compiled();
        var (loss, right, real) = Reference(model, X, Y);
        Assert.Equal(0, real[1]);

        // Batches of one: Keras's loss tracker weights each batch loss by its batch size, the padding batch adds a 0.
        var result = model.Evaluate(X, Y, batchSize: 1);
        Assert.Equal((loss[0] + 0 + loss[2]) / 3, result["loss"], 5);
        Assert.Equal((double)(right[0] + right[2]) / (real[0] + real[2]), result["accuracy"], 6);

        // The accuracy is that of the two samples with real steps alone.
        var without = model.Evaluate([.. X[..3], .. X[6..]], [.. Y[..3], .. Y[6..]], batchSize: 1);
        Assert.Equal(without["accuracy"], result["accuracy"]);

        // One batch of all three: the masked mean over the 5 real steps.
        var one = model.Evaluate(X, Y, batchSize: 3);
        Assert.Equal((loss[0] * real[0] + loss[2] * real[2]) / 5, one["loss"], 5);
        Assert.Equal(result["accuracy"], one["accuracy"]);

        // Padding only, everywhere: loss 0 and accuracy 0 (nothing seen), never NaN.
        var none = model.Evaluate([0, 0, 0, 0, 0, 0], [1, 0, 1, 0, 1, 0], batchSize: 1);
        Assert.Equal(0f, none["loss"]);
        Assert.Equal(0f, none["accuracy"]);
    }

    [Fact]
    public void Fit_batch_logs_history_and_progress_take_an_all_padding_batch()
    {
        var model = Compiled(); // learning rate 0: the weights stay, so the reference holds for every batch
        var (loss, right, real) = Reference(model, X, Y);
        var recorder = new BatchRecorder();
        var progress = new StringWriter();
        var history = model.Fit(X, Y, epochs: 2, batchSize: 1, shuffle: false, verbose: 1, output: progress, callbacks: [recorder, new TerminateOnNaN()]);

        Assert.Equal(2, history.Epochs.Count); // TerminateOnNaN saw no NaN
        var epoch0 = recorder.Batches.Take(3).ToArray();
        Assert.Equal(loss[0], epoch0[0]["loss"], 5);
        Assert.Equal(loss[0] / 2, epoch0[1]["loss"], 5);              // the padding batch adds loss 0, weight 1
        Assert.Equal(epoch0[0]["accuracy"], epoch0[1]["accuracy"]);   // … and leaves the accuracy as it was
        Assert.Equal((loss[0] + loss[2]) / 3, epoch0[2]["loss"], 5);
        Assert.Equal((double)(right[0] + right[2]) / (real[0] + real[2]), epoch0[2]["accuracy"], 6);
        Assert.Equal(epoch0[2]["loss"], history["loss"][0]);
        Assert.Equal(epoch0[2]["accuracy"], history["accuracy"][1]);
        Assert.DoesNotContain("NaN", progress.ToString());

        // The padding sample first: the running values start at 0, not NaN.
        recorder.Batches.Clear();
        model.Fit([.. X[3..6], .. X[..3]], [.. Y[3..6], .. Y[..3]], epochs: 1, batchSize: 1, shuffle: false, verbose: 0, callbacks: [recorder]);
        Assert.Equal(0f, recorder.Batches[0]["loss"]);
        Assert.Equal(0f, recorder.Batches[0]["accuracy"]);
        Assert.Equal(loss[0] / 2, recorder.Batches[1]["loss"], 5);
    }

    [Fact]
    public void A_sentence_of_rare_words_pads_to_an_all_masked_sample_that_fit_and_evaluate_take()
    {
        // The reproduction: numWords keeps indices 1..4, so "zebra quokka" becomes [] and pads to [0, 0, 0].
        string[] texts = ["the cat sat", "the cat ran", "the dog sat", "zebra quokka"];
        var tokenizer = new ModelGen.Text.Tokenizer(numWords: 5);
        tokenizer.FitOnTexts(texts);
        var padded = ModelGen.Text.Sequences.PadSequences(tokenizer.TextsToSequences(texts), maxLen: 3);
        Assert.Equal([0, 0, 0], padded.Row(3).ToArray());
        float[] y = [1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0];
        var model = Compiled(learningRate: 0.05f);
        var history = model.Fit(padded.Data, y, epochs: 2, batchSize: 1, verbose: 0, seed: 6);
        Assert.All(history["loss"], v => Assert.True(float.IsFinite(v)));
        var result = model.Evaluate(padded.Data, y, batchSize: 1);
        var withoutPadding = model.Evaluate(padded.Data[..9], y[..9], batchSize: 1);
        Assert.Equal(withoutPadding["accuracy"], result["accuracy"]);
        Assert.Equal(withoutPadding["loss"] * 3 / 4, result["loss"], 5); // the padding sample adds loss 0 with weight 1
    }

    [Fact]
    public void Training_on_all_padding_batches_stays_finite()
    {
        var model = Compiled(learningRate: 0.1f);
        var history = model.Fit(X, Y, epochs: 3, batchSize: 1, verbose: 0, seed: 4);
        Assert.All(history["loss"], v => Assert.True(float.IsFinite(v)));
        Assert.All(model.Parameters, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void Batch_logs_never_carry_the_previous_epochs_validation_values()
    {
        var model = Compiled(learningRate: 0.1f);
        int[] x = [.. X, .. X, 2, 3, 4, 1, 1, 0];
        float[] y = [.. Y, .. Y, 1, 0, 1, 0, 0, 0];
        var recorder = new BatchRecorder();
        var history = model.Fit(x, y, epochs: 3, batchSize: 2, validationSplit: 0.25f, verbose: 0, seed: 5, callbacks: [recorder]);
        Assert.Equal(3 * 3, recorder.Batches.Count);
        Assert.All(recorder.Batches, logs => Assert.DoesNotContain(logs.Keys, k => k.StartsWith("val_", StringComparison.Ordinal)));
        Assert.Equal(["loss", "accuracy"], recorder.Batches[^1].Keys);
        // Epoch logs keep their values after later epochs ran: each epoch's dictionary is its own.
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(history["val_loss"][e], recorder.Epochs[e]["val_loss"]);
            Assert.Equal(history["loss"][e], recorder.Epochs[e]["loss"]);
        }
    }

    private sealed class BatchRecorder : Callback
    {
        public List<Dictionary<string, float>> Batches { get; } = new();
        public List<IReadOnlyDictionary<string, float>> Epochs { get; } = new();
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Batches.Add(logs.ToDictionary());
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => Epochs.Add(logs);
    }
}
