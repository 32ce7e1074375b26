using System;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// Samples held in flat, batch-major arrays, served as a <see cref="DataSource{TInput}"/> (PyTorch
/// <c>TensorDataset</c>): the same data the array overloads of <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> take, so a
/// model trained from this source with the same seed ends with bit-identical weights. Reads copy; they never prefetch
/// (<see cref="Prefetch"/> is false).
/// </summary>
/// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids.</typeparam>
public sealed class ArraySource<TInput> : DataSource<TInput> where TInput : unmanaged
{
    private readonly TInput[] _x;
    private readonly float[]? _y;
    private readonly float[]? _weights;
    private readonly int _samples;
    private readonly int _inputWidth, _targetWidth, _weightsPerSample;

    /// <summary>Serves <paramref name="samples"/> samples from <paramref name="x"/>, <paramref name="y"/> and <paramref name="sampleWeight"/>.</summary>
    /// <param name="x">Inputs, <c>[samples, steps, features]</c> floats or <c>[samples, steps]</c> token ids.</param>
    /// <param name="y">Targets, <c>[samples, units]</c> or <c>[samples, steps, units]</c> (one class index per output row for a
    /// sparse loss); null for a source used only by <c>Predict</c>.</param>
    /// <param name="samples">Number of samples: the first dimension of every array.</param>
    /// <param name="sampleWeight">Keras <c>sample_weight</c>: <c>[samples]</c>, or <c>[samples, steps]</c> for a sequence
    /// output (one per output step); null for none. Weights must be finite and ≥ 0.</param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is not positive.</exception>
    /// <exception cref="ArgumentException">An array's length is not a positive multiple of <paramref name="samples"/>, or a weight is negative or not finite.</exception>
    public ArraySource(TInput[] x, float[]? y, int samples, float[]? sampleWeight = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (samples <= 0) throw new ArgumentOutOfRangeException(nameof(samples), samples, "samples must be ≥ 1");
        CheckMultiple(x.Length, samples, nameof(x));
        if (y is not null) CheckMultiple(y.Length, samples, nameof(y));
        if (sampleWeight is not null)
        {
            CheckMultiple(sampleWeight.Length, samples, nameof(sampleWeight));
            for (int i = 0; i < sampleWeight.Length; i++)
                if (!float.IsFinite(sampleWeight[i]) || sampleWeight[i] < 0)
                    throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"sampleWeight[{i}] is {sampleWeight[i]}; weights must be finite and ≥ 0"), nameof(sampleWeight));
        }
        (_x, _y, _weights, _samples) = (x, y, sampleWeight, samples);
        _inputWidth = x.Length / samples;
        _targetWidth = y is null ? 0 : y.Length / samples;
        _weightsPerSample = sampleWeight is null ? 0 : sampleWeight.Length / samples;
    }

    /// <inheritdoc/>
    public override int Count => _samples;

    /// <inheritdoc/>
    public override bool HasSampleWeights => _weights is not null;

    /// <summary>False: copying from memory costs less than handing a batch to another thread.</summary>
    public override bool Prefetch => false;

    /// <summary>Checks the arrays' per-sample sizes against the model's.</summary>
    /// <param name="shape">The sizes the model needs.</param>
    /// <exception cref="ArgumentException">Inputs, targets or weights per sample differ from what the model needs, or
    /// targets are needed and none were given.</exception>
    protected internal override void Validate(SampleShape shape)
        => CheckSizes("the ArraySource", _inputWidth, _y is null ? null : _targetWidth, _weightsPerSample, shape);

    /// <inheritdoc/>
    public override void Read(int index, Span<TInput> input, Span<float> target, Span<float> weight)
        => ReadBatch([index], input, target, weight);

    /// <inheritdoc/>
    public override void ReadBatch(ReadOnlySpan<int> indices, Span<TInput> inputs, Span<float> targets, Span<float> weights)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int s = indices[i];
            if ((uint)s >= (uint)_samples) throw new ArgumentOutOfRangeException(nameof(indices), s, $"sample index must be in [0, {_samples})");
            _x.AsSpan(s * _inputWidth, _inputWidth).CopyTo(inputs.Slice(i * _inputWidth, _inputWidth));
            if (!targets.IsEmpty) _y.AsSpan(s * _targetWidth, _targetWidth).CopyTo(targets.Slice(i * _targetWidth, _targetWidth));
            if (weights.IsEmpty) continue;
            int rows = weights.Length / indices.Length;
            var row = weights.Slice(i * rows, rows);
            if (_weightsPerSample == rows) _weights.AsSpan(s * rows, rows).CopyTo(row);
            else row.Fill(_weights![s]);
        }
    }

    private static void CheckMultiple(int length, int samples, string name)
    {
        if (length == 0 || length % samples != 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} holds {length} values, which is not a positive multiple of the {samples} samples"), name);
    }
}
