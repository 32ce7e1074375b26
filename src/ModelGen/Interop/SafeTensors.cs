using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace ModelGen.Interop;

/// <summary>Element types of a safetensors file (the format's dtype names, little-endian).</summary>
public enum SafeTensorDType
{
    /// <summary><c>BOOL</c>, one byte.</summary>
    Bool,
    /// <summary><c>U8</c>.</summary>
    U8,
    /// <summary><c>I8</c>.</summary>
    I8,
    /// <summary><c>F8_E5M2</c>, one byte.</summary>
    F8E5M2,
    /// <summary><c>F8_E4M3</c>, one byte.</summary>
    F8E4M3,
    /// <summary><c>I16</c>.</summary>
    I16,
    /// <summary><c>U16</c>.</summary>
    U16,
    /// <summary><c>F16</c> (IEEE half).</summary>
    F16,
    /// <summary><c>BF16</c> (bfloat16).</summary>
    BF16,
    /// <summary><c>I32</c>.</summary>
    I32,
    /// <summary><c>U32</c>.</summary>
    U32,
    /// <summary><c>F32</c>: what ModelGen reads and writes.</summary>
    F32,
    /// <summary><c>F64</c>.</summary>
    F64,
    /// <summary><c>I64</c>.</summary>
    I64,
    /// <summary><c>U64</c>.</summary>
    U64,
}

