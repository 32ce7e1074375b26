using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The GPU backend's model part (gpumodel): emitted only when the compilation references ModelGen.Gpu (here a marker
/// type stands in for the package: the generator looks for <c>ModelGen.Gpu.GpuRunner`1</c>), snapshots of the GPU part
/// and of the CPU part's hooks for a Bidirectional masked model, and MG0032 for a model with a CPU-only layer.
/// </summary>
public sealed class GpuModelSnapshotTests
{
    private const string Marker = "namespace ModelGen.Gpu { public abstract class GpuRunner<TInput> { } }\n";

    private const string MaskedBidirectional = """
        using ModelGen;

        namespace Demo;

        [Sequential(TimeSteps = 6, Features = 3)]
        [Masking]
        [Bidirectional]
        [Lstm(8, ReturnSequences = true, Dropout = 0.1)]
        [Bidirectional(MergeMode = "ave")]
        [Gru(4, ReturnState = true)]
        [Dense(2, Activation = "softmax")]
        public partial class MaskedBidirectionalModel;
        """;

    private static GeneratorRun Run(string source, bool gpu)
        => GeneratorHarness.Run(GeneratorHarness.CreateCompilation(gpu ? new[] { ("Marker.cs", Marker), ("Model.cs", source) } : new[] { ("Model.cs", source) }));

    private static string Source(GeneratorRun run, string hintName)
        => run.GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    [Fact]
    public void MaskedBidirectionalModel_GpuPart()
    {
        var run = Run(MaskedBidirectional, gpu: true);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        Snapshot.ShouldMatch(Source(run, "Models.Demo.MaskedBidirectionalModel.Gpu.g.cs"), "Models.Demo.MaskedBidirectionalModel.Gpu");
    }

    [Fact]
    public void MaskedBidirectionalModel_CpuPartWithHooks()
    {
        var run = Run(MaskedBidirectional, gpu: true);
        string withHooks = Source(run, "Models.Demo.MaskedBidirectionalModel.g.cs");
        Snapshot.ShouldMatch(withHooks, "Models.Demo.MaskedBidirectionalModel");
        // Without ModelGen.Gpu: no GPU part, and the CPU part has no hook (it differs from the hooked one only there).
        var cpu = Run(MaskedBidirectional, gpu: false);
        cpu.HintNames.ShouldNotContain(h => h.Contains(".Gpu."));
        string plain = Source(cpu, "Models.Demo.MaskedBidirectionalModel.g.cs");
        plain.ShouldNotContain("_gpu");
        withHooks.ShouldContain("if (_gpu is not null)");
    }

    [Fact]
    public void MG0032_ModelWithACpuOnlyLayer_IsToldAtItsSequential()
    {
        const string source = """
            using ModelGen;

            namespace Demo;

            [Sequential(TimeSteps = 4, Features = 2)]
            [Lstm(3)]
            [RepeatVector(2)]
            [Lstm(3, ReturnSequences = true)]
            public partial class RepeatModel;
            """;
        var run = Run(source, gpu: true);
        var diagnostic = run.GeneratorDiagnostics.ShouldHaveSingleItem();
        diagnostic.Id.ShouldBe("MG0032");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Info);
        run.TextAt(diagnostic.Location).ShouldBe("Sequential(TimeSteps = 4, Features = 2)");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        message.ShouldContain("'RepeatModel' runs on the CPU only");
        message.ShouldContain("RepeatVector");
        message.ShouldContain("NotSupportedException");
        Source(run, "Models.Demo.RepeatModel.Gpu.g.cs").ShouldContain("throw new global::System.NotSupportedException(\"model 'RepeatModel' runs on the CPU only: layer 'repeat_vector' (RepeatVector)");
        // Without ModelGen.Gpu nothing is said.
        Run(source, gpu: false).GeneratorDiagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void MG0033_RecurrentLayerTooWideForSharedMemory_SaysWhichSchemeItRuns()
    {
        const string source = """
            using ModelGen;

            namespace Demo;

            [Sequential(TimeSteps = 4, Features = 2)]
            [Lstm(64, ReturnSequences = true, Name = "wide")]
            [Gru(8)]
            public partial class WideModel;
            """;
        var run = Run(source, gpu: true);
        var diagnostic = run.GeneratorDiagnostics.ShouldHaveSingleItem(); // the 8-unit GRU runs on chip: nothing said
        diagnostic.Id.ShouldBe("MG0033");
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Info);
        run.TextAt(diagnostic.Location).ShouldBe("Sequential(TimeSteps = 4, Features = 2)");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        message.ShouldContain("layer 'wide'");
        message.ShouldContain("per-step");
        message.ShouldContain("64 KB");
        Run(source, gpu: false).GeneratorDiagnostics.ShouldBeEmpty();
    }
}
