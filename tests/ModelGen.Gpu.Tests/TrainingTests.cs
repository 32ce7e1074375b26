using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Tests;

/// <summary>One small simulated device shared by the training tests (kernels compile once per device).</summary>
public sealed class TrainingDevice : IDisposable
{
    public GpuDevice Device { get; } = GpuDevice.CpuAccelerator(threadsPerWarp: 4, warpsPerGroup: 4, multiprocessors: 2);

    public void Dispose() => Device.Dispose();
}

/// <summary>
/// Fit, Evaluate and Predict of a model on a device (ILGPU's CPU accelerator) against the same model on the host: every
/// loss and optimizer option after a few device steps, logs seen by callbacks, weight files across the two, non-finite
/// losses, unsupported optimizers and failed calls.
/// </summary>
public sealed class TrainingTests(TrainingDevice fixture) : IClassFixture<TrainingDevice>
{
    private const int Samples = 8, Steps = 3, Features = 2, Hidden = 4;

    public sealed record Setup(string Name, Func<Optimizer> Optimizer, Func<Loss> Loss, string Activation = "linear", int Units = 2,
        bool Sequence = false, bool Masking = false, bool ExposeLogits = true, bool FreezeFirst = false, Regularizer? Regularizer = null,
        bool SampleWeights = false, bool ClassWeights = false);

    private static readonly Setup[] Cases =
    [
        // Every loss, on SGD.
        new("mse", () => new Sgd(0.1f), Loss.MeanSquaredError),
        new("mae", () => new Sgd(0.1f), Loss.MeanAbsoluteError),
        new("huber", () => new Sgd(0.1f), () => Loss.Huber(0.3f)),
        new("bce with label smoothing, fused with sigmoid", () => new Sgd(0.1f), () => Loss.BinaryCrossentropy(labelSmoothing: 0.2f), "sigmoid"),
        new("bce with label smoothing, on probabilities", () => new Sgd(0.1f), () => Loss.BinaryCrossentropy(labelSmoothing: 0.2f), "sigmoid", ExposeLogits: false),
        new("cce with label smoothing, fused with softmax", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(labelSmoothing: 0.1f), "softmax", 3),
        new("cce with label smoothing, on probabilities", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(labelSmoothing: 0.1f), "softmax", 3, ExposeLogits: false),
        new("bce fused with sigmoid", () => new Sgd(0.1f), () => Loss.BinaryCrossentropy(), "sigmoid"),
        new("bce on probabilities", () => new Sgd(0.1f), () => Loss.BinaryCrossentropy(), "sigmoid", ExposeLogits: false),
        new("bce from logits", () => new Sgd(0.1f), () => Loss.BinaryCrossentropy(fromLogits: true)),
        new("cce fused with softmax", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(), "softmax", 3),
        new("cce on probabilities", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(), "softmax", 3, ExposeLogits: false),
        new("cce from logits", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(fromLogits: true), "linear", 3),
        new("scce fused with softmax", () => new Sgd(0.1f), () => Loss.SparseCategoricalCrossentropy(), "softmax", 3),
        new("scce on probabilities", () => new Sgd(0.1f), () => Loss.SparseCategoricalCrossentropy(), "softmax", 3, ExposeLogits: false),
        new("scce from logits", () => new Sgd(0.1f), () => Loss.SparseCategoricalCrossentropy(fromLogits: true), "linear", 3),
        new("masked sequence mse, temporal sample weights", () => new Sgd(0.1f), Loss.MeanSquaredError, Sequence: true, Masking: true, SampleWeights: true),
        new("masked sequence cce, class weights", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(), "softmax", 3, Sequence: true, Masking: true, ClassWeights: true),
        // Every optimizer option, on MSE.
        new("sgd momentum", () => new Sgd(0.05f, momentum: 0.9f), Loss.MeanSquaredError),
        new("sgd nesterov", () => new Sgd(0.05f, momentum: 0.9f, nesterov: true), Loss.MeanSquaredError),
        new("adam", () => new Adam(0.01f), Loss.MeanSquaredError),
        new("adamw", () => new AdamW(0.01f, weightDecay: 0.05f), Loss.MeanSquaredError),
        new("adamw amsgrad", () => new AdamW(0.01f, amsGrad: true), Loss.MeanSquaredError),
        new("rmsprop", () => new RmsProp(0.01f), Loss.MeanSquaredError),
        new("rmsprop momentum", () => new RmsProp(0.01f, momentum: 0.5f), Loss.MeanSquaredError),
        new("rmsprop centered", () => new RmsProp(0.01f, centered: true), Loss.MeanSquaredError),
        new("rmsprop momentum centered", () => new RmsProp(0.01f, momentum: 0.5f, centered: true), Loss.MeanSquaredError),
        new("sgd clipnorm", () => new Sgd(0.1f) { ClipNorm = 0.05f }, Loss.MeanSquaredError),
        new("adam global clipnorm", () => new Adam(0.01f) { GlobalClipNorm = 0.05f }, Loss.MeanSquaredError),
        new("sgd clipvalue", () => new Sgd(0.1f) { ClipValue = 0.01f }, Loss.MeanSquaredError),
        new("adam schedule", () => new Adam { Schedule = new ExponentialDecay(0.02f, 1, 0.5f) }, Loss.MeanSquaredError),
        new("adam frozen first layer", () => new Adam(0.01f), Loss.MeanSquaredError, FreezeFirst: true),
        new("sgd momentum L1L2", () => new Sgd(0.05f, momentum: 0.9f), Loss.MeanSquaredError, Regularizer: new Regularizer(0.01f, 0.02f)),
    ];

