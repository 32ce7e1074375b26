using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using CsCheck;
using ModelGen.Tests.Workflow;
using Xunit.Abstractions;

namespace ModelGen.Tests.Reliability;

/// <summary>
/// Issue 13 item 3: weight files that are truncated, bit-flipped, or carry a valid checksum over hostile counts and
/// lengths. Every one fails with <see cref="InvalidDataException"/>, leaves the model and its optimizer as they were bit
/// for bit, and allocates a bounded amount (nothing sized by a count the file claims but does not hold).
/// </summary>
public sealed class WeightFileFuzzTests : IDisposable
{
    /// <summary>A load of a ~2.5 KB file may allocate buffers, strings and exceptions, never megabytes.</summary>
    private const long AllocationBound = 1 << 20;

    private readonly ITestOutputHelper _output;
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-fuzz-").FullName;
    private readonly string _path;
    private readonly byte[] _valid;
    private readonly ClassifierModel _model = new();
    private readonly int[] _modelBits;

    public WeightFileFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        // The file: weights and Adam state (moments after one step) of a model other than the target's weights.
        var source = new ClassifierModel();
        source.Initialize(seed: 1);
        source.Compile(new Adam(), Loss.CategoricalCrossentropy());
        source.Fit(new float[4 * 6], new float[4 * 3], epochs: 1, batchSize: 4, verbose: 0);
        _path = Path.Combine(_folder, "fuzzed.mgw");
        source.SaveWeights(_path);
        _valid = File.ReadAllBytes(_path);

        _model.Initialize(seed: 2);
        _model.Compile(new Adam(), Loss.CategoricalCrossentropy());
        _model.Fit(new float[4 * 6], new float[4 * 3], epochs: 1, batchSize: 4, verbose: 0);
        _modelBits = Bits();
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private int[] Bits() => ReliabilityData.Bits(_model.Parameters, _model.GetOptimizer());

    /// <summary>Writes <paramref name="bytes"/> as the file, loads it: InvalidDataException, model unchanged, bounded allocation.</summary>
    private void AssertRefused(byte[] bytes, string what)
    {
        File.WriteAllBytes(_path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Record.Exception(() => _model.LoadWeights(_path));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        if (e is not InvalidDataException)
            Fail($"{what}: expected InvalidDataException, got {(e is null ? "a successful load" : e.GetType().Name + ": " + e.Message)}");
        if (allocated > AllocationBound)
            Fail($"{what}: the load allocated {allocated} bytes (bound {AllocationBound})");
        if (!Bits().AsSpan().SequenceEqual(_modelBits))
            Fail($"{what}: the refused load changed the model or its optimizer");
    }

    // The first failure of a sampled test, kept: a load that changed the model fails every case after it, and CsCheck
    // then reports the simplest of those, not the one that did it (seen once in CI, a shrunk "flags set to 65535").
    private string? _firstFailure;

    private void Fail(string message)
    {
        _firstFailure ??= message;
        throw new Xunit.Sdk.XunitException(message);
    }

    /// <summary>Runs a CsCheck sample; on failure, names the first failing case beside CsCheck's shrunk one.</summary>
    private void Sampled(Action sample)
    {
        try
        {
            sample();
        }
        catch (CsCheckException e) when (_firstFailure is not null)
        {
            throw new Xunit.Sdk.XunitException($"first failing case: {_firstFailure}\n{e.Message}");
        }
    }

    private static byte[] WithChecksum(ReadOnlySpan<byte> body)
    {
        var file = new byte[body.Length + 32];
        body.CopyTo(file);
        SHA256.HashData(body, file.AsSpan(body.Length));
        return file;
    }

    [Fact]
    public void Every_truncation_is_refused_with_or_without_a_matching_checksum()
    {
        int files = 0;
        // Every cut of the body under a recomputed checksum (the parser meets the end of the data everywhere), and raw
        // cuts (the checksum no longer matches) at every length of the header and every 13th byte after it.
        for (int length = 0; length < _valid.Length; length++)
        {
            if (length < 64 || length % 13 == 0)
            {
                AssertRefused(_valid[..length], $"truncated to {length} bytes");
                files++;
            }
            if (length < _valid.Length - 32)
            {
                AssertRefused(WithChecksum(_valid.AsSpan(0, length)), $"body truncated to {length} bytes, checksum recomputed");
                files++;
            }
        }
        _output.WriteLine($"{files} truncated files refused");
        AssertTheOriginalLoads();
    }

    [Fact]
    public void Every_bit_flip_is_refused()
    {
        int files = 0;
        Sampled(() => Gen.Select(Gen.Int[0, _valid.Length * 8 - 1], Gen.Int[1, 3]).Sample((bit, flips) =>
        {
            var bytes = (byte[])_valid.Clone();
            for (int k = 0; k < flips; k++) bytes[((bit + k * 977) / 8) % bytes.Length] ^= (byte)(1 << ((bit + k) % 8));
            if (bytes.AsSpan().SequenceEqual(_valid)) return; // two flips of the same bit
            AssertRefused(bytes, $"bit {bit} flipped ({flips} flips)");
            files++;
        }, iter: 1500, threads: 1));
        _output.WriteLine($"{files} bit-flipped files refused");
        AssertTheOriginalLoads();
    }

    /// <summary>A count, length or flag in the file: where it is, how wide, and its value.</summary>
    private readonly record struct Field(string Name, int Offset, int Width, bool VarInt, int Value);

    /// <summary>Every count, length and flag of the file, found by walking the documented layout.</summary>
    private static List<Field> Fields(byte[] file)
    {
        var fields = new List<Field> { new("flags", 6, 2, false, BitConverter.ToUInt16(file, 6)) };
        int at = 8;
        int VarInt(string name)
        {
            int value = 0, width = 0;
            for (int shift = 0; ; shift += 7, width++)
            {
                byte b = file[at + width];
                value |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) break;
            }
            fields.Add(new(name, at, width + 1, true, value));
            at += width + 1 + value;
            return value;
        }
        int Int32(string name, int elementSize)
        {
            int value = BitConverter.ToInt32(file, at);
            fields.Add(new(name, at, 4, false, value));
            at += 4 + value * elementSize;
            return value;
        }
        VarInt("model name length");
        VarInt("signature length");
        Int32("parameter count", 4);
        VarInt("optimizer type length");
        int entries = Int32("state entries", 0);
        for (int i = 0; i < entries; i++)
        {
            VarInt($"state entry {i} name length");
            Int32($"state entry {i} length", 4);
        }
        Assert.Equal(file.Length - 32, at); // the walk covers the whole body
        return fields;
    }

