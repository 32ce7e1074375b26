using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace ModelGen.Text;

// Saving and loading in the format of Keras's Tokenizer.to_json() / tokenizer_from_json().
public sealed partial class Tokenizer
{
    /// <summary>
    /// Keras's <c>tokenizer.to_json()</c>: <c>{"class_name": "Tokenizer", "config": {…}}</c> with the settings, the
    /// document count and the five dictionaries (<c>word_counts</c>, <c>word_docs</c>, <c>index_docs</c>,
    /// <c>index_word</c>, <c>word_index</c>), each a JSON text inside a string as Keras writes them. Keras's
    /// <c>tokenizer_from_json</c> reads it back, and so does <see cref="FromJson"/>.
    /// </summary>
    /// <returns>The JSON text, with non-ASCII characters written as themselves (UTF-8), as Keras writes them.</returns>
    public string ToJson()
    {
        var options = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            w.WriteStartObject();
            w.WriteString("class_name", "Tokenizer");
            w.WriteStartObject("config");
            if (NumWords is int n) w.WriteNumber("num_words", n); else w.WriteNull("num_words");
            w.WriteString("filters", Filters);
            w.WriteBoolean("lower", Lower);
            w.WriteString("split", Split);
            w.WriteBoolean("char_level", CharLevel);
            if (OovToken is null) w.WriteNull("oov_token"); else w.WriteString("oov_token", OovToken);
            w.WriteNumber("document_count", DocumentCount);
            w.WriteString("word_counts", Inner(_wordCounts, options));
            w.WriteString("word_docs", Inner(_wordDocs, options));
            var indexDocs = new List<KeyValuePair<string, int>>();
            if (_wordIndex is not null)
                foreach (var (word, docs) in _wordDocs)
                    if (_wordIndex.TryGetValue(word, out int index)) indexDocs.Add(new(index.ToString(CultureInfo.InvariantCulture), docs));
            w.WriteString("index_docs", Inner(indexDocs, options));
            var indexWord = new List<KeyValuePair<string, string>>();
            if (_wordIndex is not null)
                foreach (var (word, index) in _wordIndex) indexWord.Add(new(index.ToString(CultureInfo.InvariantCulture), word));
            w.WriteString("index_word", Inner(indexWord, options));
            w.WriteString("word_index", Inner((IEnumerable<KeyValuePair<string, int>>?)_wordIndex ?? [], options));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Writes <see cref="ToJson"/> to <paramref name="path"/> atomically (temporary file, then rename).</summary>
    /// <param name="path">The file to write (UTF-8), replaced if it exists.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(ToJson()));
    }

    /// <summary>Reads a tokenizer saved by <see cref="Save"/> or by Keras (<c>open(p, "w").write(tokenizer.to_json())</c>).</summary>
    /// <exception cref="InvalidDataException">The file is not a tokenizer JSON; the message names the path and the fault.</exception>
    /// <param name="path">The JSON file to read.</param>
    /// <returns>A tokenizer with the saved settings, counts and word index.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Tokenizer Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath.CheckReadable(path);
        try
        {
            return FromJson(File.ReadAllText(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"'{path}': {e.Message}", e);
        }
    }

    /// <summary>
    /// Keras's <c>tokenizer_from_json</c>: the settings, counts and word index of <paramref name="json"/>, as written by
    /// Keras's <c>Tokenizer.to_json()</c> or <see cref="ToJson"/>. Like Keras, the word index is taken from the file
    /// (not recomputed), so the tokenizer maps texts exactly as the one that was saved.
    /// </summary>
    /// <exception cref="InvalidDataException">Not valid JSON, not a Tokenizer, or a field of the wrong kind; the message names it.</exception>
    /// <param name="json">The JSON text.</param>
    /// <returns>A tokenizer with the saved settings, counts and word index.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="json"/> is null.</exception>
    public static Tokenizer FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw new InvalidDataException($"expected a JSON object, found {root.ValueKind}");
            if (root.TryGetProperty("class_name", out var cls) && cls.GetString() != "Tokenizer")
                throw new InvalidDataException($"class_name is \"{cls.GetString()}\"; expected \"Tokenizer\"");
            if (!root.TryGetProperty("config", out var c) || c.ValueKind != JsonValueKind.Object)
                throw new InvalidDataException("no \"config\" object (expected Keras's {\"class_name\": \"Tokenizer\", \"config\": {…}})");

