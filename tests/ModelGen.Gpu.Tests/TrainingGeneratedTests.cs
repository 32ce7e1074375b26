using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ILGPU.Runtime;
using ModelGen.Gpu.Tests.Training;
using static ModelGen.Gpu.Tests.TrainingTests;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// Generated models (gpumodel's device runners) trained through Fit on the device (CPU accelerator) against the same
/// class on the host: a few steps of each loss and optimizer family end at the same parameters (1e-5 relative), a
/// short run at the same loss (1e-3), weight files cross between the two, and a non-finite loss stops the same way.
/// </summary>
[Collection(GpuModelsDefinition.Name)]
public sealed class TrainingGeneratedTests
{
    private const int Samples = 6;

    public sealed record Setup(string Name, Func<IGpuModel<float>> Create, Func<Optimizer> Optimizer, Func<Loss> Loss, int Steps, int Features,
        bool Masked = false, bool Weighted = false);

    private static readonly Setup[] Setups =
    [
        new("lstm softmax cce adam", () => new TrainLstmSoftmaxModel(), () => new Adam(0.02f), () => Loss.CategoricalCrossentropy(), 4, 3),
        new("lstm softmax scce rmsprop momentum centered", () => new TrainLstmSoftmaxModel(), () => new RmsProp(0.01f, momentum: 0.5f, centered: true), () => Loss.SparseCategoricalCrossentropy(), 4, 3),
        new("lstm softmax cce sgd nesterov clipnorm", () => new TrainLstmSoftmaxModel(), () => new Sgd(0.1f, momentum: 0.9f, nesterov: true) { ClipNorm = 0.1f }, () => Loss.CategoricalCrossentropy(), 4, 3),
        new("masked gru sequence mse weighted adam global clipnorm", () => new TrainMaskedGruSequenceModel(), () => new Adam(0.02f) { GlobalClipNorm = 0.2f }, Loss.MeanSquaredError, 4, 2, Masked: true, Weighted: true),
        new("masked gru sequence mae adamw amsgrad", () => new TrainMaskedGruSequenceModel(), () => new AdamW(0.02f, amsGrad: true), Loss.MeanAbsoluteError, 4, 2, Masked: true),
        new("frozen rnn, regularized dense, bce sgd clipvalue", () => new TrainFrozenRegularizedModel(), () => new Sgd(0.2f, momentum: 0.5f) { ClipValue = 0.05f }, () => Loss.BinaryCrossentropy(), 3, 2),
    ];

    public static TheoryData<string> SetupNames() => new(Setups.Select(s => s.Name));

    private static T Initialized<T>(T model, int seed) where T : ISequentialModel
    {
        Initializers.Initialize(model.Info, model.Parameters, seed);
        return model;
    }

    private static (float[] X, float[] Y, float[]? W) Data(Setup s, IGpuModel<float> model, int seed = 5)
    {
        var random = new Random(seed);
        var x = new float[Samples * s.Steps * s.Features];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() * 2 - 1;
        if (s.Masked)
            for (int n = 0; n < Samples; n += 2) Array.Clear(x, (n * s.Steps + s.Steps - 1) * s.Features, s.Features);
        var info = model.Info;
        int rows = model.OutputLength(Samples, s.Steps) / info.OutputUnits, units = info.OutputUnits;
        var loss = s.Loss();
        bool sparse = loss is SparseCategoricalCrossentropyLoss, onehot = loss is CategoricalCrossentropyLoss, binary = loss is BinaryCrossentropyLoss;
        var y = new float[rows * (sparse ? 1 : units)];
        for (int r = 0; r < rows; r++)
        {
            int c = random.Next(units);
            if (sparse) { y[r] = c; continue; }
            for (int j = 0; j < units; j++)
                y[r * units + j] = onehot ? (j == c ? 1f : 0f) : binary ? random.Next(2) : random.NextSingle() * 2 - 1;
        }
        float[]? w = null;
        if (s.Weighted)
        {
            w = new float[rows];
            for (int r = 0; r < rows; r++) w[r] = r % 4 == 0 ? 0f : 0.5f + random.NextSingle();
        }
        return (x, y, w);
    }

