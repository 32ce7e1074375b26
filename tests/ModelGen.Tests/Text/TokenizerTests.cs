using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Text;

namespace ModelGen.Tests.Text;

/// <summary>
/// <see cref="Tokenizer"/> against Keras's <c>tf.keras.preprocessing.text.Tokenizer</c>: every expected value is what
/// the Keras call in the comment above it returns.
/// </summary>
public sealed class TokenizerTests
{
    // Counts: dog 1, cat 2, bird 2, fish 1 (first appearance in that order).
    private static readonly string[] Corpus = ["dog cat", "cat bird bird", "fish"];

    private static Tokenizer Fitted(Tokenizer tokenizer, params string[] texts)
    {
        tokenizer.FitOnTexts(texts);
        return tokenizer;
    }

    private static KeyValuePair<string, int>[] Pairs(params (string Key, int Value)[] pairs) =>
        pairs.Select(p => new KeyValuePair<string, int>(p.Key, p.Value)).ToArray();

    [Fact]
    public void Default_filters_are_keras_defaults()
    {
        // Tokenizer().filters == '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
        Assert.Equal("!\"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n", Tokenizer.DefaultFilters);
        Assert.Equal(Tokenizer.DefaultFilters, new Tokenizer().Filters);
        Assert.DoesNotContain('\'', Tokenizer.DefaultFilters);
    }

    [Fact]
    public void Word_index_orders_by_count_then_first_appearance()
    {
        // t = Tokenizer(); t.fit_on_texts(['dog cat', 'cat bird bird', 'fish'])
        // t.word_index  -> {'cat': 1, 'bird': 2, 'dog': 3, 'fish': 4}
        // t.word_counts -> OrderedDict([('dog', 1), ('cat', 2), ('bird', 2), ('fish', 1)])
        var t = Fitted(new Tokenizer(), Corpus);
        Assert.Equal(Pairs(("cat", 1), ("bird", 2), ("dog", 3), ("fish", 4)), t.WordIndex.ToArray());
        Assert.Equal(Pairs(("dog", 1), ("cat", 2), ("bird", 2), ("fish", 1)), t.WordCounts.ToArray());
        Assert.Equal(3, t.DocumentCount);
        Assert.Equal("bird", t.IndexWord[2]);
        Assert.Equal("fish", t.IndexWord[4]);
        Assert.False(t.IndexWord.ContainsKey(0));
    }

    [Fact]
    public void Keras_classic_example()
    {
        // t = Tokenizer(); t.fit_on_texts(['The cat sat on the mat.', 'The dog ate my homework.'])
        // t.word_index -> {'the': 1, 'cat': 2, 'sat': 3, 'on': 4, 'mat': 5, 'dog': 6, 'ate': 7, 'my': 8, 'homework': 9}
        // t.texts_to_sequences(same) -> [[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]]
        // t.sequences_to_texts(that) -> ['the cat sat on the mat', 'the dog ate my homework']
        string[] texts = ["The cat sat on the mat.", "The dog ate my homework."];
        var t = Fitted(new Tokenizer(), texts);
        Assert.Equal(Pairs(("the", 1), ("cat", 2), ("sat", 3), ("on", 4), ("mat", 5), ("dog", 6), ("ate", 7), ("my", 8), ("homework", 9)),
            t.WordIndex.ToArray());
        int[][] sequences = t.TextsToSequences(texts);
        Assert.Equal([[1, 2, 3, 4, 1, 5], [1, 6, 7, 8, 9]], sequences);
        Assert.Equal(["the cat sat on the mat", "the dog ate my homework"], t.SequencesToTexts(sequences));
    }

    [Fact]
    public void Fitting_again_accumulates_counts_and_rebuilds_the_index()
    {
        // t = Tokenizer(); t.fit_on_texts(['a b']); t.fit_on_texts(['b c'])
        // t.word_index -> {'b': 1, 'a': 2, 'c': 3};  t.document_count -> 2
        var t = Fitted(new Tokenizer(), "a b");
        Assert.Equal(Pairs(("a", 1), ("b", 2)), t.WordIndex.ToArray());
        t.FitOnTexts(["b c"]);
        Assert.Equal(Pairs(("b", 1), ("a", 2), ("c", 3)), t.WordIndex.ToArray());
        Assert.Equal(Pairs(("a", 1), ("b", 2), ("c", 1)), t.WordCounts.ToArray());
        Assert.Equal(2, t.DocumentCount);
    }

