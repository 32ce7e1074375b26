using System;
using System.Collections.Generic;
using System.IO;
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
/// Little-endian; strings are UTF-8 with a 7-bit-encoded length. Files are written to a temporary file beside
/// the target and renamed over it, so a crash never leaves a half-written file. Loading checks everything
/// before it changes anything: a file of another model, a damaged or truncated file, fails with a message and
/// leaves the model (and optimizer) as they were.
/// </summary>
public static class WeightFile
{
    private static ReadOnlySpan<byte> Magic => "MGWT"u8;
    private const ushort Version = 1;
    private const ushort HasOptimizer = 1;
    private const int ChecksumLength = 32;

    /// <summary>Saves the parameters (and the compiled optimizer's state, when <paramref name="includeOptimizer"/>).</summary>
    public static void SaveWeights(this ISequentialModel model, string path, bool includeOptimizer = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, ToBytes(model, includeOptimizer));
    }

    /// <summary>Writes what <see cref="SaveWeights(ISequentialModel, string, bool)"/> writes to <paramref name="stream"/>.</summary>
    public static void SaveWeights(this ISequentialModel model, Stream stream, bool includeOptimizer = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToBytes(model, includeOptimizer));
    }

    private static byte[] ToBytes(ISequentialModel model, bool includeOptimizer)
    {
        ArgumentNullException.ThrowIfNull(model);
        var optimizer = includeOptimizer ? ModelTraining.TryGetOptimizer(model) : null;
        using var buffer = new MemoryStream();
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(Version);
            w.Write(optimizer is null ? (ushort)0 : HasOptimizer);
            w.Write(model.Info.Name);
            w.Write(model.Info.Signature);
            WriteFloats(w, model.Parameters);
            if (optimizer is not null)
            {
                w.Write(optimizer.GetType().Name);
                var state = optimizer.GetState();
                w.Write(state.Count);
                foreach (var (name, values) in state)
                {
                    w.Write(name);
                    WriteFloats(w, values);
                }
            }
        }
        buffer.Write(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)));
        return buffer.ToArray();
    }

    /// <summary>
    /// Loads parameters saved by <see cref="SaveWeights(ISequentialModel, string, bool)"/> into <paramref name="model"/>, and the optimizer state
    /// when the file has one and the model is compiled with the same kind of optimizer.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a ModelGen weight file, is damaged, or belongs to another model.</exception>
    public static void LoadWeights(this ISequentialModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        Load(model, File.ReadAllBytes(path), $"'{path}'");
    }

    /// <summary>Loads weights written by <see cref="SaveWeights(ISequentialModel, Stream, bool)"/> from the rest of <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a ModelGen weight file, are damaged, or belong to another model.</exception>
    public static void LoadWeights(this ISequentialModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        Load(model, buffer.ToArray(), "the stream");
    }

    private static void Load(ISequentialModel model, byte[] bytes, string source)
    {
        if (bytes.Length < Magic.Length + 4 + ChecksumLength || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic))
            throw new InvalidDataException($"{source} is not a ModelGen weight file (expected it to start with \"MGWT\")");
        var body = bytes.AsSpan(0, bytes.Length - ChecksumLength);
        if (!SHA256.HashData(body).AsSpan().SequenceEqual(bytes.AsSpan(bytes.Length - ChecksumLength)))
            throw new InvalidDataException($"{source} is damaged: its SHA-256 checksum does not match its contents ({bytes.Length} bytes); the model was not changed");

        float[] parameters;
        List<(string Name, float[] Values)>? state = null;
        string? optimizerType = null;
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes, 0, body.Length), Encoding.UTF8);
            r.ReadBytes(Magic.Length);
            ushort version = r.ReadUInt16();
            if (version != Version)
                throw new InvalidDataException($"{source} has weight-file version {version}; this ModelGen reads version {Version}");
            ushort flags = r.ReadUInt16();
            string name = r.ReadString();
            string signature = r.ReadString();
            if (signature != model.Info.Signature)
                throw new InvalidDataException($"{source} holds weights of model '{name}' with layers [{signature}], but '{model.Info.Name}' has layers [{model.Info.Signature}]; the model was not changed");
            parameters = ReadFloats(r);
            if (parameters.Length != model.Parameters.Length)
                throw new InvalidDataException($"{source} holds {parameters.Length} parameters, but '{model.Info.Name}' has {model.Parameters.Length}");
            if ((flags & HasOptimizer) != 0)
            {
                optimizerType = r.ReadString();
                int entries = r.ReadInt32();
                if (entries < 0) throw new InvalidDataException($"{source} has a negative optimizer entry count");
                state = new List<(string, float[])>(entries);
                for (int i = 0; i < entries; i++) state.Add((r.ReadString(), ReadFloats(r)));
            }
            if (r.BaseStream.Position != body.Length)
                throw new InvalidDataException($"{source} has {body.Length - r.BaseStream.Position} unexpected bytes after its contents");
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"{source} is truncated; the model was not changed");
        }

        var optimizer = ModelTraining.TryGetOptimizer(model);
        if (state is not null && optimizer is not null && optimizer.GetType().Name == optimizerType)
            optimizer.SetState(state); // validates first; throws without changing anything on a mismatch
        parameters.CopyTo(model.Parameters, 0);
    }

    private static void WriteFloats(BinaryWriter w, ReadOnlySpan<float> values)
    {
        w.Write(values.Length);
        foreach (float v in values) w.Write(v);
    }

    private static float[] ReadFloats(BinaryReader r)
    {
        int length = r.ReadInt32();
        long left = r.BaseStream.Length - r.BaseStream.Position;
        if (length < 0 || (long)length * sizeof(float) > left)
            throw new InvalidDataException($"a block claims {length} floats, but only {left} bytes are left");
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = r.ReadSingle();
        return values;
    }
}
