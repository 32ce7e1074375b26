using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace ModelGen;

/// <summary>
/// Weight files: every parameter of a model, optionally its optimizer's state, behind a header that names the
/// model's layer signature, and a SHA-256 checksum of everything before it.
/// <code>
/// "MGWT" · u16 version (1) · u16 flags (1 = optimizer state)
/// string model name · string layer signature · i32 parameter count · f32[count]
/// [string optimizer type · i32 entries · (string name · i32 length · f32[length])*]
/// 32-byte SHA-256 of all the bytes above
/// </code>
/// Little-endian; strings are UTF-8 with a 7-bit-encoded length. State entry names are distinct, non-empty, of ASCII
/// letters, digits and <c>_</c> (as optimizers name their slots); a file with any other is refused.
/// </summary>
/// <remarks>
/// <para>Saving streams the file (through <see cref="AtomicFile"/>: a temporary file renamed over the target, so a crash
/// never leaves a half-written file); memory stays near nothing beyond the model, and files over 2 GB are written and read.</para>
/// <para>Loading checks the whole file before it changes anything: the checksum first, then every count and length against
/// the bytes present before anything is allocated from it. A file that is not a weight file, is damaged or truncated,
/// or belongs to another model fails with <see cref="InvalidDataException"/> and leaves the model and its optimizer as
/// they were. Optimizer state that does not fit the compiled optimizer is skipped with a warning, as Keras does
/// (<see cref="WeightLoadResult.Warnings"/>); state loaded before <c>Compile</c> is kept and applied at <c>Compile</c>.</para>
/// </remarks>
public static class WeightFile
{
    private static ReadOnlySpan<byte> Magic => "MGWT"u8;
    private const ushort Version = 1;
    private const ushort HasOptimizer = 1;
    private const int ChecksumLength = 32;
    private const int HeaderLength = 8; // magic, version, flags

    /// <summary>The longest model name or layer signature a file may hold (UTF-8 bytes).</summary>
    private const int MaxTextBytes = 16 << 20;

    /// <summary>The longest optimizer type or state entry name a file may hold (UTF-8 bytes).</summary>
    private const int MaxNameBytes = 256;

    /// <summary>The most optimizer state entries a file may hold (an iteration, a learning rate, and the slots).</summary>
    private const int MaxStateEntries = 64;

    /// <summary>Optimizer state loaded into a model that had no optimizer yet, applied at <c>Compile</c>.</summary>
    private static readonly ConditionalWeakTable<ISequentialModel, PendingState> Pending = new();

    private sealed record PendingState(string OptimizerType, List<(string Name, float[] Values)> State, WeightLoadResult Result);

