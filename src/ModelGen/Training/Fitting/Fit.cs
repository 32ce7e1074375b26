using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ModelGen;

/// <summary>
/// The Keras workflow on any generated model: <c>Compile</c>, <c>Fit</c>, <c>Evaluate</c>, <c>Predict</c>.
/// Data is flat and batch-major: inputs <c>[samples, steps, features]</c> floats or <c>[samples, steps]</c> token
/// ids, targets <c>[samples, units]</c> (or <c>[samples, steps, units]</c> for sequence outputs).
/// </summary>
public static partial class ModelTraining
{
    private sealed record Compiled(Optimizer Optimizer, Loss Loss, IReadOnlyList<CompiledMetric> Metrics, IReadOnlyList<CompiledMetric> WeightedMetrics)
    {
        /// <summary>
        /// The losses the compiled metrics read targets through (<see cref="LossMetric"/>s: <c>"binary_crossentropy"</c>
        /// …), with the metric's name: their targets are checked with the loss's, before any batch runs (trial M: a
        /// metric refused a target only after batches had been applied). Only those that read targets shaped as the
        /// loss's (a sparse metric beside a dense loss reads another shape, which its own length check refuses).
        /// </summary>
        public List<(Loss Loss, string Metric)> MetricTargets(int outputUnits)
        {
            var list = new List<(Loss Loss, string Metric)>();
            foreach (var m in Metrics.Concat(WeightedMetrics))
            {
                var metric = m.Instance ?? Metric.FromName(m.Name, Loss, outputUnits);
                if (metric is LossMetric lm && lm.Loss.TargetsPerRow(outputUnits) == Loss.TargetsPerRow(outputUnits)) list.Add((lm.Loss, metric.Name));
            }
            return list;
        }
    }

    private static readonly ConditionalWeakTable<ISequentialModel, Compiled> Configurations = new();

    /// <summary>Keras <c>model.compile</c>: the optimizer, the loss and the metrics to report.</summary>
    /// <remarks>These metrics ignore sample and class weights (masks still apply), as Keras's <c>metrics</c> do; see the
    /// overload with <c>weightedMetrics</c>.</remarks>
    /// <exception cref="ArgumentException">A metric name is unknown.</exception>
    /// <param name="model">The model to configure; a later <c>Compile</c> replaces this configuration.</param>
    /// <param name="optimizer">The optimizer <c>Fit</c> steps with (Keras <c>optimizer=</c>); it keeps its state across <c>Fit</c> calls.</param>
    /// <param name="loss">The loss <c>Fit</c> minimises and <c>Evaluate</c> reports (Keras <c>loss=</c>).</param>
    /// <param name="metrics">Keras metric names (<c>"accuracy"</c>, <c>"mae"</c>, <c>"mse"</c> …), logged under those names.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void Compile(this ISequentialModel model, Optimizer optimizer, Loss loss, params string[] metrics)
        => model.Compile(optimizer, loss, metrics, []);

