using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ModelGen.Interop;

namespace ModelGen.Tests.Interop;

/// <summary>
/// One case of tests/fixtures/make_interop_fixtures.py: the PyTorch state_dict (safetensors), the input, PyTorch's
/// output, and the ModelGen declaration and module names that correspond to the PyTorch module.
/// </summary>
internal sealed class InteropFixture
{
    private InteropFixture(string name, Func<ISequentialModel> create, PyTorchNameMap? names)
    {
        Name = name;
        Create = create;
        Names = names;
    }

    public string Name { get; }
    public Func<ISequentialModel> Create { get; }
    public PyTorchNameMap? Names { get; }

    public static string Folder => Path.Combine(AppContext.BaseDirectory, "Fixtures", "Interop");

    /// <summary>The fixtures folder in the source tree (where the export test writes when asked to).</summary>
    public static string SourceFolder([CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "..", "Fixtures", "Interop");

    public string WeightsPath => Path.Combine(Folder, Name + ".safetensors");

    private JsonElement Record => _record ??= Load(Path.Combine(Folder, Name + ".json"));
    private JsonElement? _record;

    public JsonElement Spec => Record.GetProperty("spec");
    public int Batch => Spec.GetProperty("batch").GetInt32();
    public int Steps => Spec.GetProperty("steps").GetInt32();
    public bool TakesTokens => Spec.GetProperty("vocab").GetInt32() > 0;
    public float[] Output => Floats(Record.GetProperty("output"));

    /// <summary>PyTorch's output for ModelGen's export, loaded with strict=True (stage 2 of the script), or null before it ran.</summary>
    public float[]? ExportOutput
    {
        get
        {
            string path = Path.Combine(Folder, "exported", Name + ".json");
            return File.Exists(path) ? Floats(Load(path).GetProperty("output")) : null;
        }
    }

    public static JsonElement Load(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    public static float[] Floats(JsonElement array) => array.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray();

    /// <summary>Runs <paramref name="model"/> on the fixture's input.</summary>
    public float[] Run(ISequentialModel model)
    {
        var output = new float[model.OutputLength(Batch, Steps)];
        var input = Record.GetProperty("input");
        if (TakesTokens)
            ((ISequentialModel<int>)model).Forward(input.EnumerateArray().Select(v => v.GetInt32()).ToArray(), Batch, Steps, output);
        else
            ((ISequentialModel<float>)model).Forward(Floats(input), Batch, Steps, output);
        return output;
    }

    public override string ToString() => Name;

    public static readonly IReadOnlyDictionary<string, InteropFixture> All = new[]
    {
        new InteropFixture("rnn_tanh", () => new TorchRnnTanh(), new PyTorchNameMap().Map("simple_rnn", "rnn")),
        new InteropFixture("rnn_relu_l2", () => new TorchRnnReluStacked(),
            new PyTorchNameMap().Map("simple_rnn", "rnn", 0).Map("simple_rnn_1", "rnn", 1).Map("dense", "fc")),
        new InteropFixture("lstm", () => new TorchLstm(), null),
        new InteropFixture("lstm_l2", () => new TorchLstmStacked(),
            new PyTorchNameMap().Map("lstm", "rnn", 0).Map("lstm_1", "rnn", 1).Map("dense", "fc")),
        new InteropFixture("lstm_bi_l2", () => new TorchLstmBidirectionalStacked(),
            new PyTorchNameMap().Map("bidirectional", "rnn", 0).Map("bidirectional_1", "rnn", 1).Map("dense", "fc")),
        new InteropFixture("lstm_nobias", () => new TorchLstmNoBias(), new PyTorchNameMap().Map("lstm", "rnn").Map("dense", "fc")),
        new InteropFixture("gru", () => new TorchGru(), null),
        new InteropFixture("gru_bi_l2_steps", () => new TorchGruBidirectionalSteps(),
            new PyTorchNameMap().Map("bidirectional", "rnn", 0).Map("bidirectional_1", "rnn", 1).Map("time_distributed", "fc")),
        new InteropFixture("emb_lstm", () => new TorchEmbeddingLstm(), new PyTorchNameMap().Map("lstm", "rnn").Map("dense", "fc")),
        new InteropFixture("emb_gru_bi", () => new TorchEmbeddingGruBidirectional(), new PyTorchNameMap().Map("bidirectional", "rnn").Map("dense", "fc")),
        new InteropFixture("emb_rnn_steps", () => new TorchEmbeddingRnnSteps(), new PyTorchNameMap().Map("simple_rnn", "rnn").Map("dense", "fc")),
    }.ToDictionary(f => f.Name);

    public static TheoryData<string> Names_ => new(All.Keys);
}
