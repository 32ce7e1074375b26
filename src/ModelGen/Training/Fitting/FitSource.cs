using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace ModelGen;

public static partial class ModelTraining
{
    /// <summary>
    /// Keras <c>model.fit(PyDataset)</c> / a PyTorch training loop over a <c>DataLoader</c>: trains from samples a
    /// <see cref="DataSource{TInput}"/> produces on demand, for data that does not fit in one array. Everything else is as
    /// the array overload: the order is shuffled each epoch by the same generator (a source of the same samples as
    /// arrays, with the same <paramref name="seed"/>, gives bit-identical weights), the last batch holds the remaining
    /// samples, and the logged <c>loss</c> and metrics are the same means. The runtime allocates the batch buffers once
    /// per call and reuses them; with <see cref="DataSource{TInput}.Prefetch"/> the next batch is read on a background
    /// thread while the model trains on the current one.
    /// </summary>
    /// <param name="model">The compiled model.</param>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids: the model's input type.</typeparam>
    /// <param name="source">The training samples: inputs <c>[steps, features]</c> floats or <c>[steps]</c> token ids, targets
    /// <c>[units]</c> or <c>[steps, units]</c> (one class index per output row for a sparse loss), and sample weights when
    /// <see cref="DataSource{TInput}.HasSampleWeights"/>.</param>
    /// <param name="epochs">Passes over the data.</param>
    /// <param name="batchSize">Samples per update. A model with a stateful layer needs it to divide the number of samples.</param>
    /// <param name="validationData">Validation samples, evaluated in order after every epoch (logged as <c>val_</c>…);
    /// null for none. Keras has no <c>validation_split</c> for a dataset either.</param>
    /// <param name="shuffle">Shuffle the sample order each epoch (PyTorch <c>DataLoader(shuffle=True)</c>).</param>
    /// <param name="callbacks">Callbacks, called in order.</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <param name="seed">Seed of the shuffling order (the array overload's, for the same order).</param>
    /// <param name="output">Where progress goes (the console by default).</param>
    /// <param name="cancellationToken">Checked before every batch.</param>
    /// <param name="initialEpoch">Keras <c>initial_epoch</c>: the epoch to start from when resuming, 0-based; training runs
    /// epochs <c>initialEpoch</c> … <c>epochs − 1</c>, and callbacks, <see cref="History"/>, <c>CSVLogger</c> rows and
    /// <c>ModelCheckpoint</c>'s <c>{epoch}</c> count from it. With <paramref name="seed"/> the shuffles of the skipped
    /// epochs are drawn first, so a run resumed from <c>SaveWeights</c> with the same seed takes the orders the
    /// uninterrupted run took (bit-identical for a model without dropout).</param>
    /// <returns>The per-epoch loss and metrics, with <c>val_</c> twins when there is validation data.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled, or another <c>Fit</c> trains it; it holds a
    /// state set with a <c>Set…InitialState</c> method; a callback reads a value the run never logs. Nothing has been
    /// trained then.</exception>
    /// <exception cref="ArgumentException">A source is empty or its sample sizes do not match the model
    /// (<see cref="DataSource{TInput}.Validate"/>); a stateful model's batch size does not divide the samples. Nothing has
    /// been trained then.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="epochs"/> or <paramref name="batchSize"/> is out of range.</exception>
    /// <exception cref="DataSourceException">A source threw while reading a batch: the message names the epoch, the batch
    /// and its samples, the inner exception is what the source threw. The model is as after the previous batch.</exception>
    /// <exception cref="ArithmeticException">A batch's loss or gradient is not finite, as for the array overload (sample
    /// numbers are indices into <paramref name="source"/>).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static History Fit<TInput>(this ISequentialModel<TInput> model, DataSource<TInput> source,
        int epochs = 1, int batchSize = 32, DataSource<TInput>? validationData = null, bool shuffle = true,
        IReadOnlyList<Callback>? callbacks = null, int verbose = 1, int? timeSteps = null, int? seed = null,
        int initialEpoch = 0, TextWriter? output = null, CancellationToken cancellationToken = default)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var compiled = Get(model);
        using var training = Workers.Train(model); // one Fit per instance at a time
        SetInitialState.Refuse(model, "Fit", "shuffles the samples into batches");
        if (epochs < 0) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be ≥ 0");
        if (initialEpoch < 0) throw new ArgumentOutOfRangeException(nameof(initialEpoch), initialEpoch, "initialEpoch must be ≥ 0 (Keras's initial_epoch)");
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        var shape = Dataset<TInput>.Shape(model, timeSteps, compiled.Loss);
        var (trainShape, samples) = Bind(source, shape, targets: true, nameof(source));
        var (validationShape, validationSamples) = validationData is null ? default : Bind(validationData, shape, targets: true, nameof(validationData));
        if (validationData is not null) StatefulBatches.Check(model, batchSize, ("training", samples), ("validation", validationSamples));
        else StatefulBatches.Check(model, batchSize, ("training", samples));

        var history = new History();
        var context = new TrainingContext(model, compiled.Optimizer, history, epochs) { LoggedNames = EpochLogNames(compiled, validationData is not null), ValidationOptions = "validationData (a DataSource)" };
        var list = AttachCallbacks(callbacks, context, out bool terminateOnNaN);

        var progress = new Progress(verbose, output);
        var metrics = new MetricSet(compiled, model.Info.OutputUnits);
        var metricTargets = compiled.MetricTargets(model.Info.OutputUnits);
        int capacity = Math.Min(batchSize, samples);
        var batch = new Batch<TInput>(model, shape, capacity, source.HasSampleWeights);
        batch.CheckDevice(compiled.Optimizer, compiled.Loss);
        using var feed = new SourceFeed<TInput>(source, trainShape, capacity, "Fit");
        using var validation = validationData is null ? null : new SourceEvaluation<TInput>(model, compiled, validationData, shape, validationShape, validationSamples, batchSize, "Fit (validation)");
        var random = new Random(seed ?? Random.Shared.Next()); // the array overload's generator and order: the same shuffles
        var order = new int[samples];
        for (int i = 0; i < order.Length; i++) order[i] = i;
        int steps = (samples + batchSize - 1) / batchSize;
        SkipShuffles(random, order, shuffle, initialEpoch, epochs);

        foreach (var c in list) c.OnTrainBegin();
        for (int epoch = initialEpoch; epoch < epochs && !context.StopTraining; epoch++)
        {
            foreach (var c in list) c.OnEpochBegin(epoch);
            progress.BeginEpoch(epoch, epochs, steps);
            if (shuffle) random.Shuffle(order);
            metrics.Reset();
            var loss = new LossMean();
            var logs = new Dictionary<string, float>();
            feed.Request(order.AsSpan(0, capacity), epoch, 0);
            bool complete = true;
            for (int step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int start = step * batchSize, count = Math.Min(batchSize, samples - start);
                foreach (var c in list) c.OnBatchBegin(step);
                feed.Take(batch);
                batch.CheckData(compiled.Loss, order.AsSpan(start, count), 0, nameof(source) + " inputs", nameof(source) + " targets", metricTargets);
                if (step + 1 < steps) // read the next batch while this one trains
                    feed.Request(order.AsSpan(start + batchSize, Math.Min(batchSize, samples - start - batchSize)), epoch, step + 1);
                float batchLoss = batch.TrainStep(compiled.Optimizer, compiled.Loss, out var result);
                if (result != StepResult.Applied && (result == StepResult.NonFiniteGradient || !terminateOnNaN))
                    throw NonFiniteStep(batch, result, batchLoss, epoch, step, order.AsSpan(start, count), 0, nameof(source) + " inputs", nameof(source) + " targets");
                loss.Add(batchLoss, count);
                metrics.Update(batch);
                metrics.Fill(logs, "", loss.Result);
                foreach (var c in list) c.OnBatchEnd(step, logs);
                progress.Step(step + 1, logs);
                if (context.StopTraining)
                {
                    complete = step + 1 == steps;
                    break;
                }
            }
            feed.Drain(); // a batch requested before a stop is read to the end and dropped
            if (complete) source.OnEpochEnd();
            var epochLogs = new Dictionary<string, float>();
            metrics.Fill(epochLogs, "", loss.Result);
            if (validation is not null)
                foreach (var (name, value) in validation.Run()) epochLogs["val_" + name] = value;
            history.Add(epoch, epochLogs);
            progress.EndEpoch(epochLogs);
            foreach (var c in list) c.OnEpochEnd(epoch, epochLogs);
        }
        foreach (var c in list) c.OnTrainEnd();
        return history;
    }

    /// <summary>
    /// Keras <c>model.evaluate(PyDataset)</c>: the loss and every compiled metric over all samples of
    /// <paramref name="source"/>, read in order in batches of <paramref name="batchSize"/>; equal to the array overload's
    /// result for the same samples.
    /// </summary>
    /// <param name="model">The compiled model.</param>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids: the model's input type.</typeparam>
    /// <param name="source">The samples, with targets (and sample weights when <see cref="DataSource{TInput}.HasSampleWeights"/>).</param>
    /// <param name="batchSize">Samples per forward pass; a model with a stateful layer needs it to divide the samples.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <returns><c>loss</c> and every compiled metric by name.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled, or it holds a state set with a
    /// <c>Set…InitialState</c> method (one row per sample of a pass, which a source read batch by batch cannot follow).</exception>
    /// <exception cref="ArgumentException">The source is empty or its sample sizes do not match; a stateful model's batch size does not divide the samples.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="DataSourceException">The source threw while reading a batch.</exception>
    public static IReadOnlyDictionary<string, float> Evaluate<TInput>(this ISequentialModel<TInput> model, DataSource<TInput> source, int batchSize = 32, int? timeSteps = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        var compiled = Get(model);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        SetInitialState.Refuse(model, "Evaluate from a DataSource", "reads the samples batch by batch");
        var shape = Dataset<TInput>.Shape(model, timeSteps, compiled.Loss);
        var (sourceShape, samples) = Bind(source, shape, targets: true, nameof(source));
        StatefulBatches.Check(model, batchSize, ("evaluation", samples));
        using var lease = Workers.Rent(model); // safe on a model shared between threads
        using var evaluation = new SourceEvaluation<TInput>(lease.Model, compiled, source, shape, sourceShape, samples, batchSize, "Evaluate");
        return evaluation.Run();
    }

    /// <summary>
    /// Keras <c>model.predict(PyDataset)</c>: outputs for every sample of <paramref name="source"/>, in order, flat and
    /// batch-major (<c>[samples, units]</c>, or <c>[samples, steps, units]</c> for a sequence output); equal to the array
    /// overload's result for the same samples. Targets and weights are not read. Safe to call from several threads on one
    /// model, as the array overload.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids: the model's input type.</typeparam>
    /// <param name="source">The samples; only their inputs are read (the target and weight spans given to it are empty).</param>
    /// <param name="batchSize">Samples per forward pass; a model with a stateful layer needs it to divide the samples.</param>
    /// <param name="timeSteps">Steps per sample, for a model declared without <c>TimeSteps</c>.</param>
    /// <returns>The outputs, <c>Count · outputs per sample</c> floats.</returns>
    /// <exception cref="ArgumentException">The source is empty, its inputs do not match the model, or the outputs would
    /// not fit in one array; a stateful model's batch size does not divide the samples.</exception>
    /// <exception cref="InvalidOperationException">The model holds a state set with a <c>Set…InitialState</c> method (one
    /// row per sample of a pass, which a source read batch by batch cannot follow): predict from arrays.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not positive.</exception>
    /// <exception cref="DataSourceException">The source threw while reading a batch.</exception>
    public static float[] Predict<TInput>(this ISequentialModel<TInput> model, DataSource<TInput> source, int batchSize = 32, int? timeSteps = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(source);
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "batch size must be positive");
        SetInitialState.Refuse(model, "Predict from a DataSource", "reads the samples batch by batch");
        var shape = Dataset<TInput>.Shape(model, timeSteps, null);
        var (sourceShape, samples) = Bind(source, shape, targets: false, nameof(source));
        Dataset<TInput>.CheckOutputFits(samples, shape.OutputWidth, nameof(source));
        StatefulBatches.Check(model, batchSize, ("prediction", samples));
        var result = new float[samples * shape.OutputWidth];
        int capacity = Math.Min(batchSize, samples);
        var inputs = new TInput[capacity * shape.InputWidth];
        using var lease = Workers.Rent(model); // safe on a model shared between threads
        using var feed = new SourceFeed<TInput>(source, sourceShape, capacity, "Predict");
        feed.RequestRange(0, capacity, 0);
        for (int start = 0, step = 0; start < samples; start += batchSize, step++)
        {
            int count = feed.Take(inputs);
            if (start + batchSize < samples) feed.RequestRange(start + batchSize, Math.Min(batchSize, samples - start - batchSize), step + 1);
            DeviceSync.Predict(lease.Model, inputs.AsSpan(0, count * shape.InputWidth), count, shape.Steps, result.AsSpan(start * shape.OutputWidth, count * shape.OutputWidth));
        }
        return result;
    }

    /// <summary>
    /// Checks <paramref name="source"/> against the model's sample sizes (targets and weights only when
    /// <paramref name="targets"/>) and returns what it is asked for and its number of samples.
    /// </summary>
    private static (SampleShape Shape, int Samples) Bind<TInput>(DataSource<TInput> source, Dataset<TInput> shape, bool targets, string name)
        where TInput : unmanaged
    {
        int samples = source.Count;
        if (samples <= 0) throw new ArgumentException($"{name} ({source.GetType().Name}) holds {samples} samples; a data source needs at least 1", name);
        var sampleShape = new SampleShape(shape.Steps, shape.InputWidth, targets ? shape.TargetWidth : 0, targets && source.HasSampleWeights ? shape.RowsPerSample : 0);
        source.Validate(sampleShape);
        return (sampleShape, samples);
    }

    /// <summary>
    /// Evaluates a source in order, as the array path's evaluation does, with its batch buffers and prefetching thread
    /// made once: <c>Fit</c> reuses one for its validation data every epoch.
    /// </summary>
    private sealed class SourceEvaluation<TInput> : IDisposable where TInput : unmanaged
    {
        private readonly Compiled _compiled;
        private readonly IReadOnlyList<(Loss Loss, string Metric)> _metricTargets;
        private readonly MetricSet _metrics;
        private readonly Batch<TInput> _batch;
        private readonly SourceFeed<TInput> _feed;
        private readonly int _samples, _batchSize;
        private readonly string _inputsName, _targetsName;

        public SourceEvaluation(ISequentialModel<TInput> model, Compiled compiled, DataSource<TInput> source, Dataset<TInput> shape, SampleShape sourceShape, int samples, int batchSize, string call)
        {
            _compiled = compiled;
            _metrics = new MetricSet(compiled, model.Info.OutputUnits);
            _metricTargets = compiled.MetricTargets(model.Info.OutputUnits);
            int capacity = Math.Min(batchSize, samples);
            _batch = new Batch<TInput>(model, shape, capacity, source.HasSampleWeights);
            _feed = new SourceFeed<TInput>(source, sourceShape, capacity, call);
            (_samples, _batchSize) = (samples, batchSize);
            (_inputsName, _targetsName) = call == "Evaluate" ? ("source inputs", "source targets") : ("validationData inputs", "validationData targets");
        }

        public Dictionary<string, float> Run()
        {
            _metrics.Reset();
            var loss = new LossMean();
            _feed.RequestRange(0, Math.Min(_batchSize, _samples), 0);
            for (int start = 0, step = 0; start < _samples; start += _batchSize, step++)
            {
                int count = Math.Min(_batchSize, _samples - start);
                _feed.Take(_batch);
                _batch.CheckData(_compiled.Loss, default, start, _inputsName, _targetsName, _metricTargets);
                if (start + _batchSize < _samples) _feed.RequestRange(start + _batchSize, Math.Min(_batchSize, _samples - start - _batchSize), step + 1);
                loss.Add(_batch.EvaluateStep(_compiled.Loss), count);
                _metrics.Update(_batch);
            }
            var logs = new Dictionary<string, float>();
            _metrics.Fill(logs, "", loss.Result);
            return logs;
        }

        public void Dispose() => _feed.Dispose();
    }
}
