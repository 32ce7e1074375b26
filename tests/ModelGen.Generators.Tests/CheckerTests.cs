using System.Linq;
using ModelGen.Generators.Checking;
using ModelGen.Generators.Model;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The parser and checker on their own, no emission: Keras default names, contiguous parameter layout and Keras's
/// parameter counts. Declarations are parsed by running the generator and reading the Parse step's output.
/// </summary>
public sealed class CheckerTests
{
    private static CheckedModel Check(string attributes)
    {
        var spec = GeneratorHarness.ParseSingle($"using ModelGen;\n{attributes}\npublic partial class M;");
        var result = ModelChecker.Check(spec);
        result.Diagnostics.ShouldBeEmpty(string.Join(", ", result.Diagnostics.Select(d => d.Descriptor.Id)));
        return result.Model.ShouldNotBeNull();
    }

    private static string[] Names(CheckedModel model) => model.Layers.Select(l => l.Name).ToArray();

    [Fact]
    public void Parser_ReadsTheDeclaration()
    {
        var spec = GeneratorHarness.ParseSingle("""
            using ModelGen;
            namespace Demo.Models;
            public partial class Outer
            {
                [Sequential(TimeSteps = 4, Features = 2)]
                [Lstm(30, ReturnSequences = true, Name = "enc")]
                [Gru(7, ResetAfter = false)]
                [Dense(1, Activation = "sigmoid")]
                internal partial class Inner;
            }
            """);
        spec.Namespace.ShouldBe("Demo.Models");
        spec.ContainingTypes.Select(t => (t.Keyword, t.Name, t.IsPartial)).ShouldBe(new[] { ("class", "Outer", true) });
        spec.ClassName.ShouldBe("Inner");
        spec.FullName.ShouldBe("Demo.Models.Outer.Inner");
        spec.Accessibility.ShouldBe("internal");
        spec.IsPartial.ShouldBeTrue();
        spec.TimeSteps.ShouldBe(4);
        spec.Features.ShouldBe(2);
        spec.Layers.Select(l => (l.Kind, l.AttributeName, l.Name, l.Units, l.Activation, l.ReturnSequences, l.ResetAfter)).ShouldBe(new[]
        {
            (LayerKind.Lstm, "Lstm", (string?)"enc", 30, (string?)null, true, true),
            (LayerKind.Gru, "Gru", null, 7, null, false, false),
            (LayerKind.Dense, "Dense", null, 1, "sigmoid", false, true),
        });
    }

    [Fact]
    public void Parser_LeavesUnsetSizesNull_AndReadsEmbeddingDims()
    {
        var spec = GeneratorHarness.ParseSingle("using ModelGen;\n[Sequential] [Embedding(500, 16)] [SimpleRnn(8)] partial class M;");
        spec.TimeSteps.ShouldBeNull();
        spec.Features.ShouldBeNull();
        spec.Namespace.ShouldBeNull();
        var embedding = spec.Layers[0];
        (embedding.InputDim, embedding.Units).ShouldBe((500, 16));
    }

    [Fact]
    public void DefaultNames_FollowKeras()
        => Names(Check("""
            [Sequential(Features = 2)]
            [SimpleRnn(4, ReturnSequences = true)]
            [Lstm(4, ReturnSequences = true)]
            [Lstm(4, ReturnSequences = true)]
            [Gru(4)]
            [Dense(3)]
            [Dense(1)]
            """)).ShouldBe(new[] { "simple_rnn", "lstm", "lstm_1", "gru", "dense", "dense_1" });

    [Fact]
    public void DefaultNames_Embedding()
        => Names(Check("[Sequential] [Embedding(10, 4)] [SimpleRnn(2)]")).ShouldBe(new[] { "embedding", "simple_rnn" });

    [Fact]
    public void ExplicitName_PushesTheDefaultAlong()
        => Names(Check("""
            [Sequential(Features = 2)]
            [Lstm(4, ReturnSequences = true)]
            [Lstm(4, Name = "lstm")]
            """)).ShouldBe(new[] { "lstm_1", "lstm" });

    [Fact]
    public void ExplicitNames_AreKept_AndSkippedByTheCounter()
        => Names(Check("""
            [Sequential(Features = 2)]
            [Lstm(4, Name = "lstm_1", ReturnSequences = true)]
            [Lstm(4, ReturnSequences = true)]
            [Lstm(4)]
            [Dense(1, Name = "output")]
            """)).ShouldBe(new[] { "lstm_1", "lstm", "lstm_2", "output" });

    [Fact]
    public void Identifiers_ArePascalCase_AndUnique()
    {
        var model = Check("""
            [Sequential(Features = 2)]
            [SimpleRnn(4, ReturnSequences = true)]
            [SimpleRnn(4, ReturnSequences = true)]
            [Lstm(4, Name = "my-encoder.v2", ReturnSequences = true)]
            [Lstm(4, Name = "my_encoder_v2")]
            [Dense(1, Name = "_")]
            """);
        model.Layers.Select(l => l.Identifier).ShouldBe(new[] { "SimpleRnn", "SimpleRnn1", "MyEncoderV2", "MyEncoderV2_2", "Layer" });
    }

    [Fact]
    public void ParameterOffsets_AreContiguous()
    {
        var model = Check("""
            [Sequential]
            [Embedding(50, 6)]
            [SimpleRnn(7, ReturnSequences = true)]
            [Gru(9, ReturnSequences = true)]
            [Gru(5, ResetAfter = false, ReturnSequences = true)]
            [Lstm(10)]
            [Dense(3, Activation = "softmax")]
            """);
        int offset = 0;
        foreach (var layer in model.Layers)
        {
            layer.Parameters.Count.ShouldBeGreaterThan(0);
            foreach (var view in layer.Parameters)
            {
                view.Offset.ShouldBe(offset, $"{layer.Name} {view.KerasName}");
                view.Length.ShouldBeGreaterThan(0);
                offset += view.Length;
            }
            layer.Parameters.Sum(v => v.Length).ShouldBe(layer.ParameterCount, layer.Name);
        }
        model.ParameterCount.ShouldBe(offset);
        model.ParameterCount.ShouldBe(model.Layers.Sum(l => l.ParameterCount));
    }

