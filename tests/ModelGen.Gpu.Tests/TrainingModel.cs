using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// A hand-written two-Dense model for the training-loop tests (until generated device runners exist): per output row
/// <c>h = tanh(x·W1 + b1)</c>, <c>z = h·W2 + b2</c>, <c>y = act(z)</c> (linear, sigmoid or softmax). Rows are the last
/// step of each sample, or every step (<c>sequence</c>), with Keras's <c>Masking(0)</c> (a step whose features are all 0
/// is masked) when <c>masking</c>. The host passes are plain loops; <see cref="To"/> moves it onto a
/// <see cref="TinyDenseRunner"/> (GpuGemm plus the small kernels below), after which the runtime trains it through the
/// device engine.
/// </summary>
public sealed class TinyDenseModel : ISequentialModel<float>, ILogitOutput, IDeviceHosted
{
    private readonly string _activation;
    private readonly bool _exposeLogits;
    private float[] _x = [], _h = [], _z = [], _y = [];
    private byte[] _mask = [];
    private int _rows;

    public TinyDenseModel(int steps, int features, int hidden, int units, string activation, bool sequence = false, bool masking = false,
        bool freezeFirst = false, Regularizer? regularizer = null, bool exposeLogits = true, int seed = 1)
    {
        (Steps, Features, Hidden, Units, Sequence, Masking) = (steps, features, hidden, units, sequence, masking);
        _activation = activation;
        _exposeLogits = exposeLogits;
        int k1 = features * hidden, k2 = hidden * units;
        var dense1 = new LayerInfo("dense_1", "Dense", $"(None, {hidden})", k1 + hidden,
        [
            new ParameterInfo("kernel", 0, features, hidden, Initializer.GlorotUniform) { Regularizer = regularizer },
            new ParameterInfo("bias", k1, 1, hidden, Initializer.Zeros),
        ], Trainable: !freezeFirst);
        var dense2 = new LayerInfo("dense_2", "Dense", $"(None, {units})", k2 + units,
        [
            new ParameterInfo("kernel", k1 + hidden, hidden, units, Initializer.GlorotUniform) { Regularizer = regularizer },
            new ParameterInfo("bias", k1 + hidden + k2, 1, units, Initializer.Zeros),
        ]);
        Info = new ModelInfo("tiny_dense", steps, features, 0, units, sequence, [dense1, dense2]);
        Parameters = new float[k1 + hidden + k2 + units];
        Gradients = new float[Parameters.Length];
        var random = new Random(seed);
        for (int i = 0; i < Parameters.Length; i++) Parameters[i] = (random.NextSingle() * 2 - 1) * 0.6f;
    }

    public int Steps { get; }
    public int Features { get; }
    public int Hidden { get; }
    public int Units { get; }
    public bool Sequence { get; }
    public bool Masking { get; }

    public ModelInfo Info { get; }
    public float[] Parameters { get; }
    public float[] Gradients { get; }
    public IDeviceEngine? DeviceEngine => Engine;
    public GpuEngine<float>? Engine { get; private set; }
    public TinyDenseRunner? Runner { get; private set; }

    /// <summary>Moves the model to <paramref name="device"/> (null: back to the host, parameters pulled first).</summary>
    public void To(GpuDevice? device)
    {
        if (Runner is not null)
        {
            Engine!.PullParameters();
            Engine.Release();
            Runner.Dispose();
            (Runner, Engine) = (null, null);
        }
        if (device is null) return;
        Runner = new TinyDenseRunner(device, this);
        Engine = new GpuEngine<float>(Runner);
    }

    public string OutputActivation => _exposeLogits ? _activation : "linear";
    public int OutputActivationKind => _activation switch { "sigmoid" => 1, "softmax" => 2, _ => 0 };
    public ReadOnlySpan<float> OutputLogits => _z.AsSpan(0, _rows * Units);
    public ReadOnlySpan<byte> OutputMask => Sequence && Masking ? _mask.AsSpan(0, _rows) : default;

