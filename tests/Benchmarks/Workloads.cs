using System;
using System.Collections.Generic;
using BenchmarkDotNet.Attributes;

namespace ModelGen.Benchmarks;

/// <summary>The loss whose gradient a training step writes inline (no dependency on loss classes).</summary>
public enum LossKind
{
    /// <summary>Mean squared error over every output value: ∂/∂y = 2(y − t)/n.</summary>
    MeanSquaredError,
    /// <summary>Categorical cross-entropy on softmax probabilities, mean over the batch: ∂/∂p = −t/(p·batch).</summary>
    SoftmaxCrossEntropy,
}

/// <summary>One benchmark workload: the model, its batch and length, and its loss.</summary>
/// <param name="Id">W1 … W6 (the benchmark class name starts with it).</param>
/// <param name="Description">The Keras-style model, as in the issue.</param>
/// <param name="Info">The generated model's layer table (for the FLOP count).</param>
/// <param name="Batch">Batch size.</param>
/// <param name="Steps">Time steps.</param>
/// <param name="Loss">Loss of the training step.</param>
public sealed record Workload(string Id, string Description, ModelInfo Info, int Batch, int Steps, LossKind Loss)
{
    /// <summary>The six workloads of the issue, in order.</summary>
    public static IReadOnlyList<Workload> All { get; } =
    [
        new("W1", "SimpleRNN(10) + Dense(1); 4 steps × 1 feature, batch 6", W1Model.Metadata, 6, 4, LossKind.MeanSquaredError),
        new("W2", "LSTM(30, return_sequences) + LSTM(30) + Dense(1); 100 steps × 2 features, batch 32", W2Model.Metadata, 32, 100, LossKind.MeanSquaredError),
        new("W3", "Embedding(2000, 128) + LSTM(196) + Dense(2, softmax); 28 steps, batch 64", W3Model.Metadata, 64, 28, LossKind.SoftmaxCrossEntropy),
        new("W4", "Embedding(500, 16) + SimpleRNN(8) + Dense(1, sigmoid); 100 steps, batch 64", W4Model.Metadata, 64, 100, LossKind.MeanSquaredError),
        new("W5", "LSTM(32) + Dense(1); 10 steps × 1 feature, batch 1", W5Model.Metadata, 1, 10, LossKind.MeanSquaredError),
        new("W6", "GRU(30, return_sequences) + GRU(30) + Dense(1); 100 steps × 2 features, batch 32", W6Model.Metadata, 32, 100, LossKind.MeanSquaredError),
    ];

    /// <summary>The workload with this id.</summary>
    public static Workload Get(string id)
    {
        foreach (var w in All) if (w.Id == id) return w;
        throw new ArgumentException($"unknown workload '{id}'", nameof(id));
    }

    /// <summary>
    /// FLOPs of the gate products of one forward pass, counted analytically: for every recurrent layer,
    /// 2·B·(I+H)·G·H per step (G = 1 SimpleRNN, 3 GRU, 4 LSTM), times the steps. Dense layers, activations
    /// and the embedding gather are left out.
    /// </summary>
    public double ForwardFlops
    {
        get
        {
            double total = 0;
            foreach (var layer in Info.Layers)
            {
                if (layer.Type is not ("SimpleRNN" or "LSTM" or "GRU")) continue;
                ParameterInfo? kernel = null, recurrent = null;
                foreach (var p in layer.Parameters)
                {
                    if (p.Name == "kernel") kernel = p;
                    else if (p.Name == "recurrent_kernel") recurrent = p;
                }
                if (kernel is null || recurrent is null) throw new InvalidOperationException($"layer {layer.Name} has no kernels");
                int inputs = kernel.Rows, units = recurrent.Rows, gateColumns = recurrent.Columns; // G·H
                total += 2.0 * Batch * (inputs + units) * gateColumns * Steps;
            }
            return total;
        }
    }

    /// <summary>FLOPs of a training step: forward and the two backward products (∂input/∂state and ∂weights), 3× forward.</summary>
    public double TrainingFlops => 3 * ForwardFlops;
}