    [Fact]
    public void Word_docs_count_texts_not_occurrences()
    {
        // t = Tokenizer(); t.fit_on_texts(['a a b', 'a c']); dict(t.word_docs) -> {'a': 2, 'b': 1, 'c': 1}
        var t = Fitted(new Tokenizer(), "a a b", "a c");
        Assert.Equal(2, t.WordDocs["a"]);
        Assert.Equal(1, t.WordDocs["b"]);
        Assert.Equal(1, t.WordDocs["c"]);
        Assert.Equal(3, t.WordCounts["a"]);
    }

    [Fact]
    public void Unknown_words_are_dropped_without_an_oov_token()
    {
        // t = Tokenizer(); t.fit_on_texts(corpus); t.texts_to_sequences(['dog cat fish bird zebra']) -> [[3, 1, 4, 2]]
        var t = Fitted(new Tokenizer(), Corpus);
        Assert.Equal([[3, 1, 4, 2]], t.TextsToSequences(["dog cat fish bird zebra"]));
    }

    [Fact]
    public void Num_words_keeps_indices_below_it()
    {
        // t = Tokenizer(num_words=3); t.fit_on_texts(corpus)
        // t.texts_to_sequences(['dog cat fish bird zebra']) -> [[1, 2]]
        // t.sequences_to_texts([[1, 2, 3, 4, 0]])           -> ['cat bird']
        var t = Fitted(new Tokenizer(numWords: 3), Corpus);
        Assert.Equal([[1, 2]], t.TextsToSequences(["dog cat fish bird zebra"]));
        Assert.Equal(["cat bird"], t.SequencesToTexts([[1, 2, 3, 4, 0]]));
        Assert.Equal(4, t.WordIndex.Count); // the index itself keeps every word
    }

    [Fact]
    public void Num_words_zero_means_no_limit()
    {
        // t = Tokenizer(num_words=0); t.fit_on_texts(corpus); t.texts_to_sequences(['fish dog']) -> [[4, 3]]
        var t = Fitted(new Tokenizer(numWords: 0), Corpus);
        Assert.Equal([[4, 3]], t.TextsToSequences(["fish dog"]));
    }

    [Fact]
    public void Oov_token_takes_index_one_and_replaces_unknown_words()
    {
        // t = Tokenizer(oov_token='<OOV>'); t.fit_on_texts(corpus)
        // t.word_index -> {'<OOV>': 1, 'cat': 2, 'bird': 3, 'dog': 4, 'fish': 5}
        // t.texts_to_sequences(['dog cat fish bird zebra']) -> [[4, 2, 5, 3, 1]]
        var t = Fitted(new Tokenizer(oovToken: "<OOV>"), Corpus);
        Assert.Equal(Pairs(("<OOV>", 1), ("cat", 2), ("bird", 3), ("dog", 4), ("fish", 5)), t.WordIndex.ToArray());
        Assert.Equal("<OOV>", t.IndexWord[1]);
        Assert.Equal([[4, 2, 5, 3, 1]], t.TextsToSequences(["dog cat fish bird zebra"]));
    }

    [Fact]
    public void Oov_token_replaces_words_beyond_num_words()
    {
        // t = Tokenizer(num_words=4, oov_token='<OOV>'); t.fit_on_texts(corpus)
        // t.texts_to_sequences(['dog cat fish bird zebra']) -> [[1, 2, 1, 3, 1]]
        // t.sequences_to_texts([[0, 0, 2, 3, 4, 5, 9]]) -> ['<OOV> <OOV> cat bird <OOV> <OOV> <OOV>']
        var t = Fitted(new Tokenizer(numWords: 4, oovToken: "<OOV>"), Corpus);
        Assert.Equal([[1, 2, 1, 3, 1]], t.TextsToSequences(["dog cat fish bird zebra"]));
        Assert.Equal(["<OOV> <OOV> cat bird <OOV> <OOV> <OOV>"], t.SequencesToTexts([[0, 0, 2, 3, 4, 5, 9]]));
    }

    [Fact]
    public void Oov_token_that_is_also_a_word_takes_the_words_index()
    {
        // Keras builds dict(zip(['cat', 'dog', 'cat'], [1, 2, 3])), so the word's entry overwrites the OOV entry:
        // t = Tokenizer(oov_token='cat'); t.fit_on_texts(['cat dog dog'])
        // t.word_index -> {'cat': 3, 'dog': 2};  t.index_word -> {3: 'cat', 2: 'dog'}
        // t.texts_to_sequences(['cat dog bird']) -> [[3, 2, 3]];  t.sequences_to_texts([[1, 2, 3]]) -> ['cat dog cat']
        var t = Fitted(new Tokenizer(oovToken: "cat"), "cat dog dog");
        Assert.Equal(Pairs(("cat", 3), ("dog", 2)), t.WordIndex.ToArray());
        Assert.False(t.IndexWord.ContainsKey(1));
        Assert.Equal([[3, 2, 3]], t.TextsToSequences(["cat dog bird"]));
        Assert.Equal(["cat dog cat"], t.SequencesToTexts([[1, 2, 3]]));
    }

