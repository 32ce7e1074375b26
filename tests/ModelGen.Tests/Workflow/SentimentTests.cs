using Sentiment;

namespace ModelGen.Tests;

/// <summary>The Sentiment sample's pipeline on the real UCI data (from ../shared, as in this repository's CI).</summary>
public sealed class SentimentTests
{
    [SkippableFact]
    public void Reaches_70_percent_held_out_accuracy()
    {
        string? folder = SentimentData.Locate();
        Skip.If(folder is null, $"the UCI sentiment data is not at {SentimentData.SharedFolder} (a clone without ../shared); to run this test, download https://archive.ics.uci.edu/dataset/331/sentiment+labelled+sentences and unpack its three *_labelled.txt files into that folder, relative to the folder holding ModelGen.sln");

        var (texts, labels) = SentimentData.Load(folder!);
        Assert.Equal(3000, texts.Count);
        var data = SentimentData.Prepare(texts, labels, seed: 1); // the sample's split and tokenizer
        Assert.Equal(2400, data.TrainY.Length);

        var model = new SentimentModel();
        model.Initialize(seed: 2);
        model.Compile(new Adam(), Loss.BinaryCrossentropy(), "accuracy");
        model.Fit(data.TrainX, data.TrainY, epochs: 12, batchSize: 32, validationSplit: 0.2f, seed: 3, verbose: 0,
            callbacks: [new EarlyStopping(patience: 3, restoreBestWeights: true)]);
        float accuracy = model.Evaluate(data.TestX, data.TestY)["accuracy"];
        Assert.True(accuracy >= 0.70f, $"held-out accuracy {accuracy:P1}");
    }
}
