using System;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace ModelGen;

/// <summary>
/// Samples streamed from a binary file of fixed-length records, read on demand: a corpus larger than memory trains
/// with <c>Fit</c> while only one batch (and the one being prefetched) is in memory. Each record is one sample:
/// <c>inputLength</c> input values (<typeparamref name="TInput"/>: float32 features or int32 token ids), then
/// <c>targetLength</c> float32 targets, then <c>weightLength</c> float32 sample weights, all little-endian, with no
/// header. <see cref="RecordFile.Write{TInput}(string, TInput[], float[], int, float[])"/> writes such a file from arrays. Reads go through <see cref="RandomAccess"/> (positional,
/// no shared file position), consecutive records in one read; the batch is read on the prefetching thread.
/// </summary>
/// <remarks>The PyTorch counterpart is a map-style <c>Dataset</c> over a <c>numpy.memmap</c> of records; the Keras one a
/// <c>PyDataset</c> reading its batch from a file in <c>__getitem__</c>. Dispose the source to close the file.</remarks>
/// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids.</typeparam>
public sealed class RecordFileSource<TInput> : DataSource<TInput>, IDisposable where TInput : unmanaged
{
    private const int ChunkBytes = 1 << 16;
    private readonly SafeFileHandle _file;
    private readonly string _path;
    private readonly int _inputLength, _targetLength, _weightLength, _recordBytes, _count;
    private readonly byte[] _buffer;

    /// <summary>Opens <paramref name="path"/> for reading records of the given sizes.</summary>
    /// <param name="path">The record file.</param>
    /// <param name="inputLength">Input values per record: <c>steps · features</c> floats, or <c>steps</c> token ids.</param>
    /// <param name="targetLength">Target floats per record: <c>units</c>, or <c>steps · units</c> for a sequence output
    /// (one class index per output row for a sparse loss); 0 for a file used only by <c>Predict</c>.</param>
    /// <param name="weightLength">Sample weights per record: 0 (unweighted), 1 (per sample) or <c>steps</c> (one per output step).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="inputLength"/> is not positive, or <paramref name="targetLength"/> or <paramref name="weightLength"/> is negative.</exception>
    /// <exception cref="InvalidDataException">The file is empty, not a whole number of records, or holds more than <see cref="int.MaxValue"/> records.</exception>
    /// <exception cref="IOException">The file cannot be opened (<see cref="FileNotFoundException"/> when it does not exist).</exception>
    /// <exception cref="PlatformNotSupportedException">The machine is big-endian.</exception>
    public RecordFileSource(string path, int inputLength, int targetLength, int weightLength = 0)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputLength);
        ArgumentOutOfRangeException.ThrowIfNegative(targetLength);
        ArgumentOutOfRangeException.ThrowIfNegative(weightLength);
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("record files are little-endian; this machine is big-endian");
        _recordBytes = checked(inputLength * Unsafe.SizeOf<TInput>() + (targetLength + weightLength) * sizeof(float));
        FilePath.CheckReadable(path);
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        long length = RandomAccess.GetLength(_file);
        if (length == 0 || length % _recordBytes != 0 || length / _recordBytes > int.MaxValue)
        {
            _file.Dispose();
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"'{path}' holds {length} bytes, which is not a positive whole number (at most {int.MaxValue}) of {_recordBytes}-byte records ({inputLength} inputs, {targetLength} targets, {weightLength} weights each)"));
        }
        (_path, _inputLength, _targetLength, _weightLength, _count) = (path, inputLength, targetLength, weightLength, (int)(length / _recordBytes));
        _buffer = new byte[Math.Max(_recordBytes, ChunkBytes / _recordBytes * _recordBytes)];
    }

    /// <summary>Number of records in the file.</summary>
    public override int Count => _count;

    /// <summary>True when the records hold weights (<c>weightLength</c> &gt; 0).</summary>
    public override bool HasSampleWeights => _weightLength > 0;

    /// <summary>Checks the record sizes against the model's.</summary>
    /// <param name="shape">The sizes the model needs.</param>
    /// <exception cref="ArgumentException">The records' inputs, targets or weights differ from what the model needs.</exception>
    protected internal override void Validate(SampleShape shape)
        => CheckSizes($"'{_path}'", _inputLength, _targetLength == 0 ? null : _targetLength, _weightLength, shape);

    /// <inheritdoc/>
    public override void Read(int index, Span<TInput> input, Span<float> target, Span<float> weight)
        => ReadBatch([index], input, target, weight);

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">An index is outside <c>[0, Count)</c>.</exception>
    /// <exception cref="EndOfStreamException">The file became shorter since it was opened.</exception>
    public override void ReadBatch(ReadOnlySpan<int> indices, Span<TInput> inputs, Span<float> targets, Span<float> weights)
    {
        int perChunk = _buffer.Length / _recordBytes;
        for (int i = 0; i < indices.Length;)
        {
            // A run of consecutive records (unshuffled data), read in one call.
            int first = indices[i], run = 1;
            if ((uint)first >= (uint)_count) throw new ArgumentOutOfRangeException(nameof(indices), first, $"record index must be in [0, {_count})");
            while (run < perChunk && i + run < indices.Length && indices[i + run] == first + run && first + run < _count) run++;
            var bytes = _buffer.AsSpan(0, run * _recordBytes);
            ReadExactly((long)first * _recordBytes, bytes);
            for (int r = 0; r < run; r++, i++) Unpack(bytes.Slice(r * _recordBytes, _recordBytes), i, indices.Length, inputs, targets, weights);
        }
    }

    /// <summary>Closes the file.</summary>
    public void Dispose() => _file.Dispose();

    private void ReadExactly(long offset, Span<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            int read = RandomAccess.Read(_file, bytes, offset);
            if (read == 0) throw new EndOfStreamException($"'{_path}' ended at byte {offset}: it became shorter since it was opened ({_count} records of {_recordBytes} bytes)");
            bytes = bytes[read..];
            offset += read;
        }
    }

    /// <summary>Copies one record into position <paramref name="i"/> of the batch buffers.</summary>
    private void Unpack(ReadOnlySpan<byte> record, int i, int batch, Span<TInput> inputs, Span<float> targets, Span<float> weights)
    {
        int inputBytes = _inputLength * Unsafe.SizeOf<TInput>();
        MemoryMarshal.Cast<byte, TInput>(record[..inputBytes]).CopyTo(inputs.Slice(i * _inputLength, _inputLength));
        var floats = MemoryMarshal.Cast<byte, float>(record[inputBytes..]);
        if (!targets.IsEmpty) floats[.._targetLength].CopyTo(targets.Slice(i * _targetLength, _targetLength));
        if (weights.IsEmpty) return;
        int rows = weights.Length / batch;
        var row = weights.Slice(i * rows, rows);
        if (_weightLength == rows) floats.Slice(_targetLength, rows).CopyTo(row);
        else row.Fill(floats[_targetLength]);
    }
}

