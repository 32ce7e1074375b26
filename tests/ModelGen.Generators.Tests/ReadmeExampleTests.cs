using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The README's first example is what a new user pastes into <c>Program.cs</c>: it compiles as a console program with
/// the generator and the runtime, with and without the implicit usings a new console project has, without a warning.
/// </summary>
public sealed class ReadmeExampleTests
{
    // What `dotnet new console` (ImplicitUsings=enable) adds for Microsoft.NET.Sdk.
    private const string ImplicitUsings = """
        global using global::System;
        global using global::System.Collections.Generic;
        global using global::System.IO;
        global using global::System.Linq;
        global using global::System.Net.Http;
        global using global::System.Threading;
        global using global::System.Threading.Tasks;
        """;

    private static string Readme()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string path = Path.Combine(dir.FullName, "README.md");
            if (File.Exists(path) && File.Exists(Path.Combine(dir.FullName, "ModelGen.sln")))
                return File.ReadAllText(path);
        }
        throw new InvalidOperationException($"README.md not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The first <c>```csharp</c> block of the README.</summary>
    private static string FirstExample()
    {
        string readme = Readme().Replace("\r\n", "\n", StringComparison.Ordinal);
        const string fence = "```csharp\n";
        int start = readme.IndexOf(fence, StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no ```csharp block");
        start += fence.Length;
        int end = readme.IndexOf("```", start, StringComparison.Ordinal);
        return readme[start..end];
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_first_example_compiles_as_a_console_program(bool implicitUsings)
    {
        string example = FirstExample();
        Assert.Contains("[Sequential(", example, StringComparison.Ordinal); // the block is the model example
        Assert.Contains(".Fit(", example, StringComparison.Ordinal);

        var sources = implicitUsings
            ? new[] { ("Program.cs", example), ("App.GlobalUsings.g.cs", ImplicitUsings) }
            : new[] { ("Program.cs", example) };
        var options = new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable);
        GeneratorRun run = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(sources, options));

        Assert.Empty(run.GeneratorDiagnostics);
        var problems = run.CompilationDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToList();
        Assert.True(problems.Count == 0, "README example: " + string.Join(Environment.NewLine, problems));
        using var image = new MemoryStream();
        Assert.True(run.OutputCompilation.Emit(image).Success);
    }

    [Fact]
    public void The_readme_shows_the_command_that_adds_the_package()
        => Assert.Contains("dotnet add package ModelGen\n", Readme().Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
}
