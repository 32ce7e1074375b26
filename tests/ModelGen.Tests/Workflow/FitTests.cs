using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

/// <summary>Compile / Fit / Evaluate / Predict, callbacks and progress output. Every run states its seed.</summary>
public sealed class FitTests
{
    private static (float[] X, float[] Y) SequenceWindows()
    {
        // [0.0 0.1 0.2 0.3] → 0.4, …, [0.5 0.6 0.7 0.8] → 0.9
        var x = new float[6 * 4];
        var y = new float[6];
        for (int w = 0; w < 6; w++)
        {
            for (int t = 0; t < 4; t++) x[w * 4 + t] = (w + t) / 10f;
            y[w] = (w + 4) / 10f;
        }
        return (x, y);
    }

    /// <summary>Three-class sequences <c>[samples, 3, 2]</c> with one-hot targets <c>[samples, 3]</c>.</summary>
    internal static (float[] X, float[] Y) Classes(int samples, int seed)
    {
        // Class = which of three patterns the sequence follows, with noise.
        var random = new Random(seed);
        var x = new float[samples * 6];
        var y = new float[samples * 3];
        for (int s = 0; s < samples; s++)
        {
            int c = random.Next(3);
            y[s * 3 + c] = 1;
            for (int i = 0; i < 6; i++) x[s * 6 + i] = (c - 1) * (i % 2 == 0 ? 1 : -1) * 0.8f + (random.NextSingle() - 0.5f) * 0.4f;
        }
        return (x, y);
    }

    [Fact]
    public void Sequence_task_reaches_mse_below_1e_3_with_adam()
    {
        var (x, y) = SequenceWindows();
        var model = new SequenceModel();
        model.Initialize(seed: 42);
        model.Compile(new Adam(learningRate: 0.01f), Loss.MeanSquaredError());
        var history = model.Fit(x, y, epochs: 100, batchSize: 1, verbose: 0, seed: 1); // as samples/SequencePrediction
        Assert.True(history["loss"][^1] < 1e-3, $"final mse {history["loss"][^1]}");
        Assert.True(model.Evaluate(x, y)["loss"] < 1e-3);
        var prediction = model.Predict(x);
        for (int i = 0; i < 6; i++) Assert.Equal(y[i], prediction[i], 0.05f);
    }

    [Fact]
    public void Reduced_addition_problem_learns_well_below_the_mean_baseline()
    {
        var (x, y) = AdditionProblem.AdditionData.Generate(3000, SmallAdditionModel.TimeSteps, seed: 1);
        var (xt, yt) = AdditionProblem.AdditionData.Generate(500, SmallAdditionModel.TimeSteps, seed: 2);
        float baseline = AdditionProblem.AdditionData.MeanBaseline(yt); // ≈ 1/6
        var model = new SmallAdditionModel();
        model.Initialize(seed: 5);
        model.Compile(new Adam(learningRate: 0.01f), Loss.MeanSquaredError(), "mae");
        model.Fit(x, y, epochs: 6, batchSize: 32, verbose: 0, seed: 3);
        float mse = model.Evaluate(xt, yt)["loss"];
        Assert.True(mse < baseline / 4, $"test mse {mse} vs predict-the-mean {baseline}");
    }

