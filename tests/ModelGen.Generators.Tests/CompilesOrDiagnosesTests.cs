using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The promise: every declaration either compiles or gets an error at the user's own source (an MG diagnostic, or the
/// compiler's at an argument it cannot bind), never an error or warning inside the generated code, and a model class
/// always gets its generated part. The odd declarations are the ones a new user's trial found compiling into broken
/// generated code, and the generator's own never-throws inputs.
/// </summary>
public sealed class CompilesOrDiagnosesTests
{
    private static readonly Dictionary<string, (string Source, string? Expected)> Inputs = new()
    {
        ["abstract"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public abstract partial class M;""", "MG0012"),
        ["primary constructor"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M(int seed) { public int Seed => seed; }""", "MG0012"),
        ["file-local"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] file partial class M;""", "MG0012"),
        ["private field named like a generated one"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M { private int _pass; }""", "MG0027"),
        ["field named like a parameter view"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M { public int LstmKernel; }""", "MG0027"),
        ["field named like a named layer's view"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4, Name = "x")] [Dense(1)] public partial class M { public int XKernel; }""", "MG0027"),
        ["own Summary"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M { public string Summary() => ""; }""", "MG0027"),
        ["own ResetStates and ParameterCount"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M { public void ResetStates() { } public const int ParameterCount = 1; }""", "MG0027"),
        ["derived from a model class"] = ("""
            [Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class B;
            [Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M : B;
            """, "MG0027"),
        ["inherits a member named like a generated one"] = ("""
            public class Base { public void Forward() { } }
            [Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M : Base;
            """, "MG0027"),
        ["inherits other members"] = ("""
            public class Base { public int Other; protected void Helper() { } private int _pass; }
            [Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] public partial class M : Base;
            """, null),
        ["own unrelated members and constructor"] = ("""
            [Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1)] [System.Obsolete("x")]
            public sealed partial class M { public M(int seed) { Initialize(seed); } public int Seed; public class Nested; }
            """, null),
        ["undefined units"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(Undefined)] [Dense(1)] public partial class M;""", null),
        ["no units"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm()] [Dense(1)] public partial class M;""", null),
        ["string units"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm("4")] [Dense(1)] public partial class M;""", null),
        ["undefined activation"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4, Activation = Nope)] [Dense(1)] public partial class M;""", null),
        ["int activation"] = ("""[Sequential(TimeSteps = 4, Features = 2)] [Lstm(4)] [Dense(1, Activation = 3)] public partial class M;""", null),
    };

    public static TheoryData<string> Cases => new(Inputs.Keys);

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_declaration_compiles_or_fails_at_the_users_source(string name)
    {
        var (body, expected) = Inputs[name];
        string source = $"using ModelGen;\nnamespace Odd\n{{\n{body}\n}}\n";
        var run = GeneratorHarness.Run(source);
        run.GeneratorDiagnostics.ShouldNotContain(d => d.Id == "CS8785" || d.Id == "MG0999", string.Join("\n", run.GeneratorDiagnostics));

        // Nothing wrong inside generated code: no error or warning located in a generated file.
        var inGenerated = run.CompilationDiagnostics
            .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree is { } tree && !run.InputCompilation.SyntaxTrees.Contains(tree))
            .ToList();
        inGenerated.ShouldBeEmpty(string.Join("\n", inGenerated));

        var mg = run.ModelGenDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.Id).ToList();
        var userErrors = run.CompilationDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (expected is not null)
        {
            mg.ShouldContain(expected);
            run.GeneratedSources.Where(s => s.HintName.Contains("Odd.M")).ShouldBeEmpty();
        }
        else if (mg.Count == 0 && userErrors.Count == 0)
        {
            run.GeneratedSources.ShouldContain(s => s.HintName.Contains("Odd.M")); // compiled: the class got its model
        }
        else
        {
            // A compiler error at an argument C# cannot bind: the generator adds none of its own about values never written.
            mg.ShouldBeEmpty();
            userErrors.ShouldNotBeEmpty();
        }
    }
}
