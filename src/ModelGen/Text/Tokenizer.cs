using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ModelGen.Text;

/// <summary>
/// Turns texts into sequences of word indices with the semantics of Keras's
/// <c>tf.keras.preprocessing.text.Tokenizer</c>: the same splitting, filtering and lower-casing, the same 1-based word
/// index (most frequent first, ties in order of first appearance, the out-of-vocabulary token at 1), and the same
/// <c>num_words</c> cut-off.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="FitOnTexts"/> may be called several times; counts accumulate and the index is rebuilt each time, as in
/// Keras. Index 0 is never assigned: it is left for padding (<see cref="Sequences.PadSequences(IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/>).
/// </para>
/// <para>Lower-casing is Python's <c>str.lower()</c>, independent of the current culture. Not thread-safe while fitting.</para>
/// </remarks>
/// <example>
/// <code>
/// var tokenizer = new Tokenizer(numWords: 1000, oovToken: "&lt;OOV&gt;");
/// tokenizer.FitOnTexts(trainingTexts);
/// int[][] ids = tokenizer.TextsToSequences(trainingTexts);
/// PaddedSequences batch = Sequences.PadSequences(ids, maxLen: 50);
/// </code>
/// </example>
public sealed partial class Tokenizer
{
    /// <summary>
    /// Keras's default filters: <c>!"#$%&amp;()*+,-./:;&lt;=&gt;?@[\]^_`{|}~</c>, tab and newline
    /// (all ASCII punctuation except the apostrophe).
    /// </summary>
    public const string DefaultFilters = "!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n";

    private static readonly IReadOnlyDictionary<string, int> EmptyWordIndex =
        new ReadOnlyDictionary<string, int>(new Dictionary<string, int>());
    private static readonly IReadOnlyDictionary<int, string> EmptyIndexWord =
        new ReadOnlyDictionary<int, string>(new Dictionary<int, string>());

    private readonly HashSet<int> _filterSet;
    private readonly OrderedDictionary<string, int> _wordCounts = new(StringComparer.Ordinal);
    private readonly OrderedDictionary<string, int> _wordDocs = new(StringComparer.Ordinal);
    private readonly IReadOnlyDictionary<string, int> _wordCountsView;
    private readonly IReadOnlyDictionary<string, int> _wordDocsView;
    private readonly int _limit; // Keras's num_words; 0 = no limit (Keras treats 0 like None).

    private OrderedDictionary<string, int>? _wordIndex;
    private Dictionary<int, string>? _indexWord;
    private IReadOnlyDictionary<string, int> _wordIndexView = EmptyWordIndex;
    private IReadOnlyDictionary<int, string> _indexWordView = EmptyIndexWord;

    /// <summary>Creates a tokenizer; the parameters are Keras's, with the same defaults.</summary>
    /// <param name="numWords">
    /// Keras <c>num_words</c>: when set, <see cref="TextsToSequences"/> and <see cref="SequencesToTexts"/> keep only
    /// indices below it, i.e. the <c>numWords - 1</c> most frequent words (one fewer with <paramref name="oovToken"/>,
    /// which takes index 1). Words beyond it are dropped, or replaced by the OOV token when there is one. The
    /// <see cref="WordIndex"/> itself always holds every word. <c>null</c> or 0 keep every word, as in Keras.
    /// </param>
    /// <param name="filters">Characters removed from texts (each replaced by <paramref name="split"/>); ignored when <paramref name="charLevel"/>.</param>
    /// <param name="lower">Whether to lower-case texts (Python's <c>str.lower()</c>).</param>
    /// <param name="split">Word separator (Python's <c>str.split(split)</c>; empty tokens are dropped).</param>
    /// <param name="charLevel">When true every character (code point) is a token, spaces and punctuation included; filters and split are not applied.</param>
    /// <param name="oovToken">When set, it takes index 1 and stands in for unknown words and words beyond <paramref name="numWords"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="filters"/> or <paramref name="split"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numWords"/> is negative.</exception>
    /// <exception cref="ArgumentException"><paramref name="split"/> is empty for a word-level tokenizer.</exception>
    public Tokenizer(
        int? numWords = null,
        string filters = DefaultFilters,
        bool lower = true,
        string split = " ",
        bool charLevel = false,
        string? oovToken = null)
    {
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(split);
        if (numWords < 0)
            throw new ArgumentOutOfRangeException(nameof(numWords), numWords,
                string.Create(CultureInfo.InvariantCulture, $"numWords must be null or non-negative, but was {numWords}."));
        if (!charLevel && split.Length == 0)
            throw new ArgumentException("split must not be empty (Python's str.split raises 'empty separator').", nameof(split));

        NumWords = numWords;
        Filters = filters;
        Lower = lower;
        Split = split;
        CharLevel = charLevel;
        OovToken = oovToken;
        _filterSet = PythonText.CodePointSet(filters);
        _limit = numWords ?? 0;
        _wordCountsView = new ReadOnlyDictionary<string, int>(_wordCounts);
        _wordDocsView = new ReadOnlyDictionary<string, int>(_wordDocs);
    }

