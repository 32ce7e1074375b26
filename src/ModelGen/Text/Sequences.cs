using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace ModelGen.Text;

/// <summary>
/// Keras's sequence utilities: <c>pad_sequences</c> and <c>to_categorical</c>, returning flat row-major buffers that
/// models take as <c>[batch, steps]</c> and <c>[batch, classes]</c> spans.
/// </summary>
public static class Sequences
{
    /// <summary>
    /// Keras <c>pad_sequences</c>: pads or truncates every sequence to one length.
    /// </summary>
    /// <param name="sequences">The sequences; empty ones give rows of <paramref name="value"/>.</param>
    /// <param name="maxLen">Length of every row; null for the longest sequence's length.</param>
    /// <param name="padding"><see cref="Padding.Pre"/> (Keras default) puts padding before a short sequence, <see cref="Padding.Post"/> after it.</param>
    /// <param name="truncating"><see cref="Truncating.Pre"/> (Keras default) keeps the last <paramref name="maxLen"/> values of a long sequence, <see cref="Truncating.Post"/> the first.</param>
    /// <param name="value">The padding value.</param>
    /// <returns>A <c>[sequences.Count, maxLen]</c> block.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentException">A sequence is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLen"/> is negative or the result too large, or <paramref name="padding"/> / <paramref name="truncating"/> is not a defined value.</exception>
    [OverloadResolutionPriority(1)] // `PadSequences([[], []])` means int sequences, as Keras's dtype='int32' default
    public static PaddedSequences PadSequences(
        IReadOnlyList<int[]> sequences,
        int? maxLen = null,
        Padding padding = Padding.Pre,
        Truncating truncating = Truncating.Pre,
        int value = 0)
    {
        int length = Prepare(sequences, maxLen, padding, truncating, out int count);
        var data = new int[count * length];
        Fill(sequences, data, length, padding, truncating, value);
        return new PaddedSequences(data, count, length);
    }

    /// <summary>Keras <c>pad_sequences</c> for float sequences (e.g. <c>dtype='float32'</c>); see the <see cref="int"/> overload.</summary>
    /// <returns>A <c>[sequences.Count, maxLen]</c> block.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> is null.</exception>
    /// <exception cref="ArgumentException">A sequence is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxLen"/> is negative or the result too large, or <paramref name="padding"/> / <paramref name="truncating"/> is not a defined value.</exception>
    /// <param name="sequences">The sequences; empty ones give rows of <paramref name="value"/>.</param>
    /// <param name="maxLen">Length of every row; null for the longest sequence's length.</param>
    /// <param name="padding"><see cref="Padding.Pre"/> (Keras default) puts padding before a short sequence, <see cref="Padding.Post"/> after it.</param>
    /// <param name="truncating"><see cref="Truncating.Pre"/> (Keras default) keeps the last <paramref name="maxLen"/> values of a long sequence, <see cref="Truncating.Post"/> the first.</param>
    /// <param name="value">The padding value.</param>
    public static PaddedFloatSequences PadSequences(
        IReadOnlyList<float[]> sequences,
        int? maxLen = null,
        Padding padding = Padding.Pre,
        Truncating truncating = Truncating.Pre,
        float value = 0f)
    {
        int length = Prepare(sequences, maxLen, padding, truncating, out int count);
        var data = new float[count * length];
        Fill(sequences, data, length, padding, truncating, value);
        return new PaddedFloatSequences(data, count, length);
    }

