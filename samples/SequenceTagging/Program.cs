// Many-to-many sequence labelling: a hidden regime (still, drifting, oscillating) drives a noisy 2-D track, and
// Bidirectional(GRU(16, return_sequences)) → TimeDistributed(Dense(3, softmax)) labels every one of its 40 steps.
// Adam, categorical cross-entropy, a validation split and EarlyStopping; compared with a forward-only GRU of about
// the same size, the most frequent label, and the best rule that looks at one step at a time.
using System;
using System.Diagnostics;
using System.Globalization;
using ModelGen;
using ModelGen.Plotting;
using SequenceTagging;

int trainSamples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
int epochs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
const int Steps = Tagger.Steps;

var train = TrackData.Generate(trainSamples, Steps, seed: 1); // the last 20% of it validates
var test = TrackData.Generate(1_000, Steps, seed: 2);
Console.WriteLine($"{trainSamples} training tracks (20% held out for validation), {test.Samples} test tracks, {Steps} steps each");

var tagger = new Tagger();
tagger.Initialize(seed: 3);
Console.WriteLine(tagger.Summary());
var forward = new ForwardTagger();
forward.Initialize(seed: 3);

var history = Train(tagger, "Bidirectional GRU(16)");
Train(forward, "forward-only GRU(24)");

int[] truth = test.Tags;
int[] bidirectional = TrackData.ArgMax(tagger.Predict(test.X));
int[] forwardOnly = TrackData.ArgMax(forward.Predict(test.X));
var rule = OneStepRule.Fit(train);
int[] oneStep = rule.Predict(test.X);
int majority = TrackData.MajorityClass(train.Tags);

Console.WriteLine();
Console.WriteLine($"{"per-step accuracy on the test tracks",-44} {"all steps",9}   {"2 steps either side of a change",31}   {"elsewhere",9}");
Report("Bidirectional GRU(16)", bidirectional);
Report("forward-only GRU(24)", forwardOnly);
Report(string.Create(CultureInfo.InvariantCulture, $"one step at a time: |step| < {rule.Threshold:0.00} ? S : {TrackData.LetterCodes[rule.MovingLabel]}"), oneStep);
Report($"always '{TrackData.LetterCodes[majority]}' (most frequent)", Constant(truth.Length, majority));
var evaluation = tagger.Evaluate(test.X, test.OneHot());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Bidirectional, model.Evaluate: test loss {evaluation["loss"]:0.0000}, accuracy {evaluation["accuracy"]:0.0000}"));

Console.WriteLine();
Console.WriteLine($"examples (S still, D drifting, O oscillating; ^ a wrong step):");
int shown = 0;
for (int s = 0; s < test.Samples && shown < 3; s++)
{
    string letters = test.Letters(s);
    if (Changes(letters) < 2) continue; // the interesting ones: at least two regime changes
    shown++;
    Console.WriteLine($"  truth           {letters}");
    Example("bidirectional", bidirectional, s, letters);
    Example("forward-only", forwardOnly, s, letters);
}

history.SaveChart("tagging-history.svg");
Console.WriteLine("training history chart (bidirectional): tagging-history.svg");

History Train<TModel>(TModel model, string name) where TModel : ISequentialModel<float>
{
    model.Compile(new Adam(learningRate: 0.01f), Loss.CategoricalCrossentropy(), "accuracy");
    var stop = new EarlyStopping(patience: 3, restoreBestWeights: true);
    var clock = Stopwatch.StartNew();
    var h = model.Fit(train.X, train.OneHot(), epochs: epochs, batchSize: 32, validationSplit: 0.2f, seed: 4, verbose: 2, callbacks: [stop]);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name} ({model.Info.ParameterCount:N0} parameters): {h["loss"].Count} epochs in {clock.Elapsed.TotalSeconds:0.0} s, best val_loss {h["val_loss"][stop.BestEpoch]:0.0000} (val_accuracy {h["val_accuracy"][stop.BestEpoch]:0.0000}) at epoch {stop.BestEpoch + 1}, weights restored"));
    return h;
}

void Report(string name, int[] predicted)
{
    var (near, elsewhere) = TrackData.AccuracyNearChanges(predicted, test);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"  {name,-42} {TrackData.Accuracy(predicted, truth),9:0.0000}   {near,31:0.0000}   {elsewhere,9:0.0000}"));
}

void Example(string name, int[] predicted, int sample, string letters)
{
    string tags = TrackData.ToLetters(predicted.AsSpan(sample * Steps, Steps));
    var marks = new char[Steps];
    int wrong = 0;
    for (int t = 0; t < Steps; t++) { bool bad = tags[t] != letters[t]; marks[t] = bad ? '^' : ' '; if (bad) wrong++; }
    Console.WriteLine($"  {name,-15} {tags}  {Steps - wrong}/{Steps}");
    if (wrong > 0) Console.WriteLine($"  {"",-15} {new string(marks).TrimEnd()}");
}

static int Changes(string letters)
{
    int changes = 0;
    for (int t = 1; t < letters.Length; t++) if (letters[t] != letters[t - 1]) changes++;
    return changes;
}

static int[] Constant(int length, int value)
{
    var labels = new int[length];
    Array.Fill(labels, value);
    return labels;
}
