using System;
using System.IO;
using System.Linq;
using ModelGen.Interop;

namespace ModelGen.Tests.Interop;

/// <summary>
/// State dicts that do not fit the declaration: every problem is reported in one exception, and the model keeps
/// the weights it had.
/// </summary>
public sealed class PyTorchMismatchTests
{
    private static readonly InteropFixture Lstm = InteropFixture.All["lstm"];

    /// <summary>The "lstm" fixture's tensors, changed by <paramref name="edit"/>.</summary>
    private static MemoryStream Edited(Func<SafeTensor[], SafeTensor[]> edit)
    {
        var tensors = edit(SafeTensorFile.Read(Lstm.WeightsPath).Tensors.ToArray());
        return new MemoryStream(SafeTensorFile.ToBytes(tensors));
    }

    private static WeightImportException Refused(ISequentialModel model, Stream stream, PyTorchNameMap? names = null, bool strict = true)
    {
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<WeightImportException>(() => model.LoadPyTorchWeights(stream, names, strict));
        Assert.Equal(before, model.Parameters);
        Assert.Contains("the model was not changed", e.Message);
        return e;
    }

    [Fact]
    public void WrongDType_IsNamed()
    {
        var e = Refused(new TorchLstm(), Edited(t => t.Select(x => x.Name == "fc.bias"
            ? new SafeTensor("fc.bias", SafeTensorDType.I32, x.Shape, x.Data) : x).ToArray()));
        Assert.Equal("'fc.bias' is I32; layer 'fc' (Dense, 2 units, 7 inputs) bias needs a floating-point tensor (F32, F16, BF16 or F64)", Assert.Single(e.Problems));
    }

    [Fact]
    public void WrongShape_IsNamed_WithWhatTheLayerNeeds()
    {
        var e = Refused(new TorchLstm(), Edited(t => t.Select(x => x.Name == "rnn.weight_hh_l0"
            ? SafeTensor.FromSingles(x.Name, new float[7 * 28], 7, 28) : x).ToArray()));
        Assert.Equal("'rnn.weight_hh_l0' is [7, 28]; layer 'rnn' (LSTM, 7 units, 3 inputs), recurrent kernel needs [28, 7]", Assert.Single(e.Problems));
    }

    /// <summary>A model's own PyTorch tensors, with their keys changed by <paramref name="rename"/>.</summary>
    private static MemoryStream Renamed(ISequentialModel model, Func<string, string> rename)
    {
        using var saved = new MemoryStream();
        model.SavePyTorchWeights(saved);
        var tensors = SafeTensorFile.Parse(saved.ToArray()).Tensors.Select(t => new SafeTensor(rename(t.Name), t.DType, t.Shape, t.Data)).ToArray();
        return new MemoryStream(SafeTensorFile.ToBytes(tensors));
    }

    [Fact]
    public void A_layers_tensors_under_another_module_name_get_the_map_or_the_name_as_the_fix()
    {
        // nn.Linear 'head' applied to every step; the user wrote Name = "head" on the Dense inside [TimeDistributed], which
        // names no ModelGen layer, and the error listed missing and unexpected keys with no word of why (trial S).
        var source = new TorchGruBidirectionalSteps();
        source.Initialize(3);
        var e = Refused(new TorchGruBidirectionalSteps(), Renamed(source, key => key.Replace("time_distributed.", "head.", StringComparison.Ordinal)));
        Assert.Contains(e.Problems, p => p.StartsWith("layer 'time_distributed' reads module 'time_distributed', and the file holds the same tensors, of the same shapes, under module 'head': " +
            "map it, new PyTorchNameMap().Map(\"time_distributed\", \"head\"), or name the layer 'head' (a wrapped layer through its wrapper, e.g. [TimeDistributed(Name = \"head\")]", StringComparison.Ordinal));
        var loaded = new TorchGruBidirectionalSteps();
        loaded.LoadPyTorchWeights(Renamed(source, key => key.Replace("time_distributed.", "head.", StringComparison.Ordinal)), new PyTorchNameMap().Map("time_distributed", "head"));
        Assert.Equal(source.Parameters, loaded.Parameters); // the suggested map loads it
    }

