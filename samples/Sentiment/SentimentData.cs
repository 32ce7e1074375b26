using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Text;

namespace Sentiment;

/// <summary>
/// The UCI "Sentiment Labelled Sentences" data set (Kotzias et al., 2015; CC BY 4.0): 3,000 sentences from
/// Amazon, IMDb and Yelp reviews, each labelled 1 (positive) or 0 (negative), one "sentence\tlabel" per line.
/// Download: UCI Machine Learning Repository, "Sentiment Labelled Sentences".
/// </summary>
public static class SentimentData
{
    /// <summary>The three files of the data set.</summary>
    public static readonly string[] Files = ["amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt"];

    /// <summary>Where this repository's CI keeps the data, relative to the repository root.</summary>
    public const string SharedFolder = "../shared/data/sentiment-labelled-sentences";

    /// <summary>
    /// Finds the data folder: the given one, else <see cref="SharedFolder"/> beside this repository (the nearest folder
    /// at or above the current one that holds <c>ModelGen.sln</c>; the current folder when none does). Folders above the
    /// repository are not searched, so a clone without <c>../shared</c> never picks up an unrelated <c>shared</c> folder.
    /// </summary>
    public static string? Locate(string? folder = null)
    {
        string candidate = Candidate(folder);
        return Directory.Exists(candidate) ? candidate : null;
    }

    /// <summary>
    /// The full path <see cref="Locate"/> looks at for <paramref name="folder"/> (or for <see cref="SharedFolder"/> when
    /// it is null), whether or not it exists: for a message saying where the data was expected.
    /// </summary>
    public static string Candidate(string? folder = null)
    {
        if (folder is not null) return Path.GetFullPath(folder);
        var root = new DirectoryInfo(Directory.GetCurrentDirectory());
        for (var dir = root; dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) { root = dir; break; }
        }
        return Path.GetFullPath(Path.Combine(root.FullName, SharedFolder));
    }

    /// <summary>Reads every labelled sentence of the three files, in file order.</summary>
    public static (List<string> Texts, List<float> Labels) Load(string folder)
    {
        var texts = new List<string>();
        var labels = new List<float>();
        foreach (var file in Files)
        {
            string path = Path.Combine(folder, file);
            if (!File.Exists(path)) throw new FileNotFoundException($"the sentiment data set is incomplete: '{path}' is missing", path);
            int lineNumber = 0;
            foreach (var line in File.ReadLines(path))
            {
                lineNumber++;
                if (line.Length == 0) continue;
                int tab = line.LastIndexOf('\t');
                if (tab < 0 || !int.TryParse(line.AsSpan(tab + 1).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int label) || label is not (0 or 1))
                    throw new InvalidDataException($"{file}:{lineNumber}: expected 'sentence<TAB>0|1', got '{line}'");
                texts.Add(line[..tab]);
                labels.Add(label);
            }
        }
        return (texts, labels);
    }

    /// <summary>
    /// The sample's pipeline: a seeded 80/20 split, a Tokenizer (<see cref="SentimentModel.Vocabulary"/> words and an
    /// oov token) fitted on the training sentences only, and both parts padded to <see cref="SentimentModel.MaxLength"/>.
    /// </summary>
    public static SentimentSplit Prepare(IReadOnlyList<string> texts, IReadOnlyList<float> labels, int seed)
    {
        var order = ShuffledIndices(texts.Count, seed);
        var train = order[..(texts.Count * 4 / 5)];
        var test = order[(texts.Count * 4 / 5)..];
        var tokenizer = new Tokenizer(numWords: SentimentModel.Vocabulary, oovToken: "<oov>");
        tokenizer.FitOnTexts(train.Select(i => texts[i]));
        int[] Encode(int[] part) => Sequences.PadSequences(tokenizer.TextsToSequences(part.Select(i => texts[i])), maxLen: SentimentModel.MaxLength).Data;
        float[] Labels(int[] part) => part.Select(i => labels[i]).ToArray();
        return new SentimentSplit(Encode(train), Labels(train), Encode(test), Labels(test), tokenizer.WordIndex.Count);
    }

    /// <summary>A seeded shuffle of the indices 0 … count−1, for a train/test split.</summary>
    public static int[] ShuffledIndices(int count, int seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++) order[i] = i;
        new Random(seed).Shuffle(order);
        return order;
    }
}

/// <summary>Padded token ids <c>[samples, MaxLength]</c> and 0/1 labels for training and testing.</summary>
/// <param name="TrainX">Training token ids.</param>
/// <param name="TrainY">Training labels.</param>
/// <param name="TestX">Held-out token ids.</param>
/// <param name="TestY">Held-out labels.</param>
/// <param name="DistinctWords">Words the tokenizer saw in the training sentences.</param>
#pragma warning disable CA1819 // flat arrays are what Fit takes
public sealed record SentimentSplit(int[] TrainX, float[] TrainY, int[] TestX, float[] TestY, int DistinctWords);
#pragma warning restore CA1819

/// <summary>Embedding → LSTM → Dense(1, sigmoid) over padded token sequences.</summary>
[ModelGen.Sequential(TimeSteps = SentimentModel.MaxLength)]
[ModelGen.Embedding(SentimentModel.Vocabulary, 32)]
[ModelGen.Lstm(32)]
[ModelGen.Dense(1, Activation = "sigmoid")]
public sealed partial class SentimentModel
{
    /// <summary>Words kept by the tokenizer (Keras num_words), so token ids stay below this.</summary>
    public const int Vocabulary = 4000;

    /// <summary>Sequences are padded or truncated to this many tokens.</summary>
    public const int MaxLength = 40;
}