            int? numWords = c.TryGetProperty("num_words", out var nw) && nw.ValueKind != JsonValueKind.Null ? Int(nw, "num_words") : null;
            var tokenizer = new Tokenizer(
                numWords,
                String(c, "filters", DefaultFilters),
                Bool(c, "lower", true),
                String(c, "split", " "),
                Bool(c, "char_level", false),
                c.TryGetProperty("oov_token", out var oov) && oov.ValueKind != JsonValueKind.Null ? Text(oov, "oov_token") : null);
            tokenizer.DocumentCount = c.TryGetProperty("document_count", out var dc) ? Int(dc, "document_count") : 0;
            foreach (var (k, v) in Counts(c, "word_counts")) tokenizer._wordCounts[k] = v;
            foreach (var (k, v) in Counts(c, "word_docs")) tokenizer._wordDocs[k] = v;

            var wordIndex = Counts(c, "word_index");
            if (wordIndex.Count == 0 && tokenizer._wordCounts.Count == 0) return tokenizer; // never fitted
            var index = new OrderedDictionary<string, int>(wordIndex.Count, StringComparer.Ordinal);
            var inverse = new Dictionary<int, string>(wordIndex.Count);
            foreach (var (word, i) in wordIndex)
            {
                if (i <= 0) throw new InvalidDataException($"word_index gives '{word}' index {i}; expected indices from 1 (0 is padding)");
                index[word] = i;
                inverse.TryAdd(i, word);
            }
            // index_word, when present, is what Keras's sequences_to_texts reads.
            foreach (var (key, word) in Words(c, "index_word"))
            {
                if (!int.TryParse(key, NumberStyles.None, CultureInfo.InvariantCulture, out int i) || i <= 0)
                    throw new InvalidDataException($"index_word has key \"{key}\"; expected positive integers");
                inverse[i] = word;
            }
            tokenizer._wordIndex = index;
            tokenizer._indexWord = inverse;
            tokenizer._wordIndexView = new ReadOnlyDictionary<string, int>(index);
            tokenizer._indexWordView = new ReadOnlyDictionary<int, string>(inverse);
            return tokenizer;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"not a tokenizer JSON: {e.Message}", e);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"the tokenizer settings are not valid: {e.Message}", e);
        }
        catch (InvalidOperationException e) // a value of another JSON type where a string is read, or a lone surrogate (GetString)
        {
            throw new InvalidDataException($"not a tokenizer JSON: {e.Message}", e);
        }
    }

    /// <summary>A JSON object as text (Keras stores each dictionary as a JSON string inside the config).</summary>
    private static string Inner<TValue>(IEnumerable<KeyValuePair<string, TValue>> pairs, JsonWriterOptions options)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, options))
        {
            w.WriteStartObject();
            foreach (var (k, v) in pairs)
            {
                if (v is int n) w.WriteNumber(k, n);
                else w.WriteString(k, v?.ToString());
            }
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>A dictionary field: a JSON text in a string (Keras) or, leniently, an object.</summary>
    private static JsonElement? Dictionary(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String)
        {
            using var inner = JsonDocument.Parse(value.GetString()!);
            value = inner.RootElement.Clone();
        }
        if (value.ValueKind != JsonValueKind.Object)
            throw new InvalidDataException($"\"{name}\" is a JSON {value.ValueKind}; expected an object (or its JSON text)");
        return value;
    }

    private static List<(string, int)> Counts(JsonElement config, string name)
    {
        var result = new List<(string, int)>();
        if (Dictionary(config, name) is not { } d) return result;
        foreach (var p in d.EnumerateObject()) result.Add((p.Name, Int(p.Value, $"{name}[\"{p.Name}\"]")));
        return result;
    }

    private static List<(string, string)> Words(JsonElement config, string name)
    {
        var result = new List<(string, string)>();
        if (Dictionary(config, name) is not { } d) return result;
        foreach (var p in d.EnumerateObject()) result.Add((p.Name, Text(p.Value, $"{name}[\"{p.Name}\"]")));
        return result;
    }

    private static int Int(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= 0
            ? v
            : throw new InvalidDataException($"{what} is {e.GetRawText()}; expected a non-negative integer");

    private static string Text(JsonElement e, string what) =>
        e.ValueKind == JsonValueKind.String ? e.GetString()! : throw new InvalidDataException($"{what} is {e.GetRawText()}; expected a string");

    private static string String(JsonElement config, string name, string fallback) =>
        config.TryGetProperty(name, out var v) ? Text(v, name) : fallback;

    private static bool Bool(JsonElement config, string name, bool fallback) =>
        !config.TryGetProperty(name, out var v) ? fallback
        : v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean()
        : throw new InvalidDataException($"{name} is {v.GetRawText()}; expected true or false");
}
