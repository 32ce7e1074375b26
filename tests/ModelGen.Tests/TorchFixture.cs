using System;
using System.IO;
using System.Text.Json;

namespace ModelGen.Tests;

/// <summary>
/// One PyTorch reference case written by tests/fixtures/make_torch_fixtures.py (float64 maths on float32
/// values; PyTorch layouts and gate orders). Converts PyTorch parameters into ModelGen's Keras layout and
/// ModelGen gradients back, so the two can be compared number by number.
/// </summary>
internal sealed class TorchFixture
{
    private readonly JsonElement _root;

    private TorchFixture(JsonElement root) => _root = root;

    public static TorchFixture Load(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new TorchFixture(doc.RootElement.Clone());
    }

    public string Kind => _root.GetProperty("kind").GetString()!;
    public int InputSize => _root.GetProperty("input_size").GetInt32();
    public int Hidden => _root.GetProperty("hidden_size").GetInt32();
    public int Layers => _root.GetProperty("num_layers").GetInt32();
    public int Batch => _root.GetProperty("batch").GetInt32();
    public int Steps => _root.GetProperty("steps").GetInt32();
    public int HeadUnits => _root.GetProperty("head_units").GetInt32();
    public float[] Input => Floats(_root, "input");
    public float[] Output => Floats(_root, "output");
    public float[] FinalHidden => Floats(_root, "h_n");
    public float[] OutputWeights => Floats(_root, "output_weights");
    public float[] InputGradient => Floats(_root, "grad_input");

    /// <summary>Gates per unit and the PyTorch gate block each Keras block comes from.</summary>
    private int[] KerasToTorchGate => Kind switch
    {
        "lstm" => [0, 1, 2, 3],  // i, f, c(g), o in both
        "gru" => [1, 0, 2],      // Keras z, r, h  ←  PyTorch r, z, n
        _ => [0],
    };

    /// <summary>Writes the fixture's parameters into <paramref name="parameters"/> following <paramref name="info"/>'s layer order.</summary>
    public void LoadInto(ModelInfo info, float[] parameters)
    {
        for (int l = 0; l < Layers; l++)
        {
            var layer = _root.GetProperty("layers")[l];
            var views = info.Layers[l].Parameters;
            int inputs = l == 0 ? InputSize : Hidden;
            ToKeras(Floats(layer, "weight_ih"), inputs, parameters.AsSpan(views[0].Offset, views[0].Length));
            ToKeras(Floats(layer, "weight_hh"), Hidden, parameters.AsSpan(views[1].Offset, views[1].Length));
            var bias = parameters.AsSpan(views[2].Offset, views[2].Length);
            var bIh = Floats(layer, "bias_ih");
            var bHh = Floats(layer, "bias_hh");
            if (Kind == "gru")
            {
                // reset_after GRU: Keras bias [2, 3H] = (input bias, recurrent bias), each reordered.
                ReorderGates(bIh, bias.Slice(0, bIh.Length));
                ReorderGates(bHh, bias.Slice(bIh.Length, bHh.Length));
            }
            else
            {
                var sum = new float[bIh.Length];
                for (int i = 0; i < sum.Length; i++) sum[i] = bIh[i] + bHh[i];
                ReorderGates(sum, bias);
            }
        }
        if (HeadUnits > 0)
        {
            var head = _root.GetProperty("head");
            var views = info.Layers[Layers].Parameters;
            Transpose(Floats(head, "weight"), HeadUnits, Hidden, parameters.AsSpan(views[0].Offset, views[0].Length));
            Floats(head, "bias").CopyTo(parameters.AsSpan(views[1].Offset, views[1].Length));
        }
    }

    /// <summary>The expected gradients in ModelGen's layout (Keras), with one bias gradient per layer.</summary>
    public float[] ExpectedGradients(ModelInfo info)
    {
        var expected = new float[info.ParameterCount];
        for (int l = 0; l < Layers; l++)
        {
            var layer = _root.GetProperty("grad_layers")[l];
            var views = info.Layers[l].Parameters;
            int inputs = l == 0 ? InputSize : Hidden;
            ToKeras(Floats(layer, "weight_ih"), inputs, expected.AsSpan(views[0].Offset, views[0].Length));
            ToKeras(Floats(layer, "weight_hh"), Hidden, expected.AsSpan(views[1].Offset, views[1].Length));
            var bias = expected.AsSpan(views[2].Offset, views[2].Length);
            var gIh = Floats(layer, "bias_ih");
            ReorderGates(gIh, bias.Slice(0, gIh.Length));
            // With one summed bias (RNN, LSTM) ∂b = ∂b_ih = ∂b_hh; GRU keeps both.
            if (Kind == "gru") ReorderGates(Floats(layer, "bias_hh"), bias.Slice(gIh.Length));
        }
        if (HeadUnits > 0)
        {
            var head = _root.GetProperty("grad_head");
            var views = info.Layers[Layers].Parameters;
            Transpose(Floats(head, "weight"), HeadUnits, Hidden, expected.AsSpan(views[0].Offset, views[0].Length));
            Floats(head, "bias").CopyTo(expected.AsSpan(views[1].Offset, views[1].Length));
        }
        return expected;
    }

    // PyTorch weight [G·H, inputs] (gate blocks in PyTorch order) → Keras kernel [inputs, G·H] (Keras order).
    private void ToKeras(float[] torch, int inputs, Span<float> keras)
    {
        var map = KerasToTorchGate;
        int gates = map.Length;
        for (int kg = 0; kg < gates; kg++)
            for (int u = 0; u < Hidden; u++)
                for (int i = 0; i < inputs; i++)
                    keras[i * gates * Hidden + kg * Hidden + u] = torch[(map[kg] * Hidden + u) * inputs + i];
    }

    private void ReorderGates(float[] torch, Span<float> keras)
    {
        var map = KerasToTorchGate;
        for (int kg = 0; kg < map.Length; kg++)
            torch.AsSpan(map[kg] * Hidden, Hidden).CopyTo(keras.Slice(kg * Hidden, Hidden));
    }

    private static void Transpose(float[] src, int rows, int cols, Span<float> dst)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < cols; c++)
                dst[c * rows + r] = src[r * cols + c];
    }

    private static float[] Floats(JsonElement e, string name)
    {
        var array = e.GetProperty(name);
        var result = new float[array.GetArrayLength()];
        int i = 0;
        foreach (var v in array.EnumerateArray()) result[i++] = (float)v.GetDouble();
        return result;
    }
}
