using System;
using System.Collections.Generic;
using System.Linq;
using CsCheck;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Every declaration either compiles or gets an MG diagnostic at the attribute: never generated code that does not
/// compile, never silence. The odd cases a reliability probe found, then random declarations (CsCheck).
/// </summary>
public sealed class DeclarationCoverageTests
{
    /// <summary>Runs the generator on <paramref name="declaration"/> and says what came out.</summary>
    internal static (bool Diagnosed, string Report) Outcome(string declaration)
    {
        var run = GeneratorHarness.Run($"using ModelGen;\nnamespace Probe\n{{\n{declaration}\n}}\n");
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785", declaration);
        var mg = run.ModelGenDiagnostics;
        if (mg.Length > 0)
        {
            mg.ShouldNotContain(d => d.Id == "MG0999", $"{declaration}\n{string.Join("\n", mg)}");
            mg.ShouldAllBe(d => d.Location != Location.None, declaration);
            return (true, string.Join("; ", mg.Select(d => d.Id)));
        }
        var errors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        errors.ShouldBeEmpty($"{declaration} got no MG diagnostic, and its generated code does not compile:\n{string.Join("\n", errors.Take(5))}");
        return (false, "compiles");
    }

    public static TheoryData<string, bool> OddDeclarations => new()
    {
        // Parameter counts that overflow the int the generated code computes with.
        { """[Sequential(Features = 1)] [Gru(int.MaxValue)] public partial class M;""", true },
        { """[Sequential(Features = 1)] [Bidirectional] [Lstm(1_100_000_000)] [Dense(1)] public partial class M;""", true },
        // Masking values that are no finite float.
        { """[Sequential(Features = 2)] [Masking(double.NaN)] [Lstm(3)] public partial class M;""", true },
        { """[Sequential(Features = 2)] [Masking(double.PositiveInfinity)] [Lstm(3)] public partial class M;""", true },
        { """[Sequential(Features = 2)] [Masking(1e300)] [Lstm(3)] public partial class M;""", true },
        // Dropout rates that round to 1 or to a denormal as float.
        { """[Sequential(Features = 2)] [Lstm(3, Dropout = 0.99999999999)] public partial class M;""", true },
        { """[Sequential(Features = 2)] [Dropout(0.999999999999)] [Lstm(3)] public partial class M;""", true },
        { """[Sequential(Features = 2)] [Lstm(3, RecurrentDropout = 1e-60)] public partial class M;""", true },
        { """[Sequential(Features = 3)] [Dropout(1e-60)] [Lstm(1, ReturnSequences = true)] public partial class M;""", true },
        { """[Sequential(Features = 2)] [Lstm(3, Dropout = 1e-40)] public partial class M;""", true },
        // A Dropout layer whose rate is 0 (Keras accepts it: a no-op) still draws masks in training.
        { """[Sequential(Features = 1)] [Dropout(0.0)] public partial class M;""", false },
        // A model class named like a generated member.
        { """[Sequential(Features = 1)] [Dense(1)] public partial class Summary;""", true },
        { """[Sequential(Features = 1)] [Dense(1)] public partial class Parameters;""", true },
        { """[Sequential(Features = 1)] [Dense(1)] public partial class DenseKernel;""", true },
        // A layer name too long for metadata.
        { $"[Sequential(Features = 1)] [Dense(1, Name = \"{new string('a', 70_000)}\")] public partial class M;", true },
        // [Sequential] on a record or struct, and layer attributes without [Sequential].
        { """[Sequential(Features = 1)] [Dense(1)] public partial record M;""", true },
        { """[Sequential(Features = 1)] [Dense(1)] public partial struct M;""", true },
        { """[Lstm(4)] [Dense(1)] public partial class M;""", true },
    };

    [Theory]
    [MemberData(nameof(OddDeclarations))]
    public void OddDeclaration_CompilesOrIsDiagnosed(string declaration, bool diagnosed)
    {
        var (wasDiagnosed, report) = Outcome(declaration);
        wasDiagnosed.ShouldBe(diagnosed, report);
    }
}

/// <summary>
/// Random declarations (CsCheck, a fixed number of cases so CI stays quick; a failure prints the seed that
/// reproduces it): the generator never throws, never reports MG0999, and each declaration either gets an MG
/// diagnostic or generated code that compiles.
/// </summary>
public sealed class RandomDeclarationTests
{
    private static readonly string[] Activations = { "tanh", "relu", "sigmoid", "linear", "softmax", "hard_sigmoid", "gelu" };
    private static readonly string[] Units = { "-1", "0", "1", "3", "8", "16", "17", "int.MaxValue", "1_100_000_000" };
    private static readonly string[] Rates = { "0.0", "0.2", "0.5", "1.0", "0.99999999999", "1e-60", "-0.1" };
    private static readonly string[] MaskValues = { "0.0", "-1.0", "double.NaN", "1e300" };
    private static readonly string[] Names = { "", "Name = \"enc\"", "Name = \"a b\"", "Name = \"dense_kernel\"", "Name = \"lstm\"" };

