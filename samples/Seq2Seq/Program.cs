// The classic seq2seq toy, Keras-style: reverse a sequence of 6 digits with an LSTM encoder → RepeatVector → LSTM
// decoder → TimeDistributed(Dense(softmax)). The encoder reads the digits into one vector; RepeatVector hands that vector
// to the decoder at each of the 6 output steps; the decoder writes one digit per step.
//   dotnet run --project samples/Seq2Seq -c Release [trainSamples] [epochs]
using System;
using System.Diagnostics;
using System.Globalization;
using ModelGen;
using Seq2Seq;

int trainSamples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8_000;
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;

var (x, y) = ReverseData.Generate(trainSamples, seed: 1);
var (xTest, yTest) = ReverseData.Generate(1_000, seed: 2); // held out: never trained on

var model = new ReverseModel();
model.Initialize(seed: 7);
Console.WriteLine(model.Summary());
model.Compile(new Adam(learningRate: 0.005f), Loss.SparseCategoricalCrossentropy(), "accuracy");
var clock = Stopwatch.StartNew();
model.Fit(x, y, epochs: epochs, batchSize: 64, seed: 3, verbose: 2);
clock.Stop();

// "accuracy" on a sequence output counts every output step: the per-step accuracy.
var test = model.Evaluate(xTest, yTest);
var predictions = model.Predict(xTest);
int whole = 0;
for (int s = 0; s < 1_000; s++)
{
    bool right = true;
    for (int t = 0; t < ReverseData.Length; t++)
    {
        int digit = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(predictions.AsSpan((s * ReverseData.Length + t) * ReverseData.Digits, ReverseData.Digits));
        right &= digit == (int)yTest[s * ReverseData.Length + t];
    }
    whole += right ? 1 : 0;
}
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"trained on {trainSamples} sequences for {epochs} epochs in {clock.Elapsed.TotalSeconds:0.0} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"held-out per-step accuracy {test["accuracy"]:0.0000} (chance 0.1), whole sequences right {whole / 1000.0:0.000}, loss {test["loss"]:0.0000}"));
for (int s = 0; s < 5; s++)
    Console.WriteLine($"  {ReverseData.Text(xTest, s)} → {ReverseData.Text(predictions, s)}");

/// <summary>LSTM encoder → RepeatVector(6) → LSTM decoder → a softmax over the 10 digits at each of the 6 steps.</summary>
[Sequential(TimeSteps = ReverseData.Length, Features = ReverseData.Digits)]
[Lstm(64)]
[RepeatVector(ReverseData.Length)]
[Lstm(64, ReturnSequences = true)]
[TimeDistributed]
[Dense(ReverseData.Digits, Activation = "softmax")]
internal sealed partial class ReverseModel;