    [Fact]
    public void ParameterViews_HaveKerasShapes()
    {
        var lstm = Check("[Sequential(Features = 2)] [Lstm(32)]").Layers[0];
        lstm.Parameters.Select(v => (v.KerasName, v.Rows, v.Columns, v.Init)).ShouldBe(new[]
        {
            ("kernel", 2, 128, InitKind.GlorotUniform),
            ("recurrent_kernel", 32, 128, InitKind.Orthogonal),
            ("bias", 1, 128, InitKind.UnitForgetBias),
        });
        var gru = Check("[Sequential(Features = 2)] [Gru(30)]").Layers[0];
        gru.Parameters.Select(v => (v.KerasName, v.Rows, v.Columns)).ShouldBe(new[] { ("kernel", 2, 90), ("recurrent_kernel", 30, 90), ("bias", 2, 90) });
        var embedding = Check("[Sequential] [Embedding(500, 16)] [Dense(1)]").Layers[0];
        embedding.Parameters.Select(v => (v.KerasName, v.Rows, v.Columns, v.Init)).ShouldBe(new[] { ("embeddings", 500, 16, InitKind.Uniform005) });
    }

    [Fact]
    public void KerasCounts_SimpleRnnOn500Features_ThenDense()
    {
        var model = Check("[Sequential(Features = 500)] [SimpleRnn(8)] [Dense(1)]");
        model.Layers.Select(l => l.ParameterCount).ShouldBe(new[] { 4_072, 9 });
        model.ParameterCount.ShouldBe(4_081);
    }

    [Fact]
    public void KerasCounts_Embedding_SimpleRnn_Dense()
    {
        var model = Check("[Sequential] [Embedding(500, 16)] [SimpleRnn(8)] [Dense(1, Activation = \"sigmoid\")]");
        model.Layers.Select(l => l.ParameterCount).ShouldBe(new[] { 8_000, 200, 9 });
        model.VocabularySize.ShouldBe(500);
        model.InputFeatures.ShouldBe(0);
    }

    [Theory]
    [InlineData("[Lstm(32)]", 4_480)]
    [InlineData("[Gru(30)]", 3_060)]
    [InlineData("[Gru(30, ResetAfter = true)]", 3_060)]
    [InlineData("[Gru(30, ResetAfter = false)]", 2_970)]
    [InlineData("[SimpleRnn(8)]", 88)]
    [InlineData("[Dense(5)]", 15)]
    public void KerasCounts_OnTwoFeatures(string layer, int expected)
        => Check($"[Sequential(Features = 2)] {layer}").Layers.Single().ParameterCount.ShouldBe(expected);

    [Fact]
    public void Shapes_AreInferred()
    {
        var model = Check("""
            [Sequential(TimeSteps = 5, Features = 3)]
            [Lstm(30, ReturnSequences = true)]
            [Lstm(20)]
            [Dense(1)]
            """);
        model.Layers.Select(l => (l.Inputs, l.Units, l.InputIsSequence, l.OutputIsSequence)).ShouldBe(new[]
        {
            (3, 30, true, true),
            (30, 20, true, false),
            (20, 1, false, false),
        });
        model.Layers.Select(l => l.Cell.TypeName).ShouldBe(new[] { "Lstm_I3_H30", "Lstm_I30_H20", "Dense_I20_U1_Linear" });
        model.TimeSteps.ShouldBe(5);
        model.InputFeatures.ShouldBe(3);
    }

    [Fact]
    public void Activations_DefaultToKeras()
    {
        var model = Check("[Sequential(Features = 1)] [SimpleRnn(2, ReturnSequences = true)] [Gru(2)] [Dense(1)]");
        model.Layers.Select(l => l.Cell.Activation).ShouldBe(new[] { Activation.Tanh, Activation.Linear, Activation.Linear });
    }

    [Fact]
    public void CheckResult_IsEqualForEqualSpecs()
    {
        const string Source = "using ModelGen;\n[Sequential(Features = 2)] [Lstm(4)] [Dense(1)] public partial class M;";
        var a = ModelChecker.Check(GeneratorHarness.ParseSingle(Source));
        var b = ModelChecker.Check(GeneratorHarness.ParseSingle("\n\n" + Source));
        b.ShouldBe(a);
        b.GetHashCode().ShouldBe(a.GetHashCode());
    }

    /// <summary>
    /// LSTM(50000) on one feature has 4·50000·50001 + 4·50000 = 10,000,400,000 parameters: more than an int holds.
    /// The checker must report it rather than emit a wrapped-around ParameterCount.
    /// </summary>
    [Fact]
    public void ParameterCountOverflow_IsReported()
    {
        var spec = GeneratorHarness.ParseSingle("using ModelGen;\n[Sequential(Features = 1)] [Lstm(50000)] public partial class M;");
        var result = ModelChecker.Check(spec);
        result.Model.ShouldBeNull();
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem();
        diagnostic.Descriptor.Id.ShouldBe("MG0015");
        // 4·50,000·(1 + 50,000 + 1) = 10,000,400,000 parameters, reported exactly, not wrapped around.
        diagnostic.ToDiagnostic().GetMessage(System.Globalization.CultureInfo.InvariantCulture).ShouldContain("10000400000");
    }
}