    private static float[] Pulled<TInput>(IGpuModel<TInput> model) where TInput : unmanaged
    {
        model.DeviceEngine!.PullParameters();
        return (float[])model.Parameters.Clone();
    }

    [Theory]
    [MemberData(nameof(SetupNames))]
    public void Fit_AFewDeviceSteps_MatchTheHostSteps(string name)
    {
        var s = Setups.Single(k => k.Name == name);
        var host = Initialized(s.Create(), 3);
        var device = Initialized(s.Create(), 3);
        var (x, y, w) = Data(s, host);
        device.To(ModelHarness.Device);
        try
        {
            Optimizer hostOptimizer = s.Optimizer(), deviceOptimizer = s.Optimizer();
            host.Compile(hostOptimizer, s.Loss());
            device.Compile(deviceOptimizer, s.Loss());
            var start = (float[])host.Parameters.Clone();
            var hostHistory = host.Fit(x, y, epochs: 2, batchSize: 3, shuffle: false, verbose: 0, sampleWeight: w);
            var deviceHistory = device.Fit(x, y, epochs: 2, batchSize: 3, shuffle: false, verbose: 0, sampleWeight: w);
            Assert.NotEqual(start, host.Parameters);
            AssertClose(host.Parameters, Pulled(device), 1e-5, $"{name}: parameters");
            AssertClose(hostHistory["loss"].ToArray(), deviceHistory["loss"].ToArray(), 1e-5, $"{name}: loss");
            Assert.Equal(hostOptimizer.Iterations, deviceOptimizer.Iterations);
            var frozen = host.Info.Layers.Where(l => !l.Trainable).SelectMany(l => l.Parameters).ToList();
            foreach (var p in frozen)
                Assert.Equal(start.AsSpan(p.Offset, p.Length).ToArray(), device.Parameters.AsSpan(p.Offset, p.Length).ToArray());
        }
        finally
        {
            device.To(null);
        }
    }

    [Fact]
    public void Fit_TokenInputs_MatchTheHost()
    {
        var host = Initialized(new TrainEmbeddingModel(), 4);
        var device = Initialized(new TrainEmbeddingModel(), 4);
        var random = new Random(8);
        var x = new int[Samples * 4];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(7);
        var y = new float[Samples * 2];
        for (int i = 0; i < y.Length; i++) y[i] = random.NextSingle();
        device.To(ModelHarness.Device);
        try
        {
            host.Compile(new Sgd(0.1f, momentum: 0.9f), Loss.MeanSquaredError(), "mae");
            device.Compile(new Sgd(0.1f, momentum: 0.9f), Loss.MeanSquaredError(), "mae");
            var expected = host.Fit(x, y, epochs: 2, batchSize: 4, seed: 1, verbose: 0);
            var actual = device.Fit(x, y, epochs: 2, batchSize: 4, seed: 1, verbose: 0);
            AssertClose(host.Parameters, Pulled(device), 1e-5, "parameters");
            AssertClose(expected["loss"].ToArray(), actual["loss"].ToArray(), 1e-5, "loss");
            AssertClose(expected["mae"].ToArray(), actual["mae"].ToArray(), 1e-5, "mae");
            AssertClose(host.Predict(x), device.Predict(x), 1e-5, "predictions");
        }
        finally
        {
            device.To(null);
        }
    }