/// <summary>Writes the record files <see cref="RecordFileSource{TInput}"/> streams samples from.</summary>
public static class RecordFile
{
    /// <summary>
    /// Writes <paramref name="samples"/> records from flat arrays to <paramref name="path"/> atomically (see
    /// <see cref="AtomicFile"/>), in the layout <see cref="RecordFileSource{TInput}"/> reads: per sample its inputs, targets, then weights.
    /// </summary>
    /// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids.</typeparam>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="x">Inputs, <c>[samples, steps, features]</c> or <c>[samples, steps]</c> token ids.</param>
    /// <param name="y">Targets, <c>[samples, …]</c>; null for none.</param>
    /// <param name="samples">Number of samples: the first dimension of every array.</param>
    /// <param name="sampleWeight">Weights, <c>[samples]</c> or <c>[samples, steps]</c>; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is null.</exception>
    /// <exception cref="ArgumentException">An array's length is not a positive multiple of <paramref name="samples"/>.</exception>
    /// <exception cref="IOException">The file could not be written; an existing file is unchanged.</exception>
    public static void Write<TInput>(string path, TInput[] x, float[]? y, int samples, float[]? sampleWeight = null)
        where TInput : unmanaged
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(samples);
        int inputs = PerSample(x.Length, samples, nameof(x)), targets = y is null ? 0 : PerSample(y.Length, samples, nameof(y));
        int weights = sampleWeight is null ? 0 : PerSample(sampleWeight.Length, samples, nameof(sampleWeight));
        AtomicFile.Write(path, stream =>
        {
            for (int s = 0; s < samples; s++)
            {
                stream.Write(MemoryMarshal.AsBytes(x.AsSpan(s * inputs, inputs)));
                if (y is not null) stream.Write(MemoryMarshal.AsBytes(y.AsSpan(s * targets, targets)));
                if (sampleWeight is not null) stream.Write(MemoryMarshal.AsBytes(sampleWeight.AsSpan(s * weights, weights)));
            }
        });
    }

    private static int PerSample(int length, int samples, string name)
        => length > 0 && length % samples == 0 ? length / samples
            : throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} holds {length} values, which is not a positive multiple of the {samples} samples"), name);
}