/// <summary>
/// One named tensor of a safetensors file: dtype, shape (C order) and its raw little-endian bytes.
/// </summary>
public sealed class SafeTensor
{
    /// <summary>Creates a tensor, checking that <paramref name="data"/> holds exactly the bytes the shape needs.</summary>
    /// <exception cref="ArgumentException">A negative dimension, or a byte count that does not match the shape.</exception>
    /// <param name="name">The tensor's name (a <c>state_dict</c> key); not empty.</param>
    /// <param name="dtype">The element type.</param>
    /// <param name="shape">Dimensions, outermost first (row-major, as PyTorch's C order); empty for a scalar. Copied.</param>
    /// <param name="data">The raw little-endian bytes; kept, not copied.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> or <paramref name="shape"/> is null.</exception>
    public SafeTensor(string name, SafeTensorDType dtype, IReadOnlyList<long> shape, ReadOnlyMemory<byte> data)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(shape);
        long expected = SafeTensorFile.ByteCount(dtype, shape)
            ?? throw new ArgumentException($"tensor '{name}': shape [{string.Join(", ", shape)}] is negative or too large", nameof(shape));
        if (expected != data.Length)
            throw new ArgumentException($"tensor '{name}': {dtype} [{string.Join(", ", shape)}] needs {expected} bytes, but {data.Length} came", nameof(data));
        Name = name;
        DType = dtype;
        Shape = shape.ToArray();
        Data = data;
    }

    /// <summary>A float32 tensor holding a copy of <paramref name="values"/> with <paramref name="shape"/>.</summary>
    /// <exception cref="ArgumentException">The shape's element count differs from <paramref name="values"/>' length.</exception>
    /// <param name="name">The tensor's name (a <c>state_dict</c> key); not empty.</param>
    /// <param name="values">The values, row-major.</param>
    /// <param name="shape">Dimensions, outermost first; their product must equal the length of <paramref name="values"/>.</param>
    /// <returns>An F32 tensor.</returns>
    public static SafeTensor FromSingles(string name, ReadOnlySpan<float> values, params long[] shape)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return new SafeTensor(name, SafeTensorDType.F32, shape, bytes);
    }

    /// <summary>Tensor name (PyTorch <c>state_dict</c> key, e.g. <c>lstm.weight_ih_l0</c>).</summary>
    public string Name { get; }

    /// <summary>Element type.</summary>
    public SafeTensorDType DType { get; }

    /// <summary>Dimensions, outermost first (row-major); empty for a scalar.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The raw little-endian bytes.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>Number of elements (the product of <see cref="Shape"/>).</summary>
    public long ElementCount => Data.Length / SafeTensorFile.ElementSize(DType);

    /// <summary>Shape text such as <c>[28, 4]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";

    /// <summary>
    /// The values as float32. F32 is copied as is; F16, BF16 and F64 are converted (F64 rounds to nearest).
    /// </summary>
    /// <exception cref="InvalidDataException">An integer, boolean or 8-bit float dtype.</exception>
    /// <returns>A new array of <see cref="ElementCount"/> floats, row-major.</returns>
    public float[] ToSingles()
    {
        var src = Data.Span;
        int n = checked((int)ElementCount);
        var result = new float[n];
        switch (DType)
        {
            case SafeTensorDType.F32:
                for (int i = 0; i < n; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(src.Slice(i * 4));
                break;
            case SafeTensorDType.F64:
                for (int i = 0; i < n; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(src.Slice(i * 8));
                break;
            case SafeTensorDType.F16:
                for (int i = 0; i < n; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(src.Slice(i * 2));
                break;
            case SafeTensorDType.BF16:
                for (int i = 0; i < n; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(src.Slice(i * 2)) << 16);
                break;
            default:
                throw new InvalidDataException($"tensor '{Name}' is {SafeTensorFile.DTypeName(DType)}; expected a floating-point dtype (F32, F16, BF16 or F64)");
        }
        return result;
    }

    /// <summary>True for the dtypes <see cref="ToSingles"/> converts.</summary>
    public bool IsFloatingPoint => DType is SafeTensorDType.F32 or SafeTensorDType.F64 or SafeTensorDType.F16 or SafeTensorDType.BF16;
}

/// <summary>
/// Reads and writes the safetensors format (Hugging Face; what <c>safetensors.torch.save_file</c> writes): an
/// 8-byte little-endian header length N, N bytes of UTF-8 JSON mapping each tensor name to
/// <c>{"dtype", "shape", "data_offsets": [begin, end]}</c> (plus an optional <c>"__metadata__"</c> string map),
/// then the tensors' bytes.
/// </summary>
/// <remarks>
/// Reading checks the whole header before any tensor is copied: the header length against the file, the JSON,
/// every dtype name, shape and offset pair, that each span is exactly the shape's byte count, and that the spans,
/// sorted, start at 0, leave no gap or overlap and end exactly at the end of the file. Any failure is an
/// <see cref="InvalidDataException"/> that names the tensor and says what was expected. Writing follows the
/// reference writer: header padded with spaces to a multiple of 8, tensors ordered by descending element size
/// then name, so every tensor is naturally aligned; files are written to a temporary file and renamed.
/// </remarks>
public sealed class SafeTensorFile
{
    /// <summary>Largest header accepted (the reference implementation's limit): 100 MB.</summary>
    public const int MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    private readonly Dictionary<string, SafeTensor> _byName;

    /// <summary>Creates a file's contents from tensors (names must be unique) and optional metadata.</summary>
    /// <exception cref="ArgumentException">Two tensors with the same name, or a tensor named <c>__metadata__</c>.</exception>
    /// <param name="tensors">The tensors; copied into <see cref="Tensors"/> in this order.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    public SafeTensorFile(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Tensors = tensors.ToArray();
        _byName = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var t in Tensors)
        {
            if (t.Name == MetadataKey) throw new ArgumentException($"'{MetadataKey}' is reserved and cannot name a tensor", nameof(tensors));
            if (!_byName.TryAdd(t.Name, t)) throw new ArgumentException($"two tensors are named '{t.Name}'", nameof(tensors));
        }
        Metadata = metadata is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(metadata, StringComparer.Ordinal);
    }

    /// <summary>The tensors, in file order (reading) or in the order given (writing).</summary>
    public IReadOnlyList<SafeTensor> Tensors { get; }

    /// <summary>The <c>__metadata__</c> map (PyTorch writes <c>{"format": "pt"}</c>); empty when absent.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No such tensor; the message lists the names there are.</exception>
    /// <param name="name">The tensor name, compared ordinally.</param>
    public SafeTensor this[string name] => _byName.TryGetValue(name, out var t)
        ? t
        : throw new KeyNotFoundException($"no tensor named '{name}'; the file has {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))}");

    /// <summary>Finds a tensor by name.</summary>
    /// <param name="name">The tensor name, compared ordinally.</param>
    /// <param name="tensor">The tensor when found; otherwise null.</param>
    /// <returns>True when the file has a tensor of that name.</returns>
    public bool TryGetTensor(string name, out SafeTensor tensor) => _byName.TryGetValue(name, out tensor!);

    /// <summary>Reads and validates a safetensors file.</summary>
    /// <exception cref="InvalidDataException">The file is not valid safetensors; the message names the file and the fault.</exception>
    /// <param name="path">The <c>.safetensors</c> file.</param>
    /// <returns>The tensors and metadata; tensors are views of the file's bytes, read whole into memory.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read, or <paramref name="path"/> is a folder.</exception>
    public static SafeTensorFile Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath.CheckReadable(path);
        byte[] bytes = File.ReadAllBytes(path);
        try
        {
            return Parse(bytes);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}' is not a valid safetensors file: {e.Message}", e);
        }
    }

    /// <summary>Reads and validates a safetensors file from the rest of <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors.</exception>
    /// <param name="stream">A readable stream positioned at the start of the file's bytes.</param>
    /// <returns>The tensors and metadata.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    public static SafeTensorFile Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.ToArray());
    }

    /// <summary>Validates and parses a whole safetensors file held in memory; tensors are views of <paramref name="bytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not valid safetensors.</exception>
    /// <param name="bytes">The whole file: an 8-byte little-endian header length, the JSON header, then the data.</param>
    /// <returns>The tensors (in header order) and metadata.</returns>
    public static SafeTensorFile Parse(ReadOnlyMemory<byte> bytes)
    {
        var span = bytes.Span;
        if (span.Length < 8)
            throw new InvalidDataException($"the file has {span.Length} bytes; expected at least 8 (the header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(span);
        if (headerLength > MaxHeaderLength)
            throw new InvalidDataException($"the header claims {headerLength} bytes; the largest accepted is {MaxHeaderLength}");
        if (headerLength > (ulong)(span.Length - 8))
            throw new InvalidDataException($"the header claims {headerLength} bytes, but only {span.Length - 8} follow the length (truncated file?)");
        var header = span.Slice(8, (int)headerLength);
        if (header.Length == 0 || header[0] != (byte)'{')
            throw new InvalidDataException("the header does not start with '{'; expected a JSON object");
        var data = bytes.Slice(8 + (int)headerLength);

        var entries = new List<(string Name, SafeTensorDType DType, long[] Shape, long Begin, long End)>();
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(bytes.Slice(8, (int)headerLength), new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException($"the header is a JSON {doc.RootElement.ValueKind}; expected an object");
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(property.Name))
                    throw new InvalidDataException($"the header names '{property.Name}' twice");
                if (property.Name == MetadataKey)
                {
                    ReadMetadata(property.Value, metadata);
                    continue;
                }
                entries.Add(ReadEntry(property.Name, property.Value));
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"the header is not valid JSON: {e.Message}", e);
        }
        catch (ArgumentException e) // invalid UTF-8 surfaces here on some paths
        {
            throw new InvalidDataException($"the header is not valid UTF-8 JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e) // and here on others: a name or string value that is not UTF-8 (GetString), trial Q
        {
            throw new InvalidDataException($"the header is not valid UTF-8 JSON: {e.Message}", e);
        }

        // The spans, in offset order, must tile the data exactly: from 0, no gap, no overlap, to the end.
        var ordered = entries.OrderBy(e => e.Begin).ThenBy(e => e.End).ToList();
        long position = 0;
        foreach (var e in ordered)
        {
            if (e.Begin != position)
                throw new InvalidDataException(e.Begin < position
                    ? $"tensor '{e.Name}' starts at byte {e.Begin}, inside the previous tensor (which ends at {position}): overlapping offsets"
                    : $"tensor '{e.Name}' starts at byte {e.Begin}, but the previous tensor ends at {position}: a gap in the data");
            position = e.End;
        }
        if (position != data.Length)
            throw new InvalidDataException(position > data.Length
                ? $"the tensors need {position} data bytes, but the file holds {data.Length} (truncated file or offsets out of range)"
                : $"the tensors end at data byte {position}, but the file holds {data.Length}: {data.Length - position} unexpected bytes after them");

        var tensors = entries.Select(e => new SafeTensor(e.Name, e.DType, e.Shape, data.Slice((int)e.Begin, (int)(e.End - e.Begin))));
        return new SafeTensorFile(tensors, metadata);
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"'{MetadataKey}' is a JSON {value.ValueKind}; expected an object of strings");
        foreach (var m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
                throw new InvalidDataException($"'{MetadataKey}' entry '{m.Name}' is a JSON {m.Value.ValueKind}; expected a string");
            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
                throw new InvalidDataException($"'{MetadataKey}' names '{m.Name}' twice");
        }
    }

    private static (string, SafeTensorDType, long[], long, long) ReadEntry(string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"tensor '{name}' is a JSON {value.ValueKind}; expected {{\"dtype\", \"shape\", \"data_offsets\"}}");
        JsonElement? dtypeElement = null, shapeElement = null, offsetsElement = null;
        foreach (var p in value.EnumerateObject())
        {
            switch (p.Name)
            {
                case "dtype" when dtypeElement is null: dtypeElement = p.Value; break;
                case "shape" when shapeElement is null: shapeElement = p.Value; break;
                case "data_offsets" when offsetsElement is null: offsetsElement = p.Value; break;
                default:
                    throw new InvalidDataException($"tensor '{name}' has an unexpected or repeated field '{p.Name}'; expected dtype, shape and data_offsets once each");
            }
        }
        if (dtypeElement is not { ValueKind: JsonValueKind.String } d)
            throw new InvalidDataException($"tensor '{name}' has no string \"dtype\"");
        string dtypeName = d.GetString()!;
        var dtype = ParseDType(dtypeName)
            ?? throw new InvalidDataException($"tensor '{name}' has dtype \"{dtypeName}\"; expected one of {string.Join(", ", Enum.GetValues<SafeTensorDType>().Select(DTypeName))}");
        long[] shape = ReadIntegers(name, "shape", shapeElement, count: null);
        long[] offsets = ReadIntegers(name, "data_offsets", offsetsElement, count: 2);
        if (offsets[1] < offsets[0])
            throw new InvalidDataException($"tensor '{name}' has data_offsets [{offsets[0]}, {offsets[1]}]: the end is before the start");
        long bytes = ByteCount(dtype, shape)
            ?? throw new InvalidDataException($"tensor '{name}' has shape [{string.Join(", ", shape)}], whose byte count overflows");
        if (offsets[1] - offsets[0] != bytes)
            throw new InvalidDataException($"tensor '{name}' is {dtypeName} [{string.Join(", ", shape)}], which needs {bytes} bytes, but its data_offsets [{offsets[0]}, {offsets[1]}] span {offsets[1] - offsets[0]}");
        return (name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] ReadIntegers(string tensor, string field, JsonElement? element, int? count)
    {
        if (element is not { ValueKind: JsonValueKind.Array } array)
            throw new InvalidDataException($"tensor '{tensor}' has no \"{field}\" array");
        var values = new List<long>();
        foreach (var v in array.EnumerateArray())
        {
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out long x) || x < 0)
                throw new InvalidDataException($"tensor '{tensor}' \"{field}\" holds {v.GetRawText()}; expected non-negative integers below 2^63");
            values.Add(x);
        }
        if (count is int c && values.Count != c)
            throw new InvalidDataException($"tensor '{tensor}' \"{field}\" has {values.Count} numbers; expected {c}");
        return values.ToArray();
    }

    /// <summary>Writes <paramref name="tensors"/> atomically to <paramref name="path"/> (temporary file, then rename).</summary>
    /// <exception cref="ArgumentException">Two tensors with the same name.</exception>
    /// <param name="path">The file to write, replaced if it exists.</param>
    /// <param name="tensors">The tensors to write; names must be unique.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map (PyTorch: <c>{"format": "pt"}</c>); null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    public static void Write(string path, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, ToBytes(tensors, metadata));
    }

    /// <summary>Writes <paramref name="tensors"/> to <paramref name="stream"/> in the safetensors format.</summary>
    /// <param name="stream">A writable stream; the file's bytes are written at its position.</param>
    /// <param name="tensors">The tensors to write; names must be unique.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map; null for none.</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> or <paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">Two tensors with the same name, or a tensor named <c>__metadata__</c>.</exception>
    public static void Write(Stream stream, IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(tensors, metadata));
    }

    /// <summary>
    /// The file's bytes, as the reference writer lays them out: <c>__metadata__</c> first when present, tensors by
    /// descending element size then name, compact JSON padded with spaces to a multiple of 8 bytes.
    /// </summary>
    /// <param name="tensors">The tensors to write; names must be unique.</param>
    /// <param name="metadata">The <c>__metadata__</c> string map; null for none.</param>
    /// <returns>The whole file.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="tensors"/> is null.</exception>
    /// <exception cref="ArgumentException">Two tensors with the same name, or a tensor named <c>__metadata__</c>.</exception>
    public static byte[] ToBytes(IEnumerable<SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var file = new SafeTensorFile(tensors, metadata);
        var ordered = file.Tensors.OrderByDescending(t => ElementSize(t.DType)).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            if (file.Metadata.Count > 0)
            {
                w.WriteStartObject(MetadataKey);
                foreach (var (k, v) in file.Metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) w.WriteString(k, v);
                w.WriteEndObject();
            }
            long offset = 0;
            foreach (var t in ordered)
            {
                w.WriteStartObject(t.Name);
                w.WriteString("dtype", DTypeName(t.DType));
                w.WriteStartArray("shape");
                foreach (long dim in t.Shape) w.WriteNumberValue(dim);
                w.WriteEndArray();
                w.WriteStartArray("data_offsets");
                w.WriteNumberValue(offset);
                w.WriteNumberValue(offset + t.Data.Length);
                w.WriteEndArray();
                w.WriteEndObject();
                offset += t.Data.Length;
            }
            w.WriteEndObject();
        }
        int headerLength = (int)json.Length;
        int padded = (headerLength + 7) / 8 * 8;
        long total = 8 + padded + ordered.Sum(t => (long)t.Data.Length);
        var result = new byte[total];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.GetBuffer().AsSpan(0, headerLength).CopyTo(result.AsSpan(8));
        result.AsSpan(8 + headerLength, padded - headerLength).Fill((byte)' ');
        long position = 8 + padded;
        foreach (var t in ordered)
        {
            t.Data.Span.CopyTo(result.AsSpan((int)position));
            position += t.Data.Length;
        }
        return result;
    }

    /// <summary>Bytes per element of <paramref name="dtype"/>.</summary>
    /// <param name="dtype">An element type.</param>
    /// <returns>1, 2, 4 or 8.</returns>
    public static int ElementSize(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool or SafeTensorDType.U8 or SafeTensorDType.I8 or SafeTensorDType.F8E5M2 or SafeTensorDType.F8E4M3 => 1,
        SafeTensorDType.I16 or SafeTensorDType.U16 or SafeTensorDType.F16 or SafeTensorDType.BF16 => 2,
        SafeTensorDType.I32 or SafeTensorDType.U32 or SafeTensorDType.F32 => 4,
        _ => 8,
    };

    /// <summary>The format's name for <paramref name="dtype"/>, e.g. <c>F32</c>, <c>F8_E4M3</c>.</summary>
    /// <param name="dtype">An element type.</param>
    /// <returns>The name as the file's header writes it.</returns>
    public static string DTypeName(SafeTensorDType dtype) => dtype switch
    {
        SafeTensorDType.Bool => "BOOL",
        SafeTensorDType.F8E5M2 => "F8_E5M2",
        SafeTensorDType.F8E4M3 => "F8_E4M3",
        _ => dtype.ToString(),
    };

    private static SafeTensorDType? ParseDType(string name)
    {
        foreach (var dtype in Enum.GetValues<SafeTensorDType>())
            if (DTypeName(dtype) == name) return dtype;
        return null;
    }

    /// <summary>Bytes a tensor of this dtype and shape needs, or null on a negative dimension or an overflow past 2^31 − 1 (the largest array).</summary>
    internal static long? ByteCount(SafeTensorDType dtype, IReadOnlyList<long> shape)
    {
        long count = ElementSize(dtype);
        foreach (long dim in shape)
        {
            if (dim < 0) return null;
            if (dim != 0 && count > int.MaxValue / dim) return null;
            count *= dim;
        }
        return count;
    }

    /// <inheritdoc/>
    public override string ToString() =>
        string.Join("\n", Tensors.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Name}: {DTypeName(t.DType)} {t.ShapeText}")));
}