    public static TheoryData<string> CaseNames() => new(Cases.Select(c => c.Name));

    private static TinyDenseModel Model(Setup c, int seed = 1)
        => new(Steps, Features, Hidden, c.Units, c.Activation, c.Sequence, c.Masking, c.FreezeFirst, c.Regularizer, c.ExposeLogits, seed);

    private static (float[] X, float[] Y, float[]? Weights, Dictionary<int, float>? ClassWeights) Data(Setup c, int seed = 3)
    {
        var random = new Random(seed);
        var x = new float[Samples * Steps * Features];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        if (c.Masking)
            for (int s = 0; s < Samples; s += 2) Array.Clear(x, (s * Steps + Steps - 1) * Features, Features); // padding at the end of every other sample
        int rows = c.Sequence ? Samples * Steps : Samples;
        bool sparse = c.Loss() is SparseCategoricalCrossentropyLoss;
        bool classes = c.Activation == "softmax" || c.Loss() is CategoricalCrossentropyLoss or SparseCategoricalCrossentropyLoss;
        bool binary = c.Loss() is BinaryCrossentropyLoss;
        var y = new float[rows * (sparse ? 1 : c.Units)];
        for (int r = 0; r < rows; r++)
        {
            int cls = random.Next(c.Units);
            for (int j = 0; j < c.Units; j++)
            {
                if (sparse) { y[r] = cls; break; }
                y[r * c.Units + j] = classes ? (j == cls ? 1f : 0f) : binary ? random.Next(2) : random.NextSingle() * 2 - 1;
            }
        }
        float[]? weights = null;
        if (c.SampleWeights)
        {
            weights = new float[rows];
            for (int i = 0; i < rows; i++) weights[i] = i % 5 == 0 ? 0f : 0.5f + random.NextSingle();
        }
        var classWeights = c.ClassWeights ? new Dictionary<int, float> { [0] = 2f, [2] = 0.5f } : null;
        return (x, y, weights, classWeights);
    }

    private TinyDenseModel OnDevice(Setup c, int seed = 1)
    {
        var model = Model(c, seed);
        model.To(fixture.Device);
        return model;
    }

