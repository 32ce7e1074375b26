using System.IO;
using ModelGen.Interop;

namespace ModelGen.Tests.Interop;

/// <summary>ModelGen's own weight files through a Stream: the same bytes as the file, the same checks.</summary>
public sealed class WeightStreamTests
{
    [Fact]
    public void SaveAndLoad_ThroughAStream_RestoresTheWeights()
    {
        var source = new TorchLstm();
        source.LoadPyTorchWeights(InteropFixture.All["lstm"].WeightsPath);
        using var stream = new MemoryStream();
        source.SaveWeights(stream, includeOptimizer: false);
        var target = new TorchLstm();
        Assert.NotEqual(source.Parameters, target.Parameters);
        stream.Position = 0;
        target.LoadWeights(stream);
        Assert.Equal(source.Parameters, target.Parameters);
    }

    [Fact]
    public void ADamagedStream_IsRefused_AndTheModelIsUnchanged()
    {
        using var stream = new MemoryStream();
        new TorchLstm().SaveWeights(stream, includeOptimizer: false);
        var bytes = stream.ToArray();
        bytes[40] ^= 1;
        var model = new TorchLstm();
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(new MemoryStream(bytes)));
        Assert.StartsWith("the stream is damaged", e.Message);
        Assert.Equal(before, model.Parameters);
        var other = Assert.Throws<InvalidDataException>(() => new TorchGru().LoadWeights(new MemoryStream(stream.ToArray())));
        Assert.Contains("holds weights of model 'TorchLstm'", other.Message);
    }
}
