using System;
using System.Globalization;
using System.Threading;

namespace ModelGen;

/// <summary>
/// Reads batches from a <see cref="DataSource{TInput}"/> into one spare set of buffers, allocated once: the caller
/// requests a batch (its sample indices), takes it (copied into its own buffers), and requests the next before working
/// on the one it took, so with <see cref="DataSource{TInput}.Prefetch"/> the source reads batch <c>i + 1</c> on a
/// background thread while the model works on batch <c>i</c> (a double buffer). Without prefetching the read happens on
/// the caller's thread when the batch is taken. What the source throws is rethrown from <c>Take</c> on the
/// caller's thread as a <see cref="DataSourceException"/> naming the batch. Disposing stops the thread, after the read in
/// progress (if any) returns. Nothing is allocated per batch.
/// </summary>
/// <remarks>
/// Before each read the buffers are filled with <see cref="Unwritten"/>, a NaN whose bits no arithmetic produces (and, as
/// an int, a token id past any vocabulary); a value still holding it after the read is one the source did not write,
/// and the batch fails with a <see cref="DataSourceException"/> naming it, instead of training on the previous batch's
/// leftovers. PyTorch cannot meet this case (<c>__getitem__</c> returns whole tensors); here the source writes into
/// spans, so a short write is the same kind of fault as a wrong shape.
/// </remarks>
internal sealed class SourceFeed<TInput> : IDisposable where TInput : unmanaged
{
    private readonly DataSource<TInput> _source;
    private readonly string _call;
    private readonly int _inputWidth, _targetWidth, _weightWidth;
    private readonly TInput[] _x;
    private readonly float[] _y, _w;
    private readonly int[] _indices;
    private readonly object _gate = new();
    private readonly Thread? _thread;
    private int _count, _epoch, _batch;
    private bool _requested, _ready, _stopping;
    private Exception? _error; // what the last read threw, or an UnwrittenValue it left
    private int _errorIndex = -1; // the sample whose Read threw, when the source's default ReadBatch was reading one

    /// <summary>The bits every buffer value holds before a read: a signalling NaN with a payload, copied unchanged by loads and stores.</summary>
    internal const int Unwritten = 0x7FBADBAD;

    /// <param name="source">The source to read.</param>
    /// <param name="shape">The sizes of one sample (targets and weights 0 when not read).</param>
    /// <param name="capacity">The largest batch.</param>
    /// <param name="call">What reads, for error messages: <c>Fit</c>, <c>Fit (validation)</c>, <c>Evaluate</c>, <c>Predict</c>.</param>
    public SourceFeed(DataSource<TInput> source, SampleShape shape, int capacity, string call)
    {
        _source = source;
        _call = call;
        (_inputWidth, _targetWidth, _weightWidth) = (shape.InputLength, shape.TargetLength, shape.WeightLength);
        _x = new TInput[capacity * _inputWidth];
        _y = new float[capacity * _targetWidth];
        _w = new float[capacity * _weightWidth];
        _indices = new int[capacity];
        if (!source.Prefetch) return;
        _thread = new Thread(Produce) { IsBackground = true, Name = "ModelGen data source prefetch" };
        _thread.Start();
    }

    /// <summary>Asks for the samples at <paramref name="indices"/> as batch <paramref name="batch"/> of <paramref name="epoch"/> (−1: no epoch).</summary>
    public void Request(ReadOnlySpan<int> indices, int epoch, int batch)
    {
        indices.CopyTo(_indices);
        Post(indices.Length, epoch, batch);
    }

    /// <summary>Asks for samples <c>[start, start + count)</c>, in order.</summary>
    public void RequestRange(int start, int count, int batch)
    {
        for (int i = 0; i < count; i++) _indices[i] = start + i;
        Post(count, -1, batch);
    }

    /// <summary>Waits for the requested batch and copies it into <paramref name="batch"/>.</summary>
    /// <exception cref="DataSourceException">The source threw while reading it.</exception>
    public void Take(Batch<TInput> batch)
    {
        int count = Wait();
        batch.Load(_x, _y, _w, count);
    }

    /// <summary>Waits for the requested batch and copies its inputs into <paramref name="inputs"/>; returns its samples.</summary>
    /// <exception cref="DataSourceException">The source threw while reading it.</exception>
    public int Take(Span<TInput> inputs)
    {
        int count = Wait();
        _x.AsSpan(0, count * _inputWidth).CopyTo(inputs);
        return count;
    }

    /// <summary>Waits for a batch still being read (one requested but not taken) and drops it, with any error it raised.</summary>
    public void Drain()
    {
        if (_thread is null)
        {
            _requested = false;
            return;
        }
        lock (_gate)
        {
            while (_requested) System.Threading.Monitor.Wait(_gate);
            _ready = false;
            _error = null;
        }
    }

