using System;
using System.Collections.Generic;
using System.Globalization;

namespace ModelGen.Text;

/// <summary>How <see cref="Tokenizer.TextsToMatrix"/> and <see cref="Tokenizer.SequencesToMatrix"/> weigh a word in a row (Keras's <c>mode</c>).</summary>
public enum MatrixMode
{
    /// <summary>Keras <c>"binary"</c>: 1 where the word occurs.</summary>
    Binary,
    /// <summary>Keras <c>"count"</c>: how many times it occurs.</summary>
    Count,
    /// <summary>Keras <c>"freq"</c>: its count divided by the sequence's length (words past <see cref="Tokenizer.NumWords"/> included).</summary>
    Freq,
    /// <summary>
    /// Keras <c>"tfidf"</c>: <c>(1 + ln count) · ln(1 + documents / (1 + documents holding the word))</c>, the documents
    /// being those <see cref="Tokenizer.FitOnTexts"/> read.
    /// </summary>
    TfIdf,
}

public sealed partial class Tokenizer
{
    /// <summary>
    /// Keras <c>texts_to_matrix</c>: each text as one row of word weights (a bag of words), through
    /// <see cref="TextsToSequences"/> and <see cref="SequencesToMatrix"/>.
    /// </summary>
    /// <param name="texts">The texts.</param>
    /// <param name="mode">How a word is weighed (Keras's default is binary).</param>
    /// <returns><c>[texts, width]</c> row-major, <c>width</c> being <see cref="NumWords"/>, or the number of indexed words + 1
    /// without it (column 0 is padding's and stays 0 for texts).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its texts is null.</exception>
    /// <exception cref="InvalidOperationException">The tokenizer has not been fitted (<see cref="FitOnTexts"/> or <c>FromJson</c>).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="mode"/> is not a <see cref="MatrixMode"/>.</exception>
    public float[] TextsToMatrix(IEnumerable<string> texts, MatrixMode mode = MatrixMode.Binary)
        => SequencesToMatrix(TextsToSequences(texts), mode);

    /// <summary>
    /// Keras <c>sequences_to_matrix</c>: each sequence of word indices as one row of word weights. Indices not below the
    /// width are left out of the row (but count in its length for <see cref="MatrixMode.Freq"/>, as in Keras).
    /// </summary>
    /// <param name="sequences">Sequences of word indices, e.g. from <see cref="TextsToSequences"/>.</param>
    /// <param name="mode">How a word is weighed (Keras's default is binary).</param>
    /// <returns><c>[sequences, width]</c> row-major float32, <c>width</c> being <see cref="NumWords"/>, or the number of
    /// indexed words + 1 without it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> or one of its sequences is null.</exception>
    /// <exception cref="InvalidOperationException">Neither <see cref="NumWords"/> nor a word index gives the width, or
    /// <see cref="MatrixMode.TfIdf"/> on a tokenizer that has read no documents.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative (Keras would write it into the row's end), or
    /// <paramref name="mode"/> is not a <see cref="MatrixMode"/>.</exception>
    public float[] SequencesToMatrix(IEnumerable<IReadOnlyList<int>> sequences, MatrixMode mode = MatrixMode.Binary)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (!Enum.IsDefined(mode)) throw new ArgumentOutOfRangeException(nameof(mode), mode, "mode must be Binary, Count, Freq or TfIdf");
        int width = NumWords ?? (_wordIndex is { } index ? index.Count + 1
            : throw new InvalidOperationException("SequencesToMatrix needs a width: give the Tokenizer numWords, or fit it on some texts first (Keras: 'Specify a dimension')"));
        if (mode == MatrixMode.TfIdf && DocumentCount == 0)
            throw new InvalidOperationException("TfIdf weighs words by the documents they occur in: fit the Tokenizer on some texts first");
        var rows = new List<IReadOnlyList<int>>();
        foreach (var sequence in sequences)
            rows.Add(sequence ?? throw new ArgumentNullException(nameof(sequences), "A sequence is null."));
        var matrix = new float[(long)rows.Count * width];
        var counts = new Dictionary<int, int>();
        for (int r = 0; r < rows.Count; r++)
        {
            var sequence = rows[r];
            counts.Clear();
            for (int i = 0; i < sequence.Count; i++)
            {
                int j = sequence[i];
                if (j < 0)
                    throw new ArgumentOutOfRangeException(nameof(sequences), j, string.Create(CultureInfo.InvariantCulture,
                        $"sequence {r} holds the index {j} at position {i}; word indices are ≥ 0"));
                if (j < width) counts[j] = counts.TryGetValue(j, out int c) ? c + 1 : 1;
            }
            var row = matrix.AsSpan(r * width, width);
            foreach (var (j, c) in counts)
            {
                row[j] = mode switch
                {
                    MatrixMode.Count => c,
                    MatrixMode.Freq => (float)((double)c / sequence.Count),
                    MatrixMode.Binary => 1f,
                    _ => (float)((1 + Math.Log(c)) * Math.Log(1 + (double)DocumentCount / (1 + DocumentsHolding(j)))),
                };
            }
        }
        return matrix;
    }

    // Keras's index_docs: in how many fitted texts the word of index j occurs (0 for an index no fitted word has).
    private int DocumentsHolding(int j)
        => _indexWord is { } indexWord && indexWord.TryGetValue(j, out string? word) && _wordDocs.TryGetValue(word, out int docs) ? docs : 0;
}
