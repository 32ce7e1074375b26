using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;

namespace ModelGen.Tests.Training;

/// <summary>CSVLogger, LearningRateScheduler and LambdaCallback through Fit, with Keras's file layout, messages and hook order.</summary>
public sealed class KerasCallbackTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-callbacks-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static TrainingExtrasModel Compiled(Optimizer optimizer, params string[] metrics)
    {
        var model = new TrainingExtrasModel();
        model.Initialize(seed: 4);
        model.Compile(optimizer, Loss.BinaryCrossentropy(), metrics);
        return model;
    }

    [Fact]
    public void CSVLogger_writes_epoch_then_sorted_keys_one_row_per_epoch_and_appends()
    {
        var (x, y) = TrainingExtrasModel.Data(16, seed: 1);
        var (vx, vy) = TrainingExtrasModel.Data(8, seed: 2);
        string path = Path.Combine(_folder, "log.csv");
        File.WriteAllText(path, "stale contents\n");
        var model = Compiled(new Adam(0.01f), "accuracy");
        var history = model.Fit(x, y, epochs: 3, batchSize: 8, validationData: (vx, vy), verbose: 0, callbacks: [new CSVLogger(path)]);

        var lines = File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", lines[0]);   // Keras: epoch + sorted(logs)
        Assert.Equal(4, lines.Length);
        string[] keys = ["accuracy", "loss", "val_accuracy", "val_loss"];
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var fields = lines[epoch + 1].Split(',');
            Assert.Equal(epoch.ToString(CultureInfo.InvariantCulture), fields[0]);
            for (int k = 0; k < keys.Length; k++)
                Assert.Equal(history[keys[k]][epoch], float.Parse(fields[k + 1], CultureInfo.InvariantCulture));   // round-trips exactly
        }

        // append: rows follow, no second header; another separator
        model.Fit(x, y, epochs: 1, batchSize: 8, validationData: (vx, vy), verbose: 0, callbacks: [new CSVLogger(path, append: true)]);
        lines = File.ReadAllText(path).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.StartsWith("0,", lines[4]);
        Assert.Single(lines, l => l.StartsWith("epoch", StringComparison.Ordinal));

        string semicolons = Path.Combine(_folder, "semi.csv");
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0, callbacks: [new CSVLogger(semicolons, separator: ';', append: true)]);
        Assert.Equal("epoch;accuracy;loss", File.ReadAllLines(semicolons)[0]);   // a missing file gets a header even with append
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0, callbacks: [new CSVLogger(semicolons, separator: ';', append: true)]);
        Assert.Equal(3, File.ReadAllLines(semicolons).Length); // the same columns: appended
    }

    [Fact]
    public void CSVLogger_refuses_to_append_rows_of_other_columns_before_training()
    {
        // Trial K: a resumed run that adds validation data appended rows of five fields under a three-field header (as Keras does).
        var (x, y) = TrainingExtrasModel.Data(16, seed: 1);
        var (vx, vy) = TrainingExtrasModel.Data(8, seed: 2);
        string path = Path.Combine(_folder, "resumed.csv");
        var model = Compiled(new Adam(0.01f), "accuracy");
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0, callbacks: [new CSVLogger(path)]);
        string before = File.ReadAllText(path);
        var parameters = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 2, initialEpoch: 1, batchSize: 8, validationData: (vx, vy), verbose: 0, callbacks: [new CSVLogger(path, append: true)]));
        Assert.Contains("whose header is 'epoch,accuracy,loss', but this Fit logs 'epoch,accuracy,loss,val_accuracy,val_loss'", e.Message);
        Assert.Contains("Nothing was trained", e.Message);
        Assert.Equal(before, File.ReadAllText(path));
        Assert.Equal(parameters, model.Parameters);
        // Overwriting is still allowed.
        model.Fit(x, y, epochs: 1, batchSize: 8, validationData: (vx, vy), verbose: 0, callbacks: [new CSVLogger(path, append: false)]);
        Assert.Equal("epoch,accuracy,loss,val_accuracy,val_loss", File.ReadAllLines(path)[0]);
    }

    [Fact]
    public void LearningRateScheduler_sets_each_epochs_rate_from_epoch_and_current_rate()
    {
        var (x, y) = TrainingExtrasModel.Data(16, seed: 3);
        var optimizer = new Sgd(0.1f);
        var model = Compiled(optimizer);
        var seen = new List<float>();
        var output = new StringWriter();
        // Keras docs example: keep the rate for the first epochs, then multiply by a factor
        var scheduler = new LearningRateScheduler((epoch, lr) => epoch < 1 ? lr : lr * 0.5f, verbose: 1, output);
        var recorder = new LambdaCallback(onBatchBegin: batch => { if (batch == 0) seen.Add(optimizer.LearningRate); });
        model.Fit(x, y, epochs: 3, batchSize: 8, verbose: 0, callbacks: [scheduler, recorder]);

        Assert.Equal([0.1f, 0.05f, 0.025f], seen);
        Assert.Equal(0.025f, optimizer.LearningRate);
        Assert.StartsWith("\nEpoch 1: LearningRateScheduler setting learning rate to 0.1.\n", output.ToString().Replace("\r\n", "\n"), StringComparison.Ordinal);
        Assert.Contains("Epoch 3: LearningRateScheduler setting learning rate to 0.025.", output.ToString());

        var byEpoch = new LearningRateScheduler(epoch => 0.01f * (epoch + 1));
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [byEpoch]);
        Assert.Equal(0.02f, optimizer.LearningRate);
    }

    [Fact]
    public void LearningRateScheduler_refuses_a_bad_rate_and_a_scheduled_optimizer()
    {
        var (x, y) = TrainingExtrasModel.Data(8, seed: 3);
        var optimizer = new Sgd(0.1f);
        var model = Compiled(optimizer);
        var error = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [new LearningRateScheduler((epoch, lr) => float.NaN)]));
        Assert.Contains("returned NaN for epoch 0", error.Message);
        Assert.Equal(0.1f, optimizer.LearningRate);

        var scheduled = new Sgd { Schedule = new ExponentialDecay(0.1f, 10, 0.9f) };
        var other = Compiled(scheduled);
        Assert.Throws<InvalidOperationException>(() => other.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new LearningRateScheduler(e => 0.1f)]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateScheduler(e => 0.1f, verbose: 2));
    }

    [Fact]
    public void LambdaCallback_calls_each_delegate_at_its_hook_in_order()
    {
        var (x, y) = TrainingExtrasModel.Data(16, seed: 5);
        var model = Compiled(new Adam());
        var calls = new List<string>();
        var callback = new LambdaCallback(
            onEpochBegin: e => calls.Add($"epoch_begin {e}"),
            onEpochEnd: (e, logs) => calls.Add($"epoch_end {e} {logs.ContainsKey("loss")}"),
            onBatchBegin: b => calls.Add($"batch_begin {b}"),
            onBatchEnd: (b, logs) => calls.Add($"batch_end {b} {logs.ContainsKey("loss")}"),
            onTrainBegin: () => calls.Add("train_begin"),
            onTrainEnd: () => calls.Add("train_end"));
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [callback]);

        string[] epoch(int e) => [$"epoch_begin {e}", "batch_begin 0", "batch_end 0 True", "batch_begin 1", "batch_end 1 True", $"epoch_end {e} True"];
        Assert.Equal(["train_begin", .. epoch(0), .. epoch(1), "train_end"], calls);

        // Every delegate is optional.
        model.Fit(x, y, epochs: 1, batchSize: 8, verbose: 0, callbacks: [new LambdaCallback()]);
    }

    [Fact]
    public void Fit_from_a_data_source_calls_the_same_hooks_in_the_same_order()
    {
        var (x, y) = TrainingExtrasModel.Data(16, seed: 5);
        List<string> Run(Func<TrainingExtrasModel, LambdaCallback, History> fit)
        {
            var calls = new List<string>();
            var callback = new LambdaCallback(
                onEpochBegin: e => calls.Add($"epoch_begin {e}"),
                onEpochEnd: (e, logs) => calls.Add($"epoch_end {e}"),
                onBatchBegin: b => calls.Add($"batch_begin {b}"),
                onBatchEnd: (b, logs) => calls.Add($"batch_end {b}"),
                onTrainBegin: () => calls.Add("train_begin"),
                onTrainEnd: () => calls.Add("train_end"));
            fit(Compiled(new Adam()), callback);
            return calls;
        }

        var fromArrays = Run((m, c) => m.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [c]));
        var fromSource = Run((m, c) => m.Fit(new ArraySource<float>(x, y, 16), epochs: 2, batchSize: 8, verbose: 0, callbacks: [c]));
        Assert.Contains("batch_begin 1", fromSource);
        Assert.Equal(fromArrays, fromSource);
    }
}
