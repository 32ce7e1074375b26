using System;
using System.Collections.Generic;
using System.IO;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests.Reliability;

/// <summary>
/// Issue 13 item 2: a batch whose loss is not finite is detected before Backward and the optimizer step, so the last
/// good parameters and optimizer state survive bit for bit, with or without TerminateOnNaN. Arrays given to Fit are
/// scanned before any batch (trial Q: batches before the bad one were applied), so the per-batch check is reached
/// through a data source, which is read batch by batch.
/// </summary>
public sealed class NonFiniteBatchTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-nonfinite-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (float[] X, float[] Y) Data() => ReliabilityData.Classifier(32, seed: 11);

    private static ClassifierModel Compiled(out Adam adam)
    {
        var model = new ClassifierModel();
        model.Initialize(seed: 4);
        adam = new Adam(learningRate: 0.01f);
        model.Compile(adam, Loss.CategoricalCrossentropy());
        return model;
    }

    private static int[] Bits(ClassifierModel model, Optimizer optimizer) => ReliabilityData.Bits(model.Parameters, optimizer);

    /// <summary>The reference: the same model trained on the first <paramref name="samples"/> samples only, in order.</summary>
    private static int[] TrainedOnFirst(float[] x, float[] y, int samples)
    {
        var model = Compiled(out var adam);
        model.Fit(x[..(samples * 6)], y[..(samples * 3)], epochs: 1, batchSize: 8, shuffle: false, verbose: 0);
        return Bits(model, adam);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void A_non_finite_batch_leaves_parameters_and_optimizer_state_bit_for_bit_and_names_the_sample(float bad)
    {
        var (x, y) = Data();
        var expected = TrainedOnFirst(x, y, 16);
        x[19 * 6 + 4] = bad; // sample 19: the third batch of 8
        var model = Compiled(out var adam);

        var e = Assert.Throws<ArithmeticException>(() => model.Fit(new ArraySource<float>(x, y, 32), epochs: 1, batchSize: 8, shuffle: false, verbose: 0));

        Assert.Equal(expected, Bits(model, adam));
        Assert.Contains("epoch 1, batch 3", e.Message);
        Assert.Contains("source inputs holds NaN or ∞ in sample 19", e.Message);
        Assert.Contains("not applied", e.Message);
        Assert.DoesNotContain(float.NaN, model.Parameters);
    }

    [Fact]
    public void Shuffled_batches_name_the_samples_as_indices_into_x_and_y()
    {
        var (x, y) = Data();
        x[5 * 6] = float.NaN;
        y[30 * 3 + 1] = float.NegativeInfinity;
        var model = Compiled(out _);
        // One batch of all 32 samples in shuffled order: both bad samples are in it, named by their index in x and y.
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(new ArraySource<float>(x, y, 32), epochs: 1, batchSize: 32, seed: 3, verbose: 0));
        Assert.Contains("source inputs holds NaN or ∞ in sample 5", e.Message);
        Assert.Contains("source targets holds NaN or ∞ in sample 30", e.Message);
    }

    [Theory]
    [InlineData(float.NaN, 19 * 6 + 4, "x[118] (sample 19, step 2, feature 0) is NaN")]
    [InlineData(float.NegativeInfinity, 31 * 6 + 5, "x[191] (sample 31, step 2, feature 1) is -∞")]
    public void Arrays_are_scanned_before_any_batch_and_nothing_changes(float bad, int at, string said)
    {
        var (x, y) = Data();
        x[at] = bad; // in the last batch: before the scan, the batches ahead of it were applied (trial Q)
        var model = Compiled(out var adam);
        var before = Bits(model, adam);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, epochs: 1, batchSize: 8, shuffle: false, verbose: 0));

        Assert.Equal("x", e.ParamName);
        Assert.StartsWith(said, e.Message);
        Assert.Contains("nothing was changed", e.Message);
        Assert.Equal(before, Bits(model, adam));
        Assert.Equal(0, adam.Iterations);
    }

    [Fact]
    public void Targets_are_scanned_too_and_a_held_out_sample_is_not_trained_on()
    {
        var (x, y) = Data();
        y[30 * 3 + 1] = float.PositiveInfinity;
        var model = Compiled(out var adam);
        var before = Bits(model, adam);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0));
        Assert.Equal("y", e.ParamName);
        Assert.StartsWith("y[91] (sample 30) is ∞", e.Message);
        Assert.Equal(before, Bits(model, adam));

        // Sample 30 held out for validation (the last quarter): training reads only samples 0–23, so Fit runs.
        model.Fit(x, y, epochs: 1, batchSize: 8, validationSplit: 0.25, verbose: 0);
        Assert.Equal(3, adam.Iterations);
    }

    [Fact]
    public void Under_a_step_mask_a_target_at_a_masked_step_is_never_read_nor_blamed()
    {
        // Embedding(mask_zero): id 0 is padding. Sample 1's steps 1 and 2 are masked, and its targets there NaN.
        int[] x = [1, 2, 3, 1, 0, 0, 4, 3, 2, 2, 2, 0];
        float[] y = [0.1f, 0.2f, 0.3f, 0.4f, float.NaN, float.NaN, 0.5f, 0.6f, 0.7f, 0.8f, 0.9f, float.NaN];
        var model = new PaddedStepModel();
        model.Initialize(seed: 3);
        var adam = new Adam(0.01f);
        model.Compile(adam, Loss.MeanSquaredError());
        model.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0); // trains: the NaNs are never read
        Assert.Equal(2, adam.Iterations);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(model.Parameters));

        // A NaN at a real step of sample 0 stops the batch, and only sample 0 is named (trial R: sample 1 was too).
        y[1] = float.NaN;
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0));
        Assert.Contains("y holds NaN or ∞ in sample 0;", e.Message + ";");
        Assert.DoesNotContain("samples 0", e.Message);
        Assert.Equal(2, adam.Iterations);
    }

    [Fact]
    public void Terminate_on_nan_stops_with_the_last_good_weights_and_a_checkpoint_keeps_its_file()
    {
        var (x, y) = Data();
        var expected = TrainedOnFirst(x, y, 8);
        x[10 * 6] = float.NaN; // the second batch
        var model = Compiled(out var adam);
        var terminate = new TerminateOnNaN();
        string path = Path.Combine(_folder, "last.mgw");
        var checkpoint = new ModelCheckpoint(path, monitor: "loss");

        model.Fit(new ArraySource<float>(x, y, 32), epochs: 3, batchSize: 8, shuffle: false, verbose: 0, callbacks: [terminate, checkpoint]);

        Assert.Equal(1, terminate.StoppedAtBatch);
        Assert.Equal(expected, Bits(model, adam));
        // The epoch's end still saves, and what it saves is the last good model, which loads.
        var loaded = new ClassifierModel();
        loaded.LoadWeights(path);
        Assert.Equal(model.Parameters, loaded.Parameters);
    }

    /// <summary>Poisons the parameters at the end of one epoch, before the checkpoint (which comes after it) runs.</summary>
    private sealed class PoisonAt(int epoch) : Callback
    {
        public override void OnEpochEnd(int e, IReadOnlyDictionary<string, float> logs)
        {
            if (e == epoch) Context.Model.Parameters[3] = float.NaN;
        }
    }

    [Fact]
    public void A_checkpoint_never_replaces_a_good_file_with_non_finite_weights()
    {
        var (x, y) = Data();
        var model = Compiled(out _);
        string path = Path.Combine(_folder, "every-epoch.mgw");
        var checkpoint = new ModelCheckpoint(path, monitor: "loss", saveBestOnly: false);

        model.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0, callbacks: [new PoisonAt(1), checkpoint]);

        Assert.Equal(1, checkpoint.Saves);
        var warning = Assert.Single(checkpoint.Warnings);
        Assert.Contains("epoch 2: not saved", warning);
        var loaded = new ClassifierModel();
        loaded.LoadWeights(path);
        Assert.True(System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(loaded.Parameters));
    }
}