    public int OutputLength(int batchSize, int timeSteps) => (Sequence ? batchSize * timeSteps : batchSize) * Units;

    public int Offset1 => 0;
    public int OffsetB1 => Features * Hidden;
    public int Offset2 => OffsetB1 + Hidden;
    public int OffsetB2 => Offset2 + Hidden * Units;

    public void Forward(ReadOnlySpan<float> input, int batchSize, int timeSteps, Span<float> output, bool training = false)
    {
        if (Runner is not null)
        {
            Runner.Forward(input, batchSize, timeSteps, output, training);
            return;
        }
        int rows = Sequence ? batchSize * timeSteps : batchSize, f = Features, hd = Hidden, u = Units;
        _rows = rows;
        if (_x.Length < rows * f) (_x, _h, _z, _y, _mask) = (new float[rows * f], new float[rows * hd], new float[rows * u], new float[rows * u], new byte[rows]);
        var p = Parameters;
        for (int r = 0; r < rows; r++)
        {
            int src = Sequence ? r * f : (r * timeSteps + timeSteps - 1) * f;
            bool any = false;
            for (int j = 0; j < f; j++) { _x[r * f + j] = input[src + j]; any |= input[src + j] != 0f; }
            _mask[r] = (byte)(any ? 1 : 0);
            for (int c = 0; c < hd; c++)
            {
                float sum = 0f;
                for (int k = 0; k < f; k++) sum += _x[r * f + k] * p[Offset1 + k * hd + c];
                _h[r * hd + c] = MathF.Tanh(sum + p[OffsetB1 + c]);
            }
            for (int c = 0; c < u; c++)
            {
                float sum = 0f;
                for (int k = 0; k < hd; k++) sum += _h[r * hd + k] * p[Offset2 + k * u + c];
                _z[r * u + c] = sum + p[OffsetB2 + c];
            }
            Activate(_activation, _z.AsSpan(r * u, u), _y.AsSpan(r * u, u));
        }
        _y.AsSpan(0, rows * u).CopyTo(output);
    }

    internal static void Activate(string activation, ReadOnlySpan<float> z, Span<float> y)
    {
        switch (activation)
        {
            case "sigmoid":
                for (int j = 0; j < z.Length; j++) y[j] = 1f / (1f + MathF.Exp(-z[j]));
                break;
            case "softmax":
                float max = z[0], sum = 0f;
                for (int j = 1; j < z.Length; j++) max = MathF.Max(max, z[j]);
                for (int j = 0; j < z.Length; j++) { y[j] = MathF.Exp(z[j] - max); sum += y[j]; }
                for (int j = 0; j < z.Length; j++) y[j] /= sum;
                break;
            default:
                z.CopyTo(y);
                break;
        }
    }

    public void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient)
    {
        int u = Units;
        var dz = new float[_rows * u];
        for (int r = 0; r < _rows; r++)
        {
            var y = _y.AsSpan(r * u, u);
            var dy = outputGradient.Slice(r * u, u);
            float dot = 0f;
            for (int j = 0; j < u; j++) dot += dy[j] * y[j];
            for (int j = 0; j < u; j++)
                dz[r * u + j] = _activation switch { "sigmoid" => dy[j] * y[j] * (1f - y[j]), "softmax" => y[j] * (dy[j] - dot), _ => dy[j] };
        }
        BackwardFromLogits(dz, inputGradient);
    }

    public void BackwardFromLogits(ReadOnlySpan<float> logitGradient, Span<float> inputGradient)
    {
        if (Runner is not null) throw new NotSupportedException("the tests drive the device runner through the engine");
        int rows = _rows, f = Features, hd = Hidden, u = Units;
        var g = Gradients;
        var p = Parameters;
        var da = new float[rows * hd];
        var dz = logitGradient.ToArray();
        // Weight gradient += inputᵀ·delta and bias gradient += column sums of delta, as the device's GEMM and ColumnSums do.
        void Dense(float[] input, int inputs, float[] delta, int outputs, int kernel, int bias)
        {
            for (int k = 0; k < inputs; k++)
                for (int c = 0; c < outputs; c++)
                {
                    float sum = 0f;
                    for (int r = 0; r < rows; r++) sum += input[r * inputs + k] * delta[r * outputs + c];
                    g[kernel + k * outputs + c] += sum;
                }
            for (int c = 0; c < outputs; c++)
            {
                float sum = 0f;
                for (int r = 0; r < rows; r++) sum += delta[r * outputs + c];
                g[bias + c] += sum;
            }
        }
        Dense(_h, hd, dz, u, Offset2, OffsetB2);
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < hd; k++)
            {
                float sum = 0f;
                for (int c = 0; c < u; c++) sum += dz[r * u + c] * p[Offset2 + k * u + c];
                float h = _h[r * hd + k];
                da[r * hd + k] = sum * (1f - h * h);
            }
        Dense(_x, f, da, hd, Offset1, OffsetB1);
    }
}

