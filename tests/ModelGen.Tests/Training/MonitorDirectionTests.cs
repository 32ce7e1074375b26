using System;
using System.IO;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests.Training;

/// <summary>
/// Callbacks in MonitorMode.Auto follow the monitored value's own direction, as Keras 3's do: the loss down, a compiled
/// metric its Metric.Direction, and an unknown direction is refused before anything runs.
/// </summary>
public sealed class MonitorDirectionTests
{
    /// <summary>A metric of the user's whose value is the epoch number: it rises every epoch.</summary>
    private sealed class Rising(string name, MonitorMode direction) : Metric(name)
    {
        private int _epoch;
        public override MonitorMode Direction => direction;
        public override void Reset() { base.Reset(); _epoch++; }
        public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples) => Accumulate(_epoch * (double)samples, samples);
    }

    private static (float[] X, float[] Y) Data()
    {
        var random = new Random(8);
        var x = new float[40 * 6];
        var y = new float[40 * 3];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        for (int s = 0; s < 40; s++) y[s * 3 + random.Next(3)] = 1;
        return (x, y);
    }

    [Theory]
    [InlineData("accuracy", MonitorMode.Max)]
    [InlineData("val_accuracy", MonitorMode.Max)]
    [InlineData("auc", MonitorMode.Max)]
    [InlineData("precision", MonitorMode.Max)]
    [InlineData("val_recall", MonitorMode.Max)]
    [InlineData("mae", MonitorMode.Min)]
    [InlineData("loss", MonitorMode.Min)]
    [InlineData("val_loss", MonitorMode.Min)]
    [InlineData("lr", MonitorMode.Auto)]
    public void Each_logged_value_goes_its_metrics_way(string logName, MonitorMode expected)
    {
        var model = new ClassifierModel();
        model.Compile("adam", "categorical_crossentropy", "accuracy", "auc", "precision", "recall", "mae");
        Assert.Equal(expected, ModelTraining.LoggedDirection(model, logName));
    }

    [Theory]
    [InlineData("recall")]
    [InlineData("precision")]
    [InlineData("f1_score")]
    public void A_rising_metric_is_best_at_its_last_epoch_for_every_callback(string name)
    {
        // Found by a new user: precision and recall were taken as lower-is-better by a rule on the name's ending.
        var (x, y) = Data();
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), [new Rising(name, MonitorMode.Max)], []);
        var stop = new EarlyStopping(monitor: name, patience: 100);
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.mgw");
        var checkpoint = new ModelCheckpoint(path, monitor: name, saveBestOnly: true);
        var reduce = new ReduceLROnPlateau(monitor: name, factor: 0.5f, patience: 1);
        var rate = model.GetOptimizer().LearningRate;
        try
        {
            model.Fit(x, y, epochs: 4, batchSize: 10, verbose: 0, callbacks: [stop, checkpoint, reduce]);
            Assert.Equal(3, stop.BestEpoch);
            Assert.Equal(rate, model.GetOptimizer().LearningRate); // it improved every epoch: no plateau
            var saved = new ClassifierModel();
            saved.LoadWeights(path);
            Assert.Equal(model.Parameters, saved.Parameters); // the last epoch was saved as the best
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_metric_whose_direction_is_unknown_is_refused_before_anything_runs()
    {
        var (x, y) = Data();
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), [new Rising("mine", MonitorMode.Auto)], []);
        var before = (float[])model.Parameters.Clone();
        string csv = Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.csv");
        File.WriteAllText(csv, "kept\n");
        try
        {
            // The CSVLogger comes first: its file is truncated in OnTrainBegin, which must not run.
            var e = Assert.Throws<InvalidOperationException>(() =>
                model.Fit(x, y, epochs: 2, verbose: 0, validationSplit: 0.25, callbacks: [new CSVLogger(csv), new EarlyStopping(monitor: "val_mine")]));
            Assert.Contains("EarlyStopping monitors 'val_mine' with MonitorMode.Auto", e.Message);
            Assert.Contains("MonitorMode.Max or MonitorMode.Min", e.Message);
            Assert.Equal(before, model.Parameters);
            Assert.Equal("kept\n", File.ReadAllText(csv));
            // Told the way, it runs.
            model.Fit(x, y, epochs: 2, verbose: 0, validationSplit: 0.25, callbacks: [new EarlyStopping(monitor: "val_mine", mode: MonitorMode.Max)]);
        }
        finally
        {
            File.Delete(csv);
        }
    }

    public static TheoryData<string, Func<Callback>> NeverLogged => new()
    {
        // Keras's commonest slip: EarlyStopping's default monitor is val_loss, and the Fit has no validation data.
        { "EarlyStopping (monitor) reads 'val_loss'", () => new EarlyStopping() },
        { "ReduceLROnPlateau (monitor) reads 'val_loss'", () => new ReduceLROnPlateau() },
        { "ModelCheckpoint (monitor) reads 'val_loss'", () => new ModelCheckpoint(Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.mgw"), saveBestOnly: true) },
        { "ModelCheckpoint (path template field {val_accuracy}) reads 'val_accuracy'", () => new ModelCheckpoint(Path.Combine(Path.GetTempPath(), "ck-{epoch}-{val_accuracy:.2f}.mgw")) },
        { "EarlyStopping (monitor) reads 'acc'", () => new EarlyStopping(monitor: "acc", mode: MonitorMode.Max) },
    };

    [Theory]
    [MemberData(nameof(NeverLogged))]
    public void A_value_the_run_never_logs_is_refused_before_anything_trains(string expected, Func<Callback> create)
    {
        var (x, y) = Data();
        var model = new ClassifierModel();
        model.Initialize(seed: 2);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        var before = (float[])model.Parameters.Clone();
        int epochs = 0;
        var e = Assert.Throws<InvalidOperationException>(() =>
            model.Fit(x, y, epochs: 2, verbose: 0, callbacks: [new LambdaCallback(onEpochBegin: _ => epochs++), create()]));
        Assert.Contains(expected, e.Message);
        Assert.Contains("it logs: loss, accuracy", e.Message);
        Assert.Equal(0, epochs);
        Assert.Equal(before, model.Parameters);
        if (expected.Contains("val_", StringComparison.Ordinal)) Assert.Contains("no validation data: pass validationSplit or validationData", e.Message);
    }

    [Fact]
    public void A_checkpoint_that_does_not_read_its_monitor_runs_without_validation_data()
    {
        // Keras's ModelCheckpoint reads its (default val_loss) monitor only with save_best_only.
        var (x, y) = Data();
        var model = new ClassifierModel();
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        string dir = Directory.CreateTempSubdirectory("modelgen-ck").FullName;
        try
        {
            var checkpoint = new ModelCheckpoint(Path.Combine(dir, "e{epoch}-{accuracy:.2f}.mgw"));
            model.Fit(x, y, epochs: 2, verbose: 0, callbacks: [checkpoint]);
            Assert.Equal(2, checkpoint.Saves);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
