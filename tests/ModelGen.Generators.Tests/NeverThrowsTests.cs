using System.Collections.Generic;
using System.Linq;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The generator must never crash (CS8785), whatever it is given: code that does not bind, attributes with wrong
/// arguments, odd declarations. Only the generator is run; the output is not compiled.
/// </summary>
public sealed class NeverThrowsTests
{
    private static readonly Dictionary<string, string> Inputs = new()
    {
        ["wrong argument type"] = """[Sequential(Features = 1)] [Lstm("ten")] [Dense(1)] public partial class M;""",
        ["wrong named argument type"] = """[Sequential(Features = "one", TimeSteps = 2.5)] [Dense(1, Activation = 5, Name = 7)] public partial class M;""",
        ["missing arguments"] = """[Sequential(Features = 1)] [Dense] [Embedding(4)] [Gru()] public partial class M;""",
        ["sequential constructor arguments"] = """[Sequential(4, 1)] [Dense(1)] public partial class M;""",
        ["struct"] = """[Sequential(Features = 1)] [Dense(1)] public partial struct M;""",
        ["interface"] = """[Sequential(Features = 1)] [Dense(1)] public partial interface M;""",
        ["record"] = """[Sequential(Features = 1)] [Dense(1)] public partial record M;""",
        ["record struct"] = """[Sequential(Features = 1)] [Dense(1)] public partial record struct M;""",
        ["negative sizes"] = """[Sequential(TimeSteps = -1, Features = -1)] [Embedding(-5, -5)] [SimpleRnn(-1)] [Lstm(-2)] [Gru(-3)] [Dense(-4)] public partial class M;""",
        ["int.MinValue sizes"] = """[Sequential(TimeSteps = int.MinValue, Features = int.MinValue)] [Lstm(int.MinValue)] [Dense(int.MinValue)] public partial class M;""",
        ["null name and activation"] = """[Sequential(Features = 1)] [SimpleRnn(2, Name = null, Activation = null)] [Dense(1, Name = null, Activation = null)] public partial class M;""",
        ["empty class"] = """[Sequential] public partial class M { }""",
        ["zero layers with input"] = """[Sequential(TimeSteps = 3, Features = 2)] public partial class M;""",
        ["syntax errors"] = """[Sequential(Features = 1)] [Lstm(4 [Dense(1, Activation = ] public partial class M { void F( }""",
        ["unknown attributes"] = """[Sequential(Features = 1)] [Conv2D(3)] [System.Obsolete] [Lstm(4)] public partial class M;""",
        ["sequential twice"] = """[Sequential(Features = 1)] [Sequential(Features = 2, TimeSteps = 3)] [Dense(1)] public partial class M;""",
        ["sequential on both partial declarations"] = """[Sequential(Features = 1)] [Dense(1)] public partial class M; [Sequential(Features = 2)] [Dense(2)] public partial class M;""",
        ["nested in non-partial types"] = """public class A { public struct B { [Sequential(Features = 1)] [Dense(1)] public partial class M; } }""",
        ["nested in generic type"] = """public partial class Outer<T> { [Sequential(Features = 1)] [Dense(1)] public partial class M; }""",
        ["generic class"] = """[Sequential(Features = 1)] [Dense(1)] public partial class M<T, U> where T : struct;""",
        ["static class"] = """[Sequential(Features = 1)] [Dense(1)] public static partial class M;""",
        ["layers without sequential"] = """[Lstm(4)] [Dense(1)] public partial class M;""",
        ["huge units"] = """[Sequential(Features = 100000)] [SimpleRnn(100000, ReturnSequences = true)] [Lstm(100000)] [Dense(100000, Activation = "softmax")] public partial class M;""",
        ["int.MaxValue units"] = """[Sequential(Features = int.MaxValue)] [Gru(int.MaxValue, ResetAfter = false)] [Dense(int.MaxValue)] public partial class M;""",
        ["aliased attributes"] = """[Seq(Features = 1)] [ModelGen.Lstm(4)] [global::ModelGen.DenseAttribute(1)] public partial class M;""",
        ["keyword-named namespace"] = """namespace @namespace.@class { [Sequential(Features = 1)] [Dense(1)] public partial class M; }""",
        ["keyword-named class"] = """[Sequential(Features = 1)] [Dense(1)] public partial class @class;""",
        ["unicode names"] = """[Sequential(Features = 1)] [Dense(1, Name = "ünïcödé")] public partial class Modèl;""",
        ["file-local class"] = """[Sequential(Features = 1)] [Dense(1)] file partial class M;""",
        ["model named like its own cell"] = """[Sequential(Features = 1)] [Lstm(4)] public partial class Lstm_I1_H4; """,
        ["same full name as nested and namespaced class"] = """
            public partial class Outer { [Sequential(Features = 1)] [Dense(1)] public partial class M; }
            namespace Outer { [Sequential(Features = 1)] [Dense(1)] public partial class M; }
            """,
        ["model split over two declarations"] = """
            [Sequential(Features = 1)] [Dense(1)] public partial class M { }
            public partial class M { public int Extra; }
            """,
    };

    public static TheoryData<string> Cases => new(Inputs.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Generator_DoesNotThrow(string name)
    {
        string body = Inputs[name];
        // The cell collision case has to live in the generator's own namespace.
        string ns = name == "model named like its own cell" ? "ModelGen.Generated" : "Odd";
        string source = $"using ModelGen;\nusing Seq = ModelGen.SequentialAttribute;\nnamespace {ns}\n{{\n{body}\n}}\n";

        var compilation = GeneratorHarness.CreateCompilation(source);
        var run = Should.NotThrow(() => GeneratorHarness.Run(compilation));

        run.Result.Exception.ShouldBeNull();
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785", string.Join("\n", run.GeneratorDiagnostics));
    }

    /// <summary>
    /// Sizes whose parameter count does not fit in an int are the user's mistake, not an internal error: they should
    /// get a diagnostic that says so (today the checker's checked Sum throws and MG0999 "please report this" comes out).
    /// </summary>
    [Theory]
    [InlineData("[Sequential(Features = 100000)] [SimpleRnn(100000)]")]
    [InlineData("[Sequential(Features = 1)] [Dense(int.MaxValue)]")]
    public void HugeSizes_AreNotInternalErrors(string attributes)
    {
        var run = GeneratorHarness.Run($"using ModelGen;\n{attributes}\npublic partial class HugeModel;");
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785");
        run.ModelGenDiagnostics.ShouldNotBeEmpty();
        run.ModelGenDiagnostics.ShouldNotContain(d => d.Id == "MG0999", string.Join("\n", run.GeneratorDiagnostics));
    }

    [Fact]
    public void Cases_CoverEnoughInputs() => Inputs.Count.ShouldBeGreaterThanOrEqualTo(25);

    [Fact]
    public void NoModelGenReference_GeneratesNothing()
    {
        var run = GeneratorHarness.Run("[Sequential(Features = 1)] [Dense(1)] public partial class M;");
        run.Result.Exception.ShouldBeNull();
        run.GeneratedSources.ShouldBeEmpty();
        run.ModelGenDiagnostics.ShouldBeEmpty();
    }

    [Fact]
    public void EmptyCompilation_GeneratesNothing()
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Enumerable.Empty<(string, string)>()));
        run.Result.Exception.ShouldBeNull();
        run.GeneratedSources.ShouldBeEmpty();
        run.GeneratorDiagnostics.ShouldBeEmpty();
    }
}