    /// <summary>
    /// Saves the parameters (and the compiled optimizer's state, when <paramref name="includeOptimizer"/>) to
    /// <paramref name="path"/>, atomically. Keras <c>model.save_weights</c> / PyTorch <c>torch.save(model.state_dict())</c>.
    /// </summary>
    /// <remarks>The file is streamed: nothing the size of the parameters is allocated. A model not yet compiled that holds
    /// optimizer state from <see cref="LoadWeights(ISequentialModel, string)"/> saves that state, so a load and a save never drop it. Stale temporary
    /// files of earlier, interrupted saves to the same path are deleted; on Unix the replaced file's permissions are kept.</remarks>
    /// <param name="model">The model.</param>
    /// <param name="path">The weight file to write (its folder is created if needed).</param>
    /// <param name="includeOptimizer">Also save the optimizer's state (moments, iterations, learning rate).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="IOException">The file could not be written; an existing file at <paramref name="path"/> is unchanged.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void SaveWeights(this ISequentialModel model, string path, bool includeOptimizer = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        Workers.ThrowIfTrainingElsewhere(model, "SaveWeights");
        var (optimizerType, state) = StateToSave(model, includeOptimizer);
        AtomicFile.Write(path, stream => WriteTo(stream, model, optimizerType, state));
    }

    /// <summary>
    /// Writes what <see cref="SaveWeights(ISequentialModel, string, bool)"/> writes, to <paramref name="stream"/> (from its
    /// current position), streamed; the stream is left open.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="stream">A writable stream.</param>
    /// <param name="includeOptimizer">Also save the optimizer's state.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> or <paramref name="stream"/> is null.</exception>
    /// <exception cref="NotSupportedException"><paramref name="stream"/> cannot be written.</exception>
    /// <exception cref="IOException">Writing to <paramref name="stream"/> failed; what was written before stays there.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void SaveWeights(this ISequentialModel model, Stream stream, bool includeOptimizer = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Workers.ThrowIfTrainingElsewhere(model, "SaveWeights");
        var (optimizerType, state) = StateToSave(model, includeOptimizer);
        WriteTo(stream, model, optimizerType, state);
    }

    /// <summary>The optimizer state a save writes: the compiled optimizer's, or state a load kept for Compile.</summary>
    private static (string? Type, (string Name, ReadOnlyMemory<float> Values)[]? State) StateToSave(ISequentialModel model, bool includeOptimizer)
    {
        string? optimizerType = null;
        (string Name, ReadOnlyMemory<float> Values)[]? state = null;
        if (includeOptimizer)
        {
            if (ModelTraining.TryGetOptimizer(model) is { } optimizer)
            {
                optimizerType = optimizer.GetType().Name;
                state = optimizer.StateView();
            }
            else if (Pending.TryGetValue(model, out var pending))
            {
                optimizerType = pending.OptimizerType;
                state = pending.State.ConvertAll(e => (e.Name, (ReadOnlyMemory<float>)e.Values)).ToArray();
            }
        }
        return (optimizerType, state);
    }

    private static void WriteTo(Stream stream, ISequentialModel model, string? optimizerType, (string Name, ReadOnlyMemory<float> Values)[]? state)
    {
        using var hashing = new HashingStream(stream);
        using (var w = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(state is null ? (ushort)0 : HasOptimizer);
            w.Write(model.Info.Name);
            w.Write(model.Info.Signature);
            DeviceSync.Pull(model); // a model on a device: its parameters come back first
            WriteFloats(w, model.Parameters);
            if (state is not null)
            {
                w.Write(optimizerType!);
                w.Write(state.Length);
                foreach (var (name, values) in state)
                {
                    w.Write(name);
                    WriteFloats(w, values.Span);
                }
            }
        }
        stream.Write(hashing.Hash());
    }

    /// <summary>
    /// Loads parameters saved by <see cref="SaveWeights(ISequentialModel, string, bool)"/> into <paramref name="model"/> (Keras <c>model.load_weights</c>,
    /// PyTorch <c>model.load_state_dict</c>), and the optimizer state the file holds:
    /// <list type="bullet">
    /// <item>compiled with the same kind of optimizer and the state fits: applied (<see cref="OptimizerStateOutcome.Applied"/>);</item>
    /// <item>compiled with an optimizer it does not fit (another kind, other slots, another size): the weights load and the
    /// state is skipped with a warning, as Keras does (<see cref="OptimizerStateOutcome.Skipped"/>);</item>
    /// <item>not compiled yet: kept and applied at <c>Compile</c> if it fits there, otherwise skipped then with a warning added
    /// to the returned result (<see cref="OptimizerStateOutcome.PendingUntilCompile"/>).</item>
    /// </list>
    /// </summary>
    /// <param name="model">The model, of the class that saved the file.</param>
    /// <param name="path">The weight file.</param>
    /// <returns>What was loaded, what became of the optimizer state, and any warning.</returns>
    /// <exception cref="InvalidDataException">The file is not a ModelGen weight file, is damaged or truncated, has counts or
    /// lengths its bytes do not hold, or belongs to another model. Nothing was changed.</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or the file cannot be read. Nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static WeightLoadResult LoadWeights(this ISequentialModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath.CheckReadable(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return LoadFrom(model, file, $"'{path}'", path);
    }

    /// <summary>
    /// Loads weights written by <see cref="SaveWeights(ISequentialModel, Stream, bool)"/> from the rest of
    /// <paramref name="stream"/>, checked as a file is (see <see cref="LoadWeights(ISequentialModel, string)"/>); a stream
    /// that cannot seek is read into memory first.
    /// </summary>
    /// <param name="model">The model, of the class that saved the weights.</param>
    /// <param name="stream">A readable stream positioned at the weights, which run to its end.</param>
    /// <returns>What was loaded, what became of the optimizer state, and any warning.</returns>
    /// <exception cref="InvalidDataException">The bytes are not ModelGen weights, are damaged, or belong to another model. Nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static WeightLoadResult LoadWeights(this ISequentialModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (stream.CanSeek && stream.Position == 0) return LoadFrom(model, stream, "the stream", "stream");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        copy.Position = 0;
        return LoadFrom(model, copy, "the stream", "stream");
    }

    private static WeightLoadResult LoadFrom(ISequentialModel model, Stream file, string source, string path)
    {
        Workers.ThrowIfTrainingElsewhere(model, "LoadWeights");
        long length = file.Length;
        if (length < HeaderLength + ChecksumLength || !StartsWithMagic(file))
            throw new InvalidDataException($"{source} is not a ModelGen weight file (expected it to start with \"MGWT\" and hold at least {HeaderLength + ChecksumLength} bytes; it has {length})");
        long bodyLength = length - ChecksumLength;
        VerifyChecksum(file, bodyLength, source);

        file.Position = Magic.Length;
        var reader = new Reader(file, bodyLength, source);
        ushort version = reader.UInt16();
        if (version != Version)
            throw new InvalidDataException($"{source} has weight-file version {version}; this ModelGen reads version {Version}; the model was not changed");
        ushort flags = reader.UInt16();
        if ((flags & ~HasOptimizer) != 0)
            throw new InvalidDataException($"{source} has unknown flags 0x{flags:x4} (expected 0 or 1); the model was not changed");
        string name = reader.String(MaxTextBytes, "model name");
        string signature = reader.String(MaxTextBytes, "layer signature");
        if (signature != model.Info.Signature)
            throw new InvalidDataException($"{source} holds weights of model '{name}' with layers [{signature}], but '{model.Info.Name}' has layers [{model.Info.Signature}]; the model was not changed");
        int count = reader.Count("parameter");
        if (count != model.Parameters.Length)
            throw new InvalidDataException($"{source} holds {count} parameters, but '{model.Info.Name}' has {model.Parameters.Length}; the model was not changed");
        var parameters = reader.Floats(count);

        var result = new WeightLoadResult(path, count);
        var optimizer = ModelTraining.TryGetOptimizer(model);
        string? optimizerType = null;
        List<(string Name, float[] Values)>? state = null;
        if ((flags & HasOptimizer) != 0)
        {
            optimizerType = reader.String(MaxNameBytes, "optimizer type");
            int entries = reader.Int32();
            if (entries is < 0 or > MaxStateEntries)
                throw new InvalidDataException($"{source} claims {entries} optimizer state entries (expected 0 to {MaxStateEntries}); the model was not changed");
            // Read the state only when it can be used: the compiled optimizer is of the saved kind, or there is none yet.
            bool keep = optimizer is null || optimizer.GetType().Name == optimizerType;
            state = keep ? new List<(string, float[])>(entries) : null;
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i < entries; i++)
            {
                string entry = reader.String(MaxNameBytes, "optimizer state name");
                // Optimizers name their state as Keras does (iteration, learning_rate, momentum, velocity …): a name that is
                // empty, not such an identifier, or repeated was never written by one. Checked here, not left to the
                // optimizer's fit check (whose mismatch only skips the state), so that a count that swallows the entries
                // after it, whose bytes then read as names and counts, is refused (floats of zeros parse as empty names).
                if (!Optimizer.IsStateName(entry))
                    throw new InvalidDataException($"{source} has optimizer state entry {i} named '{entry}' (expected a non-empty name of ASCII letters, digits and '_'); the model was not changed");
                if (!names.Add(entry))
                    throw new InvalidDataException($"{source} has optimizer state '{entry}' twice; the model was not changed");
                int values = reader.Count($"optimizer state '{entry}'");
                if (keep) state!.Add((entry, reader.Floats(values)));
                else reader.Skip(values * (long)sizeof(float));
            }
        }
        if (reader.Left != 0)
            throw new InvalidDataException($"{source} has {reader.Left} unexpected bytes after its contents; the model was not changed");

        // Everything is read and checked: from here on the model changes, and nothing below throws for the file.
        Pending.Remove(model);
        if (optimizerType is null)
            result.OptimizerState = OptimizerStateOutcome.NotInFile;
        else if (optimizer is null)
        {
            result.OptimizerState = OptimizerStateOutcome.PendingUntilCompile;
            result.SetPending($"'{model.Info.Name}' is not compiled: the saved {optimizerType} state is kept and applied at Compile if the optimizer fits it");
            Pending.AddOrUpdate(model, new PendingState(optimizerType, state!, result));
        }
        else if (state is null)
            Skip(result, optimizer, $"the file's optimizer is {optimizerType}, the model is compiled with {optimizer.GetType().Name}");
        else
            Apply(result, optimizer, optimizerType, state);
        parameters.CopyTo(model.Parameters, 0);
        DeviceSync.Push(model); // a model on a device gets the loaded parameters there too
        return result;
    }

    /// <summary>Applies optimizer state kept by <see cref="LoadWeights(ISequentialModel, string)"/> on an uncompiled model, now that it is compiled.</summary>
    internal static void ApplyPending(ISequentialModel model, Optimizer optimizer)
    {
        if (!Pending.TryGetValue(model, out var pending)) return;
        Pending.Remove(model);
        pending.Result.ResolvePending(); // the result now tells what Compile did, not what it would do
        if (optimizer.GetType().Name != pending.OptimizerType)
        {
            Skip(pending.Result, optimizer, $"the file's optimizer is {pending.OptimizerType}, the model is compiled with {optimizer.GetType().Name}");
            return;
        }
        // The rate given to Compile wins over the file's, as in Keras, where compile after load_weights builds the optimizer
        // with its own rate (fine-tuning: load pretrained weights, compile with a small rate). Moments and iterations load.
        int at = pending.State.FindIndex(e => e.Name == Optimizer.LearningRateStateName);
        if (at >= 0 && optimizer.Schedule is null && pending.State[at].Values is [float saved] && saved != optimizer.LearningRate)
        {
            pending.State[at] = (Optimizer.LearningRateStateName, [optimizer.LearningRate]);
            pending.Result.AddWarning(FormattableString.Invariant(
                $"the learning rate given to Compile, {optimizer.LearningRate}, is kept over the file's {saved} (as Keras's compile after load_weights); the optimizer's moments and iterations were loaded"));
        }
        Apply(pending.Result, optimizer, pending.OptimizerType, pending.State);
    }

    private static void Apply(WeightLoadResult result, Optimizer optimizer, string optimizerType, List<(string Name, float[] Values)> state)
    {
        try
        {
            optimizer.RestoreState(state, copy: false); // validates first; throws without changing anything on a mismatch
            result.OptimizerState = OptimizerStateOutcome.Applied;
        }
        catch (ArgumentException e)
        {
            Skip(result, optimizer, $"the saved {optimizerType} state does not fit ({e.Message.Split(" (Parameter", 2)[0]})");
        }
    }

    private static void Skip(WeightLoadResult result, Optimizer optimizer, string why)
    {
        result.OptimizerState = OptimizerStateOutcome.Skipped;
        result.AddWarning($"optimizer state not loaded, {why}; the weights were loaded and the optimizer '{optimizer.Name}' keeps its own state (Keras: \"Skipping variable loading for optimizer\")");
    }

    private static bool StartsWithMagic(Stream file)
    {
        Span<byte> head = stackalloc byte[4];
        file.Position = 0;
        file.ReadExactly(head);
        return head.SequenceEqual(Magic);
    }

    /// <summary>Hashes the body in one streamed pass and compares it with the stored checksum, before anything is parsed.</summary>
    private static void VerifyChecksum(Stream file, long bodyLength, string source)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 16];
        file.Position = 0;
        for (long left = bodyLength; left > 0;)
        {
            int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n == 0) throw new InvalidDataException($"{source} is truncated; the model was not changed");
            hash.AppendData(buffer, 0, n);
            left -= n;
        }
        Span<byte> stored = stackalloc byte[ChecksumLength], actual = stackalloc byte[ChecksumLength];
        file.ReadExactly(stored);
        hash.GetHashAndReset(actual);
        if (!actual.SequenceEqual(stored))
            throw new InvalidDataException($"{source} is damaged or truncated: its SHA-256 checksum does not match its contents ({bodyLength + ChecksumLength} bytes); the model was not changed");
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        if (BitConverter.IsLittleEndian)
        {
            w.Write(MemoryMarshal.AsBytes(values));
            return;
        }
        Span<byte> chunk = stackalloc byte[4096];
        for (int i = 0; i < values.Length;)
        {
            int n = Math.Min(values.Length - i, chunk.Length / sizeof(float));
            for (int k = 0; k < n; k++) BinaryPrimitives.WriteSingleLittleEndian(chunk[(k * sizeof(float))..], values[i + k]);
            w.Write(chunk[..(n * sizeof(float))]);
            i += n;
        }
    }

    /// <summary>Reads the body of a checked file; every count and length is checked against the bytes left first.</summary>
    private sealed class Reader(Stream file, long end, string source)
    {
        public long Left => end - file.Position;

        private InvalidDataException Damaged(string what) => new($"{source} is damaged: {what}; the model was not changed");

        private void Need(long bytes, string what)
        {
            if (bytes > Left) throw Damaged(string.Create(CultureInfo.InvariantCulture, $"{what} needs {bytes} bytes, but only {Left} are left"));
        }

        public ushort UInt16()
        {
            Need(2, "a 16-bit field");
            Span<byte> b = stackalloc byte[2];
            file.ReadExactly(b);
            return BinaryPrimitives.ReadUInt16LittleEndian(b);
        }

        public int Int32()
        {
            Need(4, "a 32-bit field");
            Span<byte> b = stackalloc byte[4];
            file.ReadExactly(b);
            return BinaryPrimitives.ReadInt32LittleEndian(b);
        }

        /// <summary>A float count whose floats the file holds: non-negative and at most the bytes left / 4.</summary>
        public int Count(string what)
        {
            int count = Int32();
            if (count < 0) throw Damaged(string.Create(CultureInfo.InvariantCulture, $"the {what} count is {count} (expected ≥ 0)"));
            Need(count * (long)sizeof(float), string.Create(CultureInfo.InvariantCulture, $"{count} {what} floats"));
            return count;
        }

        public float[] Floats(int count)
        {
            Need(count * (long)sizeof(float), "a float block");
            var values = GC.AllocateUninitializedArray<float>(count);
            file.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            if (!BitConverter.IsLittleEndian)
                for (int i = 0; i < values.Length; i++)
                    values[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReverseEndianness(BitConverter.SingleToInt32Bits(values[i])));
            return values;
        }

        public void Skip(long bytes)
        {
            Need(bytes, "a block");
            file.Seek(bytes, SeekOrigin.Current);
        }

        /// <summary>A 7-bit-length-prefixed UTF-8 string of at most <paramref name="maxBytes"/> bytes.</summary>
        public string String(int maxBytes, string what)
        {
            int length = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28) throw Damaged($"the length of the {what} is not a valid 7-bit-encoded number");
                Need(1, $"the length of the {what}");
                int b = file.ReadByte();
                length |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            if (length < 0 || length > maxBytes)
                throw Damaged(string.Create(CultureInfo.InvariantCulture, $"the {what} claims {length} bytes (at most {maxBytes})"));
            Need(length, $"the {what}");
            byte[] bytes = new byte[length];
            file.ReadExactly(bytes);
            try
            {
                return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            }
            catch (DecoderFallbackException)
            {
                throw Damaged($"the {what} is not valid UTF-8");
            }
        }
    }

    /// <summary>A write-through stream that hashes what passes (SHA-256), so a file is checksummed while it streams out.</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public byte[] Hash() => _hash.GetHashAndReset();

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void WriteByte(byte value) => Write([value]);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _hash.Dispose();
            base.Dispose(disposing);
        }
    }
}

