using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// One test per diagnostic: a minimal declaration that triggers it, the severity, where it points and what it says.
/// Model-level rules (MG0001–MG0003, MG0012, MG0013) point at the <c>[Sequential]</c> attribute; layer rules point at
/// the offending layer attribute; a value that breaks a rule (a size, an activation, a rate, a name, an initializer,
/// <c>TimeSteps</c> or <c>Features</c>) points at the argument that holds it, as the compiler's own errors about
/// arguments do. MG0999 (internal error) cannot
/// be triggered from valid or invalid source, so its test feeds the checker a declaration whose reading failed.
/// </summary>
public sealed class DiagnosticTests
{
    private const string Usings = "using ModelGen;\nnamespace Test;\n";

    /// <summary>Runs the generator, asserts <paramref name="id"/> is reported and that no code was generated.</summary>
    private static (Diagnostic Diagnostic, string Text, string Message) Expect(string id, string declaration)
    {
        var run = GeneratorHarness.Run(Usings + declaration);
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785");
        var matches = run.GeneratorDiagnostics.Where(d => d.Id == id).ToList();
        matches.ShouldHaveSingleItem($"expected exactly one {id}; the generator reported: {string.Join(", ", run.GeneratorDiagnostics.Select(d => d.Id))}");
        var diagnostic = matches[0];
        diagnostic.Severity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.DefaultSeverity.ShouldBe(DiagnosticSeverity.Error);
        diagnostic.Location.ShouldNotBe(Location.None);
        run.GeneratedSources.ShouldBeEmpty("an invalid model must generate no source");
        return (diagnostic, run.TextAt(diagnostic.Location), diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void MG0001_NotPartial_PointsAtSequential()
    {
        var (_, text, message) = Expect("MG0001", """
            [Sequential(Features = 1)]
            [SimpleRnn(4)]
            [Dense(1)]
            public class PlainModel { }
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldContain("'PlainModel'");
        message.ShouldContain("partial class PlainModel");
    }

    [Fact]
    public void MG0002_NoLayers()
    {
        var (_, text, message) = Expect("MG0002", """
            [Sequential(Features = 1)]
            public partial class EmptyModel;
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldContain("'EmptyModel'");
    }

    [Fact]
    public void MG0003_NoInput()
    {
        var (_, text, message) = Expect("MG0003", """
            [Sequential(TimeSteps = 4)]
            [SimpleRnn(4)]
            public partial class NoInputModel;
            """);
        text.ShouldBe("Sequential(TimeSteps = 4)");
        message.ShouldContain("'NoInputModel'");
    }

    [Fact]
    public void MG0004_NotPositive_Units_PointsAtLayer()
    {
        var (_, text, message) = Expect("MG0004", """
            [Sequential(Features = 1)]
            [Lstm(0)]
            public partial class ZeroUnitsModel;
            """);
        text.ShouldBe("0"); // the argument that holds the value, as the compiler underlines its own argument errors
        message.ShouldStartWith("units of Lstm 'lstm' must be positive, but is 0");
    }

    [Theory]
    [InlineData("[Sequential(TimeSteps = -3, Features = 1)] [Dense(1)]", "TimeSteps = -3", "TimeSteps of model 'SizeModel'")]
    [InlineData("[Sequential(Features = -2)] [Dense(1)]", "Features = -2", "Features of model 'SizeModel'")]
    [InlineData("[Sequential] [Embedding(0, 8)] [Dense(1)]", "0", "inputDim of Embedding 'embedding'")]
    [InlineData("[Sequential] [Embedding(10, -8)] [Dense(1)]", "-8", "outputDim of Embedding 'embedding'")]
    [InlineData("[Sequential] [Embedding(outputDim: -8, inputDim: 10)] [Dense(1)]", "outputDim: -8", "outputDim of Embedding 'embedding'")]
    [InlineData("[Sequential] [Embedding(inputDim: 10, -8)] [Dense(1)]", "-8", "outputDim of Embedding 'embedding'")]
    [InlineData("[Sequential(Features = 1)] [Dense(-1, Name = \"head\")]", "-1", "units of Dense 'head'")]
    [InlineData("[Sequential(Features = 1)] [Bidirectional] [Lstm(0)] [Dense(1)]", "0", "units of Lstm 'bidirectional'")]
    public void MG0004_NotPositive_EverySize(string attributes, string pointsAt, string names)
    {
        var (_, text, message) = Expect("MG0004", attributes + " public partial class SizeModel;");
        text.ShouldBe(pointsAt);
        message.ShouldStartWith(names);
    }

    [Fact]
    public void MG0005_NeedsSequence_PointsAtSecondRecurrentLayer()
    {
        var (_, text, message) = Expect("MG0005", """
            [Sequential(Features = 1)]
            [Lstm(4)]
            [Lstm(8)]
            public partial class UnstackedModel;
            """);
        text.ShouldBe("Lstm(8)");
        message.ShouldContain("'lstm_1'");
        message.ShouldContain("'lstm' returns only its last step");
    }

    [Theory]
    [InlineData("[Lstm(50)] [Dropout(0.2)] [Lstm(50)]", "lstm_1", "lstm")]
    [InlineData("[Lstm(8)] [Dense(4)] [Lstm(8)]", "lstm_1", "lstm")]
    [InlineData("[Gru(8, Name = \"enc\")] [Dropout(0.1)] [Dense(4)] [Lstm(8)]", "lstm", "enc")]
    public void MG0005_NamesTheRecurrentLayerThatReturnedItsLastStep(string layers, string offending, string collapsedBy)
    {
        var (_, _, message) = Expect("MG0005", $"[Sequential(Features = 1)] {layers} public partial class CollapsedModel;");
        message.ShouldContain($"'{offending}' needs a sequence");
        message.ShouldContain($"'{collapsedBy}' returns only its last step: set ReturnSequences = true on '{collapsedBy}'");
    }

    [Fact]
    public void MG0999_AFailedRead_IsReportedWithItsMessage_NotDropped()
    {
        var failed = Declaration.ModelParser.Failure("BrokenModel", null, new System.InvalidOperationException("attribute argument of an unexpected type"));
        var result = Checking.ModelChecker.Check(failed);
        result.Model.ShouldBeNull();
        var diagnostic = result.Diagnostics.ShouldHaveSingleItem().ToDiagnostic();
        diagnostic.Id.ShouldBe("MG0999");
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        message.ShouldContain("'BrokenModel'");
        message.ShouldContain("reading the declaration: InvalidOperationException: attribute argument of an unexpected type");
    }

    [Fact]
    public void MG0021_MaskValueNotAFiniteFloat()
    {
        var (_, text, message) = Expect("MG0021", """
            [Sequential(Features = 2)]
            [Masking(1e300)]
            [Lstm(3)]
            public partial class PaddedModel;
            """);
        text.ShouldBe("1e300");
        message.ShouldStartWith("maskValue of Masking 'masking' is 1E+300, which is not a finite float");
    }

    [Fact]
    public void MG0022_ClassNamedLikeAGeneratedMember_PointsAtTheClass()
    {
        var (_, text, message) = Expect("MG0022", """
            [Sequential(Features = 1)]
            [Dense(1)]
            public partial class DenseKernel;
            """);
        text.ShouldBe("DenseKernel");
        message.ShouldContain("Model class 'DenseKernel' has the name of a member ModelGen generates for it");
    }

    [Fact]
    public void MG0023_RecordIsNotAModelClass()
    {
        var (_, text, message) = Expect("MG0023", """
            [Sequential(Features = 1)]
            [Dense(1)]
            public partial record Scores;
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldContain("'Scores' is declared as a record: declare it as 'partial class Scores'");
    }

    [Fact]
    public void MG0024_LayersWithoutSequential_ReportedOnceAtTheFirstLayer()
    {
        var (_, text, message) = Expect("MG0024", """
            [Lstm(4)]
            [Dense(1)]
            [Dense(1)]
            public partial class Forgotten;
            """);
        text.ShouldBe("Lstm(4)");
        message.ShouldContain("'Forgotten' has layer attributes but no [Sequential]");
    }

    [Fact]
    public void MG0006_EmbeddingNotFirst()
    {
        var (_, text, message) = Expect("MG0006", """
            [Sequential(Features = 1)]
            [SimpleRnn(4, ReturnSequences = true)]
            [Embedding(10, 4)]
            public partial class LateEmbeddingModel;
            """);
        text.ShouldBe("Embedding(10, 4)");
        message.ShouldContain("Embedding 'embedding' is layer 1");
    }

    [Fact]
    public void MG0007_SoftmaxOnRecurrent()
    {
        var (_, text, message) = Expect("MG0007", """
            [Sequential(Features = 1)]
            [SimpleRnn(4, Activation = "softmax")]
            public partial class SoftmaxRnnModel;
            """);
        text.ShouldBe("Activation = \"softmax\"");
        message.ShouldContain("SimpleRnn layer 'simple_rnn'");
    }

    [Fact]
    public void MG0008_LayersSplit_PointsAtLayerOnOtherDeclaration()
    {
        var (_, text, message) = Expect("MG0008", """
            [Sequential(Features = 1)]
            [SimpleRnn(4)]
            public partial class SplitModel;

            [Dense(1)]
            public partial class SplitModel;
            """);
        text.ShouldBe("Dense(1)");
        message.ShouldContain("'SplitModel'");
    }

    [Fact]
    public void MG0009_UnknownActivation()
    {
        var (_, text, message) = Expect("MG0009", """
            [Sequential(Features = 1)]
            [SimpleRnn(4)]
            [Dense(1, Activation = "gelu")]
            public partial class GeluModel;
            """);
        text.ShouldBe("Activation = \"gelu\"");
        message.ShouldContain("Dense layer 'dense'");
        message.ShouldContain("'gelu'");
    }

    [Fact]
    public void MG0009_UnknownLstmActivation()
    {
        var (_, text, message) = Expect("MG0009", """
            [Sequential(Features = 1)]
            [Lstm(4, Activation = "hard_sigmoid")]
            public partial class HardSigmoidCandidateModel;
            """);
        text.ShouldBe("Activation = \"hard_sigmoid\"");
        message.ShouldContain("Lstm layer 'lstm' cannot use activation 'hard_sigmoid'"); // known to Keras, not unknown
        message.ShouldNotContain("unknown");
        message.ShouldContain("'tanh', 'relu', 'sigmoid' or 'linear'");
    }

    [Fact]
    public void MG0007_SoftmaxOnGru()
    {
        var (_, text, message) = Expect("MG0007", """
            [Sequential(Features = 1)]
            [Gru(4, Activation = "softmax")]
            public partial class SoftmaxGruModel;
            """);
        text.ShouldBe("Activation = \"softmax\"");
        message.ShouldContain("Gru layer 'gru'");
    }

    [Theory]
    [InlineData("KernelInitializer = \"glorot\"", "'glorot' is not a Keras initializer")]
    [InlineData("RecurrentInitializer = \"random_normal(sigma=1)\"", "'random_normal' has no argument 'sigma' (it takes mean, stddev)")]
    [InlineData("BiasInitializer = \"identity\"", "'identity' needs a 2-D weight and a bias is 1-D")]
    [InlineData("KernelInitializer = \"constant(0.5, 1)\"", "'constant' has too many arguments (it takes value)")]
    [InlineData("KernelInitializer = \"random_uniform(maxval=-1)\"", "minval must be ≤ maxval")]
    [InlineData("KernelInitializer = \"truncated_normal(stddev=x)\"", "'x' is not a finite number")]
    public void MG0030_UnknownOrInvalidInitializer(string option, string reason)
    {
        var (_, text, message) = Expect("MG0030", $$"""
            [Sequential(Features = 2)]
            [Lstm(4, {{option}})]
            public partial class InitializerModel;
            """);
        text.ShouldBe(option);
        message.ShouldContain("Lstm layer 'lstm': " + option.Split(' ')[0]);
        message.ShouldContain(reason);
        message.ShouldContain("'glorot_uniform'");
    }

    [Fact]
    public void MG0030_NamesTheEmbeddingsOption()
    {
        var (_, _, message) = Expect("MG0030", """
            [Sequential(TimeSteps = 3)]
            [Embedding(10, 4, EmbeddingsInitializer = "uniform")]
            [Dense(1)]
            public partial class EmbeddingInitModel;
            """);
        message.ShouldContain("Embedding layer 'embedding': EmbeddingsInitializer = \"uniform\"");
    }

    [Theory]
    [InlineData("KernelRegularizer = \"l3\"", "'l3' is not a Keras regularizer")]
    [InlineData("BiasRegularizer = \"l2(-0.1)\"", "factors must be ≥ 0")]
    [InlineData("KernelRegularizer = \"l1_l2(l1=0.1, l3=1)\"", "'l1_l2' has no argument 'l3'")]
    [InlineData("KernelRegularizer = \"l2(0.01\"", "the arguments must end with ')'")]
    public void MG0031_UnknownOrInvalidRegularizer(string option, string reason)
    {
        var (_, text, message) = Expect("MG0031", $$"""
            [Sequential(Features = 2)]
            [Dense(3, {{option}})]
            public partial class RegularizerModel;
            """);
        text.ShouldBe(option);
        message.ShouldContain("Dense layer 'dense': " + option.Split(' ')[0]);
        message.ShouldContain(reason);
        message.ShouldContain("'l1_l2(l1=0.01, l2=0.01)'");
    }

    [Fact]
    public void MG0010_FeaturesWithEmbedding()
    {
        var (_, text, message) = Expect("MG0010", """
            [Sequential(Features = 3)]
            [Embedding(10, 4)]
            [SimpleRnn(4)]
            public partial class TokenModel;
            """);
        text.ShouldBe("Features = 3");
        message.ShouldContain("Model 'TokenModel' sets Features = 3");
    }

    [Fact]
    public void MG0011_DuplicateName_PointsAtSecondUse_ReportedOnce()
    {
        var (diagnostic, text, message) = Expect("MG0011", """
            [Sequential(Features = 1)]
            [SimpleRnn(4, Name = "enc", ReturnSequences = true)]
            [SimpleRnn(8, Name = "enc", ReturnSequences = true)]
            [SimpleRnn(16, Name = "enc")]
            public partial class DuplicateModel;
            """);
        text.ShouldBe("Name = \"enc\"");
        diagnostic.Location.GetLineSpan().StartLinePosition.Line.ShouldBe(4); // the second SimpleRnn's line (after the two usings lines and [Sequential])
        message.ShouldContain("'enc'");
        message.ShouldContain("'DuplicateModel'");
    }

    [Fact]
    public void MG0012_GenericModel()
    {
        var (_, text, message) = Expect("MG0012", """
            [Sequential(Features = 1)]
            [Dense(1)]
            public partial class GenericModel<T>;
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldBe("Model class 'GenericModel' is generic: a model class must be a plain partial class, not generic, static, abstract or file-local, without a primary constructor, outside generic types");
    }

    [Fact]
    public void MG0027_MemberCollisions_ReadAsSentences()
    {
        var (_, _, own) = Expect("MG0027", """
            [Sequential(Features = 1)]
            [Dense(1)]
            public partial class OwnModel { private int _pass; }
            """);
        own.ShouldBe("Model class 'OwnModel' declares '_pass', a member ModelGen generates for the model: rename it in the class");
        var run = GeneratorHarness.Run(Usings + """
            [Sequential(Features = 1)] [Dense(1)] public partial class BaseModel;
            [Sequential(Features = 1)] [Dense(1)] public partial class DerivedModel : BaseModel;
            """);
        run.GeneratorDiagnostics.Where(d => d.Id == "MG0027").Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ShouldHaveSingleItem()
            .ShouldBe("Model class 'DerivedModel' derives from model class 'BaseModel', whose generated members it would hide: a model class cannot derive from another; share code through a base class without [Sequential], or hold the other model as a field");
    }

    [Fact]
    public void MG0012_StaticModel()
    {
        var (_, text, message) = Expect("MG0012", """
            [Sequential(Features = 1)]
            [Dense(1)]
            public static partial class StaticModel;
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldContain("'StaticModel' is static");
    }

    [Fact]
    public void MG0013_ContainingTypeNotPartial()
    {
        var (_, text, message) = Expect("MG0013", """
            public partial class Outer
            {
                public class Middle
                {
                    [Sequential(Features = 1)]
                    [Dense(1)]
                    public partial class Inner;
                }
            }
            """);
        text.ShouldBe("Sequential(Features = 1)");
        message.ShouldBe("Model class 'Inner' is nested in 'Middle', which must also be declared 'partial'");
    }

    [Theory]
    [InlineData("my layer")]
    [InlineData("")]
    [InlineData("9lives")]
    [InlineData("quote\"d")]
    [InlineData("naïve")]
    public void MG0014_InvalidName(string name)
    {
        string literal = name.Replace("\"", "\\\"");
        var (_, text, message) = Expect("MG0014", $$"""
            [Sequential(Features = 1)]
            [Dense(1, Name = "{{literal}}")]
            public partial class BadNameModel;
            """);
        text.ShouldBe($"Name = \"{literal}\"");
        message.ShouldStartWith($"Layer name '{name}' is not usable");
    }

    [Fact]
    public void MG0015_TooLarge()
    {
        var (_, text, message) = Expect("MG0015", """
            [Sequential(Features = 1)]
            [Lstm(8, ReturnSequences = true)]
            [Lstm(50000, Name = "huge")]
            public partial class HugeModel;
            """);
        text.ShouldBe("Lstm(50000, Name = \"huge\")");
        message.ShouldContain("'HugeModel'");
        message.ShouldContain("Lstm 'huge'");
        message.ShouldContain("2147483591");
    }

    [Theory]
    // An oversized layer gave a second MG0015 at the next layer, with a total that left the first out (trial Q).
    [InlineData("[Sequential(TimeSteps = 4, Features = 1)] [Lstm(int.MaxValue)] [Dense(1)]", "Lstm(int.MaxValue)", "Lstm 'lstm'")]
    [InlineData("[Sequential(TimeSteps = 4, Features = 1)] [Lstm(8, ReturnSequences = true)] [Gru(100000, ReturnSequences = true, Name = \"wide\")] [Lstm(100000)] [Dense(1)]", "Gru(100000, ReturnSequences = true, Name = \"wide\")", "Gru 'wide'")]
    public void MG0015_once_at_the_first_layer_past_the_limit(string declaration, string attribute, string named)
    {
        var (_, text, message) = Expect("MG0015", $"{declaration} public partial class HugeModel;");
        text.ShouldBe(attribute);
        message.ShouldContain(named);
    }

    [Theory]
    // A vector repeated 2e9 times compiled, then Predict threw a bare OverflowException (trial D).
    [InlineData("[Sequential(TimeSteps = 10, Features = 3)] [Lstm(8)] [RepeatVector(2000000000)] [Lstm(8, ReturnSequences = true)]", "RepeatVector(2000000000)", "RepeatVector 'repeat_vector' would give each sample 16000000000 values (2000000000 steps × 8)", "repeat the vector for fewer steps")]
    [InlineData("[Sequential(TimeSteps = 1000, Features = 3)] [Lstm(8)] [RepeatVector(100000000)] [Lstm(40, ReturnSequences = true)]", "Lstm(40, ReturnSequences = true)", "Lstm 'lstm_1' would give each sample 4000000000 values (100000000 steps × 40)", "use a smaller RepeatVector n or fewer units")]
    [InlineData("[Sequential(TimeSteps = 100000000, Features = 3)] [Lstm(64, ReturnSequences = true)] [Lstm(1)]", "Lstm(64, ReturnSequences = true)", "Lstm 'lstm' would give each sample 6400000000 values (100000000 steps × 64)", "use fewer TimeSteps or fewer units")]
    [InlineData("[Sequential(TimeSteps = 1000000000, Features = 3)] [Lstm(8, ReturnSequences = true)] [Lstm(1)]", "Sequential(TimeSteps = 1000000000, Features = 3)", "The input of model 'BigSampleModel' would give each sample 3000000000 values (1000000000 steps × 3 features)", "use fewer TimeSteps")]
    // Only the first layer past the limit is named: the ones after it only carry its size on.
    [InlineData("[Sequential(TimeSteps = 100000000)] [Embedding(10, 32)] [Flatten] [Dense(1)]", "Embedding(10, 32)", "Embedding 'embedding' would give each sample 3200000000 values (100000000 steps × 32)", "use fewer TimeSteps or fewer units")]
    public void MG0034_SampleLargerThanAnArray(string declaration, string attribute, string said, string advice)
    {
        var (_, text, message) = Expect("MG0034", $"{declaration} public partial class BigSampleModel;");
        text.ShouldBe(attribute);
        message.ShouldStartWith(said);
        message.ShouldContain("more than the 2147483591 one float array holds, so no pass could run");
        message.ShouldEndWith(advice);
    }

    [Fact]
    public void MG0034_not_for_a_large_sample_that_fits()
    {
        // 2e8 steps × 8 = 1.6e9 values a sample: large, but an array holds it (a budget or a small batch is the user's call).
        var run = GeneratorHarness.Run(Usings + "[Sequential(TimeSteps = 10, Features = 3)] [Lstm(8)] [RepeatVector(200000000)] [Lstm(8, ReturnSequences = true)] public partial class LargeButFine;");
        run.GeneratorDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ShouldBeEmpty();
        run.GeneratedSources.ShouldNotBeEmpty();
    }

    [Theory]
    [InlineData("[Lstm(4, ReturnSequences = true)] [RepeatVector(3)]", "'lstm' gives a sequence")]
    [InlineData("[RepeatVector(3)] [Lstm(4)]", "the input gives a sequence")]
    [InlineData("[Bidirectional] [Gru(4, ReturnSequences = true)] [RepeatVector(3)]", "'bidirectional' gives a sequence")]
    [InlineData("[Lstm(4)] [RepeatVector(3)] [RepeatVector(2, Name = \"again\")]", "'repeat_vector' gives a sequence")]
    public void MG0025_RepeatVectorAfterASequence(string layers, string said)
    {
        var (_, text, message) = Expect("MG0025", $"[Sequential(Features = 2)] {layers} public partial class RepeatedSequenceModel;");
        text.ShouldStartWith("RepeatVector(");
        message.ShouldStartWith("RepeatVector '");
        message.ShouldContain(said);
        message.ShouldContain("end the sequence first");
    }

    [Fact]
    public void MG0004_RepeatVectorOfZeroSteps()
    {
        var (_, text, message) = Expect("MG0004", """
            [Sequential(Features = 2)]
            [Lstm(4)]
            [RepeatVector(0)]
            [Lstm(4)]
            public partial class NoRepeatModel;
            """);
        text.ShouldBe("0");
        message.ShouldContain("n of RepeatVector 'repeat_vector' must be positive, but is 0");
    }

    [Theory]
    [InlineData("GlobalAveragePooling1D")]
    [InlineData("GlobalMaxPooling1D")]
    [InlineData("Flatten")]
    public void MG0005_PoolingOrFlattenAfterALayerThatDropsTime(string layer)
    {
        var (_, text, message) = Expect("MG0005", $"[Sequential(TimeSteps = 4, Features = 2)] [Gru(4)] [{layer}] [Dense(1)] public partial class PooledTwiceModel;");
        text.ShouldBe(layer);
        message.ShouldContain($"{layer} layer '");
        message.ShouldContain("'gru' returns only its last step");
    }

    [Theory]
    [InlineData("[GlobalMaxPooling1D] [Flatten]", "Flatten layer 'flatten' needs a sequence, but 'global_max_pooling1d' pools the steps into one vector per sample", "leave the Flatten out")]
    [InlineData("[GlobalAveragePooling1D] [Lstm(3)]", "Lstm layer 'lstm_1' needs a sequence, but 'global_average_pooling1d' pools the steps", "put 'lstm_1' above 'global_average_pooling1d'")]
    [InlineData("[Flatten] [TimeDistributed] [Dense(2)]", "'time_distributed' needs a sequence, but 'flatten' flattens the steps", "put 'time_distributed' above 'flatten'")]
    public void MG0005_AfterPoolingOrFlatten_SaysWhatEndedTheSequence_NotReturnSequences(string layers, string says, string advice)
    {
        var (_, _, message) = Expect("MG0005", $"[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4, ReturnSequences = true)] {layers} [Dense(1)] public partial class EndedModel;");
        message.ShouldContain(says);
        message.ShouldContain(advice);
        message.ShouldNotContain("ReturnSequences"); // pooling and Flatten have no such option
    }

    [Fact]
    public void MG0026_FlattenWithoutTimeSteps()
    {
        var (_, text, message) = Expect("MG0026", """
            [Sequential(Features = 2)]
            [Lstm(4, ReturnSequences = true)]
            [Flatten(Name = "flat")]
            [Dense(1)]
            public partial class OpenFlattenModel;
            """);
        text.ShouldBe("Flatten(Name = \"flat\")");
        message.ShouldContain("Flatten 'flat' needs the number of time steps");
        message.ShouldContain("model 'OpenFlattenModel' accepts sequences of any length");
        message.ShouldContain("TimeSteps = n");
    }

    [Fact]
    public void FlattenAfterARepeatVector_NeedsNoTimeSteps()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Sequential(Features = 2)]
            [Lstm(4)]
            [RepeatVector(3)]
            [Flatten]
            [Dense(1)]
            public partial class RepeatedFlattenModel;
            """);
        run.GeneratorDiagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void MG0009_ActivationLayerWithAnUnknownName()
    {
        var (_, text, message) = Expect("MG0009", """
            [Sequential(Features = 2)]
            [Lstm(4)]
            [Activation("gelu")]
            public partial class GeluModel;
            """);
        text.ShouldBe("\"gelu\"");
        message.ShouldContain("'gelu'");
        message.ShouldContain("'softmax'");
    }

    [Fact]
    public void MG0005_MaskingAfterALayerThatDropsTime()
    {
        var (_, text, message) = Expect("MG0005", """
            [Sequential(Features = 2)]
            [Gru(4)]
            [Masking(0.0)]
            [Dense(1)]
            public partial class LateMaskModel;
            """);
        text.ShouldBe("Masking(0.0)");
        message.ShouldContain("Masking layer 'masking'");
        message.ShouldContain("'gru' returns only its last step");
    }

    [Fact]
    public void MG0005_TimeDistributedNeedsASequence()
    {
        var (_, text, message) = Expect("MG0005", """
            [Sequential(Features = 2)]
            [Lstm(4)]
            [TimeDistributed]
            [Dense(1)]
            public partial class FlatTimeDistributedModel;
            """);
        text.ShouldBe("TimeDistributed");
        message.ShouldContain("TimeDistributed(Dense)");
    }

    [Fact]
    public void MG0009_HardSigmoidOnDense_IsKnownButNotSupported_WithoutTalkOfGates()
    {
        var (_, _, message) = Expect("MG0009", """
            [Sequential(Features = 2)]
            [Lstm(4)]
            [Dense(1, Activation = "hard_sigmoid")]
            public partial class HardDenseModel;
            """);
        message.ShouldContain("Dense layer 'dense' cannot use activation 'hard_sigmoid' (ModelGen has it only as the RecurrentActivation of Lstm and Gru");
        message.ShouldContain("'linear', 'tanh', 'sigmoid', 'relu' or 'softmax'");
    }

    [Fact]
    public void MG0005_FlattenAfterALastStep_OffersLeavingItOut()
    {
        var (_, _, message) = Expect("MG0005", "[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Flatten] [Dense(1)] public partial class LastStepFlattenModel;");
        message.ShouldContain("set ReturnSequences = true on 'lstm' (or leave the Flatten out");
    }

    [Fact]
    public void MG0009_UnknownRecurrentActivation()
    {
        var (_, text, message) = Expect("MG0009", """
            [Sequential(Features = 2)]
            [Lstm(4, RecurrentActivation = "relu")]
            public partial class OddGateModel;
            """);
        text.ShouldBe("RecurrentActivation = \"relu\"");
        message.ShouldContain("cannot use 'relu' as RecurrentActivation"); // a known activation, not an unknown one
        message.ShouldContain("'hard_sigmoid'");
    }

    [Fact]
    public void MG0016_BidirectionalAroundDense()
    {
        var (_, text, message) = Expect("MG0016", """
            [Sequential(Features = 2)]
            [Lstm(4, ReturnSequences = true)]
            [Bidirectional]
            [Dense(3)]
            public partial class WrongWrapModel;
            """);
        text.ShouldBe("Bidirectional");
        message.ShouldContain("Bidirectional 'bidirectional'");
        message.ShouldContain("SimpleRnn, Lstm or Gru");
        message.ShouldContain("Dense 'dense'");
    }

    [Fact]
    public void MG0016_WrapperWithNothingAfterIt()
    {
        var (_, text, message) = Expect("MG0016", """
            [Sequential(Features = 2)]
            [Gru(4, ReturnSequences = true)]
            [TimeDistributed]
            public partial class DanglingWrapperModel;
            """);
        text.ShouldBe("TimeDistributed");
        message.ShouldContain("no layer follows it");
    }

    [Fact]
    public void MG0017_UnknownMergeMode()
    {
        var (_, text, message) = Expect("MG0017", """
            [Sequential(Features = 2)]
            [Bidirectional(MergeMode = "max")]
            [Gru(4)]
            public partial class MaxMergeModel;
            """);
        text.ShouldBe("MergeMode = \"max\"");
        message.ShouldContain("'max'");
        message.ShouldContain("'concat', 'sum', 'mul' or 'ave'");
    }

    [Theory]
    [InlineData("[Dropout(1.0)]", "1.0", "rate of Dropout 'dropout' is 1")]
    [InlineData("[SpatialDropout1D(-0.5)]", "-0.5", "rate of SpatialDropout1D 'spatial_dropout1d' is -0.5")]
    [InlineData("[Lstm(4, ReturnSequences = true, RecurrentDropout = 1.5)]", "RecurrentDropout = 1.5", "RecurrentDropout of Lstm 'lstm' is 1.5")]
    [InlineData("[Lstm(4, ReturnSequences = true, Dropout = 0.99999999999)]", "Dropout = 0.99999999999", "Dropout of Lstm 'lstm' is 0.99999999999")]
    [InlineData("[Dropout(1e-60)]", "1e-60", "rate of Dropout 'dropout' is 1E-60")]
    [InlineData("[Dropout(rate: 1.5, Name = \"drop\")]", "rate: 1.5", "rate of Dropout 'drop' is 1.5")]
    public void MG0018_RateOutOfRange(string layer, string pointsAt, string expected)
    {
        var (_, text, message) = Expect("MG0018", $$"""
            [Sequential(Features = 2)]
            {{layer}}
            [Dense(1)]
            public partial class BadRateModel;
            """);
        text.ShouldBe(pointsAt);
        message.ShouldContain(expected);
    }

    [Fact]
    public void MG0019_TwoMasks()
    {
        var (_, text, message) = Expect("MG0019", """
            [Sequential]
            [Embedding(20, 4, MaskZero = true)]
            [Masking(0.0)]
            [Lstm(4)]
            public partial class DoubleMaskModel;
            """);
        text.ShouldBe("Masking(0.0)");
        message.ShouldContain("'embedding'");
        message.ShouldContain("'masking'");
    }

    [Fact]
    public void MG0020_GoBackwardsInsideBidirectional()
    {
        var (_, text, message) = Expect("MG0020", """
            [Sequential(Features = 2)]
            [Bidirectional]
            [SimpleRnn(4, GoBackwards = true)]
            public partial class DoubleReverseModel;
            """);
        text.ShouldBe("GoBackwards = true");
        message.ShouldContain("'simple_rnn'");
        message.ShouldContain("Bidirectional 'bidirectional'");
    }

    [Fact]
    public void EveryDescriptorIsAnErrorEnabledByDefault_ButTheGpuBackendsInfo()
    {
        var descriptors = typeof(Diagnostics.DiagnosticDescriptors)
            .GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!)
            .ToList();
        descriptors.Count.ShouldBe(33);
        descriptors.Select(d => d.Id).ShouldBeUnique();
        string[] info = { "MG0032", "MG0033" };
        descriptors.ShouldAllBe(d => d.DefaultSeverity == (info.Contains(d.Id) ? DiagnosticSeverity.Info : DiagnosticSeverity.Error)
            && d.IsEnabledByDefault && d.Category == "ModelGen");
        descriptors.Select(d => d.Id).OrderBy(id => id, System.StringComparer.Ordinal).ShouldBe(
            Enumerable.Range(1, 27).Select(i => $"MG{i:0000}").Append("MG0030").Append("MG0031").Append("MG0032").Append("MG0033").Append("MG0034").Append("MG0999"));
    }

    [Fact]
    public void ValidModel_HasNoDiagnostics_AndGeneratesItsSource()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Sequential(TimeSteps = 4, Features = 1)]
            [SimpleRnn(10)]
            [Dense(1)]
            public partial class ValidModel;
            """);
        run.GeneratorDiagnostics.ShouldBeEmpty();
        run.HintNames.ShouldContain("Models.Test.ValidModel.g.cs");
    }

    [Fact]
    public void InvalidModel_BesideValidModel_OnlyValidOneIsGenerated()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Sequential(Features = 1)]
            [Lstm(4)]
            public partial class GoodModel;

            [Sequential(Features = 1)]
            [Lstm(4)]
            [Lstm(4)]
            public partial class BadModel;
            """);
        run.ModelGenDiagnostics.Select(d => d.Id).ShouldBe(new[] { "MG0005" });
        run.HintNames.ShouldContain("Models.Test.GoodModel.g.cs");
        run.HintNames.ShouldNotContain("Models.Test.BadModel.g.cs");
    }

    [Fact]
    public void SeveralProblems_AreAllReported()
    {
        var run = GeneratorHarness.Run(Usings + """
            [Sequential]
            [SimpleRnn(0, Activation = "swish")]
            [Dense(1, Name = "a b")]
            public class ManyProblems { }
            """);
        var ids = run.ModelGenDiagnostics.Select(d => d.Id).ToList();
        ids.ShouldContain("MG0001");
        ids.ShouldContain("MG0003");
        ids.ShouldContain("MG0004");
        ids.ShouldContain("MG0009");
        ids.ShouldContain("MG0014");
        run.GeneratedSources.ShouldBeEmpty();
    }
}