    /// <summary>Keras <c>num_words</c>, as given.</summary>
    public int? NumWords { get; }

    /// <summary>Characters removed from texts before splitting.</summary>
    public string Filters { get; }

    /// <summary>Whether texts are lower-cased.</summary>
    public bool Lower { get; }

    /// <summary>Word separator.</summary>
    public string Split { get; }

    /// <summary>Whether every character is a token.</summary>
    public bool CharLevel { get; }

    /// <summary>The out-of-vocabulary token, or null.</summary>
    public string? OovToken { get; }

    /// <summary>Keras <c>document_count</c>: how many texts <see cref="FitOnTexts"/> has seen in all.</summary>
    public int DocumentCount { get; private set; }

    /// <summary>Keras <c>word_counts</c>: each word's number of occurrences, in order of first appearance.</summary>
    public IReadOnlyDictionary<string, int> WordCounts => _wordCountsView;

    /// <summary>
    /// Keras <c>word_docs</c>: in how many texts each word occurs, in order of first appearance (Keras's own order
    /// here is Python set order, which is not defined).
    /// </summary>
    public IReadOnlyDictionary<string, int> WordDocs => _wordDocsView;

    /// <summary>
    /// Keras <c>word_index</c>: word → index from 1, the OOV token first when set, then words by descending count,
    /// ties in order of first appearance. Enumerates in that order. Empty before <see cref="FitOnTexts"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int> WordIndex => _wordIndexView;

    /// <summary>Keras <c>index_word</c>: the inverse of <see cref="WordIndex"/>. Empty before <see cref="FitOnTexts"/>.</summary>
    public IReadOnlyDictionary<int, string> IndexWord => _indexWordView;

