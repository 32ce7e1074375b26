// Sentiment of review sentences (UCI Sentiment Labelled Sentences): Tokenizer → PadSequences →
// Embedding → LSTM → Dense(1, sigmoid), Adam, binary cross-entropy, early stopping on a validation split.
using System;
using System.Globalization;
using System.IO;
using ModelGen;
using ModelGen.Plotting;
using Sentiment;

string? given = args.Length > 0 ? args[0] : null;
string? folder = SentimentData.Locate(given);
if (folder is null)
{
    Console.Error.WriteLine($"Sentiment data not found: no folder '{SentimentData.Candidate(given)}'.");
    Console.Error.WriteLine($"Pass its folder as the first argument (this repository's CI uses {SentimentData.SharedFolder}, relative to the folder holding ModelGen.sln).");
    Console.Error.WriteLine("Download 'Sentiment Labelled Sentences' from the UCI Machine Learning Repository (CC BY 4.0, Kotzias et al. 2015).");
    return 2;
}

var (texts, labels) = SentimentData.Load(folder);
var data = SentimentData.Prepare(texts, labels, seed: 1);
Console.WriteLine($"{texts.Count} sentences, {data.DistinctWords} distinct words; training on {data.TrainY.Length}, testing on {data.TestY.Length}");

var model = new SentimentModel();
model.Initialize(seed: 2);
Console.WriteLine(model.Summary());
model.Compile(new Adam(), Loss.BinaryCrossentropy(), "accuracy");
string checkpoint = Path.Combine(Path.GetTempPath(), "sentiment.best.mgw");
var history = model.Fit(data.TrainX, data.TrainY, epochs: 20, batchSize: 32, validationSplit: 0.2f, seed: 3,
    callbacks: [new EarlyStopping(patience: 3, restoreBestWeights: true), new ModelCheckpoint(checkpoint, saveBestOnly: true)]);

var test = model.Evaluate(data.TestX, data.TestY);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"test loss {test["loss"]:0.0000}, test accuracy {test["accuracy"]:0.0000}"));
Console.WriteLine($"best weights saved to {checkpoint}");
history.SaveChart("sentiment-history.svg");
Console.WriteLine("training history chart: sentiment-history.svg");
return 0;
