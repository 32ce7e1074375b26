// A model trained in PyTorch (train.py), imported into ModelGen, compared with PyTorch's own predictions, exported
// to ONNX and run in ONNX Runtime.
using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen;
using ModelGen.Interop;

string folder = AppContext.BaseDirectory;
using var test = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "test.json")));
var root = test.RootElement;
string[] classes = root.GetProperty("classes").EnumerateArray().Select(c => c.GetString()!).ToArray();
float[][] inputs = root.GetProperty("inputs").EnumerateArray().Select(s => s.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
int[] labels = root.GetProperty("labels").EnumerateArray().Select(v => v.GetInt32()).ToArray();
float[][] torch = root.GetProperty("torch_probabilities").EnumerateArray().Select(s => s.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
int batch = inputs.Length;

// 1. PyTorch's state_dict into the equivalent declaration (module names = layer names: lstm, head).
var model = new WaveClassifier();
model.LoadPyTorchWeights(Path.Combine(folder, "model.safetensors"));
var x = inputs.SelectMany(s => s).ToArray();
var ours = new float[model.OutputLength(batch, WaveClassifier.TimeSteps)];
model.Forward(x, batch, WaveClassifier.TimeSteps, ours);

// 2. ONNX out, ONNX Runtime in.
string onnxPath = Path.Combine(Path.GetTempPath(), "wave_classifier.onnx");
model.ExportOnnx(onnxPath);
using var session = new InferenceSession(onnxPath);
using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, [batch, WaveClassifier.TimeSteps, 1]))]);
var ort = results.Single().AsTensor<float>().ToArray();

Console.WriteLine($"PyTorch test accuracy when trained: {root.GetProperty("accuracy").GetDouble():P1}");
Console.WriteLine();
Console.WriteLine("sample  label     PyTorch (sine square saw)   ModelGen                    ONNX Runtime");
double worstOurs = 0, worstOrt = 0;
for (int b = 0; b < batch; b++)
{
    string Row(ReadOnlySpan<float> p) => string.Join(" ", p.ToArray().Select(v => v.ToString("0.0000", System.Globalization.CultureInfo.InvariantCulture)));
    var mine = ours.AsSpan(b * 3, 3);
    var runtime = ort.AsSpan(b * 3, 3);
    for (int k = 0; k < 3; k++)
    {
        worstOurs = Math.Max(worstOurs, Math.Abs(mine[k] - torch[b][k]));
        worstOrt = Math.Max(worstOrt, Math.Abs(runtime[k] - mine[k]));
    }
    Console.WriteLine($"{b,6}  {classes[labels[b]],-8}  {Row(torch[b]),-26}  {Row(mine),-26}  {Row(runtime)}");
}
Console.WriteLine();
Console.WriteLine($"largest difference ModelGen vs PyTorch: {worstOurs:E1}; ONNX Runtime vs ModelGen: {worstOrt:E1}");
Console.WriteLine($"ONNX model written to {onnxPath}");

/// <summary>The PyTorch module of train.py: LSTM(16) over 20 steps of one feature, then Linear(3) + softmax.</summary>
[Sequential(TimeSteps = 20, Features = 1)]
[Lstm(16, Name = "lstm")]
[Dense(3, Activation = "softmax", Name = "head")]
internal sealed partial class WaveClassifier;