/// <summary>
/// A training step (forward with training on, the loss gradient, zeroed gradients, back-propagation through time,
/// an Adam step) and inference (forward only) on one workload. Data comes from a fixed seed in
/// <see cref="Setup"/>, which also runs both for a while: workspaces and optimizer state exist, and the JIT has
/// settled, before BenchmarkDotNet's own warm-up and measurement.
/// </summary>
/// <typeparam name="TModel">The generated model.</typeparam>
/// <typeparam name="TInput"><c>float</c> features or <c>int</c> token ids.</typeparam>
[MemoryDiagnoser]
public abstract class WorkloadBenchmark<TModel, TInput>
    where TModel : ISequentialModel<TInput>
    where TInput : unmanaged
{
    private TModel _model = default!;
    private TInput[] _input = [];
    private float[] _target = [];
    private float[] _output = [];
    private float[] _outputGradient = [];
    private Adam _optimizer = default!;
    private int _batch, _steps;
    private LossKind _loss;

    /// <summary>Which workload this class times.</summary>
    protected abstract Workload Workload { get; }

    /// <summary>A new model, initialised from a fixed seed.</summary>
    protected abstract TModel CreateModel();

    /// <summary>Random inputs for <c>batch·steps</c> positions.</summary>
    protected abstract TInput[] CreateInput(Random random, int positions);

    /// <summary>Model, data, optimizer, then a warm-up of both benchmarks (≥ 60 calls and ≥ 1.5 s).</summary>
    [GlobalSetup]
    public void Setup()
    {
        VectorWidth.Check();
        var w = Workload;
        _batch = w.Batch;
        _steps = w.Steps;
        _loss = w.Loss;
        _model = CreateModel();
        var random = new Random(1234);
        _input = CreateInput(random, _batch * _steps);
        int outputs = _model.OutputLength(_batch, _steps);
        _output = new float[outputs];
        _outputGradient = new float[outputs];
        _target = new float[outputs];
        if (_loss == LossKind.SoftmaxCrossEntropy)
        {
            int classes = outputs / _batch;
            for (int b = 0; b < _batch; b++) _target[b * classes + random.Next(classes)] = 1f; // one-hot
        }
        else
        {
            for (int i = 0; i < outputs; i++) _target[i] = random.NextSingle();
        }
        _optimizer = new Adam();

        // Warm up here, not only in BenchmarkDotNet's warm-up: the first calls run tier-0 code while the JIT
        // promotes the hot methods (tiered compilation, OSR, dynamic PGO), and a pilot stage that timed those
        // would pick far too few invocations per iteration for the slow workloads.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 60 || clock.ElapsedMilliseconds < 1500; i++)
        {
            TrainingStep();
            Inference();
        }
    }

    /// <summary>Forward (training), ∂loss/∂output, zero gradients, backward, Adam.</summary>
    [Benchmark]
    public float TrainingStep()
    {
        var model = _model;
        model.Forward(_input, _batch, _steps, _output, training: true);
        LossGradient();
        Array.Clear(model.Gradients);
        model.Backward(_outputGradient, default);
        _optimizer.Step(model.Parameters, model.Gradients, model.Info);
        return _output[0];
    }

    /// <summary>Forward only.</summary>
    [Benchmark]
    public float Inference()
    {
        _model.Forward(_input, _batch, _steps, _output, training: false);
        return _output[0];
    }

    private void LossGradient()
    {
        var y = _output;
        var t = _target;
        var g = _outputGradient;
        if (_loss == LossKind.MeanSquaredError)
        {
            float scale = 2f / y.Length;
            for (int i = 0; i < y.Length; i++) g[i] = scale * (y[i] - t[i]);
        }
        else
        {
            // −Σ t·log p, mean over the batch; p clipped like Keras (ε = 1e-7).
            float scale = -1f / _batch;
            for (int i = 0; i < y.Length; i++) g[i] = t[i] == 0f ? 0f : scale * t[i] / MathF.Max(y[i], 1e-7f);
        }
    }
}

/// <summary>Workloads fed float features, uniform in [−1, 1).</summary>
/// <typeparam name="TModel">The generated model.</typeparam>
public abstract class FeatureWorkloadBenchmark<TModel> : WorkloadBenchmark<TModel, float>
    where TModel : ISequentialModel<float>
{
    /// <inheritdoc/>
    protected override float[] CreateInput(Random random, int positions)
    {
        int features = Workload.Info.InputFeatures;
        var x = new float[positions * features];
        for (int i = 0; i < x.Length; i++) x[i] = 2f * random.NextSingle() - 1f;
        return x;
    }
}

/// <summary>Workloads fed token ids, uniform over the vocabulary.</summary>
/// <typeparam name="TModel">The generated model.</typeparam>
public abstract class TokenWorkloadBenchmark<TModel> : WorkloadBenchmark<TModel, int>
    where TModel : ISequentialModel<int>
{
    /// <inheritdoc/>
    protected override int[] CreateInput(Random random, int positions)
    {
        int vocabulary = Workload.Info.VocabularySize;
        var x = new int[positions];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(vocabulary);
        return x;
    }
}

/// <summary>W1: SimpleRNN(10) + Dense(1), 4 × 1, batch 6.</summary>
public class W1_SimpleRnn : FeatureWorkloadBenchmark<W1Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W1");

    /// <inheritdoc/>
    protected override W1Model CreateModel() { var m = new W1Model(); m.Initialize(seed: 1); return m; }
}

/// <summary>W2: LSTM(30)×2 + Dense(1), 100 × 2, batch 32.</summary>
public class W2_StackedLstm : FeatureWorkloadBenchmark<W2Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W2");

    /// <inheritdoc/>
    protected override W2Model CreateModel() { var m = new W2Model(); m.Initialize(seed: 2); return m; }
}

/// <summary>W3: Embedding(2000, 128) + LSTM(196) + Dense(2, softmax), 28 steps, batch 64.</summary>
public class W3_EmbeddingLstm : TokenWorkloadBenchmark<W3Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W3");

    /// <inheritdoc/>
    protected override W3Model CreateModel() { var m = new W3Model(); m.Initialize(seed: 3); return m; }
}

/// <summary>W4: Embedding(500, 16) + SimpleRNN(8) + Dense(1, sigmoid), 100 steps, batch 64.</summary>
public class W4_EmbeddingSimpleRnn : TokenWorkloadBenchmark<W4Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W4");

    /// <inheritdoc/>
    protected override W4Model CreateModel() { var m = new W4Model(); m.Initialize(seed: 4); return m; }
}

/// <summary>W5: LSTM(32) + Dense(1), 10 × 1, batch 1.</summary>
public class W5_SingleSampleLstm : FeatureWorkloadBenchmark<W5Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W5");

    /// <inheritdoc/>
    protected override W5Model CreateModel() { var m = new W5Model(); m.Initialize(seed: 5); return m; }
}

/// <summary>W6: GRU(30)×2 + Dense(1), 100 × 2, batch 32.</summary>
public class W6_StackedGru : FeatureWorkloadBenchmark<W6Model>
{
    /// <inheritdoc/>
    protected override Workload Workload => Workload.Get("W6");

    /// <inheritdoc/>
    protected override W6Model CreateModel() { var m = new W6Model(); m.Initialize(seed: 6); return m; }
}
