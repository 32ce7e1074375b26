// The adding problem: 100 steps × (number, marker); the target is the sum of the two marked numbers.
// LSTM(30, return_sequences) → LSTM(30) → Dense(1), Adam, mse — the classic Keras example.
using System;
using System.Globalization;
using AdditionProblem;
using ModelGen;
using ModelGen.Plotting;

int trainSamples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

var (x, y) = AdditionData.Generate(trainSamples, AdditionModel.TimeSteps, seed: 1);
var (xTest, yTest) = AdditionData.Generate(1_000, AdditionModel.TimeSteps, seed: 2);

var model = new AdditionModel();
model.Initialize(seed: 7);
Console.WriteLine(model.Summary());
model.Compile(new Adam(learningRate: 0.01f), Loss.MeanSquaredError(), "mae");
var history = model.Fit(x, y, epochs: epochs, batchSize: 32, validationSplit: 0.1f, seed: 3);

var test = model.Evaluate(xTest, yTest);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"test mse {test["loss"]:0.0000} (predicting the mean: {AdditionData.MeanBaseline(yTest):0.0000}), test mae {test["mae"]:0.0000}"));
var predictions = model.Predict(xTest.AsSpan(0, 5 * AdditionModel.TimeSteps * 2).ToArray());
for (int i = 0; i < 5; i++)
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  target {yTest[i]:0.000}  predicted {predictions[i]:0.000}"));
history.SaveChart("addition-history.svg");
Console.WriteLine("training history chart: addition-history.svg");

/// <summary>Two stacked LSTMs over 100 steps of (number, marker).</summary>
[Sequential(TimeSteps = 100, Features = 2)]
[Lstm(30, ReturnSequences = true)]
[Lstm(30)]
[Dense(1)]
internal sealed partial class AdditionModel;
