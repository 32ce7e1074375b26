using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ModelGen;

/// <summary>
/// The Keras workflow on any generated model: <c>Compile</c>, <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c>.
/// Data is flat and batch-major: inputs <c>[samples, steps, features]</c> floats or <c>[samples, steps]</c> token
/// ids, targets <c>[samples, units]</c> (or <c>[samples, steps, units]</c> for sequence outputs).
/// </summary>
public static class ModelTraining
{
    private sealed record Compiled(Optimizer Optimizer, Loss Loss, IReadOnlyList<string> MetricNames);

    private static readonly ConditionalWeakTable<ISequentialModel, Compiled> Configurations = new();

    /// <summary>Keras <c>model.compile</c>: the optimizer, the loss and the metrics to report.</summary>
    public static void Compile(this ISequentialModel model, Optimizer optimizer, Loss loss, params string[] metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        foreach (var name in metrics) _ = Metric.FromName(name, loss, model.Info.OutputUnits); // fail now on an unknown name
        Configurations.AddOrUpdate(model, new Compiled(optimizer, loss, metrics));
    }

    /// <summary>Keras <c>model.compile</c> with Keras names: <c>"adam"</c>, <c>"sgd"</c>, <c>"rmsprop"</c>; <c>"mse"</c>, <c>"binary_crossentropy"</c> ….</summary>
    public static void Compile(this ISequentialModel model, string optimizer, string loss, params string[] metrics)
        => model.Compile(OptimizerFromName(optimizer), Loss.FromName(loss), metrics);

    /// <summary>The optimizer given to <c>Compile</c>.</summary>
    public static Optimizer GetOptimizer(this ISequentialModel model) => Get(model).Optimizer;

    internal static Optimizer? TryGetOptimizer(ISequentialModel model)
        => Configurations.TryGetValue(model, out var c) ? c.Optimizer : null;

    private static Optimizer OptimizerFromName(string name) => name.ToLowerInvariant() switch
    {
        "adam" => new Adam(),
        "sgd" => new Sgd(),
        "rmsprop" => new RmsProp(),
        _ => throw new ArgumentException($"unknown optimizer '{name}': use 'adam', 'sgd' or 'rmsprop', or pass an Optimizer instance", nameof(name)),
    };

    private static Compiled Get(ISequentialModel model)
        => Configurations.TryGetValue(model, out var c) ? c
            : throw new InvalidOperationException($"model '{model.Info.Name}' is not compiled: call model.Compile(optimizer, loss, metrics) before Fit or Evaluate");

    /// <summary>
    /// Keras <c>model.fit</c>. <paramref name="validationSplit"/> holds out the last fraction of the samples (before
    /// shuffling, as Keras does); <paramref name="seed"/> fixes the shuffling order so a seeded run repeats bit for bit.
    /// A NaN or infinite batch loss throws <see cref="ArithmeticException"/> unless a <see cref="TerminateOnNaN"/> callback is given.
    /// </summary>
    public static History Fit<TInput>(this ISequentialModel<TInput> model, TInput[] x, float[] y,
        int epochs = 1, int batchSize = 32, float validationSplit = 0, (TInput[] X, float[] Y)? validationData = null,
        bool shuffle = true, IReadOnlyList<Callback>? callbacks = null, int verbose = 1, int? timeSteps = null,
        int? seed = null, TextWriter? output = null, CancellationToken cancellationToken = default)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        var compiled = Get(model);
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be ≥ 0");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        if (validationSplit is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "validation split must be in [0, 1)");
        if (validationSplit > 0 && validationData is not null) throw new ArgumentException("pass either validationSplit or validationData, not both", nameof(validationData));

        var data = Dataset<TInput>.Create(model, x, y, timeSteps, nameof(x), nameof(y), compiled.Loss);
        Dataset<TInput> train = data, validation = default;
        if (validationSplit > 0)
        {
            int at = (int)(data.Samples * (1 - validationSplit));
            if (at == 0 || at == data.Samples) throw new ArgumentException($"validation split {validationSplit} of {data.Samples} samples leaves an empty training or validation set", nameof(validationSplit));
            (train, validation) = (data.Slice(0, at), data.Slice(at, data.Samples - at));
        }
        else if (validationData is { } vd)
            validation = Dataset<TInput>.Create(model, vd.X, vd.Y, timeSteps, "validationData.X", "validationData.Y", compiled.Loss);

        var history = new History();
        var context = new TrainingContext(model, compiled.Optimizer, history, epochs);
        Callback[] list = callbacks is null ? [] : [.. callbacks]; // an array: no enumerator allocated per batch
        bool terminateOnNaN = false;
        foreach (var c in list) { c.Context = context; terminateOnNaN |= c is TerminateOnNaN; }