    private static int Prepare<T>(IReadOnlyList<T[]> sequences, int? maxLen, Padding padding, Truncating truncating, out int count)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (padding is not (Padding.Pre or Padding.Post))
            throw new ArgumentOutOfRangeException(nameof(padding), padding, "padding must be Padding.Pre or Padding.Post.");
        if (truncating is not (Truncating.Pre or Truncating.Post))
            throw new ArgumentOutOfRangeException(nameof(truncating), truncating, "truncating must be Truncating.Pre or Truncating.Post.");
        if (maxLen < 0)
            throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen,
                string.Create(CultureInfo.InvariantCulture, $"maxLen must be non-negative (or null for the longest sequence's length), but was {maxLen}."));

        count = sequences.Count;
        int longest = 0;
        for (int i = 0; i < count; i++)
        {
            T[]? sequence = sequences[i];
            if (sequence is null)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"sequences[{i}] is null."), nameof(sequences));
            longest = Math.Max(longest, sequence.Length);
        }

        int length = maxLen ?? longest;
        if ((long)count * length > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(maxLen), maxLen,
                string.Create(CultureInfo.InvariantCulture, $"[{count}, {length}] values do not fit in one array."));
        return length;
    }

    private static void Fill<T>(IReadOnlyList<T[]> sequences, T[] data, int length, Padding padding, Truncating truncating, T value)
    {
        data.AsSpan().Fill(value);
        for (int i = 0; i < sequences.Count; i++)
        {
            ReadOnlySpan<T> sequence = sequences[i];
            if (sequence.Length > length)
                sequence = truncating == Truncating.Pre ? sequence[^length..] : sequence[..length];
            var row = data.AsSpan(i * length, length);
            sequence.CopyTo(padding == Padding.Pre ? row[(length - sequence.Length)..] : row);
        }
    }

    /// <summary>
    /// Keras <c>to_categorical</c>: one-hot encodes class labels as a row-major <c>[labels.Length, numClasses]</c> block.
    /// </summary>
    /// <param name="labels">Class labels, each in <c>[0, numClasses)</c>.</param>
    /// <param name="numClasses">Number of classes; null or 0 (as in Keras) for the largest label + 1. The width of the result is then <c>result.Length / labels.Length</c>.</param>
    /// <returns>The one-hot rows; empty when <paramref name="labels"/> is.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is negative, a label is outside <c>[0, numClasses)</c> (the message names its index and value), or the result is too large.</exception>
    public static float[] ToCategorical(ReadOnlySpan<int> labels, int? numClasses = null)
    {
        if (numClasses < 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses,
                string.Create(CultureInfo.InvariantCulture, $"numClasses must be null or non-negative, but was {numClasses}."));

        int classes = numClasses ?? 0;
        if (classes == 0)
        {
            if (labels.IsEmpty) return [];
            int max = int.MinValue;
            foreach (int label in labels) max = Math.Max(max, label);
            if (max == int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(labels), max, "The largest label + 1 does not fit in an int.");
            classes = Math.Max(max + 1, 0);
            // A negative label is reported by the range check below (Keras would index from the end).
        }

        if ((long)labels.Length * classes > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(numClasses), classes,
                string.Create(CultureInfo.InvariantCulture, $"[{labels.Length}, {classes}] values do not fit in one array."));
        var result = new float[labels.Length * classes];
        ToCategorical(labels, classes, result);
        return result;
    }

    /// <summary>
    /// Keras <c>to_categorical</c> into <paramref name="destination"/>: writes the <c>[labels.Length, numClasses]</c>
    /// one-hot rows to its start, overwriting every value there.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numClasses"/> is negative, or a label is outside <c>[0, numClasses)</c> (the message names its index and value).</exception>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <c>labels.Length × numClasses</c>.</exception>
    /// <param name="labels">Class labels, each in <c>[0, numClasses)</c>.</param>
    /// <param name="numClasses">Number of classes (the width of each row).</param>
    /// <param name="destination">Receives the rows; values past <c>labels.Length × numClasses</c> are left as they were.</param>
    public static void ToCategorical(ReadOnlySpan<int> labels, int numClasses, Span<float> destination)
    {
        if (numClasses < 0)
            throw new ArgumentOutOfRangeException(nameof(numClasses), numClasses,
                string.Create(CultureInfo.InvariantCulture, $"numClasses must be non-negative, but was {numClasses}."));
        long needed = (long)labels.Length * numClasses;
        if (destination.Length < needed)
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"destination holds {destination.Length} values, but [{labels.Length}, {numClasses}] needs {needed}."),
                nameof(destination));

        for (int i = 0; i < labels.Length; i++)
        {
            int label = labels[i];
            if ((uint)label >= (uint)numClasses)
                throw new ArgumentOutOfRangeException(nameof(labels), label,
                    string.Create(CultureInfo.InvariantCulture, $"labels[{i}] = {label} is outside [0, {numClasses}) for {numClasses} classes."));
        }

        var block = destination[..(int)needed];
        block.Clear();
        for (int i = 0; i < labels.Length; i++)
            block[i * numClasses + labels[i]] = 1f;
    }
}