    /// <summary>
    /// Keras <c>fit_on_texts</c>: counts the words of <paramref name="texts"/> (adding to earlier calls) and rebuilds
    /// <see cref="WordIndex"/> and <see cref="IndexWord"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its texts is null.</exception>
    /// <param name="texts">The training texts, one document each.</param>
    public void FitOnTexts(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            if (text is null) throw new ArgumentNullException(nameof(texts), "A text is null.");
            DocumentCount++;
            List<string> tokens = Tokenize(text);
            foreach (string token in tokens)
            {
                _wordCounts[token] = _wordCounts.TryGetValue(token, out int count) ? count + 1 : 1;
            }
            seen.Clear();
            foreach (string token in tokens)
            {
                if (seen.Add(token))
                    _wordDocs[token] = _wordDocs.TryGetValue(token, out int docs) ? docs + 1 : 1;
            }
        }
        RebuildIndex();
    }

    private void RebuildIndex()
    {
        // Keras: sorted_voc = [oov] + words sorted by count, descending, with Python's stable sort; then
        // dict(zip(sorted_voc, 1..)) — a word equal to the OOV token overwrites the OOV token's value in place.
        var wordIndex = new OrderedDictionary<string, int>(_wordCounts.Count + 1, StringComparer.Ordinal);
        int next = 1;
        if (OovToken is not null)
            wordIndex[OovToken] = next++;
        foreach (var pair in _wordCounts.OrderByDescending(p => p.Value)) // OrderBy is a stable sort
            wordIndex[pair.Key] = next++;

        var indexWord = new Dictionary<int, string>(wordIndex.Count);
        foreach (var pair in wordIndex)
            indexWord[pair.Value] = pair.Key;

        _wordIndex = wordIndex;
        _indexWord = indexWord;
        _wordIndexView = new ReadOnlyDictionary<string, int>(wordIndex);
        _indexWordView = new ReadOnlyDictionary<int, string>(indexWord);
    }

    /// <summary>
    /// Keras <c>texts_to_sequences</c>: each text as word indices. Unknown words are dropped, or become the OOV
    /// token's index when there is one; so do known words whose index is not below <see cref="NumWords"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="texts"/> or one of its texts is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="FitOnTexts"/> has not been called.</exception>
    /// <param name="texts">The texts to encode.</param>
    /// <returns>One array of word indices per text, in order (not padded: see <see cref="Sequences.PadSequences(IReadOnlyList{int[]}, int?, Padding, Truncating, int)"/>).</returns>
    public int[][] TextsToSequences(IEnumerable<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var result = new List<int[]>();
        foreach (string text in texts)
        {
            if (text is null) throw new ArgumentNullException(nameof(texts), "A text is null.");
            result.Add(TextToSequence(text));
        }
        return result.ToArray();
    }

    /// <summary>One text as word indices; see <see cref="TextsToSequences"/>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="FitOnTexts"/> has not been called.</exception>
    /// <param name="text">The text to encode.</param>
    /// <returns>Its word indices, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="text"/> is null.</exception>
    public int[] TextToSequence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var wordIndex = RequireFitted();
        int? oovIndex = OovToken is not null && wordIndex.TryGetValue(OovToken, out int oov) ? oov : null;
        var sequence = new List<int>();
        foreach (string token in Tokenize(text))
        {
            if (wordIndex.TryGetValue(token, out int index))
            {
                if (_limit != 0 && index >= _limit)
                {
                    if (oovIndex is int o) sequence.Add(o);
                }
                else
                {
                    sequence.Add(index);
                }
            }
            else if (oovIndex is int o)
            {
                sequence.Add(o);
            }
        }
        return sequence.ToArray();
    }

    /// <summary>
    /// Keras <c>sequences_to_texts</c>: each sequence's words joined by single spaces (also at character level).
    /// Indices not in <see cref="IndexWord"/> (0 included) are dropped, or become the OOV token when there is one; so
    /// do indices not below <see cref="NumWords"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="sequences"/> or one of its sequences is null.</exception>
    /// <exception cref="InvalidOperationException"><see cref="FitOnTexts"/> has not been called.</exception>
    /// <param name="sequences">Sequences of word indices.</param>
    /// <returns>One text per sequence.</returns>
    public string[] SequencesToTexts(IEnumerable<IReadOnlyList<int>> sequences)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        var result = new List<string>();
        foreach (var sequence in sequences)
        {
            if (sequence is null) throw new ArgumentNullException(nameof(sequences), "A sequence is null.");
            var items = new int[sequence.Count];
            for (int i = 0; i < items.Length; i++) items[i] = sequence[i];
            result.Add(SequenceToText(items));
        }
        return result.ToArray();
    }

    /// <summary>One sequence as text (for example a row of <see cref="PaddedSequences"/>); see <see cref="SequencesToTexts"/>.</summary>
    /// <exception cref="InvalidOperationException"><see cref="FitOnTexts"/> has not been called.</exception>
    /// <param name="sequence">Word indices.</param>
    /// <returns>The words joined by single spaces.</returns>
    public string SequenceToText(ReadOnlySpan<int> sequence)
    {
        var wordIndex = RequireFitted();
        var indexWord = _indexWord!;
        string? oovWord = OovToken is not null && wordIndex.TryGetValue(OovToken, out int oov) ? indexWord[oov] : null;
        var builder = new StringBuilder();
        bool first = true;
        foreach (int index in sequence)
        {
            string? word;
            if (indexWord.TryGetValue(index, out string? known))
                word = _limit != 0 && index >= _limit ? oovWord : known;
            else
                word = oovWord;
            if (word is null) continue;
            if (!first) builder.Append(' '); // Python's ' '.join
            builder.Append(word);
            first = false;
        }
        return builder.ToString();
    }

    /// <summary>
    /// Keras <c>text_to_word_sequence</c>: lower-cases <paramref name="text"/> (when <paramref name="lower"/>), replaces
    /// every character of <paramref name="filters"/> by <paramref name="split"/>, splits on <paramref name="split"/>
    /// and drops empty tokens.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="split"/> is empty.</exception>
    /// <param name="text">The text to split.</param>
    /// <param name="filters">Characters to remove (each becomes <paramref name="split"/>); Keras's default is punctuation, tab and newline.</param>
    /// <param name="lower">Lower-case first, as Python's <c>str.lower</c>.</param>
    /// <param name="split">The separator between words.</param>
    /// <returns>The words, in order.</returns>
    public static string[] TextToWordSequence(string text, string filters = DefaultFilters, bool lower = true, string split = " ")
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(filters);
        ArgumentNullException.ThrowIfNull(split);
        if (split.Length == 0)
            throw new ArgumentException("split must not be empty (Python's str.split raises 'empty separator').", nameof(split));
        return WordSequence(text, PythonText.CodePointSet(filters), lower, split).ToArray();
    }

    private static List<string> WordSequence(string text, HashSet<int> filters, bool lower, string split)
    {
        if (lower) text = PythonText.Lower(text);
        text = PythonText.Translate(text, filters, split);
        var words = new List<string>();
        foreach (string word in text.Split(split))
            if (word.Length > 0) words.Add(word);
        return words;
    }

    private List<string> Tokenize(string text)
    {
        if (CharLevel)
            return PythonText.CodePoints(Lower ? PythonText.Lower(text) : text);
        return WordSequence(text, _filterSet, Lower, Split);
    }

    private OrderedDictionary<string, int> RequireFitted() =>
        _wordIndex ?? throw new InvalidOperationException(
            "The tokenizer has no word index yet: call FitOnTexts (or FromJson) first. (Keras's Tokenizer would treat every word as unknown here; an unfitted tokenizer is refused instead.)");
}