    [Fact]
    public void Same_seed_gives_bit_identical_losses()
    {
        float[] Run()
        {
            var (x, y) = Classes(64, seed: 9);
            var model = new ClassifierModel();
            model.Initialize(seed: 4);
            model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
            return model.Fit(x, y, epochs: 3, batchSize: 8, verbose: 0, seed: 12)["loss"].ToArray();
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void History_has_train_and_validation_entries_per_epoch()
    {
        var (x, y) = Classes(100, seed: 1);
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        model.Compile("adam", "categorical_crossentropy", "accuracy");
        var history = model.Fit(x, y, epochs: 4, batchSize: 16, validationSplit: 0.2f, verbose: 0, seed: 2);
        Assert.Equal([0, 1, 2, 3], history.Epochs);
        foreach (var name in new[] { "loss", "accuracy", "val_loss", "val_accuracy" })
            Assert.Equal(4, history[name].Count);
        Assert.True(history["loss"][^1] < history["loss"][0]);
        Assert.All(history["val_accuracy"], a => Assert.InRange(a, 0f, 1f));
    }

    [Fact]
    public void Validation_split_takes_the_last_samples_like_keras()
    {
        var (x, y) = Classes(50, seed: 3);
        var model = new ClassifierModel();
        model.Initialize(seed: 3);
        model.Compile(new Sgd(learningRate: 0), Loss.CategoricalCrossentropy(), "accuracy");
        var history = model.Fit(x, y, epochs: 1, batchSize: 50, validationSplit: 0.2f, verbose: 0);
        // With a zero learning rate nothing changes: val_loss must equal evaluating the last 10 samples.
        var last = model.Evaluate(x[(40 * 6)..], y[(40 * 3)..]);
        Assert.Equal(last["loss"], history["val_loss"][0], 6);
    }

    [Theory]
    // Keras's int(math.floor(n * (1.0 - split))) in double, computed in Python: 90 · 0.7 is 62.99999999999999.
    [InlineData(90, 0.3, 62)]
    [InlineData(500, 0.33, 334)]
    [InlineData(170, 0.3, 118)]
    [InlineData(300, 0.33, 200)]
    [InlineData(500, 0.07, 464)]
    [InlineData(1000, 0.1, 900)]
    [InlineData(7, 0.5, 3)]
    [InlineData(10, 0.2, 8)]
    public void Validation_split_cuts_where_keras_does(int samples, double split, int trainingSamples)
    {
        Assert.Equal(trainingSamples, ModelTraining.TrainingSamples(samples, split));
        // A float split (0.2f widened to 0.20000000298…) cuts where the same decimal typed as a double does.
        if ((double)(float)split != split) Assert.Equal(trainingSamples, ModelTraining.TrainingSamples(samples, (float)split));
    }

    [Fact]
    public void Validation_split_of_90_samples_at_0_3_trains_on_62_as_keras()
    {
        var (x, y) = Classes(90, seed: 4);
        var model = new ClassifierModel();
        model.Initialize(seed: 4);
        model.Compile(new Sgd(learningRate: 0), Loss.CategoricalCrossentropy());
        int batches = 0;
        model.Fit(x, y, epochs: 1, batchSize: 1, validationSplit: 0.3, verbose: 0, shuffle: false,
            callbacks: [new LambdaCallback(onBatchEnd: (_, _) => batches++)]);
        Assert.Equal(62, batches);
    }

    [Fact]
    public void Validation_data_is_evaluated_after_each_epoch()
    {
        var (x, y) = Classes(40, seed: 10);
        var (xv, yv) = Classes(12, seed: 11);
        var model = new ClassifierModel();
        model.Initialize(seed: 10);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        var history = model.Fit(x, y, epochs: 2, batchSize: 8, validationData: (xv, yv), verbose: 0, seed: 1);
        Assert.Equal(model.Evaluate(xv, yv)["loss"], history["val_loss"][^1], 6);
        Assert.Throws<ArgumentException>(() => model.Fit(x, y, validationSplit: 0.2f, validationData: (xv, yv), verbose: 0));
    }

    [Fact]
    public void Cancellation_stops_fit_between_batches()
    {
        var (x, y) = Classes(40, seed: 12);
        var model = new ClassifierModel();
        model.Compile(new Adam(), Loss.CategoricalCrossentropy());
        using var source = new System.Threading.CancellationTokenSource();
        var cancelAfterTwoBatches = new CancelAfter(source, batches: 2);
        Assert.Throws<OperationCanceledException>(() =>
            model.Fit(x, y, epochs: 5, batchSize: 4, verbose: 0, callbacks: [cancelAfterTwoBatches], cancellationToken: source.Token));
        Assert.Equal(2, cancelAfterTwoBatches.Seen);
    }

    private sealed class CancelAfter(System.Threading.CancellationTokenSource source, int batches) : Callback
    {
        public int Seen { get; private set; }
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (++Seen == batches) source.Cancel();
        }
    }

    [Fact]
    public void Early_stopping_stops_and_restores_the_best_weights()
    {
        // Random labels: the model can only memorise the training part, so the validation loss soon rises.
        var random = new Random(4);
        var x = new float[80 * 6];
        var y = new float[80 * 3];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        for (int s = 0; s < 80; s++) y[s * 3 + random.Next(3)] = 1;
        var model = new ClassifierModel();
        model.Initialize(seed: 4);
        model.Compile(new Adam(learningRate: 0.05f), Loss.CategoricalCrossentropy());
        var stop = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);
        var recorder = new ParameterRecorder();
        var history = model.Fit(x, y, epochs: 50, batchSize: 10, validationSplit: 0.25f, verbose: 0, seed: 1, callbacks: [recorder, stop]);
        Assert.True(stop.StoppedEpoch > 0 && history.Epochs.Count < 50, $"stopped at {stop.StoppedEpoch} after {history.Epochs.Count} epochs");
        Assert.Equal(stop.StoppedEpoch + 1, history.Epochs.Count);
        var valLoss = history["val_loss"];
        int best = valLoss.Select((v, i) => (v, i)).MinBy(p => p.v).i;
        Assert.Equal(best, stop.BestEpoch);
        Assert.Equal(stop.BestEpoch + 2, stop.StoppedEpoch); // patience 2: two epochs without improvement
        Assert.Equal(recorder.AfterEpoch[best], model.Parameters);
        Assert.NotEqual(recorder.AfterEpoch[^1], model.Parameters);
    }

