using System;
using System.IO;
using System.Linq;
using ModelGen.Interop;
using Xunit.Sdk;

namespace ModelGen.Tests.Interop;

/// <summary>
/// PyTorch state_dicts (tests/fixtures/make_interop_fixtures.py) loaded into the equivalent declarations give
/// PyTorch's outputs; ModelGen's export loads back in PyTorch with strict=True and gives ModelGen's outputs.
/// </summary>
public sealed class PyTorchImportTests
{
    public static TheoryData<string> Cases => InteropFixture.Names_;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Import_GivesPyTorchOutputs(string name)
    {
        var f = InteropFixture.All[name];
        var model = f.Create();
        var before = f.Run(model);
        model.LoadPyTorchWeights(f.WeightsPath, f.Names);
        var after = f.Run(model);
        Assertions.AllClose(f.Output, after, 1e-5, 1e-5, $"{name}: ModelGen after import vs PyTorch");
        // The check has teeth: the freshly initialised model's output is far from PyTorch's.
        Assert.Throws<XunitException>(() => Assertions.AllClose(f.Output, before, 1e-5, 1e-5, "before import"));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Export_HasPyTorchsNamesShapesAndValues(string name)
    {
        var f = InteropFixture.All[name];
        var model = f.Create();
        model.LoadPyTorchWeights(f.WeightsPath, f.Names);
        var original = SafeTensorFile.Read(f.WeightsPath);
        var exported = SafeTensorFile.Parse(ToBytes(model, f.Names));

        // The keys and shapes PyTorch's load_state_dict(strict=True) checks.
        Assert.Equal(original.Tensors.Select(t => t.Name).Order(), exported.Tensors.Select(t => t.Name).Order());
        foreach (var t in original.Tensors) Assert.Equal(t.Shape, exported[t.Name].Shape);
        Assert.Equal("pt", exported.Metadata["format"]);

        // Weights come back as PyTorch wrote them (transposes and gate orders undone); the biases of SimpleRNN and
        // LSTM, which Keras keeps as one sum, come back as (sum, 0).
        foreach (var t in original.Tensors.Where(t => !t.Name.Contains(".bias_", StringComparison.Ordinal)))
            Assert.Equal(t.ToSingles(), exported[t.Name].ToSingles());
        foreach (var t in original.Tensors.Where(t => t.Name.Contains(".bias_ih", StringComparison.Ordinal)))
        {
            string hh = t.Name.Replace(".bias_ih", ".bias_hh", StringComparison.Ordinal);
            var (ih0, hh0) = (t.ToSingles(), original[hh].ToSingles());
            var (ih1, hh1) = (exported[t.Name].ToSingles(), exported[hh].ToSingles());
            if (name.Contains("gru", StringComparison.Ordinal))
            {
                Assert.Equal(ih0, ih1);
                Assert.Equal(hh0, hh1);
            }
            else
            {
                Assert.All(hh1, v => Assert.Equal(0f, v));
                Assertions.AllClose(ih0.Zip(hh0, (a, b) => a + b).ToArray(), ih1, 0, 0, t.Name);
            }
        }

        // And the export re-imports to the same parameters.
        var again = f.Create();
        again.LoadPyTorchWeights(new MemoryStream(ToBytes(model, f.Names)), f.Names);
        Assert.Equal(model.Parameters, again.Parameters);
    }

    /// <summary>
    /// The committed export (exported/NAME.safetensors) is what ModelGen writes today, and PyTorch, loading it with
    /// load_state_dict(strict=True) (stage 2 of the script), gave ModelGen's outputs. With MODELGEN_WRITE_EXPORTS=1 the
    /// test writes the exports into the source tree instead, for the script to read.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void PyTorchExport_LoadsStrictInPyTorch_WithModelGensOutputs(string name)
    {
        var f = InteropFixture.All[name];
        var model = f.Create();
        model.LoadPyTorchWeights(f.WeightsPath, f.Names);
        if (Environment.GetEnvironmentVariable("MODELGEN_WRITE_EXPORTS") == "1")
        {
            model.SavePyTorchWeights(Path.Combine(InteropFixture.SourceFolder(), "exported", name + ".safetensors"), f.Names);
            return;
        }
        string committed = Path.Combine(InteropFixture.Folder, "exported", name + ".safetensors");
        Assert.True(File.Exists(committed), $"{committed} is missing: run the export step of tests/fixtures/make_interop_fixtures.py");
        Assert.Equal(File.ReadAllBytes(committed), ToBytes(model, f.Names));
        var torch = f.ExportOutput;
        Assert.NotNull(torch);
        Assertions.AllClose(torch, f.Run(model), 1e-5, 1e-5, $"{name}: PyTorch on ModelGen's export vs ModelGen");
    }

    [Fact]
    public void SavePyTorchWeights_WritesTheFileAtomically_AndLoadsBack()
    {
        var f = InteropFixture.All["lstm_bi_l2"];
        var model = f.Create();
        model.LoadPyTorchWeights(f.WeightsPath, f.Names);
        string folder = Path.Combine(Path.GetTempPath(), "modelgen-interop-" + Guid.NewGuid().ToString("N"));
        try
        {
            string path = Path.Combine(folder, "model.safetensors");
            File.WriteAllText(Path.Combine(Directory.CreateDirectory(folder).FullName, "model.safetensors"), "old");
            model.SavePyTorchWeights(path, f.Names);
            Assert.Equal(["model.safetensors"], Directory.GetFiles(folder).Select(Path.GetFileName));
            var again = f.Create();
            again.LoadPyTorchWeights(path, f.Names);
            Assert.Equal(model.Parameters, again.Parameters);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static byte[] ToBytes(ISequentialModel model, PyTorchNameMap? names)
    {
        using var stream = new MemoryStream();
        model.SavePyTorchWeights(stream, names);
        return stream.ToArray();
    }
}
