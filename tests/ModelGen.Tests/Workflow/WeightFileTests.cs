using System;
using System.IO;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

public sealed class WeightFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-weights-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static (float[] X, float[] Y) Data() => Reliability.ReliabilityData.Classifier(32, seed: 3);

    [Fact]
    public void Round_trip_restores_parameters_and_predictions()
    {
        var (x, _) = Data();
        var a = new ClassifierModel();
        a.Initialize(seed: 1);
        string path = Path.Combine(_folder, "a.mgw");
        a.SaveWeights(path);
        var b = new ClassifierModel();
        b.LoadWeights(path);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.Predict(x), b.Predict(x));
        Assert.Equal(path, Assert.Single(Directory.GetFiles(_folder))); // no temporary file left beside it
    }

    [Fact]
    public void Resuming_with_optimizer_state_equals_training_without_a_break()
    {
        var (x, y) = Data();
        var straight = new ClassifierModel();
        straight.Initialize(seed: 2);
        straight.Compile(new Adam(), Loss.CategoricalCrossentropy());
        straight.Fit(x, y, epochs: 4, batchSize: 8, verbose: 0, shuffle: false);

        var first = new ClassifierModel();
        first.Initialize(seed: 2);
        first.Compile(new Adam(), Loss.CategoricalCrossentropy());
        first.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, shuffle: false);
        string path = Path.Combine(_folder, "resume.mgw");
        first.SaveWeights(path);

        var resumed = new ClassifierModel();
        resumed.Compile(new Adam(), Loss.CategoricalCrossentropy());
        resumed.LoadWeights(path);
        resumed.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, shuffle: false);
        Assert.Equal(straight.Parameters, resumed.Parameters);
    }

    [Fact]
    public void Bidirectional_weights_round_trip_in_keras_order()
    {
        var a = new Options.BidirectionalStackModel();
        a.Initialize(seed: 5);
        string path = Path.Combine(_folder, "bidirectional.mgw");
        a.SaveWeights(path);
        var b = new Options.BidirectionalStackModel();
        b.LoadWeights(path);
        Assert.Equal(a.Parameters, b.Parameters);
        Assert.Equal(a.BidirectionalBackwardRecurrentKernel.ToArray(), b.BidirectionalBackwardRecurrentKernel.ToArray());
        Assert.Contains("Bidirectional bidirectional forward_lstm/kernel(3, 24)", a.Info.Signature);

        // Another Bidirectional model's file (other merge modes, cells and widths) does not load, and changes nothing.
        var other = new Options.BidirectionalMulAveModel();
        string otherPath = Path.Combine(_folder, "other.mgw");
        other.SaveWeights(otherPath);
        Assert.Throws<InvalidDataException>(() => b.LoadWeights(otherPath));
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void Loading_another_models_file_fails_and_changes_nothing()
    {
        var other = new SequenceModel();
        string path = Path.Combine(_folder, "other.mgw");
        other.SaveWeights(path);
        var model = new ClassifierModel();
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.Contains("'SequenceModel'", e.Message);
        Assert.Contains("'ClassifierModel'", e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Theory]
    [InlineData(40)]
    [InlineData(200)]
    [InlineData(-5)]
    public void A_damaged_file_fails_with_a_checksum_error_and_changes_nothing(int offset)
    {
        var model = new ClassifierModel();
        string path = Path.Combine(_folder, "damaged.mgw");
        model.SaveWeights(path);
        var bytes = File.ReadAllBytes(path);
        bytes[offset >= 0 ? offset : bytes.Length + offset] ^= 0x10;
        File.WriteAllBytes(path, bytes);
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.Contains("checksum", e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Truncated_and_foreign_files_are_rejected()
    {
        var model = new ClassifierModel();
        string path = Path.Combine(_folder, "t.mgw");
        model.SaveWeights(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        File.WriteAllText(path, "not a weight file at all, just some text of a reasonable length");
        var e = Assert.Throws<InvalidDataException>(() => model.LoadWeights(path));
        Assert.Contains("not a ModelGen weight file", e.Message);
    }

    [Fact]
    public void Saving_over_an_existing_file_replaces_it_whole()
    {
        var a = new ClassifierModel();
        a.Initialize(seed: 5);
        string path = Path.Combine(_folder, "same.mgw");
        a.SaveWeights(path);
        a.Initialize(seed: 6);
        a.SaveWeights(path);
        var b = new ClassifierModel();
        b.LoadWeights(path);
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void Model_checkpoint_saves_only_improvements()
    {
        var (x, y) = Data();
        var model = new ClassifierModel();
        model.Initialize(seed: 7);
        model.Compile(new Adam(learningRate: 0.01f), Loss.CategoricalCrossentropy());
        string path = Path.Combine(_folder, "best.mgw");
        var checkpoint = new ModelCheckpoint(path, monitor: "loss", saveBestOnly: true);
        var history = model.Fit(x, y, epochs: 5, batchSize: 8, verbose: 0, seed: 1, callbacks: [checkpoint]);
        int improvements = 0;
        float best = float.PositiveInfinity;
        foreach (var loss in history["loss"]) if (loss < best) { best = loss; improvements++; }
        Assert.Equal(improvements, checkpoint.Saves);
        Assert.True(File.Exists(path));
    }
}
