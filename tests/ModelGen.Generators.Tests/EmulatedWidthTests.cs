using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The build property <c>ModelGenEmulateVector512</c> (tests/ModelGen.Tests.Wide sets it): each generated cell's
/// 512-bit checks read as the 256-bit one, so those branches run, emulated, on a CPU without AVX-512. Nothing else in
/// the cell changes, and without the property (every user's build) the cells are as approved.
/// </summary>
public sealed class EmulatedWidthTests
{
    private const string Source = """
        using ModelGen;
        namespace Demo;
        /// <summary>Model.</summary>
        [Sequential(TimeSteps = 6, Features = 3)]
        [SimpleRnn(8, ReturnSequences = true)]
        [Lstm(20, ReturnSequences = true)]
        [Gru(17)]
        [Dense(4, Activation = "softmax")]
        public partial class WidthModel;
        """;

    private const string Check512 = "Vector512.IsHardwareAccelerated";

    [Theory]
    [InlineData("true")]
    [InlineData(" True ")]
    public void Every_512_bit_check_reads_as_the_256_bit_one_and_nothing_else_changes(string value)
    {
        var plain = Cells(Run(null));
        var emulated = Cells(Run(value));
        emulated.Keys.ShouldBe(plain.Keys, ignoreOrder: true);
        plain.Count.ShouldBe(4);
        int checks = 0;
        foreach (var (hint, text) in plain)
        {
            checks += text.Split(Check512).Length - 1;
            string expected = text.Replace(Check512, "Vector256.IsHardwareAccelerated");
            string[] lines = emulated[hint].Split('\n');
            lines.Count(l => l.Contains("ModelGenEmulateVector512 (tests only)")).ShouldBe(1, hint);
            string.Join("\n", lines.Where(l => !l.Contains("ModelGenEmulateVector512 (tests only)"))).ShouldBe(expected, hint);
        }
        checks.ShouldBeGreaterThan(4, "the recurrent cells have 512-bit branches to emulate");
        emulated.Values.ShouldAllBe(text => !text.Contains(Check512));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("")]
    public void Without_the_property_the_cells_keep_the_hardware_checks(string? value)
    {
        var cells = Cells(Run(value));
        cells.Count.ShouldBe(4);
        cells.Values.ShouldAllBe(text => !text.Contains("ModelGenEmulateVector512"));
        // The three recurrent cells (8, 20 and 17 units) have 512-bit branches; a 4-unit softmax Dense has none.
        cells.Count(c => c.Value.Contains(Check512)).ShouldBe(3);
    }

    [Fact]
    public void The_emulated_cells_compile_clean()
    {
        var run = Run("true");
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.OutputCompilation.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
    }

    private static Dictionary<string, string> Cells(GeneratorRun run)
        => run.GeneratedSources.Where(s => s.HintName.StartsWith("Cells.")).ToDictionary(s => s.HintName, s => s.SourceText.ToString());

    private static GeneratorRun Run(string? emulate512)
    {
        var properties = emulate512 is null
            ? ImmutableDictionary<string, string>.Empty
            : ImmutableDictionary<string, string>.Empty.Add("build_property.ModelGenEmulateVector512", emulate512);
        return GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Source), GeneratorHarness.CreateDriver(options: new BuildProperties(properties)));
    }

    private sealed class BuildProperties(ImmutableDictionary<string, string> values) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _global = new(values);
        private static readonly Options Empty = new(ImmutableDictionary<string, string>.Empty);

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => Empty;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
