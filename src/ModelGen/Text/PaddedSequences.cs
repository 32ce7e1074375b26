using System;
using System.Globalization;
using System.Text;

namespace ModelGen.Text;

/// <summary>
/// Integer sequences padded to one length: a row-major <c>[Count, Length]</c> block in <see cref="Data"/>, ready to
/// feed a model that takes token ids <c>[batch, steps]</c>. Equality compares shape and values.
/// </summary>
public sealed record PaddedSequences
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as <c>[count, length]</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold <c>count × length</c> values.</exception>
    /// <param name="data">The values, row-major <c>[count, length]</c>; kept, not copied.</param>
    /// <param name="count">Number of sequences (rows), ≥ 0.</param>
    /// <param name="length">Length of every sequence (columns), ≥ 0.</param>
    public PaddedSequences(int[] data, int count, int length)
    {
        ArgumentNullException.ThrowIfNull(data);
        Shape.Check(data, count, length);
        Data = data;
        Count = count;
        Length = length;
    }

    /// <summary>The values, row-major: row <c>i</c> is <c>Data[i * Length .. (i + 1) * Length]</c>.</summary>
#pragma warning disable CA1819 // The flat buffer is the point: models take [batch, steps] spans over it.
    public int[] Data { get; }
#pragma warning restore CA1819

    /// <summary>Number of sequences (rows).</summary>
    public int Count { get; }

    /// <summary>Length every sequence was padded or truncated to (columns, Keras <c>maxlen</c>).</summary>
    public int Length { get; }

    /// <summary>Step <paramref name="t"/> of sequence <paramref name="i"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    /// <param name="i">The sequence (row), in <c>[0, Count)</c>.</param>
    /// <param name="t">The step (column), in <c>[0, Length)</c>.</param>
    public int this[int i, int t] => Data[Shape.Index(i, t, Count, Length)];

    /// <summary>Sequence <paramref name="i"/>, <see cref="Length"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is out of range.</exception>
    /// <param name="i">The sequence (row), in <c>[0, Count)</c>.</param>
    /// <returns>A view over <see cref="Data"/> (not a copy).</returns>
    public ReadOnlySpan<int> Row(int i) => Data.AsSpan(Shape.RowStart(i, Count, Length), Length);

    /// <summary>True when <paramref name="other"/> has the same shape and values.</summary>
    /// <param name="other">The block to compare with; null is never equal.</param>
    /// <returns>True when both have the same <see cref="Count"/>, <see cref="Length"/> and values.</returns>
    public bool Equals(PaddedSequences? other) =>
        other is not null && Count == other.Count && Length == other.Length && Data.AsSpan().SequenceEqual(other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => Shape.Hash<int>(Data, Count, Length);

    private bool PrintMembers(StringBuilder builder) => Shape.Print<int>(builder, Data, Count, Length);
}

/// <summary>
/// Float sequences padded to one length: a row-major <c>[Count, Length]</c> block in <see cref="Data"/>. Equality
/// compares shape and values.
/// </summary>
public sealed record PaddedFloatSequences
{
    /// <summary>Wraps <paramref name="data"/> (not copied) as <c>[count, length]</c>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not hold <c>count × length</c> values.</exception>
    /// <param name="data">The values, row-major <c>[count, length]</c>; kept, not copied.</param>
    /// <param name="count">Number of sequences (rows), ≥ 0.</param>
    /// <param name="length">Length of every sequence (columns), ≥ 0.</param>
    public PaddedFloatSequences(float[] data, int count, int length)
    {
        ArgumentNullException.ThrowIfNull(data);
        Shape.Check(data, count, length);
        Data = data;
        Count = count;
        Length = length;
    }

    /// <summary>The values, row-major: row <c>i</c> is <c>Data[i * Length .. (i + 1) * Length]</c>.</summary>
#pragma warning disable CA1819 // The flat buffer is the point: models take [batch, steps] spans over it.
    public float[] Data { get; }
#pragma warning restore CA1819

    /// <summary>Number of sequences (rows).</summary>
    public int Count { get; }

    /// <summary>Length every sequence was padded or truncated to (columns, Keras <c>maxlen</c>).</summary>
    public int Length { get; }

    /// <summary>Step <paramref name="t"/> of sequence <paramref name="i"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    /// <param name="i">The sequence (row), in <c>[0, Count)</c>.</param>
    /// <param name="t">The step (column), in <c>[0, Length)</c>.</param>
    public float this[int i, int t] => Data[Shape.Index(i, t, Count, Length)];

    /// <summary>Sequence <paramref name="i"/>, <see cref="Length"/> values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="i"/> is out of range.</exception>
    /// <param name="i">The sequence (row), in <c>[0, Count)</c>.</param>
    /// <returns>A view over <see cref="Data"/> (not a copy).</returns>
    public ReadOnlySpan<float> Row(int i) => Data.AsSpan(Shape.RowStart(i, Count, Length), Length);

    /// <summary>True when <paramref name="other"/> has the same shape and values (NaN equals NaN).</summary>
    /// <param name="other">The block to compare with; null is never equal.</param>
    /// <returns>True when both have the same <see cref="Count"/>, <see cref="Length"/> and values, compared bit for bit as <see cref="float.Equals(float)"/> does.</returns>
    public bool Equals(PaddedFloatSequences? other) =>
        other is not null && Count == other.Count && Length == other.Length && Data.AsSpan().SequenceEqual(other.Data);

    /// <inheritdoc/>
    public override int GetHashCode() => Shape.Hash<float>(Data, Count, Length);

    private bool PrintMembers(StringBuilder builder) => Shape.Print<float>(builder, Data, Count, Length);
}

/// <summary>Shape checks and helpers shared by the padded-sequence records.</summary>
internal static class Shape
{
    public static void Check(Array data, int count, int length)
    {
        int dataLength = data.Length;
        if (count < 0)
            throw new ArgumentOutOfRangeException(nameof(count), count, "count must be non-negative.");
        if (length < 0)
            throw new ArgumentOutOfRangeException(nameof(length), length, "length must be non-negative.");
        if ((long)count * length != dataLength)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"data holds {dataLength} values, but [{count}, {length}] needs {(long)count * length}."),
                nameof(data));
    }

    public static int RowStart(int i, int count, int length)
    {
        if ((uint)i >= (uint)count)
            throw new ArgumentOutOfRangeException(nameof(i), i,
                string.Create(CultureInfo.InvariantCulture, $"Row {i} is outside [0, {count})."));
        return i * length;
    }

    public static int Index(int i, int t, int count, int length)
    {
        int start = RowStart(i, count, length);
        if ((uint)t >= (uint)length)
            throw new ArgumentOutOfRangeException(nameof(t), t,
                string.Create(CultureInfo.InvariantCulture, $"Step {t} is outside [0, {length})."));
        return start + t;
    }

    public static int Hash<T>(T[] data, int count, int length)
    {
        var hash = new HashCode();
        hash.Add(count);
        hash.Add(length);
        foreach (T value in data) hash.Add(value);
        return hash.ToHashCode();
    }

    public static bool Print<T>(StringBuilder builder, T[] data, int count, int length) where T : IFormattable
    {
        builder.Append(CultureInfo.InvariantCulture, $"Count = {count}, Length = {length}, Data = [");
        int shown = Math.Min(data.Length, 16);
        for (int k = 0; k < shown; k++)
        {
            if (k > 0) builder.Append(", ");
            builder.Append(data[k].ToString(null, CultureInfo.InvariantCulture));
        }
        if (shown < data.Length) builder.Append(", …");
        builder.Append(']');
        return true;
    }
}