    /// <summary>Stops the prefetching thread once the read in progress (if any) has returned.</summary>
    public void Dispose()
    {
        if (_thread is null) return;
        lock (_gate)
        {
            _stopping = true;
            System.Threading.Monitor.PulseAll(_gate);
        }
        _thread.Join();
    }

    private void Post(int count, int epoch, int batch)
    {
        if (_thread is null)
        {
            (_count, _epoch, _batch, _requested) = (count, epoch, batch, true);
            return;
        }
        lock (_gate)
        {
            (_count, _epoch, _batch, _requested, _ready) = (count, epoch, batch, true, false);
            System.Threading.Monitor.PulseAll(_gate);
        }
    }

    private int Wait()
    {
        if (_thread is null)
        {
            if (!_requested) throw new InvalidOperationException("no batch was requested");
            _requested = false;
            Read();
        }
        else
        {
            lock (_gate)
            {
                while (!_ready) System.Threading.Monitor.Wait(_gate);
                _ready = false;
            }
        }
        if (_error is { } error)
        {
            _error = null;
            throw Describe(error);
        }
        return _count;
    }

    /// <summary>The prefetching thread: reads each requested batch, then signals that it is ready.</summary>
    private void Produce()
    {
        while (true)
        {
            lock (_gate)
            {
                while (!_requested && !_stopping) System.Threading.Monitor.Wait(_gate);
                if (_stopping) return;
            }
            Read();
            lock (_gate)
            {
                _requested = false;
                _ready = true;
                System.Threading.Monitor.PulseAll(_gate);
            }
        }
    }

    private void Read()
    {
        try
        {
            int n = _count;
            Span<TInput> x = _x.AsSpan(0, n * _inputWidth);
            Span<float> y = _y.AsSpan(0, n * _targetWidth), w = _w.AsSpan(0, n * _weightWidth);
            // Inputs are float or int (the models' input types): 4 bytes, one int of bits each.
            var xBits = System.Runtime.CompilerServices.Unsafe.SizeOf<TInput>() == sizeof(int) ? System.Runtime.InteropServices.MemoryMarshal.Cast<TInput, int>(x) : default;
            var yBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(y);
            var wBits = System.Runtime.InteropServices.MemoryMarshal.Cast<float, int>(w);
            xBits.Fill(Unwritten);
            yBits.Fill(Unwritten);
            wBits.Fill(Unwritten);
            _source.ReadingIndex = -1;
            _source.ReadBatch(_indices.AsSpan(0, n), x, y, w);
            if ((FirstUnwritten(xBits, _inputWidth, "input") ?? FirstUnwritten(yBits, _targetWidth, "target") ?? FirstUnwritten(wBits, _weightWidth, "weight")) is { } what)
                _error = new UnwrittenValue(what);
        }
#pragma warning disable CA1031 // whatever the source throws is handed to the caller's thread
        catch (Exception e)
#pragma warning restore CA1031
        {
            _error = e;
            _errorIndex = _source.ReadingIndex;
        }
    }

    // "input value 3 of sample 17 (the batch's 2nd)" for the first value still holding Unwritten, or null.
    private string? FirstUnwritten(ReadOnlySpan<int> bits, int width, string what)
    {
        int at = bits.IndexOf(Unwritten);
        if (at < 0) return null;
        int row = at / width;
        return string.Create(CultureInfo.InvariantCulture, $"{what} value {at % width} of sample {_indices[row]} (position {row} of the batch; {width} {what} values per sample)");
    }

    private DataSourceException Describe(Exception error)
    {
        if (error is UnwrittenValue unwritten)
            return new DataSourceException(string.Create(CultureInfo.InvariantCulture,
                $"{_source.GetType().Name} did not write {unwritten.Message} while reading {Where()} of {_call}: Read (or ReadBatch) must write every value of the spans it is given. Nothing of this batch was applied"));
        const int Shown = 5;
        int n = _count;
        string samples = string.Join(", ", _indices.AsSpan(0, Math.Min(n, Shown)).ToArray()) + (n > Shown ? $", … ({n} in all)" : "");
        string sample = _errorIndex >= 0 ? string.Create(CultureInfo.InvariantCulture, $"sample {_errorIndex} of ") : "";
        return new DataSourceException(
            $"{_source.GetType().Name} threw {error.GetType().Name} while reading {sample}{Where()} of {_call} (samples {samples}): {error.Message}. Nothing of this batch was applied",
            error);
    }

    // A value the read left holding Unwritten, named ("input value 3 of sample 17 …"): reported as the source's faults are.
    private sealed class UnwrittenValue(string what) : Exception(what);

    private string Where() => _epoch >= 0
        ? string.Create(CultureInfo.InvariantCulture, $"epoch {_epoch + 1}, batch {_batch + 1}")
        : string.Create(CultureInfo.InvariantCulture, $"batch {_batch + 1}");
}
