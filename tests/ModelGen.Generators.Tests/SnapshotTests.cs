using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Every generated file of one model per layer kind, and of a stacked model, compared with its approved snapshot
/// in <c>Snapshots/</c>. Each test also pins the exact set of files, so a missing or extra file fails too.
/// </summary>
public sealed class SnapshotTests
{
    // Each test calls Snapshot.ShouldMatchAll itself (not through another helper or a lambda): the approved files
    // are named after the caller of Snapshot.ShouldMatchAll.
    private static GeneratorRun Generate(string source, params string[] expectedHintNames)
    {
        var run = GeneratorHarness.Run(source);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.HintNames.OrderBy(h => h, System.StringComparer.Ordinal)
            .ShouldBe(expectedHintNames.OrderBy(h => h, System.StringComparer.Ordinal));
        foreach (var generated in run.GeneratedSources)
            generated.SourceText.ToString().ShouldNotContain("\r", customMessage: $"{generated.HintName} has CR line endings");
        return run;
    }

    [Fact]
    public void SimpleRnnModel()
    {
        var run = Generate(TestModels.SimpleRnnModel,
            "Models.Demo.SimpleRnnModel.g.cs", "Cells.SimpleRnn_I1_H10_Tanh.g.cs", "Cells.Dense_I10_U1_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void LstmModel()
    {
        var run = Generate(TestModels.LstmModel,
            "Models.Demo.LstmModel.g.cs", "Cells.Lstm_I2_H12.g.cs", "Cells.Dense_I12_U1_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void GruModel()
    {
        var run = Generate(TestModels.GruModel,
            "Models.Demo.GruModel.g.cs", "Cells.Gru_I3_H9_ResetAfter.g.cs", "Cells.Dense_I9_U2_Tanh.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void GruResetBeforeModel()
    {
        var run = Generate(TestModels.GruResetBeforeModel,
            "Models.Demo.GruResetBeforeModel.g.cs", "Cells.Gru_I3_H9_ResetBefore.g.cs", "Cells.Dense_I9_U1_Relu.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void EmbeddingModel()
    {
        var run = Generate(TestModels.EmbeddingModel,
            "Models.Demo.EmbeddingModel.g.cs", "Cells.SimpleRnn_I16_H8_Tanh.g.cs", "Cells.Dense_I8_U1_Sigmoid.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void UnrolledSimpleRnnModel()
    {
        var run = Generate(TestModels.UnrolledSimpleRnnModel,
            "Models.Demo.UnrolledSimpleRnnModel.g.cs", "Cells.SimpleRnn_I3_H16_Tanh.g.cs", "Cells.SimpleRnn_I16_H8_Linear.g.cs", "Cells.Dense_I8_U1_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void DenseSoftmaxModel()
    {
        var run = Generate(TestModels.DenseSoftmaxModel,
            "Models.Demo.DenseSoftmaxModel.g.cs", "Cells.Dense_I4_U8_Relu.g.cs", "Cells.Dense_I8_U3_Softmax.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void StackedModel()
    {
        var run = Generate(TestModels.StackedModel,
            "Models.Demo.StackedModel.g.cs", "Cells.Lstm_I2_H30.g.cs", "Cells.Lstm_I30_H30.g.cs", "Cells.Dense_I30_U1_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void EncoderDecoderModel()
    {
        var run = Generate(TestModels.EncoderDecoderModel,
            "Models.Demo.EncoderDecoderModel.g.cs", "Cells.Lstm_I3_H16.g.cs", "Cells.Lstm_I16_H16.g.cs", "Cells.Dense_I16_U4_Softmax.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void SequenceLayersModel()
    {
        var run = Generate(TestModels.SequenceLayersModel,
            "Models.Demo.SequenceLayersModel.g.cs", "Cells.Gru_I4_H5_ResetAfter.g.cs", "Cells.SimpleRnn_I5_H4_Tanh.g.cs", "Cells.Dense_I12_U2_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void BidirectionalModel()
    {
        var run = Generate(TestModels.BidirectionalModel,
            "Models.Demo.BidirectionalModel.g.cs", "Cells.Lstm_I3_H8.g.cs", "Cells.Gru_I16_H5_ResetAfter.g.cs", "Cells.Dense_I5_U4_Softmax.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void MaskedModel()
    {
        var run = Generate(TestModels.MaskedModel,
            "Models.Demo.MaskedModel.g.cs", "Cells.Lstm_I6_H7_HardSigmoid.g.cs", "Cells.Dense_I7_U1_Sigmoid_NoBias.g.cs");
        Snapshot.ShouldMatchAll(run);
    }

    [Fact]
    public void FrozenRegularizedModel()
    {
        var run = Generate(TestModels.FrozenRegularizedModel,
            "Models.Demo.FrozenRegularizedModel.g.cs", "Cells.Lstm_I8_H7_Relu.g.cs", "Cells.Gru_I7_H5_ResetAfter.g.cs", "Cells.Dense_I5_U2_Linear.g.cs");
        Snapshot.ShouldMatchAll(run);
    }
}

/// <summary>The snapshot machinery itself: a mismatch or a missing approved file throws, and never hangs on a diff tool.</summary>
public sealed class SnapshotHarnessTests
{
    private static string SnapshotFolder([CallerFilePath] string path = "") => Path.Combine(Path.GetDirectoryName(path)!, Snapshot.Folder);

    [Fact]
    public void Mismatch_Throws()
    {
        string received = Path.Combine(SnapshotFolder(), $"{nameof(SnapshotHarnessTests)}.{nameof(Mismatch_Throws)}.self-check.received.cs");
        File.Exists(Path.Combine(SnapshotFolder(), $"{nameof(SnapshotHarnessTests)}.{nameof(Mismatch_Throws)}.self-check.approved.cs")).ShouldBeTrue();
        // Called directly, not through Should.Throw: the approved file is named after the caller of Snapshot.ShouldMatch.
        ShouldMatchApprovedException? error = null;
        try
        {
            Snapshot.ShouldMatch("// not what was approved\n", "self-check", forceNoDiff: true);
        }
        catch (ShouldMatchApprovedException e)
        {
            error = e;
        }
        try
        {
            error.ShouldNotBeNull("a mismatch must throw");
            error.Message.ShouldContain("not what was approved");
            File.Exists(received).ShouldBeTrue("a mismatch leaves the received file for review");
        }
        finally
        {
            File.Delete(received);
        }
    }

    [Fact]
    public void Match_IgnoresLineEndings_AndLeavesNoReceivedFile()
    {
        string received = Path.Combine(SnapshotFolder(), $"{nameof(SnapshotHarnessTests)}.{nameof(Match_IgnoresLineEndings_AndLeavesNoReceivedFile)}.self-check.received.cs");
        Snapshot.ShouldMatch("// approved\r\nline two\r\n", "self-check", forceNoDiff: true);
        File.Exists(received).ShouldBeFalse();
    }

    [Fact]
    public void MissingApprovedFile_Throws()
    {
        string received = Path.Combine(SnapshotFolder(), $"{nameof(SnapshotHarnessTests)}.{nameof(MissingApprovedFile_Throws)}.no-such-snapshot.received.cs");
        ShouldMatchApprovedException? error = null;
        try
        {
            Snapshot.ShouldMatch("anything\n", "no-such-snapshot", forceNoDiff: true);
        }
        catch (ShouldMatchApprovedException e)
        {
            error = e;
        }
        bool receivedWritten = File.Exists(received);
        File.Delete(received);
        receivedWritten.ShouldBeTrue();
        error.ShouldNotBeNull("a missing approved file must throw");
        error.Message.ShouldContain("does not exist");
    }

    [Fact]
    public void ReceivedFiles_AreGitIgnored()
    {
        string root = Path.GetFullPath(Path.Combine(SnapshotFolder(), "..", "..", ".."));
        File.ReadAllLines(Path.Combine(root, ".gitignore")).ShouldContain("*.received.*");
    }

    [Fact]
    public void ApprovedFiles_AreNotCompiledIntoTheTests()
        => typeof(SnapshotHarnessTests).Assembly.GetTypes().ShouldNotContain(t => t.Namespace == "Demo" || t.Namespace == "ModelGen.Generated");

    [Fact]
    public void EverySnapshotTest_HasItsApprovedFiles_AndNoStaleOnes()
    {
        var approved = Directory.GetFiles(SnapshotFolder(), "*.approved.cs").Select(Path.GetFileName).ToList();
        foreach (var method in typeof(SnapshotTests).GetMethods().Where(m => m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0))
            approved.ShouldContain(f => f!.StartsWith($"{nameof(SnapshotTests)}.{method.Name}.", System.StringComparison.Ordinal), method.Name);
        foreach (var method in typeof(GpuSnapshotTests).GetMethods().Where(m => m.Name.EndsWith("Model", System.StringComparison.Ordinal) && m.GetCustomAttributes(typeof(FactAttribute), false).Length > 0))
            approved.ShouldContain(f => f!.StartsWith($"{nameof(GpuSnapshotTests)}.{method.Name}.", System.StringComparison.Ordinal), method.Name);
        string[] owners = { nameof(SnapshotTests), nameof(SnapshotHarnessTests), nameof(GpuSnapshotTests), nameof(GpuModelSnapshotTests) };
        approved.ShouldAllBe(f => owners.Any(o => f!.StartsWith(o + ".", System.StringComparison.Ordinal)));
        Directory.GetFiles(SnapshotFolder(), "*.approved.cs").ShouldAllBe(f => !File.ReadAllText(f).Contains('\r'));
    }
}