/// <summary>The device passes of <see cref="TinyDenseModel"/>: GpuGemm for the products, <see cref="TinyKernels"/> for the rest.</summary>
public sealed class TinyDenseRunner : GpuRunner<float>
{
    private readonly TinyDenseModel _model;
    private MemoryBuffer1D<float, Stride1D.Dense>? _x, _h, _z, _y, _dz, _da;
    private MemoryBuffer1D<byte, Stride1D.Dense>? _mask;
    private int _rows;

    public TinyDenseRunner(GpuDevice device, TinyDenseModel model) : base(device, model) => _model = model;

    public override ArrayView<float> Output => _y!.View.SubView(0, _rows * _model.Units);
    public override ArrayView<float> OutputLogits => _z!.View.SubView(0, _rows * _model.Units);
    public override ArrayView<byte> OutputMask => _model.Sequence && _model.Masking ? _mask!.View.SubView(0, _rows) : default;

    private ArrayView<float> P(int offset, int length) => Parameters.View.SubView(offset, length);
    private ArrayView<float> G(int offset, int length) => Gradients.View.SubView(offset, length);

    public override void Forward(ArrayView<float> input, int batch, int steps, bool training)
    {
        var m = _model;
        int rows = m.Sequence ? batch * steps : batch, f = m.Features, hd = m.Hidden, u = m.Units;
        (Batch, Steps, _rows) = (batch, steps, rows);
        Ensure(ref _x, rows * f); Ensure(ref _h, rows * hd); Ensure(ref _z, rows * u); Ensure(ref _y, rows * u);
        Ensure(ref _dz, rows * u); Ensure(ref _da, rows * hd); Ensure(ref _mask, rows);
        Device.Kernel("tiny.Gather", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<byte>, int, int, int>(TinyKernels.Gather))
            (rows, input, _x!.View, _mask!.View, f, steps, m.Sequence ? 1 : 0);
        GpuGemm.Multiply(Device, rows, hd, f, _x.View, f, false, P(m.Offset1, f * hd), hd, false, _h!.View, hd, 0f);
        Device.Kernel("tiny.BiasTanh", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int>(TinyKernels.BiasTanh))
            (rows * hd, _h.View, P(m.OffsetB1, hd), hd);
        GpuGemm.Multiply(Device, rows, u, hd, _h.View, hd, false, P(m.Offset2, hd * u), u, false, _z!.View, u, 0f);
        int kind = m.OutputActivationKind;
        Device.Kernel("tiny.BiasActivate", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(TinyKernels.BiasActivate))
            (rows, _z.View, P(m.OffsetB2, u), _y!.View, u, kind);
    }

