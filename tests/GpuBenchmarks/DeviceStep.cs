using System;
using ILGPU;
using ILGPU.Runtime;
using ModelGen.Gpu;

namespace ModelGen.GpuBenchmarks;

/// <summary>The loss whose gradient the benchmark's training step writes on the device.</summary>
public enum LossKind
{
    /// <summary>Mean squared error over every output value: ∂/∂y = 2(y − t)/n.</summary>
    MeanSquaredError,

    /// <summary>Categorical cross-entropy on softmax probabilities, mean over the batch: ∂/∂p = −t/(max(p, 1e-7)·batch).</summary>
    SoftmaxCrossEntropy,
}

/// <summary>
/// The benchmark's training step on the device, the GPU twin of tests/Benchmarks' <c>WorkloadBenchmark.TrainingStep</c>:
/// forward (training), ∂loss/∂output, zeroed gradients, back-propagation through time, an Adam update (Keras
/// defaults: lr 0.001, β 0.9/0.999, ε 1e-7) — with no host round trip: the only host work is four launches and the
/// step's bias-correction scalar. The runner is the model's (<see cref="IGpuModel{TInput}.Runner"/>).
/// </summary>
/// <typeparam name="TInput"><c>float</c> features or <c>int</c> token ids.</typeparam>
internal sealed class DeviceStep<TInput> : IDisposable where TInput : unmanaged
{
    private const float LearningRate = 0.001f, Beta1 = 0.9f, Beta2 = 0.999f, Epsilon = 1e-7f;

    private readonly GpuRunner<TInput> _runner;
    private readonly MemoryBuffer1D<TInput, Stride1D.Dense> _input;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _target, _outputGradient, _m, _v;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> _mse;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> _crossEntropy;
    private readonly Action<AcceleratorStream, Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> _adam;
    private readonly int _batch, _steps, _outputs;
    private readonly LossKind _loss;
    private int _t;

    public DeviceStep(GpuRunner<TInput> runner, TInput[] input, float[] target, int batch, int steps, LossKind loss)
    {
        _runner = runner;
        _batch = batch;
        _steps = steps;
        _loss = loss;
        _outputs = target.Length;
        var a = runner.Device.Accelerator;
        _input = a.Allocate1D(input);
        _target = a.Allocate1D(target);
        _outputGradient = a.Allocate1D<float>(_outputs);
        _m = a.Allocate1D<float>(runner.Parameters.Length);
        _v = a.Allocate1D<float>(runner.Parameters.Length);
        _m.MemSetToZero();
        _v.MemSetToZero();
        _mse = runner.Device.Kernel("bench.mse", static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(MseGradient));
        _crossEntropy = runner.Device.Kernel("bench.ce", static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(CrossEntropyGradient));
        _adam = runner.Device.Kernel("bench.adam", static acc => acc.LoadAutoGroupedKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(AdamUpdate));
    }

    /// <summary>Forward with training on, loss gradient, zero gradients, backward, Adam.</summary>
    public void Train()
    {
        var stream = _runner.Device.Accelerator.DefaultStream;
        _runner.Forward(_input.View, _batch, _steps, training: true);
        var y = _runner.Output.SubView(0, _outputs);
        if (_loss == LossKind.MeanSquaredError) _mse(stream, _outputs, y, _target.View, _outputGradient.View, 2f / _outputs);
        else _crossEntropy(stream, _outputs, y, _target.View, _outputGradient.View, -1f / _batch);
        _runner.ClearGradients();
        _runner.Backward(_outputGradient.View, fromLogits: false, default);
        _t++;
        // Keras's Adam: lr_t = lr·√(1−β2ᵗ)/(1−β1ᵗ), then p −= lr_t·m/(√v + ε).
        float lrT = LearningRate * MathF.Sqrt(1f - MathF.Pow(Beta2, _t)) / (1f - MathF.Pow(Beta1, _t));
        _adam(stream, (int)_runner.Parameters.Length, _runner.Parameters.View, _runner.Gradients.View, _m.View, _v.View, lrT);
    }

    /// <summary>Forward only (inference).</summary>
    public void Infer() => _runner.Forward(_input.View, _batch, _steps, training: false);

    public static void MseGradient(Index1D i, ArrayView<float> y, ArrayView<float> t, ArrayView<float> g, float scale) => g[i] = scale * (y[i] - t[i]);

    public static void CrossEntropyGradient(Index1D i, ArrayView<float> p, ArrayView<float> t, ArrayView<float> g, float scale) =>
        g[i] = t[i] == 0f ? 0f : scale * t[i] / MathF.Max(p[i], 1e-7f);

    public static void AdamUpdate(Index1D i, ArrayView<float> p, ArrayView<float> g, ArrayView<float> m, ArrayView<float> v, float lrT)
    {
        float gi = g[i];
        float mi = Beta1 * m[i] + (1f - Beta1) * gi;
        float vi = Beta2 * v[i] + (1f - Beta2) * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] -= lrT * mi / (MathF.Sqrt(vi) + Epsilon);
    }

    public void Dispose()
    {
        _input.Dispose();
        _target.Dispose();
        _outputGradient.Dispose();
        _m.Dispose();
        _v.Dispose();
    }
}
