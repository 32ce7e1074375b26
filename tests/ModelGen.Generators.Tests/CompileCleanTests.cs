using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Representative models compile with no warning at any level (nullable on, every warning an error, XML
/// documentation checked), and the generated members land on the user's class: each source also uses them.
/// </summary>
public sealed class CompileCleanTests
{
    private const string Usings = """
        using System;
        using ModelGen;

        """;

    private static readonly Dictionary<string, string> Models = new()
    {
        ["SimpleRNN tanh + Dense"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 4, Features = 1)]
            [SimpleRnn(10)]
            [Dense(1)]
            public partial class SequenceModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static float Use()
                {
                    var model = new SequenceModel();
                    var output = new float[2 * SequenceModel.OutputUnits];
                    model.Forward(new float[2 * SequenceModel.TimeSteps * SequenceModel.InputFeatures], 2, output);
                    model.Backward(output);
                    return model.SimpleRnnKernel[0] + model.DenseBias[0] + SequenceModel.ParameterCount;
                }
            }
            """,
        ["SimpleRNN relu"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 3)]
            [SimpleRnn(17, Activation = "relu", ReturnSequences = true)]
            [SimpleRnn(5, Activation = "sigmoid", ReturnSequences = true)]
            [SimpleRnn(4, Activation = "linear")]
            public partial class ReluModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new ReluModel().SimpleRnn1RecurrentKernel.Length + ReluModel.Metadata.Layers.Count;
            }
            """,
        ["LSTM"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 10, Features = 2)]
            [Lstm(32)]
            [Dense(1)]
            public partial class LstmModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new LstmModel().LstmBias.Length;
            }
            """,
        ["GRU reset_after=True"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Gru(30)]
            [Dense(1)]
            public partial class GruModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new GruModel().GruRecurrentKernelGradient.Length;
            }
            """,
        ["GRU reset_after=False"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Gru(30, ResetAfter = false)]
            [Dense(1)]
            public partial class GruModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new GruModel().GruBias.Length;
            }
            """,
        ["stacked LSTM"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Lstm(30, ReturnSequences = true)]
            [Lstm(30)]
            [Dense(1)]
            public partial class StackedModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new StackedModel().Lstm1Kernel.Length;
            }
            """,
        ["Embedding + GRU + Dense(sigmoid)"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 20)]
            [Embedding(500, 16)]
            [Gru(12)]
            [Dense(1, Activation = "sigmoid")]
            public partial class SentimentModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static float Use()
                {
                    var model = new SentimentModel();
                    var output = new float[1];
                    model.Forward(new int[SentimentModel.TimeSteps], 1, output);
                    model.Backward(output);
                    return output[0] + SentimentModel.VocabularySize + model.EmbeddingEmbeddings.Length;
                }
            }
            """,
        ["Bidirectional, TimeDistributed, dropout"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 6, Features = 3)]
            [Bidirectional]
            [Lstm(8, ReturnSequences = true, Dropout = 0.25, ReturnState = true)]
            [Bidirectional(MergeMode = "ave")]
            [Gru(5, ReturnSequences = true, RecurrentDropout = 0.1, ResetAfter = false)]
            [SpatialDropout1D(0.1)]
            [TimeDistributed]
            [Dense(4, Activation = "softmax")]
            public partial class TaggerModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static float Use()
                {
                    var model = new TaggerModel();
                    model.SeedDropout(1);
                    model.SetBidirectionalBackwardInitialState(new float[16], new float[16]);
                    var output = new float[2 * TaggerModel.TimeSteps * TaggerModel.OutputUnits];
                    model.Forward(new float[2 * TaggerModel.TimeSteps * TaggerModel.InputFeatures], 2, output, training: true);
                    model.Backward(output);
                    float h = model.BidirectionalForwardFinalState[0] + model.BidirectionalBackwardFinalCellState[0] + model.BidirectionalBackwardInitialCellStateGradient[0];
                    model.ResetStates();
                    return h + model.Bidirectional1BackwardRecurrentKernel[0];
                }
            }
            """,
        ["Masking, stateful GRU, no bias"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Masking(-1.0)]
            [Gru(7, Stateful = true, GoBackwards = true, UseBias = false, RecurrentActivation = "hard_sigmoid")]
            [Dropout(0.3)]
            [Dense(1, UseBias = false)]
            public partial class StatefulModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use()
                {
                    var model = new StatefulModel();
                    model.SetGruInitialState(new float[7]);
                    return model.GruInitialStateGradient.Length + model.GruRecurrentKernel.Length + model.DenseKernel.Length;
                }
            }
            """,
        ["Dense softmax"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 5, Features = 4)]
            [SimpleRnn(8, ReturnSequences = true)]
            [Dense(3, Activation = "softmax")]
            public partial class TaggerModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new TaggerModel().OutputLength(2, TaggerModel.TimeSteps);
            }
            """,
        ["open TimeSteps"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 1)]
            [SimpleRnn(3)]
            [Dense(1)]
            public partial class AnyLengthModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static float Use()
                {
                    var model = new AnyLengthModel();
                    var output = new float[1];
                    model.Forward(new float[7], 1, output);
                    model.Forward(new float[3], 1, 3, output);
                    return output[0];
                }
            }
            """,
        ["nested partial class"] = Usings + """
            namespace Demo;
            /// <summary>Outer.</summary>
            public static partial class Outer
            {
                /// <summary>Middle.</summary>
                internal partial record Middle
                {
                    /// <summary>Inner.</summary>
                    public partial struct Innermost
                    {
                        /// <summary>Model.</summary>
                        [Sequential(Features = 1)]
                        [Lstm(4)]
                        [Dense(1)]
                        internal sealed partial class NestedModel;
                    }
                }
            }
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new Outer.Middle.Innermost.NestedModel().Parameters.Length;
            }
            """,
        ["global namespace"] = Usings + """
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Gru(4, ResetAfter = false)]
            [Dense(2, Activation = "softmax")]
            public partial class GlobalModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static string Use() => new GlobalModel().Summary();
            }
            """,
        ["two models sharing a cell shape"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential(Features = 2)]
            [Lstm(8)]
            [Dense(1)]
            public partial class FirstModel;
            /// <summary>Model.</summary>
            [Sequential(TimeSteps = 3, Features = 2)]
            [Lstm(8, Name = "encoder")]
            [Dense(1, Name = "head")]
            internal partial class SecondModel;
            /// <summary>Uses the models.</summary>
            internal static class Usage
            {
                /// <summary>Uses the models.</summary>
                public static int Use() => new FirstModel().LstmKernel.Length + new SecondModel().EncoderKernel.Length + new SecondModel().HeadBias.Length;
            }
            """,
        ["every layer kind in one stack"] = Usings + """
            namespace Demo;
            /// <summary>Model.</summary>
            [Sequential]
            [Embedding(50, 6, Name = "tokens")]
            [SimpleRnn(7, ReturnSequences = true)]
            [Gru(9, ReturnSequences = true, Name = "gru-a.b")]
            [Lstm(10, ReturnSequences = true)]
            [Dense(4, Activation = "tanh")]
            [Lstm(3)]
            [Dense(2, Activation = "relu")]
            [Dense(1)]
            public partial class EverythingModel;
            /// <summary>Uses the model.</summary>
            public static class Usage
            {
                /// <summary>Uses the model.</summary>
                public static int Use() => new EverythingModel().TokensEmbeddings.Length + new EverythingModel().GruABKernel.Length + new EverythingModel().Dense2Bias.Length;
            }
            """,
    };

    public static TheoryData<string> Cases => new(Models.Keys);

    private static GeneratorRun RunStrict(string source, DocumentationMode documentation)
    {
        var parseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(documentation);
        var compilation = GeneratorHarness.CreateCompilation(new[] { (GeneratorHarness.DefaultPath, source) }, GeneratorHarness.StrictOptions, parseOptions);
        return GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(parseOptions));
    }

    private static void ShouldCompileClean(GeneratorRun run)
    {
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.GeneratedSources.ShouldNotBeEmpty();
        var problems = run.CompilationDiagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Warning or DiagnosticSeverity.Error)
            .ToList();
        problems.ShouldBeEmpty(string.Join("\n", problems.Take(20).Select(d => $"{d} @ {d.Location.SourceTree?.FilePath}")));

        using var stream = new MemoryStream();
        var emitted = run.OutputCompilation.Emit(stream);
        emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
        emitted.Success.ShouldBeTrue();
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_CompilesWithoutWarnings(string name) => ShouldCompileClean(RunStrict(Models[name], DocumentationMode.Parse));

    /// <summary>
    /// The same with XML documentation diagnosed, as in a project with GenerateDocumentationFile: the generated
    /// doc comments must be well-formed and their crefs must bind.
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void Model_DocumentationCommentsAreValid(string name) => ShouldCompileClean(RunStrict(Models[name], DocumentationMode.Diagnose));

    [Fact]
    public void StrictOptions_DoTurnWarningsIntoErrors()
    {
        var run = RunStrict(Usings + "namespace Demo;\n/// <summary>Model.</summary>\npublic static class Warns { /// <summary>Unused.</summary>\npublic static void F() { int unused = 0; } }", DocumentationMode.Diagnose);
        run.CompilationDiagnostics.ShouldContain(d => d.Id == "CS0219" && d.Severity == DiagnosticSeverity.Error);
    }

    [Fact]
    public void Cases_AllGenerateTheirModel()
    {
        foreach (var (name, source) in Models)
        {
            var run = GeneratorHarness.Run(source);
            run.GeneratedSources.Count(s => !s.HintName.StartsWith("Cells.", System.StringComparison.Ordinal))
                .ShouldBe(name == "two models sharing a cell shape" ? 2 : 1, name);
        }
    }

    [Fact]
    public void TwoModelsWithTheSameLstmShape_ShareOneCell()
    {
        var run = GeneratorHarness.Run(Models["two models sharing a cell shape"]);
        run.HintNames.Where(h => h.StartsWith("Cells.Lstm_I", System.StringComparison.Ordinal))
            .ShouldHaveSingleItem().ShouldBe("Cells.Lstm_I2_H8.g.cs");
        run.HintNames.Where(h => h.StartsWith("Cells.Dense_I", System.StringComparison.Ordinal))
            .ShouldHaveSingleItem().ShouldBe("Cells.Dense_I8_U1_Linear.g.cs");
        run.HintNames.Count.ShouldBe(4);
    }

    [Fact]
    public void StackedLayersOfOneShape_ShareOneCell()
    {
        var run = GeneratorHarness.Run("""
            using ModelGen;
            [Sequential(Features = 6)]
            [SimpleRnn(6, ReturnSequences = true)]
            [SimpleRnn(6, ReturnSequences = true)]
            [SimpleRnn(6)]
            public partial class Repeated;
            """);
        run.HintNames.OrderBy(h => h, System.StringComparer.Ordinal)
            .ShouldBe(new[] { "Cells.SimpleRnn_I6_H6_Tanh.g.cs", "Models.Repeated.g.cs" });
    }

    /// <summary>
    /// Layer 'a' has a recurrent kernel, exposed as <c>ARecurrentKernel</c>; layer 'a_recurrent' has a kernel,
    /// exposed as <c>ARecurrentKernel</c> too. Both names are valid and distinct, so the model should compile
    /// (or ModelGen should report the clash).
    /// </summary>
    [Theory]
    [InlineData("a", "a_recurrent")]
    [InlineData("a", "a_tanh")]
    public void LayerNamesWhoseMembersCollide_CompileOrAreReported(string first, string second)
    {
        var run = GeneratorHarness.Run(Usings + $$"""
            namespace Demo;
            [Sequential(Features = 2)]
            [Lstm(4, Name = "{{first}}", ReturnSequences = true)]
            [Lstm(4, Name = "{{second}}")]
            public partial class CollidingModel;
            """);
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785");
        if (run.ModelGenDiagnostics.IsEmpty)
            run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
    }

    /// <summary>A class or namespace named with a verbatim keyword (<c>@event</c>) is a valid model.</summary>
    [Theory]
    [InlineData("Demo", "@event")]
    [InlineData("@namespace.Models", "KeywordNamespaceModel")]
    public void KeywordNamedModel_CompilesOrIsReported(string ns, string className)
    {
        var run = GeneratorHarness.Run(Usings + $$"""
            namespace {{ns}};
            [Sequential(Features = 1)]
            [Dense(1)]
            public partial class {{className}};
            public static class Usage
            {
                public static int Use() => {{className}}.ParameterCount;
            }
            """);
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785", string.Join("\n", run.GeneratorDiagnostics));
        if (run.ModelGenDiagnostics.IsEmpty)
            run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
    }

    /// <summary>A model nested in a generic type must get its members, or be reported.</summary>
    [Fact]
    public void ModelInGenericType_GetsItsMembersOrIsReported()
    {
        var run = GeneratorHarness.Run(Usings + """
            namespace Demo;
            public partial class Outer<T>
            {
                [Sequential(Features = 1)]
                [Dense(1)]
                public partial class Inner;
            }
            public static class Usage
            {
                public static int Use() => Outer<int>.Inner.ParameterCount;
            }
            """);
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785");
        if (run.ModelGenDiagnostics.IsEmpty)
            run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
    }
}