        var progress = new Progress(verbose, output);
        var metrics = CreateMetrics(compiled, model.Info.OutputUnits);
        var batch = new Batch<TInput>(model, train, Math.Min(batchSize, train.Samples));
        var random = new Random(seed ?? Random.Shared.Next());
        var order = new int[train.Samples];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int steps = (train.Samples + batchSize - 1) / batchSize;
        var logs = new Dictionary<string, float>();

        foreach (var c in list) c.OnTrainBegin();
        for (int epoch = 0; epoch < epochs && !context.StopTraining; epoch++)
        {
            foreach (var c in list) c.OnEpochBegin(epoch);
            progress.BeginEpoch(epoch, epochs, steps);
            if (shuffle) random.Shuffle(order);
            foreach (var m in metrics) m.Reset();
            double lossSum = 0;
            long lossRows = 0;
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batchSize, count = Math.Min(batchSize, train.Samples - start);
                batch.Load(train, order.AsSpan(start, count));
                float loss = batch.TrainStep(compiled.Optimizer, compiled.Loss);
                int rows = batch.Rows;
                if (!float.IsFinite(loss) && !terminateOnNaN)
                    throw new ArithmeticException($"the loss became {loss} at epoch {epoch + 1}, batch {step + 1} (expected a finite number): lower the learning rate, set clipNorm on the optimizer, check the data for NaN, or add a TerminateOnNaN callback to stop quietly");
                lossSum += (double)loss * rows;
                lossRows += rows;
                foreach (var m in metrics) m.Update(batch.Output, batch.Targets, rows);
                Fill(logs, "", (float)(lossSum / lossRows), metrics);
                foreach (var c in list) c.OnBatchEnd(step, logs);
                progress.Step(step + 1, logs);
                if (context.StopTraining) break;
            }
            Fill(logs, "", (float)(lossSum / Math.Max(1, lossRows)), metrics);
            if (validation.Samples > 0)
            {
                var v = Evaluate(model, compiled, validation, batchSize);
                foreach (var (name, value) in v) logs["val_" + name] = value;
            }
            history.Add(epoch, logs);
            progress.EndEpoch(logs);
            foreach (var c in list) c.OnEpochEnd(epoch, logs);
        }
        foreach (var c in list) c.OnTrainEnd();
        return history;
    }

    /// <summary>Keras <c>model.evaluate</c>: the mean loss and each metric over all samples.</summary>
    public static IReadOnlyDictionary<string, float> Evaluate<TInput>(this ISequentialModel<TInput> model, TInput[] x, float[] y, int batchSize = 32, int? timeSteps = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        var compiled = Get(model);
        return Evaluate(model, compiled, Dataset<TInput>.Create(model, x, y, timeSteps, nameof(x), nameof(y), compiled.Loss), batchSize);
    }

    /// <summary>Keras <c>model.predict</c>: outputs for every sample, flat and batch-major.</summary>
    public static float[] Predict<TInput>(this ISequentialModel<TInput> model, TInput[] x, int batchSize = 32, int? timeSteps = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        var data = Dataset<TInput>.Create(model, x, null, timeSteps, nameof(x), null);
        var result = new float[data.Samples * data.OutputWidth];
        for (int start = 0; start < data.Samples; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Samples - start);
            model.Forward(data.Inputs.AsSpan(start * data.InputWidth, count * data.InputWidth), count, data.Steps,
                result.AsSpan(start * data.OutputWidth, count * data.OutputWidth));
        }
        return result;
    }

    private static Dictionary<string, float> Evaluate<TInput>(ISequentialModel<TInput> model, Compiled compiled, Dataset<TInput> data, int batchSize)
        where TInput : unmanaged
    {
        var metrics = CreateMetrics(compiled, model.Info.OutputUnits);
        var batch = new Batch<TInput>(model, data, Math.Min(batchSize, data.Samples));
        double lossSum = 0;
        long lossRows = 0;
        for (int start = 0; start < data.Samples; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Samples - start);
            batch.LoadRange(data, start, count);
            float loss = batch.EvaluateStep(compiled.Loss);
            int rows = batch.Rows;
            lossSum += (double)loss * rows;
            lossRows += rows;
            foreach (var m in metrics) m.Update(batch.Output, batch.Targets, rows);
        }
        var logs = new Dictionary<string, float>();
        Fill(logs, "", (float)(lossSum / Math.Max(1, lossRows)), metrics);
        return logs;
    }

    private static Metric[] CreateMetrics(Compiled compiled, int outputUnits)
    {
        var metrics = new Metric[compiled.MetricNames.Count];
        for (int i = 0; i < metrics.Length; i++) metrics[i] = Metric.FromName(compiled.MetricNames[i], compiled.Loss, outputUnits);
        return metrics;
    }

    private static void Fill(Dictionary<string, float> logs, string prefix, float loss, Metric[] metrics)
    {
        logs[prefix + "loss"] = loss;
        foreach (var m in metrics) logs[prefix + m.Name] = m.Result;
    }
}