    private static readonly Gen<string> Layer = Gen.Int[0, 9].SelectMany(kind => (IGen<string>)(kind switch
    {
        0 => Gen.Select(Gen.OneOf(Units), Gen.OneOf(Units), Gen.Bool,
            (v, d, mask) => $"[Embedding({v}, {d}{(mask ? ", MaskZero = true" : "")})]"),
        1 or 2 or 3 => Gen.Select(Gen.OneOf(Units), Gen.Bool, Gen.Bool, Gen.OneOf(Rates), Gen.OneOf(Activations),
            Gen.OneOf(Names), Gen.Int[0, 7],
            (u, sequences, flag, rate, activation, name, option) =>
            {
                string attribute = kind switch { 1 => "SimpleRnn", 2 => "Lstm", _ => "Gru" };
                var options = new System.Collections.Generic.List<string>();
                if (sequences) options.Add("ReturnSequences = true");
                if (name.Length > 0) options.Add(name);
                options.Add(option switch
                {
                    0 => $"Dropout = {rate}",
                    1 => $"RecurrentDropout = {rate}",
                    2 => $"GoBackwards = {(flag ? "true" : "false")}",
                    3 => $"Stateful = {(flag ? "true" : "false")}, ReturnState = true",
                    4 => kind == 1 ? $"Activation = \"{activation}\"" : $"RecurrentActivation = \"{activation}\"",
                    5 => $"UseBias = {(flag ? "true" : "false")}",
                    6 => kind == 3 ? $"ResetAfter = {(flag ? "true" : "false")}" : "UseBias = true",
                    _ => "ReturnState = true",
                });
                return $"[{attribute}({u}, {string.Join(", ", options)})]";
            }),
        4 => Gen.Select(Gen.OneOf(Units), Gen.OneOf(Activations), Gen.Bool,
            (u, activation, bias) => $"[Dense({u}, Activation = \"{activation}\", UseBias = {(bias ? "true" : "false")})]"),
        5 => Gen.OneOf(MaskValues).Select(v => $"[Masking({v})]"),
        6 => Gen.OneOf(Rates).Select(r => $"[Dropout({r})]"),
        7 => Gen.OneOf(Rates).Select(r => $"[SpatialDropout1D({r})]"),
        8 => Gen.OneOf("concat", "sum", "mul", "ave", "max").Select(m => $"[Bidirectional(MergeMode = \"{m}\")]"),
        _ => Gen.Const("[TimeDistributed]"),
    }));

    private static readonly Gen<string> Declaration = Gen.Select(
        Gen.OneOf("", "Features = 1", "Features = 3", "Features = 0", "TimeSteps = 4, Features = 2", "TimeSteps = 0"),
        Layer.Array[1, 5],
        Gen.OneOf("M", "M", "M", "Summary", "LstmKernel", "Forward"),
        Gen.OneOf("class", "class", "class", "record"),
        (sequential, layers, name, keyword) => $"[Sequential({sequential})] {string.Join(" ", layers)} public partial {keyword} {name};");

    [Fact]
    public void RandomDeclarations_CompileOrAreDiagnosed()
        => Declaration.Sample(declaration => { DeclarationCoverageTests.Outcome(declaration); }, iter: 150, threads: 1);
}

/// <summary>
/// MG0022 refuses a model class named like a member the generator emits. Its list of fixed member names must cover
/// every member a generated class has: this test compiles models using every option and checks each member's name.
/// </summary>
public sealed class GeneratedMemberNameTests
{
    [Theory]
    [InlineData("""
        [Sequential(TimeSteps = 5)]
        [Embedding(20, 4, MaskZero = true)]
        [Bidirectional(MergeMode = "concat")]
        [Lstm(6, ReturnSequences = true, ReturnState = true, Dropout = 0.1, RecurrentDropout = 0.1)]
        [SpatialDropout1D(0.1)]
        [Gru(5, ReturnSequences = true, GoBackwards = true, ReturnState = true, Stateful = true)]
        [TimeDistributed]
        [Dense(3, Activation = "softmax")]
        """)]
    [InlineData("""
        [Sequential(Features = 2)]
        [Masking(0.0)]
        [SimpleRnn(8, ReturnSequences = true)]
        [Dropout(0.2)]
        [Lstm(4)]
        [Dense(1, Activation = "sigmoid")]
        """)]
    [InlineData("""
        [Sequential]
        [Embedding(50, 8)]
        [SimpleRnn(8)]
        [Dense(1)]
        """)]
    public void EveryGeneratedMember_IsOneMG0022Knows(string layers)
    {
        string source = $"using ModelGen;\nnamespace Probe;\n{layers}\npublic partial class Probed;";
        var run = GeneratorHarness.Run(source);
        run.ModelGenDiagnostics.ShouldBeEmpty();
        var model = Checking.ModelChecker.Check(GeneratorHarness.ParseSingle(source)).Model.ShouldNotBeNull();
        var identifiers = model.Layers.Select(l => l.Identifier).Concat(model.Layers.SelectMany(l => l.Directions.Select(d => d.Identifier))).ToList();
        var type = run.OutputCompilation.GetTypeByMetadataName("Probe.Probed").ShouldNotBeNull();
        var unknown = type.GetMembers()
            .Where(m => !m.IsImplicitlyDeclared && m.Name != ".ctor" && m.Name != ".cctor" && !m.Name.Contains('.')
                && m is not IMethodSymbol { MethodKind: MethodKind.PropertyGet or MethodKind.PropertySet })
            .Select(m => m.Name)
            .Where(name => Checking.Naming.MemberNamed(name, identifiers) is null)
            .Distinct()
            .ToList();
        unknown.ShouldBeEmpty("members MG0022 does not know, so a class of that name would fail with CS0542");
    }
}