    /// <summary>
    /// Keras <c>model.compile(optimizer, loss, metrics, weighted_metrics)</c>: <paramref name="metrics"/> are unweighted
    /// means over the real (unmasked) rows; <paramref name="weightedMetrics"/> take the <c>sampleWeight</c> or
    /// <c>classWeight</c> given to <c>Fit</c>/<c>Evaluate</c> (<c>Σ w·value / Σ w</c>). A weighted metric whose name an
    /// unweighted one already uses is logged as <c>weighted_</c> + name, as Keras does.
    /// </summary>
    /// <remarks>Optimizer state that <see cref="WeightFile.LoadWeights(ISequentialModel, string)"/> read before this call is applied to
    /// <paramref name="optimizer"/> now when it fits; otherwise it is skipped, and the <see cref="WeightLoadResult"/> that
    /// load returned says so.</remarks>
    /// <exception cref="ArgumentException">A metric name is unknown.</exception>
    /// <param name="model">The model to configure; a later <c>Compile</c> replaces this configuration.</param>
    /// <param name="optimizer">The optimizer <c>Fit</c> steps with (Keras <c>optimizer=</c>).</param>
    /// <param name="loss">The loss <c>Fit</c> minimises and <c>Evaluate</c> reports (Keras <c>loss=</c>).</param>
    /// <param name="metrics">Unweighted metrics by Keras name (Keras <c>metrics=</c>).</param>
    /// <param name="weightedMetrics">Metrics that take the sample or class weights, by Keras name (Keras <c>weighted_metrics=</c>).</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void Compile(this ISequentialModel model, Optimizer optimizer, Loss loss, IReadOnlyList<string> metrics, IReadOnlyList<string> weightedMetrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(weightedMetrics);
        var compiled = CompiledMetric.FromNames(metrics, loss, model.Info.OutputUnits);
        var weighted = CompiledMetric.FromNames(weightedMetrics, loss, model.Info.OutputUnits);
        Workers.ThrowIfTrainingElsewhere(model, "Compile");
        Configurations.AddOrUpdate(model, new Compiled(optimizer, loss, compiled, weighted));
        WeightFile.ApplyPending(model, optimizer); // optimizer state loaded before Compile: applied now if it fits, else a warning on that load's result
    }

    /// <summary>
    /// Keras <c>model.compile(optimizer, loss, metrics=[keras.metrics.AUC(), …], weighted_metrics=[…])</c> with metric
    /// objects: built-in ones configured as needed (<c>new Auc(curve: AucCurve.PR)</c>, <c>new Precision(threshold: 0.3f)</c>,
    /// <c>Metric.FromName("accuracy", loss, units)</c>) or your own <see cref="Metric"/> subclasses. Each is logged under
    /// its <see cref="Metric.Name"/> (a clash gets a suffix, as with names). As in Keras the objects themselves hold the
    /// running values: <c>Fit</c> and <c>Evaluate</c> reset them first, validation reuses them after the epoch's training
    /// values are logged, and after a run they hold the last run's values (read <see cref="Metric.Result"/>).
    /// </summary>
    /// <remarks>Because the objects are shared, do not run <c>Fit</c>/<c>Evaluate</c> on models compiled with the same
    /// metric object at the same time (metrics compiled by name are created per run and have no such limit). Optimizer
    /// state loaded before this call is applied as in the overload taking names.</remarks>
    /// <param name="model">The model to configure.</param>
    /// <param name="optimizer">The optimizer (one per model).</param>
    /// <param name="loss">The loss.</param>
    /// <param name="metrics">Unweighted metrics, in logging order.</param>
    /// <param name="weightedMetrics">Metrics that take <c>sampleWeight</c>/<c>classWeight</c> (<c>Σ w·value / Σ w</c>), or null for none.</param>
    /// <exception cref="ArgumentNullException">An argument (other than <paramref name="weightedMetrics"/>) is null.</exception>
    /// <exception cref="ArgumentException">A metric is null, or one object is given twice.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void Compile(this ISequentialModel model, Optimizer optimizer, Loss loss, IReadOnlyList<Metric> metrics, IReadOnlyList<Metric>? weightedMetrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(metrics);
        var all = CompiledMetric.FromObjects(metrics, weightedMetrics ?? []);
        Workers.ThrowIfTrainingElsewhere(model, "Compile");
        Configurations.AddOrUpdate(model, new Compiled(optimizer, loss, all[..metrics.Count], all[metrics.Count..]));
        WeightFile.ApplyPending(model, optimizer);
    }

    /// <summary>Keras <c>model.compile</c> with Keras names: <c>"adam"</c>, <c>"adamw"</c>, <c>"adagrad"</c>, <c>"nadam"</c>, <c>"sgd"</c>, <c>"rmsprop"</c>; <c>"mse"</c>, <c>"binary_crossentropy"</c> ….</summary>
    /// <param name="model">The model to configure.</param>
    /// <param name="optimizer"><c>"adam"</c>, <c>"adamw"</c>, <c>"adagrad"</c>, <c>"nadam"</c>, <c>"sgd"</c> or <c>"rmsprop"</c> (any case), with Keras's default settings.</param>
    /// <param name="loss">A Keras loss name, as <see cref="Loss.FromName"/> reads it.</param>
    /// <param name="metrics">Keras metric names.</param>
    /// <exception cref="ArgumentException">The optimizer, loss or a metric name is unknown.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void Compile(this ISequentialModel model, string optimizer, string loss, params string[] metrics)
        => model.Compile(OptimizerFromName(optimizer), Loss.FromName(loss), metrics);

    /// <summary>The optimizer given to <c>Compile</c>.</summary>
    /// <param name="model">A compiled model.</param>
    /// <returns>The same <see cref="Optimizer"/> instance (Keras <c>model.optimizer</c>), e.g. to read or change its learning rate.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    public static Optimizer GetOptimizer(this ISequentialModel model) => Get(model).Optimizer;

    // The callbacks of one Fit, as an array (no enumerator allocated per batch), each given the run's context;
    // terminateOnNaN: one of them is a TerminateOnNaN, so a non-finite loss ends training instead of throwing.
    private static Callback[] AttachCallbacks(IReadOnlyList<Callback>? callbacks, TrainingContext context, out bool terminateOnNaN)
    {
        Callback[] list = callbacks is null ? [] : [.. callbacks];
        terminateOnNaN = false;
        foreach (var c in list) { c.Context = context; terminateOnNaN |= c is TerminateOnNaN; }
        // Checks that can refuse the run go before any callback's OnTrainBegin acts (a CSVLogger truncates its file there).
        foreach (var c in list) c.Prepare();
        return list;
    }

    internal static Optimizer? TryGetOptimizer(ISequentialModel model)
        => Configurations.TryGetValue(model, out var c) ? c.Optimizer : null;

    private static Optimizer OptimizerFromName(string name) => name.ToLowerInvariant() switch
    {
        "adam" => new Adam(),
        "sgd" => new Sgd(),
        "rmsprop" => new RmsProp(),
        "adamw" => new AdamW(),
        "adagrad" => new Adagrad(),
        "nadam" => new Nadam(),
        _ => throw new ArgumentException($"unknown optimizer '{name}': use 'adam', 'adamw', 'adagrad', 'nadam', 'sgd' or 'rmsprop', or pass an Optimizer instance", nameof(name)),
    };

    private static Compiled Get(ISequentialModel model)
        => Configurations.TryGetValue(model, out var c) ? c
            : throw new InvalidOperationException($"model '{model.Info.Name}' is not compiled: call model.Compile(optimizer, loss, metrics) before Fit or Evaluate");

    /// <summary>
    /// Keras <c>model.fit</c>. <paramref name="validationSplit"/> holds out the last fraction of the samples (before
    /// shuffling, as Keras does), with their sample weights; <paramref name="seed"/> fixes the shuffling order so a seeded
    /// run repeats bit for bit. The logged <c>loss</c> is the mean of the batch losses weighted by batch size, as Keras's
    /// loss tracker takes it.
    /// </summary>
    /// <param name="model">The compiled model.</param>
    /// <param name="x">Inputs, <c>[samples, steps, features]</c> floats or <c>[samples, steps]</c> token ids.</param>
    /// <param name="y">Targets, <c>[samples, units]</c> or <c>[samples, steps, units]</c> (one class index per row for a sparse loss).</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per update. A model with a stateful layer needs it to divide the number of samples.</param>
    /// <param name="validationSplit">Fraction of the samples (the last ones) held out for validation, in [0, 1): the first
    /// <c>floor(samples · (1 − split))</c> train, Keras's cut (90 samples at 0.3: 62 and 28).</param>
    /// <param name="validationData">Separate validation inputs and targets (not with <paramref name="validationSplit"/>).</param>
    /// <param name="validationSampleWeight">Keras's third element of <c>validation_data</c>: weights of the validation
    /// samples, shaped as <paramref name="sampleWeight"/> (<c>[samples]</c>, or <c>[samples, steps]</c> for a sequence
    /// output), weighting <c>val_loss</c> and the <c>val_</c> weighted metrics; only with <paramref name="validationData"/>.
    /// (With <paramref name="validationSplit"/> the held-out samples keep their <paramref name="sampleWeight"/>, as in Keras.)</param>
    /// <param name="shuffle">Shuffle the training samples each epoch.</param>
    /// <param name="callbacks">Callbacks, called in order.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <param name="seed">Seed of the shuffling order.</param>
    /// <param name="sampleWeight">Keras <c>sample_weight</c>: one weight per sample (<c>[samples]</c>), or for a sequence
    /// output one per step (<c>[samples, steps]</c>, Keras's temporal weights). The batch loss is
    /// <c>Σ w·loss / rows</c> (real rows only under a mask); only <c>weightedMetrics</c> use the weights.</param>
    /// <param name="classWeight">Keras <c>class_weight</c>: the weight of each class index (missing classes weigh 1),
    /// applied to every output row (every step of a sequence output) by the class of its target; training data only.</param>
    /// <param name="output">Where progress goes (the console by default).</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <param name="initialEpoch">Keras <c>initial_epoch</c>: the epoch to start from when resuming, 0-based; training runs
    /// epochs <c>initialEpoch</c> … <c>epochs − 1</c>, and callbacks, <see cref="History"/>, <c>CSVLogger</c> rows and
    /// <c>ModelCheckpoint</c>'s <c>{epoch}</c> count from it. With <paramref name="seed"/> the shuffles of the skipped
    /// epochs are drawn first, so a run resumed from <c>SaveWeights</c> with the same seed takes the orders the
    /// uninterrupted run took (bit-identical for a model without dropout).</param>
    /// <returns>The per-epoch loss and metrics, with <c>val_</c> twins when there is validation data.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled; it holds a state set with a
    /// <c>Set…InitialState</c> method (one row per sample of a pass, which shuffled batches cannot follow); a callback
    /// reads a value the run never logs (<c>EarlyStopping</c> on <c>val_loss</c> without validation data). Nothing has
    /// been trained then.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="x"/> or <paramref name="y"/> (or
    /// either array of <paramref name="validationData"/>) is null. Nothing has been trained then.</exception>
    /// <exception cref="ArgumentException">Shapes or weights do not match the model or each other; a stateful model's
    /// batch size does not divide the training or validation samples. Nothing has been trained then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/>, <paramref name="batchSize"/>,
    /// <paramref name="validationSplit"/> or <paramref name="verbose"/> is out of range; a token id is outside the
    /// vocabulary; a value of <paramref name="x"/> or <paramref name="y"/> that training reads is NaN or ∞ (checked over
    /// the training samples before any batch, the message naming the sample and step; targets under a step mask are
    /// checked per batch instead, since a masked step's target is never read). Nothing has been trained then.</exception>
    /// <exception cref="ArithmeticException">A batch loss is NaN or infinite and no <see cref="TerminateOnNaN"/> callback is
    /// given, or a gradient is NaN or infinite. The message names the samples of <paramref name="x"/> or <paramref name="y"/>
    /// that hold NaN or ∞ when that is the cause. That batch is never applied (its loss is checked before <c>Backward</c>,
    /// its gradients before the optimizer step): the parameters and optimizer state are those after the previous batch,
    /// bit for bit. With <see cref="TerminateOnNaN"/> a non-finite loss stops training the same way, without the exception.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids (a model starting with <c>Embedding</c>).</typeparam>
    public static History Fit<TInput>(this ISequentialModel<TInput> model, TInput[] x, float[] y,
        int epochs = 1, int batchSize = 32, double validationSplit = 0, (TInput[] X, float[] Y)? validationData = null,
        bool shuffle = true, IReadOnlyList<Callback>? callbacks = null, int verbose = 1, int? timeSteps = null,
        int? seed = null, float[]? sampleWeight = null, IReadOnlyDictionary<int, float>? classWeight = null,
        int initialEpoch = 0, float[]? validationSampleWeight = null, TextWriter? output = null, CancellationToken cancellationToken = default)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        var compiled = Get(model);
        using var training = Workers.Train(model); // one Fit per instance at a time
        if (validationSampleWeight is not null && validationData is null)
            throw new ArgumentException("validationSampleWeight weights validationData's samples: pass validationData too (with validationSplit the held-out samples keep their sampleWeight)", nameof(validationSampleWeight));
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be ≥ 0");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "initialEpoch must be ≥ 0 (Keras's initial_epoch)");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        SetInitialState.Refuse(model, "Fit", "shuffles the samples into batches");
        if (!(validationSplit is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, $"validation split must be a number in [0, 1); got {validationSplit.ToString(CultureInfo.InvariantCulture)}");
        if (validationSplit > 0 && validationData is not null) throw new ArgumentException("pass either validationSplit or validationData, not both", nameof(validationData));

        Dataset<TInput>.CheckOneWeighting(sampleWeight, classWeight, nameof(sampleWeight), nameof(classWeight));
        var data = Dataset<TInput>.Create(model, x, y, timeSteps, nameof(x), nameof(y), compiled.Loss, compiled.MetricTargets(model.Info.OutputUnits))
            .Weighted(sampleWeight, null, nameof(sampleWeight), nameof(classWeight));
        Dataset<TInput> train = data, validation = default;
        if (validationSplit > 0)
        {
            int at = TrainingSamples(data.Samples, validationSplit);
            if (at == 0 || at == data.Samples) throw new ArgumentException($"validation split {validationSplit} of {data.Samples} samples leaves an empty training or validation set", nameof(validationSplit));
            (train, validation) = (data.Slice(0, at), data.Slice(at, data.Samples - at));
        }
        else if (validationData is { } vd)
            validation = Dataset<TInput>.Create(model, vd.X, vd.Y, timeSteps, "validationData.X", "validationData.Y", compiled.Loss, compiled.MetricTargets(model.Info.OutputUnits))
                .Weighted(validationSampleWeight, null, nameof(validationSampleWeight), nameof(classWeight));
        train = train.Weighted(null, classWeight, nameof(sampleWeight), nameof(classWeight));
        train.CheckFinite(model.Info, nameof(x), nameof(y));
        if (validation.Samples > 0) StatefulBatches.Check(model, batchSize, ("training", train.Samples), ("validation", validation.Samples));
        else StatefulBatches.Check(model, batchSize, ("training", train.Samples));

        var history = new History();
        var context = new TrainingContext(model, compiled.Optimizer, history, epochs) { LoggedNames = EpochLogNames(compiled, validation.Samples > 0) };
        var list = AttachCallbacks(callbacks, context, out bool terminateOnNaN);

        var progress = new Progress(verbose, output);
        var metrics = new MetricSet(compiled, model.Info.OutputUnits);
        var batch = new Batch<TInput>(model, train, Math.Min(batchSize, train.Samples));
        batch.CheckDevice(compiled.Optimizer, compiled.Loss); // a model on a device: an optimizer it cannot step fails here, before training
        var random = new Random(seed ?? Random.Shared.Next());
        var order = new int[train.Samples];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int steps = (train.Samples + batchSize - 1) / batchSize;
        SkipShuffles(random, order, shuffle, initialEpoch, epochs);

        foreach (var c in list) c.OnTrainBegin();
        for (int epoch = initialEpoch; epoch < epochs && !context.StopTraining; epoch++)
        {
            foreach (var c in list) c.OnEpochBegin(epoch);
            progress.BeginEpoch(epoch, epochs, steps);
            if (shuffle) random.Shuffle(order);
            metrics.Reset();
            var loss = new LossMean();
            // A new dictionary each epoch: batch logs hold this epoch's running values only, never an earlier epoch's val_*.
            var logs = new Dictionary<string, float>();
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batchSize, count = Math.Min(batchSize, train.Samples - start);
                foreach (var c in list) c.OnBatchBegin(step);
                batch.Load(train, order.AsSpan(start, count));
                float batchLoss = batch.TrainStep(compiled.Optimizer, compiled.Loss, out var result);
                if (result != StepResult.Applied && (result == StepResult.NonFiniteGradient || !terminateOnNaN))
                    throw NonFiniteStep(batch, result, batchLoss, epoch, step, order.AsSpan(start, count), train.Offset);
                loss.Add(batchLoss, count);
                metrics.Update(batch);
                metrics.Fill(logs, "", loss.Result);
                foreach (var c in list) c.OnBatchEnd(step, logs);
                progress.Step(step + 1, logs);
                if (context.StopTraining) break;
            }
            var epochLogs = new Dictionary<string, float>();
            metrics.Fill(epochLogs, "", loss.Result);
            if (validation.Samples > 0)
            {
                var v = Evaluate(model, compiled, validation, batchSize);
                foreach (var (name, value) in v) epochLogs["val_" + name] = value;
            }
            history.Add(epoch, epochLogs);
            progress.EndEpoch(epochLogs);
            foreach (var c in list) c.OnEpochEnd(epoch, epochLogs);
        }
        foreach (var c in list) c.OnTrainEnd();
        return history;
    }

    /// <summary>
    /// The error for a step that was skipped because its loss or gradient was not finite: where, the value, the rows that
    /// held non-finite data when that is the cause (as indices into the caller's <c>x</c> and <c>y</c>), and that the
    /// parameters and optimizer state are those before the batch.
    /// </summary>
    private static ArithmeticException NonFiniteStep<TInput>(Batch<TInput> batch, StepResult result, float loss, int epoch, int step, ReadOnlySpan<int> order, int offset,
        string xName = "x", string yName = "y")
        where TInput : unmanaged
    {
        int[] indices = order.ToArray();
        string? rows = batch.DescribeNonFiniteRows(i => offset + indices[i], xName, yName);
        string what = result == StepResult.NonFiniteLoss
            ? string.Create(CultureInfo.InvariantCulture, $"the loss became {loss} at epoch {epoch + 1}, batch {step + 1} (expected a finite number)")
            : string.Create(CultureInfo.InvariantCulture, $"a gradient became NaN or infinite at epoch {epoch + 1}, batch {step + 1} (loss {loss})");
        string cause = rows is not null
            ? $": {rows}; remove or repair those samples"
            : result == StepResult.NonFiniteLoss
                ? ": lower the learning rate, set ClipNorm on the optimizer, or add a TerminateOnNaN callback to stop quietly"
                : ": lower the learning rate or set ClipNorm/ClipValue on the optimizer";
        return new ArithmeticException($"{what}{cause}. The batch was not applied: the parameters and optimizer state are those after the previous batch");
    }

    /// <summary>
    /// Keras <c>model.evaluate</c>: the loss (the mean of the batch losses weighted by batch size) and each metric over
    /// all samples.
    /// </summary>
    /// <param name="model">The compiled model.</param>
    /// <param name="x">Inputs, as for <c>Fit</c>.</param>
    /// <param name="y">Targets, as for <c>Fit</c>.</param>
    /// <param name="batchSize">Samples per forward pass; a model with a stateful layer needs it to divide the samples. A model
    /// holding a state set with a <c>Set…InitialState</c> method runs all of <paramref name="x"/> as one pass (the state's row i
    /// is sample i's), so x must have as many samples as the state.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <param name="sampleWeight">Keras <c>sample_weight</c>, <c>[samples]</c> or <c>[samples, steps]</c>, as for <c>Fit</c>.</param>
    /// <param name="classWeight">Weights by class index, as for <c>Fit</c> (Keras's <c>evaluate</c> has no <c>class_weight</c>;
    /// this is the same as passing the sample weights it gives).</param>
    /// <returns><c>loss</c> and every compiled metric by name.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="model"/>, <paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentException">Shapes or weights do not match; a stateful model's batch size does not divide the samples.</exception>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids.</typeparam>
    public static IReadOnlyDictionary<string, float> Evaluate<TInput>(this ISequentialModel<TInput> model, TInput[] x, float[] y, int batchSize = 32, int? timeSteps = null,
        float[]? sampleWeight = null, IReadOnlyDictionary<int, float>? classWeight = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        var compiled = Get(model);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        var data = Dataset<TInput>.Create(model, x, y, timeSteps, nameof(x), nameof(y), compiled.Loss, compiled.MetricTargets(model.Info.OutputUnits))
            .Weighted(sampleWeight, classWeight, nameof(sampleWeight), nameof(classWeight));
        StatefulBatches.Check(model, batchSize, ("evaluation", data.Samples));
        using var lease = Workers.Rent(model); // safe on a model shared between threads
        return Evaluate(lease.Model, compiled, data, SetInitialState.BatchSize(model, batchSize, data.Samples));
    }

    /// <summary>
    /// Keras <c>model.predict</c>: outputs for every sample, flat and batch-major. Safe to call from several threads on one
    /// model: it runs on a worker sharing the model's parameters (the model itself when it holds a state a pass starts
    /// from).
    /// </summary>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids.</typeparam>
    /// <param name="model">The model (it need not be compiled).</param>
    /// <param name="x">Inputs, <c>[samples, steps, features]</c> floats or <c>[samples, steps]</c> token ids, flat and batch-major.</param>
    /// <param name="batchSize">Samples per forward pass (memory, not results: the outputs do not depend on it); a model with a
    /// stateful layer needs it to divide the samples. A model holding a state set with a <c>Set…InitialState</c> method
    /// runs all of <paramref name="x"/> as one pass (the state's row i is sample i's), so x must have as many samples as
    /// the state.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <returns>The outputs, flat and batch-major: <c>[samples, units]</c>, or <c>[samples, steps, units]</c> for a sequence
    /// output (probabilities after a sigmoid or softmax output, as Keras returns them).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="timeSteps"/> is not positive.</exception>
    /// <exception cref="ArgumentException">The length of <paramref name="x"/> is not a whole number of samples,
    /// <paramref name="timeSteps"/> is missing or disagrees with the declared <c>TimeSteps</c>, a token id is out of the
    /// vocabulary, or a stateful model's batch size does not divide the samples.</exception>
    public static float[] Predict<TInput>(this ISequentialModel<TInput> model, TInput[] x, int batchSize = 32, int? timeSteps = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        var data = Dataset<TInput>.Create(model, x, null, timeSteps, nameof(x), null);
        StatefulBatches.Check(model, batchSize, ("prediction", data.Samples));
        batchSize = SetInitialState.BatchSize(model, batchSize, data.Samples); // a set state's row i is sample i's
        var result = new float[data.Samples * data.OutputWidth];
        using var lease = Workers.Rent(model); // safe on a model shared between threads
        for (int start = 0; start < data.Samples; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Samples - start);
            DeviceSync.Predict(lease.Model, data.Inputs.AsSpan(start * data.InputWidth, count * data.InputWidth), count, data.Steps,
                result.AsSpan(start * data.OutputWidth, count * data.OutputWidth));
        }
        return result;
    }

    /// <summary>The shuffles of the epochs before <paramref name="initialEpoch"/>, drawn so that a resumed run continues the orders.</summary>
    private static void SkipShuffles(Random random, int[] order, bool shuffle, int initialEpoch, int epochs)
    {
        if (!shuffle) return;
        for (int e = 0; e < Math.Min(initialEpoch, epochs); e++) random.Shuffle(order);
    }

    /// <summary>
    /// Keras's split: the first <c>floor(samples · (1 − split))</c> samples train, computed in double as Keras computes it
    /// (90 samples at 0.3: 62 train, 28 validate, as 90 · 0.7 is 62.99999999999999). A split that is exactly a float
    /// (a <c>float</c> 0.2f widened to 0.20000000298…) is read as the decimal the float prints as (0.2), so that it cuts
    /// where the same number typed as a double does.
    /// </summary>
    internal static int TrainingSamples(int samples, double split)
    {
        if ((double)(float)split == split) split = double.Parse(((float)split).ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return (int)Math.Floor(samples * (1.0 - split));
    }

    private static Dictionary<string, float> Evaluate<TInput>(ISequentialModel<TInput> model, Compiled compiled, Dataset<TInput> data, int batchSize)
        where TInput : unmanaged
    {
        var metrics = new MetricSet(compiled, model.Info.OutputUnits);
        var batch = new Batch<TInput>(model, data, Math.Min(batchSize, data.Samples));
        var loss = new LossMean();
        for (int start = 0; start < data.Samples; start += batchSize)
        {
            int count = Math.Min(batchSize, data.Samples - start);
            batch.LoadRange(data, start, count);
            loss.Add(batch.EvaluateStep(compiled.Loss), count);
            metrics.Update(batch);
        }
        var logs = new Dictionary<string, float>();
        metrics.Fill(logs, "", loss.Result);
        return logs;
    }

    /// <summary>The names an epoch's logs hold: <c>loss</c> and the metrics, then their <c>val_</c> forms with validation data.</summary>
    private static string[] EpochLogNames(Compiled compiled, bool validation)
    {
        string[] names = ["loss", .. MetricSet.LoggedNames(compiled)];
        return validation ? [.. names, .. names.Select(n => "val_" + n)] : names;
    }

    /// <summary>
    /// Which way the logged value <paramref name="logName"/> improves, as Keras 3's callbacks decide in <c>mode="auto"</c>:
    /// <c>loss</c> (and <c>val_loss</c>) goes down; a compiled metric goes its <see cref="Metric.Direction"/>;
    /// <see cref="MonitorMode.Auto"/> when neither tells.
    /// </summary>
    internal static MonitorMode LoggedDirection(ISequentialModel model, string logName)
    {
        string name = logName.StartsWith("val_", StringComparison.Ordinal) ? logName[4..] : logName;
        if (name == "loss") return MonitorMode.Min;
        if (!Configurations.TryGetValue(model, out var compiled)) return MonitorMode.Auto;
        var names = MetricSet.LoggedNames(compiled);
        for (int i = 0; i < names.Length; i++)
        {
            if (names[i] != name) continue;
            int n = compiled.Metrics.Count;
            var metric = i < n ? compiled.Metrics[i] : compiled.WeightedMetrics[i - n];
            return (metric.Instance ?? Metric.FromName(metric.Name, compiled.Loss, model.Info.OutputUnits)).Direction;
        }
        return MonitorMode.Auto;
    }

    /// <summary>The compiled metrics of one run: unweighted ones, then weighted ones, each with the name it is logged under.</summary>
    private sealed class MetricSet
    {
        private readonly Metric[] _metrics;
        private readonly string[] _names;
        private readonly bool[] _weighted;

        public MetricSet(Compiled compiled, int outputUnits)
        {
            int n = compiled.Metrics.Count, total = n + compiled.WeightedMetrics.Count;
            _metrics = new Metric[total];
            _names = LoggedNames(compiled);
            _weighted = new bool[total];
            for (int i = 0; i < total; i++)
            {
                bool weighted = i >= n;
                var metric = weighted ? compiled.WeightedMetrics[i - n] : compiled.Metrics[i];
                _metrics[i] = metric.Create(compiled.Loss, outputUnits);
                _weighted[i] = weighted;
            }
        }

        /// <summary>The name each compiled metric is logged under: unweighted ones, then weighted ones.</summary>
        public static string[] LoggedNames(Compiled compiled)
        {
            int n = compiled.Metrics.Count, total = n + compiled.WeightedMetrics.Count;
            var names = new string[total];
            var used = new HashSet<string>(StringComparer.Ordinal) { "loss" };
            for (int i = 0; i < total; i++)
            {
                bool weighted = i >= n;
                string name = (weighted ? compiled.WeightedMetrics[i - n] : compiled.Metrics[i]).Name;
                string logged = name;
                if (!used.Add(logged))
                {
                    logged = weighted ? "weighted_" + name : name;
                    for (int k = 1; !used.Add(logged); k++) logged = (weighted ? "weighted_" + name : name) + "_" + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                names[i] = logged;
            }
            return names;
        }

        public void Reset()
        {
            foreach (var m in _metrics) m.Reset();
        }

        /// <summary>Adds the rows the last step's loss used; a batch with no real row changes nothing.</summary>
        public void Update<TInput>(Batch<TInput> batch) where TInput : unmanaged
        {
            for (int i = 0; i < _metrics.Length; i++)
                _metrics[i].Update(batch.Output, batch.Targets, batch.Rows, _weighted[i] ? batch.Weights : default);
        }

        public void Fill(Dictionary<string, float> logs, string prefix, float loss)
        {
            logs[prefix + "loss"] = loss;
            for (int i = 0; i < _metrics.Length; i++) logs[prefix + _names[i]] = _metrics[i].Result;
        }
    }
}