    [Fact]
    public void Fit_SeveralEpochs_EndsAtTheHostLoss_CallbacksSeeTheSameLogs_WeightFilesCross()
    {
        var s = Setups[0];
        var host = Initialized(s.Create(), 7);
        var device = Initialized(s.Create(), 7);
        var (x, y, _) = Data(s, host, seed: 9);
        device.To(ModelHarness.Device);
        string path = Path.Combine(Path.GetTempPath(), $"gputrain-{Guid.NewGuid():N}.mgw");
        try
        {
            var logs = new List<string>[] { [], [] };
            foreach (var (model, i) in new[] { (host, 0), (device, 1) })
            {
                model.Compile(new Adam(0.05f), s.Loss(), "accuracy");
                var record = new LambdaCallback(
                    onBatchEnd: (b, l) => logs[i].Add($"{b}:" + string.Join(",", l.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:G4}"))),
                    onEpochEnd: (e, l) => logs[i].Add($"epoch {e}:" + string.Join(",", l.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value:G4}"))));
                model.Fit(x, y, epochs: 5, batchSize: 2, validationSplit: 0.34, seed: 3, verbose: 0, callbacks: [record]);
            }
            Assert.Equal(logs[0], logs[1]);
            var hostLoss = host.Evaluate(x, y)["loss"];
            var deviceLoss = device.Evaluate(x, y)["loss"];
            Assert.True(Math.Abs(hostLoss - deviceLoss) <= 1e-3 * hostLoss, $"loss after 5 epochs: device {deviceLoss}, host {hostLoss}");

            device.SaveWeights(path);
            var onDevice = device.Runner!.Parameters.GetAsArray1D();
            var loaded = Initialized(s.Create(), 11);
            loaded.LoadWeights(path);
            Assert.Equal(onDevice, loaded.Parameters);
            AssertClose(loaded.Predict(x), device.Predict(x), 1e-5, "predictions: loaded on the host vs on the device");
        }
        finally
        {
            device.To(null);
            File.Delete(path);
        }
    }

    [Fact]
    public void NonFiniteLoss_TerminateOnNaN_MatchesTheHost()
    {
        var s = Setups[3];
        var host = Initialized(s.Create(), 2);
        var device = Initialized(s.Create(), 2);
        var (x, y, _) = Data(s, host);
        y[y.Length - 1] = float.NaN; // the last batch
        var source = new ArraySource<float>(x, y, Samples); // read batch by batch (arrays are scanned before any batch)
        device.To(ModelHarness.Device);
        try
        {
            host.Compile(s.Optimizer(), s.Loss());
            device.Compile(s.Optimizer(), s.Loss());
            var expected = host.Fit(source, epochs: 2, batchSize: 3, shuffle: false, verbose: 0, callbacks: [new TerminateOnNaN()]);
            var actual = device.Fit(source, epochs: 2, batchSize: 3, shuffle: false, verbose: 0, callbacks: [new TerminateOnNaN()]);
            Assert.Equal(1, device.GetOptimizer().Iterations);
            Assert.Equal(host.GetOptimizer().Iterations, device.GetOptimizer().Iterations);
            Assert.Equal(expected.Epochs, actual.Epochs);
            AssertClose(host.Parameters, Pulled(device), 1e-5, "parameters");
        }
        finally
        {
            device.To(null);
        }
    }

    [Fact]
    public void MovedBackToTheHost_TrainingContinuesFromTheDeviceOptimizerState()
    {
        var s = Setups[1];
        var host = Initialized(s.Create(), 6);
        var moved = Initialized(s.Create(), 6);
        var (x, y, _) = Data(s, host);
        host.Compile(s.Optimizer(), s.Loss());
        moved.Compile(s.Optimizer(), s.Loss());
        moved.To(ModelHarness.Device);
        host.Fit(x, y, epochs: 1, batchSize: 3, shuffle: false, verbose: 0);
        moved.Fit(x, y, epochs: 1, batchSize: 3, shuffle: false, verbose: 0);
        moved.To(null); // the generated To pulls the parameters; the optimizer's host step pulls its state
        host.Fit(x, y, epochs: 1, batchSize: 3, shuffle: false, verbose: 0);
        moved.Fit(x, y, epochs: 1, batchSize: 3, shuffle: false, verbose: 0);
        AssertClose(host.Parameters, moved.Parameters, 1e-5, "parameters after continuing on the host");
        Assert.Equal(4, moved.GetOptimizer().Iterations);
    }
}