/// <summary>What became of the optimizer state in a weight file (<see cref="WeightLoadResult.OptimizerState"/>).</summary>
public enum OptimizerStateOutcome
{
    /// <summary>The file holds no optimizer state (saved with <c>includeOptimizer: false</c>, or from an uncompiled model).</summary>
    NotInFile,

    /// <summary>The state was restored into the compiled optimizer: training resumes where it stopped.</summary>
    Applied,

    /// <summary>The model was not compiled: the state is kept and applied at <c>Compile</c> when it fits (or skipped then,
    /// with a warning added to <see cref="WeightLoadResult.Warnings"/>, and this outcome changed to <see cref="Skipped"/> or <see cref="Applied"/>).</summary>
    PendingUntilCompile,

    /// <summary>The state did not fit the compiled optimizer (another kind, other slots or sizes) and was not loaded; the
    /// weights were. <see cref="WeightLoadResult.Warnings"/> says why (Keras warns the same way).</summary>
    Skipped,
}

/// <summary>
/// What <see cref="WeightFile.LoadWeights(ISequentialModel, string)"/> loaded: the parameters, what became of the optimizer state, and any warning
/// (Keras prints such warnings; ModelGen hands them to the caller). The outcome of state kept for <c>Compile</c> is updated
/// when <c>Compile</c> runs.
/// </summary>
public sealed class WeightLoadResult
{
    private readonly List<string> _warnings = [];