    [Fact]
    public void Reduce_lr_on_plateau_divides_the_learning_rate()
    {
        var (x, y) = Classes(40, seed: 5);
        var model = new ClassifierModel();
        model.Initialize(seed: 5);
        var sgd = new Sgd(learningRate: 0.1f);
        model.Compile(sgd, Loss.CategoricalCrossentropy());
        // With min_delta 1 only the first epoch counts as an improvement, so every later epoch is a plateau.
        var reduce = new ReduceLROnPlateau(monitor: "loss", factor: 0.5f, patience: 1, minDelta: 1f, minLr: 0.02f);
        model.Fit(x, y, epochs: 5, batchSize: 40, verbose: 0, callbacks: [reduce]);
        // Epochs 2, 3, 4 reduce: 0.1 → 0.05 → 0.025 → max(0.0125, min_lr) = 0.02; epoch 5 finds it at min_lr.
        Assert.Equal(0.02f, sgd.LearningRate, 6);
    }

    [Fact]
    public void Nan_loss_throws_a_clear_error_and_terminate_on_nan_stops_quietly()
    {
        var (x, y) = Classes(32, seed: 6);
        x[5] = float.NaN;
        var model = new ClassifierModel();
        model.Initialize(seed: 6);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy());
        // Arrays are scanned before any batch; a data source is read, and checked, batch by batch.
        var early = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0));
        Assert.StartsWith("x[5] (sample 0, step 2, feature 1) is NaN", early.Message);
        var source = new ArraySource<float>(x, y, 32);
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(source, epochs: 2, batchSize: 8, shuffle: false, verbose: 0));
        Assert.Contains("epoch 1, batch 1", e.Message);
        Assert.Contains("NaN", e.Message);

        model.Initialize(seed: 6);
        var terminate = new TerminateOnNaN();
        var history = model.Fit(source, epochs: 2, batchSize: 8, shuffle: false, verbose: 0, callbacks: [terminate]);
        Assert.Equal(0, terminate.StoppedAtBatch);
        Assert.Single(history.Epochs);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Sparse_categorical_crossentropy_takes_one_class_index_per_row(bool perStep)
    {
        // The class of each step (or sample) is the sign pattern of its features: learnable, so the loss must fall.
        var random = new Random(21);
        const int Samples = 120, Steps = 6;
        var x = new float[Samples * Steps * 2];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        int Class(int s, int t) => x[(s * Steps + t) * 2] > 0.3f ? 2 : x[(s * Steps + t) * 2] < -0.3f ? 0 : 1;
        ISequentialModel<float> model = perStep ? new StepClassifierModel() : new ClassifierLastStepModel();
        float[] y = perStep
            ? Enumerable.Range(0, Samples * Steps).Select(i => (float)Class(i / Steps, i % Steps)).ToArray()
            : Enumerable.Range(0, Samples).Select(s => (float)Class(s, Steps - 1)).ToArray();
        Initializers.Initialize(model.Info, model.Parameters, 22);
        model.Compile(new Adam(0.02f), Loss.SparseCategoricalCrossentropy(), "accuracy");
        var history = model.Fit(x, y, epochs: 15, batchSize: 16, verbose: 0, seed: 23);
        var losses = history["loss"];
        Assert.True(losses[^1] < 0.6f * losses[0], $"loss {losses[0]} → {losses[^1]}");
        var result = model.Evaluate(x, y);
        Assert.True(result["accuracy"] > 0.8f, $"accuracy {result["accuracy"]}");
        Assert.Equal(Samples * (perStep ? Steps : 1) * 3, model.Predict(x).Length);

        var error = Assert.Throws<ArgumentException>(() => model.Fit(x, y[..^1], verbose: 0));
        Assert.Contains("class indices", error.Message);
        Assert.Contains(perStep ? $"[{Samples}, {Steps}]" : $"[{Samples}]", error.Message);
    }

    [Fact]
    public void Masked_sequence_outputs_leave_padding_out_of_loss_and_metrics()
    {
        // Two sentences, each padded once 'post' and once 'pre'; the tags of padding steps are junk on purpose.
        int[] x =
        {
            4, 7, 1, 9, 0, 0, 0, 0,
            0, 0, 0, 0, 4, 7, 1, 9,
            3, 3, 12, 5, 6, 0, 0, 0,
            0, 0, 0, 3, 3, 12, 5, 6,
        };
        float[] tags = { 0, 1, 2, 1, 2, 2, 0, 1 };
        float[] y = new float[4 * 8];
        for (int s = 0; s < 4; s++)
            for (int t = 0, k = 0; t < 8; t++)
                y[s * 8 + t] = x[s * 8 + t] == 0 ? (s + t) % 3 : tags[k++ % 8];
        var model = new MaskedTaggerModel();
        model.Initialize(seed: 31);
        model.Compile(new Adam(), Loss.SparseCategoricalCrossentropy(), "accuracy");

        // The output mask is the token mask, batch-major.
        var output = new float[model.OutputLength(4, 8)];
        model.Forward(x, 4, output);
        Assert.Equal(x.Select(v => v == 0 ? (byte)0 : (byte)1).ToArray(), model.OutputMask.ToArray());

        // Evaluate's loss is the mean cross-entropy over the 18 real steps only, computed here in double.
        double sum = 0;
        int real = 0;
        for (int r = 0; r < 32; r++)
        {
            if (x[r] == 0) continue;
            sum -= Math.Log(Math.Clamp(output[r * 3 + (int)y[r]], 1e-7, 1 - 1e-7));
            real++;
        }
        Assert.Equal(18, real);
        var result = model.Evaluate(x, y, batchSize: 4);
        Assert.Equal(sum / real, result["loss"], 5);

        // 'pre' and 'post' padding of the same sentence give the same loss, and junk padding tags change nothing.
        var post = model.Evaluate(x[..8], y[..8]);
        var pre = model.Evaluate(x[8..16], y[8..16]);
        Assert.Equal(post["loss"], pre["loss"], 5);
        Assert.Equal(post["accuracy"], pre["accuracy"]);

        // Training runs on the masked loss.
        var history = model.Fit(x, y, epochs: 30, batchSize: 2, verbose: 0, seed: 32);
        Assert.True(history["loss"][^1] < history["loss"][0]);
    }

    [Fact]
    public void Fit_checks_shapes_and_compilation()
    {
        var model = new ClassifierModel();
        var (x, y) = Classes(10, seed: 7);
        Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, verbose: 0));
        model.Compile(new Adam(), Loss.CategoricalCrossentropy());
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y[..^1], verbose: 0));
        Assert.Contains("[10, 3] = 30 floats", e.Message);
        Assert.Contains("holds 29", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(x[..^1], y, verbose: 0));
        Assert.Contains("[samples, 3, 2]", e.Message);
    }

    [Fact]
    public void User_callbacks_see_every_epoch_and_batch_and_can_stop()
    {
        var (x, y) = Classes(40, seed: 8);
        var model = new ClassifierModel();
        model.Initialize(seed: 8);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        var spy = new StopAfter(epochs: 2);
        var history = model.Fit(x, y, epochs: 10, batchSize: 10, verbose: 0, callbacks: [spy]);
        Assert.Equal(2, history.Epochs.Count);
        Assert.Equal(["train_begin", "epoch_begin 0", "batch 0", "batch 1", "batch 2", "batch 3", "epoch_end 0 loss accuracy",
            "epoch_begin 1", "batch 0", "batch 1", "batch 2", "batch 3", "epoch_end 1 loss accuracy", "train_end"], spy.Events);
    }

    [Fact]
    public void Progress_output_is_keras_like_and_plain_when_redirected()
    {
        var (x, y) = Classes(40, seed: 9);
        var model = new ClassifierModel();
        model.Initialize(seed: 9);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        var verbose1 = new StringWriter();
        model.Fit(x, y, epochs: 2, batchSize: 10, validationSplit: 0.25f, verbose: 1, output: verbose1);
        string[] lines = verbose1.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(@"^3/3 ━{20} \d+s \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4} - val_loss: \d\.\d{4} - val_accuracy: \d\.\d{4}$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);
        Assert.DoesNotContain('\r', verbose1.ToString());
        Assert.DoesNotContain('\u001b', verbose1.ToString());

        var verbose2 = new StringWriter();
        model.Fit(x, y, epochs: 1, batchSize: 10, verbose: 2, output: verbose2);
        Assert.Matches(@"^Epoch 1/1\r?\n4/4 - \d+s - \d+(us|ms|s)/step - loss: \d\.\d{4} - accuracy: \d\.\d{4}\r?\n$", verbose2.ToString());

        var verbose0 = new StringWriter();
        model.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0, output: verbose0);
        Assert.Equal("", verbose0.ToString());
    }

    private sealed class ParameterRecorder : Callback
    {
        public List<float[]> AfterEpoch { get; } = new();
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs) => AfterEpoch.Add((float[])Context.Model.Parameters.Clone());
    }

    private sealed class StopAfter(int epochs) : Callback
    {
        public List<string> Events { get; } = new();
        public override void OnTrainBegin() => Events.Add("train_begin");
        public override void OnTrainEnd() => Events.Add("train_end");
        public override void OnEpochBegin(int epoch) => Events.Add($"epoch_begin {epoch}");
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs) => Events.Add($"batch {batch}");
        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            Events.Add($"epoch_end {epoch} {string.Join(' ', logs.Keys)}");
            if (epoch + 1 == epochs) Context.StopTraining = true;
        }
    }
}