    [Fact]
    public void Punctuation_tabs_and_newlines_are_filtered_and_apostrophes_kept()
    {
        // text_to_word_sequence("Hello, World!\tIt's\nfine...  ok") -> ['hello', 'world', "it's", 'fine', 'ok']
        Assert.Equal(["hello", "world", "it's", "fine", "ok"], Tokenizer.TextToWordSequence("Hello, World!\tIt's\nfine...  ok"));
    }

    [Fact]
    public void Text_to_word_sequence_options()
    {
        // text_to_word_sequence('a\tb c', filters='')              -> ['a\tb', 'c']
        // text_to_word_sequence('Hello World', lower=False)        -> ['Hello', 'World']
        // text_to_word_sequence('a,b,,c', filters='', split=',')   -> ['a', 'b', 'c']
        // text_to_word_sequence('a.b--c', filters='.', split='--') -> ['a', 'b', 'c']
        Assert.Equal(["a\tb", "c"], Tokenizer.TextToWordSequence("a\tb c", filters: ""));
        Assert.Equal(["Hello", "World"], Tokenizer.TextToWordSequence("Hello World", lower: false));
        Assert.Equal(["a", "b", "c"], Tokenizer.TextToWordSequence("a,b,,c", filters: "", split: ","));
        Assert.Equal(["a", "b", "c"], Tokenizer.TextToWordSequence("a.b--c", filters: ".", split: "--"));
        Assert.Empty(Tokenizer.TextToWordSequence(" ,.; \n"));
    }

    [Fact]
    public void Lower_casing_is_pythons_str_lower()
    {
        // text_to_word_sequence('ΟΔΟΣ ΣΑΣ İstanbul 𐐀X') -> ['οδος', 'σας', 'i̇stanbul', '𐐨x']
        // (final sigma; 'İ'.lower() == 'i\u0307'; Deseret capital to small, outside the BMP)
        Assert.Equal(["οδος", "σας", "i\u0307stanbul", "\U00010428x"], Tokenizer.TextToWordSequence("ΟΔΟΣ ΣΑΣ İstanbul \U00010400X"));
    }

    [Fact]
    public void Tokenizer_uses_its_filters_lower_and_split()
    {
        // t = Tokenizer(filters='', lower=False, split=','); t.fit_on_texts(['A,b!,A'])
        // t.word_index -> {'A': 1, 'b!': 2}
        var t = Fitted(new Tokenizer(filters: "", lower: false, split: ","), "A,b!,A");
        Assert.Equal(Pairs(("A", 1), ("b!", 2)), t.WordIndex.ToArray());
        // t.texts_to_sequences(['a,A,b!']) -> [[1, 2]]
        Assert.Equal([[1, 2]], t.TextsToSequences(["a,A,b!"]));
    }

    [Fact]
    public void Char_level_counts_every_character_without_filtering()
    {
        // t = Tokenizer(char_level=True); t.fit_on_texts(['Hello!', 'ok'])
        // t.word_index -> {'l': 1, 'o': 2, 'h': 3, 'e': 4, '!': 5, 'k': 6}
        // t.texts_to_sequences(['Hi!'])           -> [[3, 5]]
        // t.sequences_to_texts([[3, 4, 1, 1, 2]]) -> ['h e l l o']
        var t = Fitted(new Tokenizer(charLevel: true), "Hello!", "ok");
        Assert.Equal(Pairs(("l", 1), ("o", 2), ("h", 3), ("e", 4), ("!", 5), ("k", 6)), t.WordIndex.ToArray());
        Assert.Equal([[3, 5]], t.TextsToSequences(["Hi!"]));
        Assert.Equal(["h e l l o"], t.SequencesToTexts([[3, 4, 1, 1, 2]]));
    }

    [Fact]
    public void Char_level_keeps_spaces_and_code_points()
    {
        // t = Tokenizer(char_level=True, lower=False); t.fit_on_texts(['a A\U0001F600'])
        // t.word_index -> {'a': 1, ' ': 2, 'A': 3, '😀': 4}
        var t = Fitted(new Tokenizer(charLevel: true, lower: false), "a A\U0001F600");
        Assert.Equal(Pairs(("a", 1), (" ", 2), ("A", 3), ("\U0001F600", 4)), t.WordIndex.ToArray());
    }