    internal WeightLoadResult(string path, int parameters)
    {
        Path = path;
        Parameters = parameters;
    }

    /// <summary>The file loaded.</summary>
    public string Path { get; }

    /// <summary>The number of parameters loaded.</summary>
    public int Parameters { get; }

    /// <summary>What became of the optimizer state in the file.</summary>
    public OptimizerStateOutcome OptimizerState { get; internal set; }

    /// <summary>
    /// Warnings, one sentence each: optimizer state skipped or kept for <c>Compile</c>, and why. A result of loading into an
    /// uncompiled model is updated by its <c>Compile</c>: the "kept for Compile" sentence gives way to what Compile did.
    /// </summary>
    public IReadOnlyList<string> Warnings => _warnings;

    internal void AddWarning(string warning) => _warnings.Add(warning);

    // The "kept for Compile" sentence of a model loaded before it was compiled: replaced by what Compile did, once it runs.
    private string? _pending;

    internal void SetPending(string warning)
    {
        _pending = warning;
        _warnings.Add(warning);
    }

    internal void ResolvePending()
    {
        if (_pending is not null) _warnings.Remove(_pending);
        _pending = null;
    }

    /// <inheritdoc/>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Parameters} parameters from '{Path}'; optimizer state: {OptimizerState}{(_warnings.Count == 0 ? "" : "; " + string.Join("; ", _warnings))}");
}
