using System;
using System.IO;
using System.Text.Json;

namespace ModelGen.Tests;

/// <summary>
/// One PyTorch reference case written by tests/fixtures/make_torch_fixtures.py (float64 maths on float32
/// values; PyTorch layouts and gate orders). Converts PyTorch parameters into ModelGen's Keras layout and
/// ModelGen gradients back, so the two can be compared number by number. Bidirectional fixtures hold one set of
/// weights per layer and direction (PyTorch's order: forward, then <c>_reverse</c>), as do their states.
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

    /// <summary>2 for a bidirectional module (<c>"directions"</c>; absent from the single-direction fixtures), else 1.</summary>
    public int Directions => _root.TryGetProperty("directions", out var d) ? d.GetInt32() : 1;

    /// <summary>Features per step of the recurrent output: both directions' halves side by side.</summary>
    public int OutputFeatures => Directions * Hidden;

    public float[] Input => Floats(_root, "input");
    public float[] Output => Floats(_root, "output");
    public float[] OutputWeights => Floats(_root, "output_weights");
    public float[] InputGradient => Floats(_root, "grad_input");

    // States, [batch, hidden] each, of layer l and direction d at index l·Directions + d (PyTorch's order,
    // forward then reverse). h_0 / c_0 and their gradients exist only in the fixtures made with initial states.
    public float[] FinalState(int index) => State("h_n", index);
    public float[] FinalCellState(int index) => State("c_n", index);
    public float[] InitialState(int index) => State("h_0", index);
    public float[] InitialCellState(int index) => State("c_0", index);
    public float[] InitialStateGradient(int index) => State("grad_h_0", index);
    public float[] InitialCellStateGradient(int index) => State("grad_c_0", index);

    // The "hn" fixtures' loss weights of the final states, S and S_c: loss = Σ output ⊙ R + Σ h_n ⊙ S + Σ c_n ⊙ S_c.
    public float[] FinalStateWeights(int index) => State("h_n_weights", index);
    public float[] FinalCellStateWeights(int index) => State("c_n_weights", index);

    private float[] State(string key, int index)
    {
        int size = Batch * Hidden;
        return Floats(_root, key).AsSpan(index * size, size).ToArray();
    }

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
        for (int d = 0; d < Directions; d++)
        {
            var layer = _root.GetProperty("layers")[l * Directions + d];
            var views = DirectionViews(info, l, d);
            int inputs = l == 0 ? InputSize : OutputFeatures;
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
            Transpose(Floats(head, "weight"), HeadUnits, OutputFeatures, parameters.AsSpan(views[0].Offset, views[0].Length));
            Floats(head, "bias").CopyTo(parameters.AsSpan(views[1].Offset, views[1].Length));
        }
    }

    /// <summary>The expected gradients in ModelGen's layout (Keras), with one bias gradient per layer.</summary>
    public float[] ExpectedGradients(ModelInfo info)
    {
        var expected = new float[info.ParameterCount];
        for (int l = 0; l < Layers; l++)
        for (int d = 0; d < Directions; d++)
        {
            var layer = _root.GetProperty("grad_layers")[l * Directions + d];
            var views = DirectionViews(info, l, d);
            int inputs = l == 0 ? InputSize : OutputFeatures;
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
            Transpose(Floats(head, "weight"), HeadUnits, OutputFeatures, expected.AsSpan(views[0].Offset, views[0].Length));
            Floats(head, "bias").CopyTo(expected.AsSpan(views[1].Offset, views[1].Length));
        }
        return expected;
    }

    /// <summary>
    /// Kernel, recurrent kernel and bias of direction <paramref name="direction"/> of recurrent layer
    /// <paramref name="layer"/>. A Bidirectional layer lists the forward copy's three, then the backward copy's
    /// (Keras's weight order), which PyTorch calls <c>…_reverse</c>.
    /// </summary>
    private ParameterInfo[] DirectionViews(ModelInfo info, int layer, int direction)
    {
        var views = info.Layers[layer].Parameters;
        if (views.Count != 3 * Directions)
            throw new InvalidOperationException($"layer {layer} '{info.Layers[layer].Name}' has {views.Count} parameter views, expected {3 * Directions}");
        var result = new ParameterInfo[3];
        for (int i = 0; i < 3; i++) result[i] = views[direction * 3 + i];
        return result;
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