    [Fact]
    public void Sequences_to_texts_round_trips_padded_rows()
    {
        // t = Tokenizer(oov_token='<OOV>'); t.fit_on_texts(corpus)
        // seqs = t.texts_to_sequences(['Bird, dog!', 'fish'])          -> [[3, 4], [5]]
        // pad_sequences(seqs)                                           -> [[3, 4], [0, 5]]
        // t.sequences_to_texts(pad_sequences(seqs))                     -> ['bird dog', '<OOV> fish']
        var t = Fitted(new Tokenizer(oovToken: "<OOV>"), Corpus);
        int[][] sequences = t.TextsToSequences(["Bird, dog!", "fish"]);
        Assert.Equal([[3, 4], [5]], sequences);
        var padded = Sequences.PadSequences(sequences);
        Assert.Equal("bird dog", t.SequenceToText(padded.Row(0)));
        Assert.Equal("<OOV> fish", t.SequenceToText(padded.Row(1)));

        // Without an OOV token the padding zeros are dropped:
        // t = Tokenizer(); t.fit_on_texts(corpus); t.sequences_to_texts([[0, 0, 3, 4]]) -> ['dog fish']
        var plain = Fitted(new Tokenizer(), Corpus);
        Assert.Equal(["dog fish"], plain.SequencesToTexts([[0, 0, 3, 4]]));
    }

    [Fact]
    public void Word_index_is_a_snapshot_and_views_are_read_only()
    {
        var t = Fitted(new Tokenizer(), "a");
        var before = t.WordIndex;
        t.FitOnTexts(["b b"]);
        Assert.Single(before);
        Assert.Equal(1, t.WordIndex["b"]);
        Assert.False(t.WordIndex is IDictionary<string, int> d && !d.IsReadOnly);
    }

    [Fact]
    public void Converting_before_fitting_throws()
    {
        // Keras would treat every word as unknown; an unfitted tokenizer is refused instead.
        var t = new Tokenizer();
        Assert.Empty(t.WordIndex);
        Assert.Throws<InvalidOperationException>(() => t.TextsToSequences(["a"]));
        Assert.Throws<InvalidOperationException>(() => t.SequencesToTexts([[1]]));
    }

    [Fact]
    public void Invalid_options_throw()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Tokenizer(numWords: -1));
        Assert.Equal("numWords", ex.ParamName);
        Assert.Throws<ArgumentException>(() => new Tokenizer(split: ""));
        Assert.Throws<ArgumentException>(() => Tokenizer.TextToWordSequence("a", split: ""));
        _ = new Tokenizer(split: "", charLevel: true); // split is not used at character level
    }

    [Fact]
    public void SequencesToMatrix_follows_keras_at_the_edges_and_refuses_what_keras_would_misread()
    {
        // numWords 4: index 5 is outside the row but counts in freq's length, as in Keras (c / len(seq)); index 0 has a column.
        var limited = new Tokenizer(numWords: 4);
        Assert.Equal([0f, 2f, 0f, 1f, 0f, 0f, 0f, 0f], limited.SequencesToMatrix([[1, 3, 1, 5], []], MatrixMode.Count));
        Assert.Equal([0f, 0.5f, 0f, 0.25f], limited.SequencesToMatrix([[1, 3, 1, 5]], MatrixMode.Freq));
        Assert.Equal([1f, 1f, 0f, 0f], limited.SequencesToMatrix([[0, 1, 1]]));
        // Keras would write a negative index into the row's end (numpy indexing); it is refused.
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => limited.SequencesToMatrix([[1], [2, -1]]));
        Assert.Contains("sequence 1 holds the index -1 at position 1", e.Message);
        // No width (no numWords, never fitted), and tfidf before any document: refused, as Keras refuses them.
        Assert.Throws<InvalidOperationException>(() => new Tokenizer().SequencesToMatrix([[1]]));
        Assert.Contains("fit the Tokenizer on some texts first", Assert.Throws<InvalidOperationException>(() => limited.SequencesToMatrix([[1]], MatrixMode.TfIdf)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => limited.SequencesToMatrix([[1]], (MatrixMode)7));
        // tfidf: (1 + ln c)·ln(1 + docs / (1 + docs holding the word)); 'a' is in 2 of 2 texts, 'b' in 1.
        var t = new Tokenizer();
        t.FitOnTexts(["a a b", "a"]);
        var tfidf = t.TextsToMatrix(["a a b"], MatrixMode.TfIdf);
        Assert.Equal((1 + Math.Log(2)) * Math.Log(1 + 2.0 / 3), tfidf[t.WordIndex["a"]], 6);
        Assert.Equal(Math.Log(1 + 2.0 / 2), tfidf[t.WordIndex["b"]], 6);
        Assert.Equal(0f, tfidf[0]);
    }
}
