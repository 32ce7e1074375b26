using System.Linq;
using ModelGen.Generators.Checking;
using ModelGen.Generators.Layers;
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
        model.Layers.Select(l => (l.Inputs, l.OutputWidth, l.InputIsSequence, l.OutputIsSequence)).ShouldBe(new[]
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
        model.Layers.Select(l => l.Cell.Activation).ShouldBe(new[] { Activation.Tanh, Activation.Tanh, Activation.Linear });
    }

    [Fact]
    public void GatedActivation_NamesTheCell_OnlyWhenNotTanh()
    {
        var model = Check("[Sequential(Features = 1)] [Lstm(2, Activation = \"relu\", ReturnSequences = true)] [Gru(3, Activation = \"linear\", ReturnSequences = true)] [Lstm(2, Activation = \"tanh\")]");
        model.Layers.Select(l => l.Cell.TypeName).ShouldBe(new[] { "Lstm_I1_H2_Relu", "Gru_I2_H3_ResetAfter_Linear", "Lstm_I3_H2" });
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

    [Fact]
    public void Bidirectional_CountsBothCopies_AsKeras()
    {
        // Keras: Bidirectional(LSTM(64)) on 128 features has 2·4·64·(128 + 64 + 1) = 98,816 parameters.
        var model = Check("[Sequential(Features = 128)]\n[Bidirectional]\n[Lstm(64)]\n[Dense(1)]");
        var layer = model.Layers[0];
        layer.Name.ShouldBe("bidirectional");
        layer.KerasType.ShouldBe("Bidirectional");
        layer.ParameterCount.ShouldBe(98_816);
        layer.OutputWidth.ShouldBe(128); // concat: twice the units
        layer.Directions.Select(d => (d.Identifier, d.KerasName, d.Reversed)).ShouldBe(new[]
        {
            ("BidirectionalForward", "forward_lstm", false),
            ("BidirectionalBackward", "backward_lstm", true),
        });
        layer.Parameters.Select(p => p.KerasName).ShouldBe(new[]
        {
            "forward_lstm/kernel", "forward_lstm/recurrent_kernel", "forward_lstm/bias",
            "backward_lstm/kernel", "backward_lstm/recurrent_kernel", "backward_lstm/bias",
        });
        layer.Directions[1].Views[0].Offset.ShouldBe(49_408);
        model.Layers[1].Inputs.ShouldBe(128);
    }

    [Theory]
    [InlineData("sum", 5)]
    [InlineData("mul", 5)]
    [InlineData("ave", 5)]
    [InlineData("concat", 10)]
    public void Bidirectional_MergeModeSetsTheWidth(string mode, int width)
    {
        var model = Check($"[Sequential(Features = 3)]\n[Bidirectional(MergeMode = \"{mode}\")]\n[Gru(5, ReturnSequences = true)]\n[Dense(2)]");
        model.Layers[0].OutputWidth.ShouldBe(width);
        model.Layers[1].Inputs.ShouldBe(width);
        model.Layers[0].ParameterCount.ShouldBe(2 * (3 * 5 * (3 + 5) + 2 * 3 * 5));
    }

    [Fact]
    public void WrappedLayers_TakeKerasNames_AndTheInnerCounterAdvances()
    {
        var model = Check("[Sequential(Features = 3)]\n[Bidirectional]\n[Lstm(4, ReturnSequences = true)]\n[Lstm(4, ReturnSequences = true)]\n[TimeDistributed]\n[Dense(2)]\n[Dense(1)]");
        Names(model).ShouldBe(new[] { "bidirectional", "lstm_1", "time_distributed", "dense_1" });
        model.Layers[0].Directions[0].KerasName.ShouldBe("forward_lstm");
        model.Layers[2].KerasType.ShouldBe("TimeDistributed");
    }

    [Fact]
    public void UseBiasFalse_DropsTheBias_FromViewsAndCounts()
    {
        var model = Check("[Sequential(Features = 3)]\n[Gru(4, UseBias = false)]\n[Dense(2, UseBias = false)]");
        model.Layers[0].ParameterCount.ShouldBe(3 * 4 * (3 + 4));
        model.Layers[0].Parameters.Select(p => p.KerasName).ShouldBe(new[] { "kernel", "recurrent_kernel" });
        model.Layers[1].ParameterCount.ShouldBe(8);
        model.Layers[0].Cell.TypeName.ShouldBe("Gru_I3_H4_ResetAfter_NoBias");
    }

    [Fact]
    public void Masks_ReachTheLayersUntilTimeIsDropped()
    {
        var model = Check("[Sequential]\n[Embedding(30, 4, MaskZero = true)]\n[Dropout(0.1)]\n[Lstm(5, ReturnSequences = true)]\n[Gru(3)]\n[Dense(1)]");
        model.Layers.Select(l => l.MaskIn).ShouldBe(new[] { false, true, true, true, false });
        model.UsesMask.ShouldBeTrue();
        model.UsesDropout.ShouldBeTrue();
        model.Layers[1].OutputWidth.ShouldBe(4);
        model.Layers[1].ParameterCount.ShouldBe(0);
    }

    [Fact]
    public void RecurrentOptions_AreCarried()
    {
        var model = Check("[Sequential(Features = 2)]\n[Lstm(6, GoBackwards = true, Stateful = true, ReturnState = true, Dropout = 0.25, RecurrentDropout = 0.5, RecurrentActivation = \"hard_sigmoid\")]");
        var l = model.Layers[0];
        (l.Stateful, l.ReturnState, l.Dropout, l.RecurrentDropout).ShouldBe((true, true, 0.25f, 0.5f));
        l.Directions.ShouldHaveSingleItem().Reversed.ShouldBeTrue();
        l.Cell.RecurrentActivation.ShouldBe(Activation.HardSigmoid);
        l.Cell.TypeName.ShouldBe("Lstm_I2_H6_HardSigmoid");
    }
}
