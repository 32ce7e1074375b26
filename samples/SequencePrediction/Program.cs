// The classic first RNN: learn to continue the sequence 0.0, 0.1, 0.2 … from windows of four values.
// SimpleRNN(10) + Dense(1), Adam and mean squared error for 100 epochs, as in the Keras tutorials.
using System;
using System.Globalization;
using ModelGen;

const int Windows = 6, Steps = SequenceModel.TimeSteps;

// x[w] = [w/10 … (w+3)/10], y[w] = (w+4)/10: [0.0 0.1 0.2 0.3] → 0.4, …, [0.5 0.6 0.7 0.8] → 0.9
var x = new float[Windows * Steps];
var y = new float[Windows];
for (int w = 0; w < Windows; w++)
{
    for (int t = 0; t < Steps; t++) x[w * Steps + t] = (w + t) / 10f;
    y[w] = (w + Steps) / 10f;
}

var model = new SequenceModel();
model.Initialize(seed: 42);
Console.WriteLine(model.Summary());
model.Compile(new Adam(learningRate: 0.01f), Loss.MeanSquaredError());
var history = model.Fit(x, y, epochs: 100, batchSize: 1, seed: 1, verbose: 0);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"after {history.Epochs.Count} epochs: mse {history["loss"][^1]:0.000000}"));

Console.WriteLine();
var predictions = model.Predict(x);
for (int w = 0; w < Windows; w++)
    Console.WriteLine(Format(x.AsSpan(w * Steps, Steps), predictions[w], y[w]));
float[] unseen = [0.8f, 0.9f, 1.0f, 1.1f];
Console.WriteLine(Format(unseen, model.Predict(unseen)[0], 1.2f) + "   (not in the training data)");

static string Format(ReadOnlySpan<float> window, float predicted, float expected)
{
    var values = new string[window.Length];
    for (int i = 0; i < window.Length; i++) values[i] = window[i].ToString("0.0", CultureInfo.InvariantCulture);
    return string.Create(CultureInfo.InvariantCulture, $"[{string.Join(' ', values)}] → {predicted:0.000} (expected {expected:0.0})");
}

/// <summary>Four steps of one feature → SimpleRNN(10) → Dense(1).</summary>
[Sequential(TimeSteps = 4, Features = 1)]
[SimpleRnn(10)]
[Dense(1)]
internal sealed partial class SequenceModel;