    public override void Backward(ArrayView<float> outputGradient, bool fromLogits, ArrayView<float> inputGradient)
    {
        var m = _model;
        int rows = _rows, f = m.Features, hd = m.Hidden, u = m.Units;
        Device.Kernel("tiny.ActivationBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int>(TinyKernels.ActivationBackward))
            (rows, outputGradient, _y!.View, _dz!.View, u, fromLogits ? 0 : m.OutputActivationKind);
        var colSum = Device.Kernel("tiny.ColumnSums", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, int, int>(TinyKernels.ColumnSums));
        GpuGemm.Multiply(Device, hd, u, rows, _h!.View, hd, true, _dz.View, u, false, G(m.Offset2, hd * u), u, 1f);
        colSum(u, _dz.View, G(m.OffsetB2, u), rows, u);
        GpuGemm.Multiply(Device, rows, hd, u, _dz.View, u, false, P(m.Offset2, hd * u), u, true, _da!.View, hd, 0f);
        Device.Kernel("tiny.TanhBackward", a => a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(TinyKernels.TanhBackward))
            (rows * hd, _da.View, _h.View);
        GpuGemm.Multiply(Device, f, hd, rows, _x!.View, f, true, _da.View, hd, false, G(m.Offset1, f * hd), hd, 1f);
        colSum(hd, _da.View, G(m.OffsetB1, hd), rows, hd);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _x?.Dispose(); _h?.Dispose(); _z?.Dispose(); _y?.Dispose(); _dz?.Dispose(); _da?.Dispose(); _mask?.Dispose();
        }
        base.Dispose(disposing);
    }
}

/// <summary>The element-wise kernels of <see cref="TinyDenseRunner"/>.</summary>
public static class TinyKernels
{
    public static void Gather(Index1D index, ArrayView<float> input, ArrayView<float> x, ArrayView<byte> mask, int features, int steps, int sequence)
    {
        int r = index;
        long src = sequence != 0 ? (long)r * features : ((long)r * steps + steps - 1) * features;
        bool any = false;
        for (int j = 0; j < features; j++)
        {
            float v = input[src + j];
            x[(long)r * features + j] = v;
            any |= v != 0f;
        }
        mask[r] = (byte)(any ? 1 : 0);
    }

    public static void BiasTanh(Index1D i, ArrayView<float> h, ArrayView<float> bias, int width)
        => h[i] = MathF.Tanh(h[i] + bias[i % width]);

    public static void BiasActivate(Index1D index, ArrayView<float> z, ArrayView<float> bias, ArrayView<float> y, int width, int kind)
    {
        int r = index;
        long at = (long)r * width;
        for (int j = 0; j < width; j++) z[at + j] += bias[j];
        if (kind == 1)
        {
            for (int j = 0; j < width; j++) y[at + j] = 1f / (1f + MathF.Exp(-z[at + j]));
        }
        else if (kind == 2)
        {
            float max = z[at], sum = 0f;
            for (int j = 1; j < width; j++) max = MathF.Max(max, z[at + j]);
            for (int j = 0; j < width; j++) { y[at + j] = MathF.Exp(z[at + j] - max); sum += y[at + j]; }
            for (int j = 0; j < width; j++) y[at + j] /= sum;
        }
        else
        {
            for (int j = 0; j < width; j++) y[at + j] = z[at + j];
        }
    }

    public static void ActivationBackward(Index1D index, ArrayView<float> dy, ArrayView<float> y, ArrayView<float> dz, int width, int kind)
    {
        int r = index;
        long at = (long)r * width;
        float dot = 0f;
        for (int j = 0; j < width; j++) dot += dy[at + j] * y[at + j];
        for (int j = 0; j < width; j++)
        {
            float g = dy[at + j], v = y[at + j];
            dz[at + j] = kind == 1 ? g * v * (1f - v) : kind == 2 ? v * (g - dot) : g;
        }
    }

    public static void ColumnSums(Index1D column, ArrayView<float> data, ArrayView<float> sums, int rows, int width)
    {
        int c = column;
        float sum = 0f;
        for (int r = 0; r < rows; r++) sum += data[(long)r * width + c];
        sums[c] += sum;
    }

    public static void TanhBackward(Index1D i, ArrayView<float> da, ArrayView<float> h)
    {
        float v = h[i];
        da[i] *= 1f - v * v;
    }
}