    private static byte[] EncodeVarInt(uint value)
    {
        var bytes = new List<byte>();
        for (; value >= 0x80; value >>= 7) bytes.Add((byte)(value | 0x80));
        bytes.Add((byte)value);
        return [.. bytes];
    }

    [Fact]
    public void Hostile_counts_and_lengths_under_a_valid_checksum_are_refused_before_any_allocation_they_size()
    {
        var fields = Fields(_valid);
        Assert.Equal(6 + 2 * 4, fields.Count); // flags, name, signature, parameter count, type, entries, then (name, length) × 4 for Adam
        int[] hostile = [int.MaxValue, int.MinValue, -1, 0, 1, 0x3FFF_FFFF, 0x7FFF_FFF0, 375_000_000, 1 << 20];
        int files = 0;
        Sampled(() => Gen.Select(Gen.Int[0, fields.Count - 1], Gen.Int[0, hostile.Length + 2], Gen.Int[-4, 4], Gen.Int).Sample((index, choice, delta, any) =>
        {
            var field = fields[index];
            int value = choice < hostile.Length ? hostile[choice]
                : choice == hostile.Length ? field.Value + delta
                : choice == hostile.Length + 1 ? _valid.Length / 4 + delta
                : any;
            byte[] encoded;
            if (field.VarInt) encoded = EncodeVarInt((uint)value);
            else if (field.Width == 2) encoded = BitConverter.GetBytes((ushort)value);
            else encoded = BitConverter.GetBytes(value);
            var body = new List<byte>(_valid.AsSpan(0, field.Offset).ToArray());
            body.AddRange(encoded);
            body.AddRange(_valid.AsSpan(field.Offset + field.Width, _valid.Length - 32 - field.Offset - field.Width).ToArray());
            var bytes = WithChecksum([.. body]);
            if (bytes.AsSpan().SequenceEqual(_valid)) return; // the same value written back
            AssertRefused(bytes, $"{field.Name} set to {value} (was {field.Value})");
            files++;
        }, iter: 1500, threads: 1));
        // Malformed 7-bit lengths: five continuation bytes.
        foreach (var field in fields)
        {
            if (!field.VarInt) continue;
            var body = new List<byte>(_valid.AsSpan(0, field.Offset).ToArray());
            body.AddRange([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
            body.AddRange(_valid.AsSpan(field.Offset + field.Width, _valid.Length - 32 - field.Offset - field.Width).ToArray());
            AssertRefused(WithChecksum([.. body]), $"{field.Name} as a malformed 7-bit number");
            files++;
        }
        _output.WriteLine($"{files} files with hostile counts and a valid checksum refused");
        AssertTheOriginalLoads();
    }

    /// <summary>
    /// Every length of every optimizer state entry but its own, under a valid checksum: a length that swallows the entries
    /// after it leaves their bytes (moments, often zeros) to be read as names and counts, and once parsed as two empty
    /// entries that ended the file exactly, so the file loaded with the state skipped (found by a new user's run of
    /// the sampled test above, at lengths 204 and 407 of the learning rate's entry). Each length is tried, not sampled.
    /// </summary>
    [Fact]
    public void Every_wrong_length_of_an_optimizer_state_entry_is_refused()
    {
        var fields = Fields(_valid).FindAll(f => f.Name.StartsWith("state entry ", StringComparison.Ordinal) && f.Name.EndsWith(" length", StringComparison.Ordinal) && !f.Name.Contains("name", StringComparison.Ordinal));
        Assert.Equal(4, fields.Count); // Adam: iteration, learning_rate, momentum, velocity
        int files = 0;
        foreach (var field in fields)
        {
            int most = (_valid.Length - 32 - field.Offset - field.Width) / 4 + 2;
            for (int value = 0; value <= most; value++)
            {
                if (value == field.Value) continue;
                var body = new List<byte>(_valid.AsSpan(0, field.Offset).ToArray());
                body.AddRange(BitConverter.GetBytes(value));
                body.AddRange(_valid.AsSpan(field.Offset + field.Width, _valid.Length - 32 - field.Offset - field.Width).ToArray());
                AssertRefused(WithChecksum([.. body]), $"{field.Name} set to {value} (was {field.Value})");
                files++;
            }
        }
        _output.WriteLine($"{files} files with a wrong state entry length refused");
        AssertTheOriginalLoads();
    }

    /// <summary>The test could pass only if the loader can succeed: the unmodified file loads.</summary>
    private void AssertTheOriginalLoads()
    {
        File.WriteAllBytes(_path, _valid);
        var fresh = new ClassifierModel();
        fresh.LoadWeights(_path);
        Assert.NotEqual(_model.Parameters, fresh.Parameters);
    }
}
