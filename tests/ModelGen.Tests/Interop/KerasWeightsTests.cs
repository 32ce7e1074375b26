using System;
using System.IO;
using System.Linq;
using ModelGen.Interop;
using ModelGen.Keras;

namespace ModelGen.Tests.Interop;

/// <summary>
/// Keras weight files (Keras 3 .weights.h5 and legacy .h5) loaded into the equivalent declarations give the
/// PyTorch fixtures' outputs. The files are written by tests/fixtures/make_keras_fixtures.py with h5py in Keras's
/// documented layouts (Keras itself cannot be installed here), from the PyTorch weights converted in Python.
/// </summary>
public sealed class KerasWeightsTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "lstm_bi_l2", "weights.h5" }, { "lstm_bi_l2", "legacy.h5" },
        { "gru_bi_l2_steps", "weights.h5" }, { "gru_bi_l2_steps", "legacy.h5" },
        { "emb_lstm", "weights.h5" }, { "emb_lstm", "legacy.h5" }, { "emb_lstm", "model.h5" },
        { "emb_lstm", "chunked.legacy.h5" }, // layer_names0/1 and weight_names0/1, as Keras 2 splits lists over 64 KB
        { "rnn_relu_l2", "weights.h5" }, { "rnn_relu_l2", "legacy.h5" },
        { "lstm_nobias", "weights.h5" }, { "lstm_nobias", "legacy.h5" },
    };

    private static string PathOf(string name, string kind) => Path.Combine(InteropFixture.Folder, $"{name}.{kind}");

    [Theory]
    [MemberData(nameof(Cases))]
    public void KerasFile_GivesTheReferenceOutputs(string name, string kind)
    {
        var f = InteropFixture.All[name];
        var model = f.Create();
        var before = f.Run(model);
        model.LoadKerasWeights(PathOf(name, kind));
        Assertions.AllClose(f.Output, f.Run(model), 1e-5, 1e-5, $"{name}.{kind}: ModelGen after Keras import vs the reference");
        Assert.NotEqual(before, f.Run(model));

        // The same weights as through PyTorch's state_dict: the two importers agree value for value (LSTM and
        // SimpleRNN biases are sums in both, added in Python and in C# alike).
        var torch = f.Create();
        torch.LoadPyTorchWeights(f.WeightsPath, f.Names);
        Assertions.AllClose(torch.Parameters, model.Parameters, 1e-7, 1e-7, "Keras vs PyTorch import");
    }

    [Theory]
    [InlineData("emb_lstm.weights.h5")]
    [InlineData("emb_lstm_dropout.legacy.h5")]
    public void LayersNamedTheirOwnWay_AndLayersWithoutWeights_Load(string file)
    {
        // Keras 3 keys each layer by its class and position (layers/embedding, layers/lstm, layers/dense whatever the
        // layers' names); a legacy file lists a Dropout with an empty weight_names, which h5py stores as float64.
        var f = InteropFixture.All["emb_lstm"];
        var model = new TorchEmbeddingLstmRenamed();
        model.LoadKerasWeights(Path.Combine(InteropFixture.Folder, file));
        Assertions.AllClose(f.Output, f.Run(model), 1e-5, 1e-5, $"{file} into renamed layers with a Dropout");
    }

    [Fact]
    public void Keras3Keys_AreTheClassesInSnakeCase_CountedPerClass()
    {
        Assert.Equal(["embedding", "dropout", "lstm", "dense"], KerasWeights.Keras3Keys(new TorchEmbeddingLstmRenamed().Info));
        Assert.Equal("simple_rnn", KerasWeights.SnakeCase("SimpleRNN"));
        Assert.Equal("global_average_pooling1d", KerasWeights.SnakeCase("GlobalAveragePooling1D"));
        Assert.Equal("spatial_dropout1d", KerasWeights.SnakeCase("SpatialDropout1D"));
        Assert.Equal("time_distributed", KerasWeights.SnakeCase("TimeDistributed"));
        Assert.Equal(["lstm", "lstm_1", "dense"], KerasWeights.Keras3Keys(new OnnxLstmStackedKeys().Info));
    }

    private static WeightImportException Refused(ISequentialModel model, string path)
    {
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<WeightImportException>(() => model.LoadKerasWeights(path));
        Assert.Equal(before, model.Parameters);
        return e;
    }

    [Fact]
    public void AnotherModelsFile_ListsEveryMismatch()
    {
        // Keras 3 keys layers by class and position: the stacked bidirectional file has no 'lstm' and an unknown 'bidirectional'.
        var e = Refused(new TorchEmbeddingLstm(), PathOf("lstm_bi_l2", "weights.h5"));
        Assert.Contains(e.Problems, p => p.StartsWith("'layers/embedding/vars/0' is missing", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'layers/lstm/cell/vars/0' is missing", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'layers/dense/vars/0' is (10, 3); layer 'dense' (Dense) kernel needs (8, 2)", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.StartsWith("'layers/bidirectional/forward_layer/cell/vars/0' is unexpected", StringComparison.Ordinal));

        // Legacy files match in order: the counts and shapes are compared.
        var legacy = Refused(new TorchEmbeddingLstm(), PathOf("lstm_bi_l2", "legacy.h5"));
        Assert.Contains(legacy.Problems, p => p.Contains("has 6 weights", StringComparison.Ordinal));
    }

    [Fact]
    public void WrongShape_AndWrongLayerCount_AreNamed()
    {
        var e = Refused(new TorchLstm(), PathOf("lstm_nobias", "legacy.h5"));
        Assert.Contains(e.Problems, p => p.Contains("has 2 weights", StringComparison.Ordinal) && p.Contains("layer 'rnn' (LSTM) has 3", StringComparison.Ordinal));
        var shape = Refused(new TorchLstmStacked(), PathOf("rnn_relu_l2", "legacy.h5"));
        Assert.Contains("'simple_rnn/simple_rnn/simple_rnn_cell/kernel:0' is (4, 5); layer 'lstm' (LSTM) kernel needs (2, 24)", shape.Problems);
        Assert.Contains("'dense/dense/bias:0' is (2,); layer 'dense' (Dense) bias needs (1,)", shape.Problems);
    }

    [Fact]
    public void AnIntegerDataset_AndAnUnknownLayer_AreNamed()
    {
        var e = Refused(new TorchEmbeddingLstm(), Path.Combine(InteropFixture.Folder, "bad_dtype.weights.h5"));
        Assert.Equal(2, e.Problems.Count);
        Assert.Contains("'layers/dense/vars/0' is FixedPoint of 4 bytes; layer 'dense' (Dense) kernel needs float32 (or float64)", e.Problems);
        Assert.Contains(e.Problems, p => p.StartsWith("'layers/extra/vars/0' is unexpected", StringComparison.Ordinal));
    }

    [Fact]
    public void NotHdf5_OrNotKeras_IsRefused()
    {
        var model = new TorchLstm();
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => model.LoadKerasWeights(InteropFixture.All["lstm"].WeightsPath));
        Assert.Contains("not an HDF5 file", e.Message);
        var truncated = File.ReadAllBytes(PathOf("emb_lstm", "weights.h5"))[..600];
        Assert.Throws<InvalidDataException>(() => model.LoadKerasWeights(new MemoryStream(truncated)));
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void AKerasArchive_LoadsItsWeights_AndAZipWithoutThemIsRefused()
    {
        // Trial G: model.save("x.keras"), Keras 3's default, was "not an HDF5 file". It is a zip holding config.json,
        // metadata.json and model.weights.h5 (the .weights.h5 layout).
        var f = InteropFixture.All["emb_lstm"];
        var archive = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(archive, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var w = new StreamWriter(zip.CreateEntry("metadata.json").Open())) w.Write("{\"keras_version\": \"3.6.0\"}");
            using (var w = new StreamWriter(zip.CreateEntry("config.json").Open())) w.Write("{}");
            using (var to = zip.CreateEntry("model.weights.h5").Open()) to.Write(File.ReadAllBytes(PathOf("emb_lstm", "weights.h5")));
        }
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.keras");
        File.WriteAllBytes(path, archive.ToArray());
        try
        {
            var model = f.Create();
            model.LoadKerasWeights(path);
            Assertions.AllClose(f.Output, f.Run(model), 1e-5, 1e-5, "emb_lstm.keras: ModelGen after Keras import vs the reference");
        }
        finally
        {
            File.Delete(path);
        }

        var other = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(other, System.IO.Compression.ZipArchiveMode.Create, leaveOpen: true))
            using (var w = new StreamWriter(zip.CreateEntry("config.json").Open())) w.Write("{}");
        other.Position = 0;
        var refused = f.Create();
        var before = (float[])refused.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => refused.LoadKerasWeights(other));
        Assert.Contains("is a zip but holds no model.weights.h5", e.Message);
        Assert.Contains("config.json", e.Message);
        Assert.Equal(before, refused.Parameters);
    }

    [Fact]
    public void AGruBiasOfTheOtherForm_SaysWhichResetAfterTheFileHas()
    {
        // Trial G: "'…/vars/2' is (30,); … bias needs (2, 30)" is right, but does not say that the file is reset_after=False.
        var model = new GruBidirectionalStepsResetBefore();
        var e = Refused(model, PathOf("gru_bi_l2_steps", "weights.h5"));
        Assert.Contains(e.Problems, p => p.Contains("needs (15,) (a GRU bias of two rows is Keras's reset_after=True, its default: drop ResetAfter = false from the layer)", StringComparison.Ordinal));
        Assert.DoesNotContain(e.Problems, p => p.Contains("kernel", StringComparison.Ordinal)); // the kernels fit either form
    }
}
