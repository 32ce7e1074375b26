// The classic first RNN: learn to continue the sequence 0.0, 0.1, 0.2 … from windows of four values.
// SimpleRNN(10) + Dense(1), trained with plain full-batch gradient descent on the mean squared error.
using System;
using System.Globalization;
using ModelGen;

const int Windows = 6, Steps = SequenceModel.TimeSteps;
var series = new float[Windows + Steps];
for (int i = 0; i < series.Length; i++) series[i] = i / 10f;

// x[w] = series[w … w+3], y[w] = series[w+4]: [0.0 0.1 0.2 0.3] → 0.4, …, [0.5 0.6 0.7 0.8] → 0.9
var x = new float[Windows * Steps];
var y = new float[Windows];
for (int w = 0; w < Windows; w++)
{
    for (int t = 0; t < Steps; t++) x[w * Steps + t] = series[w + t];
    y[w] = series[w + Steps];
}

var model = new SequenceModel();
model.Initialize(seed: 42);
Console.WriteLine(model.Summary());

const float LearningRate = 0.05f;
const int Epochs = 3000;
var prediction = new float[Windows];
var gradient = new float[Windows];
for (int epoch = 1; epoch <= Epochs; epoch++)
{
    model.Forward(x, Windows, prediction, training: true);
    float loss = 0;
    for (int i = 0; i < Windows; i++)
    {
        float error = prediction[i] - y[i];
        loss += error * error / Windows;
        gradient[i] = 2 * error / Windows; // ∂mse/∂prediction
    }
    Array.Clear(model.Gradients);
    model.Backward(gradient);
    for (int p = 0; p < model.Parameters.Length; p++) model.Parameters[p] -= LearningRate * model.Gradients[p];
    if (epoch == 1 || epoch % 500 == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"epoch {epoch,4}  mse {loss:0.000000}"));
}

Console.WriteLine();
model.Forward(x, Windows, prediction);
for (int w = 0; w < Windows; w++)
    Console.WriteLine(Format(x.AsSpan(w * Steps, Steps), prediction[w], y[w]));

float[] unseen = [0.8f, 0.9f, 1.0f, 1.1f];
var next = new float[1];
model.Forward(unseen, 1, next);
Console.WriteLine(Format(unseen, next[0], 1.2f) + "   (not in the training data)");

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