    [Fact]
    public void A_layer_saved_as_the_second_layer_of_a_multi_layer_module_gets_torch_layer_in_the_fix()
    {
        // nn.LSTM(num_layers=2) named 'lstm': its second layer's tensors are lstm.*_l1, which ModelGen's second Lstm ('lstm_1') reads as lstm_1.*_l0.
        var source = new TorchLstmStacked();
        source.Initialize(4);
        Func<string, string> asTwoLayers = key => key.StartsWith("lstm_1.", StringComparison.Ordinal) ? "lstm." + key["lstm_1.".Length..].Replace("_l0", "_l1", StringComparison.Ordinal) : key;
        var e = Refused(new TorchLstmStacked(), Renamed(source, asTwoLayers));
        Assert.Contains(e.Problems, p => p.Contains("as layer 1 of module 'lstm' (…_l1): map it, new PyTorchNameMap().Map(\"lstm_1\", \"lstm\", torchLayer: 1)", StringComparison.Ordinal));
        var loaded = new TorchLstmStacked();
        loaded.LoadPyTorchWeights(Renamed(source, asTwoLayers), new PyTorchNameMap().Map("lstm_1", "lstm", torchLayer: 1));
        Assert.Equal(source.Parameters, loaded.Parameters);
    }

    [Fact]
    public void A_module_named_like_the_layer_inside_a_Bidirectional_gets_the_wrappers_name_as_the_fix()
    {
        // The user named the LSTM inside [Bidirectional] "bl", as the PyTorch module is named; ModelGen, as Keras, names the
        // layer after the wrapper ("bidirectional"), so every key was missing or unexpected with no word of why (trial D).
        var named = new BidirectionalNamedOnWrapper();
        named.Initialize(5);
        using var stream = new MemoryStream();
        named.SavePyTorchWeights(stream); // bl.weight_ih_l0, bl.weight_ih_l0_reverse, …
        stream.Position = 0;
        var e = Refused(new BidirectionalNamedInside(), stream);
        var unexpected = e.Problems.Where(p => p.Contains("is unexpected", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(unexpected);
        Assert.All(unexpected, p => Assert.Contains("'bl' is the name of the layer inside Bidirectional 'bidirectional'", p));
        Assert.Contains("[Bidirectional(Name = \"bl\")]", unexpected[0]);
        Assert.Contains("new PyTorchNameMap().Map(\"bidirectional\", \"bl\")", unexpected[0]);

        // Either fix loads it: the map, or the wrapper's name.
        stream.Position = 0;
        var mapped = new BidirectionalNamedInside();
        mapped.LoadPyTorchWeights(stream, new PyTorchNameMap().Map("bidirectional", "bl"));
        Assert.Equal(named.Parameters, mapped.Parameters);
    }

    [Fact]
    public void UnknownAndMissingNames_AreAllListed()
    {
        var e = Refused(new TorchLstm(), Edited(t => t
            .Where(x => x.Name != "rnn.bias_hh_l0")
            .Select(x => x.Name == "fc.weight" ? SafeTensor.FromSingles("head.weight", x.ToSingles(), 2, 7) : x)
            .Append(SafeTensor.FromSingles("rnn.weight_ih_l1", new float[28 * 7], 28, 7))
            .ToArray()));
        Assert.Equal(4, e.Problems.Count);
        Assert.Contains(e.Problems, p => p.StartsWith("'fc.weight' is missing", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.bias_hh_l0' is missing", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'head.weight' [2, 7] is unexpected", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.weight_ih_l1' [28, 7] is unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public void NonStrict_IgnoresExtraTensors_ButNotMissingOnes()
    {
        var model = new TorchLstm();
        model.LoadPyTorchWeights(Edited(t => [.. t, SafeTensor.FromSingles("extra.weight", [1f], 1)]), strict: false);
        Assertions.AllClose(Lstm.Output, Lstm.Run(model), 1e-5, 1e-5, "non-strict import");
        Refused(new TorchLstm(), Edited(t => t.Where(x => x.Name != "fc.bias").ToArray()), strict: false);
    }

    [Fact]
    public void ABareModulesStateDict_WithoutPrefixes_LoadsWithAnEmptyModule()
    {
        // torch.save(nn.LSTM(…).state_dict()) has keys 'weight_ih_l0' …, no module prefix: Map(layer, "") reads them.
        // (Here the LSTM's keys lose their prefix and the head keeps its own: the model has both.)
        var bare = Edited(t => t.Select(x => x.Name.StartsWith("rnn.", StringComparison.Ordinal)
            ? new SafeTensor(x.Name["rnn.".Length..], x.DType, x.Shape, x.Data) : x).ToArray());
        var e = Refused(new TorchLstm(), bare);
        Assert.Contains(e.Problems, p => p.StartsWith("'weight_ih_l0' [28, 3] is unexpected", StringComparison.Ordinal) && p.Contains("Map(layer, \"\")", StringComparison.Ordinal));
        bare.Position = 0;
        var model = new TorchLstm();
        model.LoadPyTorchWeights(bare, new PyTorchNameMap().Map("rnn", ""));
        Assertions.AllClose(Lstm.Output, Lstm.Run(model), 1e-5, 1e-5, "bare LSTM state dict");
        // And the other way: an empty module writes keys without a prefix.
        Assert.Contains(model.ToPyTorchTensors(new PyTorchNameMap().Map("rnn", "")), t => t.Name == "weight_hh_l0");
        foreach (var odd in new[] { " ", "rnn.", ".rnn", "a..b", "r nn" })
            Assert.Equal("module", Assert.Throws<ArgumentException>(() => new PyTorchNameMap().Map("rnn", odd)).ParamName);
    }

    [Fact]
    public void AnLstmWithProjSize_IsNamedAsTheCause()
    {
        var e = Refused(new TorchLstm(), Edited(t => [.. t, SafeTensor.FromSingles("rnn.weight_hr_l0", new float[3 * 7], 3, 7)]));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.weight_hr_l0' [3, 7] is unexpected", StringComparison.Ordinal) && p.Contains("proj_size", StringComparison.Ordinal));
    }

    [Fact]
    public void TheWrongModule_ListsEveryTensor()
    {
        // The stacked-LSTM fixture has no "rnn" layer 0 of 3 inputs nor "fc" of 2 units: all of it is reported.
        var e = Refused(new TorchLstm(), File.OpenRead(InteropFixture.All["lstm_l2"].WeightsPath));
        Assert.True(e.Problems.Count >= 6, string.Join("\n", e.Problems));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.weight_ih_l0' is [24, 2]; layer 'rnn' (LSTM, 7 units, 3 inputs), kernel needs [28, 3]", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.weight_ih_l1' [24, 6] is unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public void NameMap_NamingAnUnknownLayer_IsReported()
    {
        var e = Refused(new TorchLstm(), File.OpenRead(Lstm.WeightsPath), new PyTorchNameMap().Map("lstm", "rnn"));
        Assert.Contains(e.Problems, p => p.Contains("names layer 'lstm', which 'TorchLstm' does not have (its layers: rnn, fc)", StringComparison.Ordinal));
    }

    [Fact]
    public void NameMap_ReadingOneTensorTwice_IsReported()
    {
        var e = Refused(new TorchLstmStacked(), File.OpenRead(InteropFixture.All["lstm_l2"].WeightsPath),
            new PyTorchNameMap().Map("lstm", "rnn").Map("lstm_1", "rnn").Map("dense", "fc"));
        Assert.Contains(e.Problems, p => p.StartsWith("'rnn.weight_ih_l0' is read by more than one layer", StringComparison.Ordinal));
    }

    [Fact]
    public void GruWithResetBefore_HasNoPyTorchCounterpart()
    {
        var e = Refused(new GruResetBefore(), File.OpenRead(InteropFixture.All["gru"].WeightsPath));
        Assert.Contains(e.Problems, p => p.Contains("ResetAfter = false, which has no PyTorch counterpart", StringComparison.Ordinal));
        // The refused layer's own tensors are not listed again as unexpected (trial S: four noise lines after the reason).
        Assert.DoesNotContain(e.Problems, p => p.Contains("is unexpected", StringComparison.Ordinal));
        Assert.Single(e.Problems);
        var export = Assert.Throws<NotSupportedException>(() => new GruResetBefore().ToPyTorchTensors());
        Assert.Contains("ResetAfter = true", export.Message);
    }

    [Fact]
    public void GruWithResetBefore_WithoutBias_IsRefusedToo()
    {
        var tensors = new[]
        {
            SafeTensor.FromSingles("gru.weight_ih_l0", new float[18 * 4], 18, 4),
            SafeTensor.FromSingles("gru.weight_hh_l0", new float[18 * 6], 18, 6),
        };
        var e = Refused(new GruResetBeforeNoBias(), new MemoryStream(SafeTensorFile.ToBytes(tensors)));
        Assert.Contains(e.Problems, p => p.Contains("ResetAfter = false, which has no PyTorch counterpart", StringComparison.Ordinal));
        Assert.Single(e.Problems);
    }

    [Fact]
    public void SimpleRnnWithAnActivationNnRnnLacks_IsRefused()
    {
        var e = Assert.Throws<NotSupportedException>(() => new OnnxRnnActivations().ToPyTorchTensors());
        Assert.Contains("layer 'simple_rnn_1' (SimpleRNN, 4 units, 5 inputs) uses activation 'linear', which nn.RNN does not have", e.Message);
        Assert.Contains("layer 'simple_rnn_2' (SimpleRNN, 3 units, 4 inputs) uses activation 'sigmoid'", e.Message);
        Assert.DoesNotContain("'simple_rnn' (", e.Message); // relu is nn.RNN's
    }

    [Fact]
    public void AnActivationPyTorchLacks_IsRefused_WithPoolingFlattenOrActivationLayersAround()
    {
        // These layers once made the declaration unreadable, and the checks were skipped: the state_dict was written
        // and loaded as if the layer computed tanh.
        var lstm = Assert.Throws<NotSupportedException>(() => new ReluLstmPooled().ToPyTorchTensors());
        Assert.Contains("layer 'lstm' (LSTM, 4 units, 2 inputs) uses activation 'relu', which nn.LSTM and nn.GRU do not have", lstm.Message);
        var rnn = Assert.Throws<NotSupportedException>(() => new SigmoidRnnFlattened().ToPyTorchTensors());
        Assert.Contains("uses activation 'sigmoid', which nn.RNN does not have", rnn.Message);
        var gates = Assert.Throws<NotSupportedException>(() => new OnnxGatedActivations().ToPyTorchTensors());
        // Every reason, each layer's too: the GRU's candidate activation and its gates, the second GRU's form and activation.
        Assert.Contains("layer 'bidirectional' (Bidirectional GRU, 4 units, 4 inputs) uses activation 'sigmoid'", gates.Message);
        Assert.Contains("layer 'bidirectional' (Bidirectional GRU, 4 units, 4 inputs) uses recurrent activation 'hard_sigmoid', which nn.LSTM and nn.GRU do not have", gates.Message);
        Assert.Contains("layer 'gru_1' (GRU, 3 units, 8 inputs) is a GRU with ResetAfter = false", gates.Message);
        Assert.Contains("layer 'gru_1' (GRU, 3 units, 8 inputs) uses activation 'relu'", gates.Message);
        // Loading refuses too, and leaves the weights as they were.
        var model = new ReluLstmPooled();
        var before = (float[])model.Parameters.Clone();
        var tensors = new ReluLstmPooledTwin().ToPyTorchTensors();
        var e = Assert.Throws<WeightImportException>(() => model.LoadPyTorchWeights(new SafeTensorFile(tensors)));
        Assert.Contains(e.Problems, p => p.Contains("uses activation 'relu'", StringComparison.Ordinal));
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void HalfAndDoubleTensors_AreConverted()
    {
        var model = new TorchLstm();
        model.LoadPyTorchWeights(Edited(t => t.Select(x =>
        {
            var values = x.ToSingles();
            var bytes = new byte[values.Length * 8];
            for (int i = 0; i < values.Length; i++) BitConverter.TryWriteBytes(bytes.AsSpan(i * 8), (double)values[i]);
            return new SafeTensor(x.Name, SafeTensorDType.F64, x.Shape, bytes);
        }).ToArray()));
        Assertions.AllClose(Lstm.Output, Lstm.Run(model), 1e-5, 1e-5, "F64 import");
    }
}

[Sequential(Features = 3)]
[Bidirectional]
[Lstm(6, ReturnSequences = true, Name = "bl")]
[Dense(1)]
public partial class BidirectionalNamedInside;

[Sequential(Features = 3)]
[Bidirectional(Name = "bl")]
[Lstm(6, ReturnSequences = true)]
[Dense(1)]
public partial class BidirectionalNamedOnWrapper;