    internal static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double relative, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double e = expected[i], a = actual[i];
            Assert.True(Math.Abs(e - a) <= relative * Math.Max(Math.Abs(e), 1e-2) || (double.IsNaN(e) && double.IsNaN(a)),
                $"{what}[{i}]: device {a}, host {e}");
        }
    }

    private static float[] DeviceParameters(TinyDenseModel model)
    {
        model.Engine!.PullParameters();
        return (float[])model.Parameters.Clone();
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Fit_AFewDeviceSteps_MatchTheHostSteps(string name)
    {
        var c = Cases.Single(k => k.Name == name);
        var (x, y, w, cw) = Data(c);
        var host = Model(c);
        var device = OnDevice(c);
        Optimizer hostOptimizer = c.Optimizer(), deviceOptimizer = c.Optimizer();
        host.Compile(hostOptimizer, c.Loss());
        device.Compile(deviceOptimizer, c.Loss());
        Assert.Equal(host.Parameters, device.Parameters);

        var hostHistory = host.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: w, classWeight: cw);
        var deviceHistory = device.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0, sampleWeight: w, classWeight: cw);

        Assert.NotEqual(Model(c).Parameters, host.Parameters); // the host model moved
        AssertClose(host.Parameters, DeviceParameters(device), 1e-5, $"{name}: parameters");
        Assert.Equal(hostOptimizer.Iterations, deviceOptimizer.Iterations);
        AssertClose(hostHistory["loss"].ToArray(), deviceHistory["loss"].ToArray(), 1e-5, $"{name}: loss");
        var hostState = hostOptimizer.GetState();
        var deviceState = deviceOptimizer.GetState(); // pulled from the device
        for (int i = 0; i < hostState.Count; i++) AssertClose(hostState[i].Values, deviceState[i].Values, 1e-4, $"{name}: state {hostState[i].Name}");
        if (c.FreezeFirst)
            Assert.Equal(Model(c).Parameters.AsSpan(0, device.Offset2).ToArray(), device.Parameters.AsSpan(0, device.Offset2).ToArray());
    }

    [Fact]
    public void Fit_SeveralEpochs_EndsAtTheHostLoss_AndCallbacksSeeTheSameLogs()
    {
        var c = new Setup("cce", () => new Adam(0.05f), () => Loss.CategoricalCrossentropy(), "softmax", 3);
        var (x, y, _, _) = Data(c);
        var runs = new List<(List<string> Batches, List<string> Epochs, History History, float[] Parameters)>();
        foreach (bool onDevice in new[] { false, true })
        {
            var model = onDevice ? OnDevice(c) : Model(c);
            model.Compile(c.Optimizer(), c.Loss(), ["accuracy"], ["mae"]);
            var batches = new List<string>();
            var epochs = new List<string>();
            static string Show(IReadOnlyDictionary<string, float> logs) => string.Join(",", logs.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:G4}"));
            var callback = new LambdaCallback(onBatchEnd: (b, logs) => batches.Add($"{b}:{Show(logs)}"), onEpochEnd: (e, logs) => epochs.Add($"{e}:{Show(logs)}"));
            var history = model.Fit(x, y, epochs: 6, batchSize: 3, validationSplit: 0.25, shuffle: true, seed: 5, verbose: 0,
                callbacks: [callback, new EarlyStopping("val_loss", patience: 10, restoreBestWeights: true)]);
            runs.Add((batches, epochs, history, onDevice ? DeviceParameters(model) : (float[])model.Parameters.Clone()));
        }
        var (hostRun, deviceRun) = (runs[0], runs[1]);
        Assert.Equal(hostRun.Batches.Count, deviceRun.Batches.Count);
        Assert.Equal(hostRun.Batches, deviceRun.Batches); // same keys, values to 4 significant digits
        Assert.Equal(hostRun.Epochs, deviceRun.Epochs);
        foreach (var key in new[] { "loss", "val_loss", "accuracy", "mae" })
        {
            float expected = hostRun.History[key][^1], actual = deviceRun.History[key][^1];
            Assert.True(Math.Abs(expected - actual) <= 1e-3 * Math.Abs(expected) + 1e-6, $"{key}: device {actual}, host {expected}");
        }
        Assert.True(hostRun.History["loss"][^1] < hostRun.History["loss"][0], "the run learns");
        AssertClose(hostRun.Parameters, deviceRun.Parameters, 1e-3, "parameters after EarlyStopping's restore");
    }

    [Fact]
    public void EvaluateAndPredict_OnTheDevice_MatchTheHost()
    {
        var c = new Setup("masked", () => new Sgd(0.1f), () => Loss.CategoricalCrossentropy(), "softmax", 3, Sequence: true, Masking: true, SampleWeights: true);
        var (x, y, w, _) = Data(c);
        var host = Model(c);
        var device = OnDevice(c);
        host.Compile(c.Optimizer(), c.Loss(), ["accuracy"], ["accuracy"]);
        device.Compile(c.Optimizer(), c.Loss(), ["accuracy"], ["accuracy"]);
        var expected = host.Evaluate(x, y, batchSize: 3, sampleWeight: w);
        var actual = device.Evaluate(x, y, batchSize: 3, sampleWeight: w);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (key, value) in expected) AssertClose([value], [actual[key]], 1e-5, key);
        AssertClose(host.Predict(x, batchSize: 5), device.Predict(x, batchSize: 5), 1e-5, "predictions");
    }

    [Fact]
    public void WeightFiles_SavedOnTheDevice_LoadOnTheHost_AndBack()
    {
        var c = new Setup("adam", () => new Adam(0.02f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        var device = OnDevice(c);
        device.Compile(c.Optimizer(), c.Loss());
        device.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, seed: 1);
        string path = Path.Combine(Path.GetTempPath(), $"gputrain-{Guid.NewGuid():N}.mgw");
        try
        {
            device.SaveWeights(path); // pulls the parameters and the optimizer state from the device
            var onDevice = device.Runner!.Parameters.GetAsArray1D();
            var host = Model(c, seed: 9);
            host.Compile(c.Optimizer(), c.Loss());
            host.LoadWeights(path);
            Assert.Equal(onDevice, host.Parameters); // bit for bit
            AssertClose(host.Predict(x), device.Predict(x), 1e-5, "predictions after loading on the host");
            Assert.Equal(device.GetOptimizer().Iterations, host.GetOptimizer().Iterations);

            var back = OnDevice(c, seed: 11);
            back.LoadWeights(path); // pushes to the device
            Assert.Equal(onDevice, back.Runner!.Parameters.GetAsArray1D());
            AssertClose(host.Predict(x), back.Predict(x), 1e-5, "predictions after loading on the device");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void OptimizerState_MovesWithTheModel_TrainingGoesOnOnTheHost()
    {
        var c = new Setup("rms", () => new RmsProp(0.01f, momentum: 0.5f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        var host = Model(c);
        var moved = OnDevice(c);
        host.Compile(c.Optimizer(), c.Loss());
        moved.Compile(c.Optimizer(), c.Loss());
        host.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        moved.Fit(x, y, epochs: 2, batchSize: 4, shuffle: false, verbose: 0);
        moved.To(null); // parameters and optimizer state come back
        host.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
        moved.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
        AssertClose(host.Parameters, moved.Parameters, 1e-5, "parameters after continuing on the host");
    }

    [Fact]
    public void NonFiniteLoss_TerminateOnNaN_StopsWithTheParametersOfTheLastGoodBatch()
    {
        var c = new Setup("adam", () => new Adam(0.01f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        x[5 * Steps * Features + (Steps - 1) * Features] = float.NaN; // sample 5: the second batch of 4
        var results = new List<(float[] Parameters, long Iterations, int Epochs)>();
        foreach (bool onDevice in new[] { false, true })
        {
            var model = onDevice ? OnDevice(c) : Model(c);
            var optimizer = c.Optimizer();
            model.Compile(optimizer, c.Loss());
            // Through a source, read batch by batch: arrays are scanned for NaN before any batch.
            var history = model.Fit(new ArraySource<float>(x, y, Samples), epochs: 3, batchSize: 4, shuffle: false, verbose: 0, callbacks: [new TerminateOnNaN()]);
            results.Add((onDevice ? DeviceParameters(model) : model.Parameters, optimizer.Iterations, history.Epochs.Count));
        }
        Assert.Equal(1, results[1].Iterations); // the first batch only
        Assert.Equal(results[0].Iterations, results[1].Iterations);
        Assert.Equal(results[0].Epochs, results[1].Epochs);
        Assert.All(results[1].Parameters, v => Assert.True(float.IsFinite(v)));
        AssertClose(results[0].Parameters, results[1].Parameters, 1e-5, "parameters");
    }

    [Fact]
    public void NonFiniteLoss_WithoutTerminateOnNaN_ThrowsNamingTheSample_BatchNotApplied()
    {
        var c = new Setup("sgd", () => new Sgd(0.1f, momentum: 0.9f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        y[6 * c.Units] = float.PositiveInfinity;
        var model = OnDevice(c);
        var optimizer = c.Optimizer();
        model.Compile(optimizer, c.Loss());
        var reference = Model(c);
        reference.Compile(c.Optimizer(), c.Loss());
        reference.Fit(x[..(4 * Steps * Features)], y[..(4 * c.Units)], epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
        // Through a source, read batch by batch: arrays are scanned for NaN before any batch.
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(new ArraySource<float>(x, y, Samples), epochs: 1, batchSize: 4, shuffle: false, verbose: 0));
        Assert.Contains("source targets holds NaN or ∞ in sample 6", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, optimizer.Iterations);
        AssertClose(reference.Parameters, DeviceParameters(model), 1e-5, "parameters after the first batch");
        var momentum = optimizer.GetState().Single(s => s.Name == "momentum").Values;
        Assert.Contains(momentum, v => v != 0f);
        Assert.All(momentum, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void UnsupportedOptimizer_ThrowsAtFit_NamingTheSupportedOnes_NothingChanged()
    {
        var c = new Setup("adagrad", () => new Adagrad(), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        var model = OnDevice(c);
        var before = DeviceParameters(model);
        model.Compile(c.Optimizer(), c.Loss());
        bool began = false;
        var e = Assert.Throws<NotSupportedException>(() =>
            model.Fit(x, y, epochs: 1, verbose: 0, callbacks: [new LambdaCallback(onTrainBegin: () => began = true)]));
        Assert.Contains("Adagrad", e.Message, StringComparison.Ordinal);
        Assert.Contains("Sgd", e.Message, StringComparison.Ordinal);
        Assert.Contains("RmsProp", e.Message, StringComparison.Ordinal);
        Assert.False(began);
        Assert.Equal(before, DeviceParameters(model));
        Assert.Equal(0, model.GetOptimizer().Iterations);
    }

    [Fact]
    public void BadSparseTarget_Throws_StepNotApplied()
    {
        var c = new Setup("scce", () => new Adam(0.01f), () => Loss.SparseCategoricalCrossentropy(), "softmax", 3);
        var (x, y, _, _) = Data(c);
        y[2] = 3f; // class 3 of 3
        var model = OnDevice(c);
        var before = DeviceParameters(model);
        model.Compile(c.Optimizer(), c.Loss());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0));
        Assert.Contains("y[2] (sample 2) is 3", e.Message, StringComparison.Ordinal); // checked whole before any batch
        Assert.Equal(before, DeviceParameters(model));
        Assert.Equal(0, model.GetOptimizer().Iterations);
        var host = Model(c);
        host.Compile(c.Optimizer(), c.Loss());
        Assert.Throws<ArgumentOutOfRangeException>(() => host.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0)); // as on the host
    }

    [Fact]
    public void FitFromADataSource_AndItsEvaluateAndPredict_MatchTheHost()
    {
        var c = new Setup("adam", () => new Adam(0.02f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        var host = Model(c);
        var device = OnDevice(c);
        host.Compile(c.Optimizer(), c.Loss(), "mae");
        device.Compile(c.Optimizer(), c.Loss(), "mae");
        var expected = host.Fit(new ArraySource<float>(x, y, Samples), epochs: 2, batchSize: 3, seed: 4, verbose: 0);
        var actual = device.Fit(new ArraySource<float>(x, y, Samples), epochs: 2, batchSize: 3, seed: 4, verbose: 0);
        AssertClose(expected["loss"].ToArray(), actual["loss"].ToArray(), 1e-5, "loss");
        AssertClose(expected["mae"].ToArray(), actual["mae"].ToArray(), 1e-5, "mae");
        AssertClose(host.Parameters, DeviceParameters(device), 1e-5, "parameters");
        AssertClose([host.Evaluate(new ArraySource<float>(x, y, Samples), batchSize: 3)["loss"]],
            [device.Evaluate(new ArraySource<float>(x, y, Samples), batchSize: 3)["loss"]], 1e-5, "evaluated loss");
        AssertClose(host.Predict(new ArraySource<float>(x, null, Samples)), device.Predict(new ArraySource<float>(x, null, Samples)), 1e-5, "predictions");
    }

    [Fact]
    public void ModelCheckpoint_OnTheDevice_SavesTheDeviceParameters()
    {
        var c = new Setup("sgd", () => new Sgd(0.1f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        var device = OnDevice(c);
        device.Compile(c.Optimizer(), c.Loss());
        string dir = Path.Combine(Path.GetTempPath(), $"gputrain-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string path = Path.Combine(dir, "epoch{epoch}.mgw");
            float[]? afterFirstEpoch = null;
            device.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, seed: 2,
                callbacks: [new ModelCheckpoint(path, monitor: "loss"), new LambdaCallback(onEpochEnd: (e, _) => afterFirstEpoch ??= DeviceParameters(device))]);
            var loaded = Model(c, seed: 5);
            loaded.LoadWeights(Path.Combine(dir, "epoch1.mgw"));
            Assert.Equal(afterFirstEpoch, loaded.Parameters);
            Assert.NotEqual(Model(c).Parameters, loaded.Parameters);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void OptimizerStateLoadedFromAFile_IsWhatTheDeviceStepsFrom()
    {
        var c = new Setup("adam", () => new Adam(0.02f), Loss.MeanSquaredError);
        var (x, y, _, _) = Data(c);
        string path = Path.Combine(Path.GetTempPath(), $"gputrain-{Guid.NewGuid():N}.mgw");
        try
        {
            var first = OnDevice(c);
            first.Compile(c.Optimizer(), c.Loss());
            first.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
            first.SaveWeights(path); // parameters and Adam's moments, from the device
            first.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);

            var second = OnDevice(c, seed: 4);
            second.Compile(c.Optimizer(), c.Loss());
            second.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0); // a device state of its own, then replaced
            second.LoadWeights(path); // parameters pushed; the restored moments go to the device at the next step
            second.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
            Assert.Equal(DeviceParameters(first), DeviceParameters(second));
            Assert.Equal(first.GetOptimizer().Iterations, second.GetOptimizer().Iterations);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
