using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Builds a <see cref="CSharpCompilation"/> from source text and runs <see cref="ModelGenerator"/> on it through a
/// step-tracking <see cref="GeneratorDriver"/>. References: the .NET shared framework the tests run on (from
/// <c>TRUSTED_PLATFORM_ASSEMBLIES</c>, restricted to the framework folder so the test's own dependencies stay out),
/// the ModelGen runtime and System.Numerics.Tensors.
/// </summary>
internal static class GeneratorHarness
{
    /// <summary>Default file name of the single source of a compilation.</summary>
    public const string DefaultPath = "Models.cs";

    public static readonly CSharpParseOptions ParseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);

    /// <summary>Lenient options for runs that look at the generator only.</summary>
    public static readonly CSharpCompilationOptions LibraryOptions =
        new(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);

    /// <summary>Every warning at every level is an error.</summary>
    public static readonly CSharpCompilationOptions StrictOptions =
        new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error).WithWarningLevel(9999);

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_references = new(LoadReferences);

    public static ImmutableArray<MetadataReference> References => s_references.Value;

    private static ImmutableArray<MetadataReference> LoadReferences()
    {
        string frameworkDirectory = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        var paths = trusted
            .Where(p => string.Equals(Path.GetDirectoryName(p), frameworkDirectory, StringComparison.Ordinal))
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Append(typeof(global::ModelGen.SequentialAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location);
        // One reference per assembly name (System.Numerics.Tensors could also be in the framework folder).
        return paths
            .GroupBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.Last()))
            .ToImmutableArray();
    }

    private static readonly Lazy<ImmutableArray<MetadataReference>> s_gpuReferences = new(() => References.AddRange(new[]
    {
        typeof(global::ModelGen.Gpu.GpuRunner<>).Assembly.Location,
        typeof(global::ILGPU.Context).Assembly.Location,
        typeof(global::ILGPU.Algorithms.XMath).Assembly.Location,
    }.Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))));

    /// <summary>
    /// <see cref="References"/> plus ModelGen.Gpu, ILGPU and ILGPU.Algorithms: a compilation built on these gets the GPU
    /// backend (the generator looks for <c>ModelGen.Gpu.GpuRunner`1</c>). Only the GPU tests use them.
    /// </summary>
    public static ImmutableArray<MetadataReference> GpuReferences => s_gpuReferences.Value;

    /// <summary>A compilation of <paramref name="sources"/> that references ModelGen.Gpu (<see cref="GpuReferences"/>).</summary>
    public static CSharpCompilation CreateGpuCompilation(IEnumerable<(string Path, string Text)> sources, CSharpCompilationOptions? options = null, CSharpParseOptions? parseOptions = null)
        => CreateCompilation(sources, options, parseOptions).WithReferences(GpuReferences);

    public static CSharpCompilation CreateCompilation(string source, CSharpCompilationOptions? options = null, string path = DefaultPath)
        => CreateCompilation(new[] { (path, source) }, options);

    public static CSharpCompilation CreateCompilation(IEnumerable<(string Path, string Text)> sources, CSharpCompilationOptions? options = null, CSharpParseOptions? parseOptions = null)
        => CSharpCompilation.Create(
            "ModelGen.GeneratorTests.Input",
            sources.Select(s => ParseTree(s.Text, s.Path, parseOptions)),
            References,
            options ?? LibraryOptions);

    public static SyntaxTree ParseTree(string text, string path = DefaultPath, CSharpParseOptions? parseOptions = null)
        => CSharpSyntaxTree.ParseText(SourceText.From(text, System.Text.Encoding.UTF8), parseOptions ?? ParseOptions, path);

    /// <summary>A driver of the ModelGen generator; <paramref name="options"/>: the build properties it sees (none when null).</summary>
    public static GeneratorDriver CreateDriver(CSharpParseOptions? parseOptions = null, AnalyzerConfigOptionsProvider? options = null)
        => CSharpGeneratorDriver.Create(
            new[] { new ModelGenerator().AsSourceGenerator() },
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true),
            parseOptions: parseOptions ?? ParseOptions,
            optionsProvider: options);

    public static GeneratorRun Run(string source, CSharpCompilationOptions? options = null)
        => Run(CreateCompilation(source, options));

    /// <summary>Runs <paramref name="driver"/> (a fresh one when null) on <paramref name="compilation"/>.</summary>
    public static GeneratorRun Run(Compilation compilation, GeneratorDriver? driver = null)
    {
        driver ??= CreateDriver(compilation.SyntaxTrees.FirstOrDefault()?.Options as CSharpParseOptions);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        return new GeneratorRun(compilation, driver, output, diagnostics);
    }

    /// <summary>The parsed declarations (output of the Parse step), without checking or emitting.</summary>
    public static IReadOnlyList<ModelSpec> Parse(string source)
        => Run(source).Outputs(TrackingNames.Parse).Cast<ModelSpec>().ToList();

    /// <summary>Parses a declaration holding exactly one model.</summary>
    public static ModelSpec ParseSingle(string source)
    {
        var specs = Parse(source);
        if (specs.Count != 1) throw new InvalidOperationException($"expected one [Sequential] class, found {specs.Count}");
        return specs[0];
    }
}

/// <summary>The outcome of one generator run.</summary>
internal sealed class GeneratorRun
{
    private readonly Lazy<ImmutableArray<Diagnostic>> _compilationDiagnostics;

    public GeneratorRun(Compilation input, GeneratorDriver driver, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        InputCompilation = input;
        Driver = driver;
        OutputCompilation = output;
        GeneratorDiagnostics = generatorDiagnostics;
        RunResult = driver.GetRunResult();
        _compilationDiagnostics = new(() => OutputCompilation.GetDiagnostics());
    }

    public Compilation InputCompilation { get; }

    /// <summary>The driver after the run, holding its cached state: run it again for incremental tests.</summary>
    public GeneratorDriver Driver { get; }

    public Compilation OutputCompilation { get; }

    public GeneratorDriverRunResult RunResult { get; }

    public GeneratorRunResult Result => RunResult.Results.Single();

    /// <summary>Diagnostics the generator reported, plus CS8785 should it have thrown.</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>All diagnostics of the output compilation (input and generated code).</summary>
    public ImmutableArray<Diagnostic> CompilationDiagnostics => _compilationDiagnostics.Value;

    public ImmutableArray<GeneratedSourceResult> GeneratedSources => Result.GeneratedSources;

    public IReadOnlyList<string> HintNames => GeneratedSources.Select(s => s.HintName).ToList();

    /// <summary>The text of the generated file <paramref name="hintName"/>.</summary>
    public string Source(string hintName) => GeneratedSources.Single(s => s.HintName == hintName).SourceText.ToString();

    public ImmutableArray<Diagnostic> ModelGenDiagnostics => GeneratorDiagnostics.Where(d => d.Id.StartsWith("MG", StringComparison.Ordinal)).ToImmutableArray();

    /// <summary>The values every run of the tracked step <paramref name="stepName"/> produced.</summary>
    public IEnumerable<object> Outputs(string stepName)
        => Result.TrackedSteps.TryGetValue(stepName, out var steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Value)
            : Enumerable.Empty<object>();

    /// <summary>
    /// The source text a diagnostic points at. ModelGen reports locations as (path, span) pairs, so they come back as
    /// external-file locations without a tree: the tree is found again by its path.
    /// </summary>
    public string TextAt(Location location)
    {
        var lineSpan = location.GetLineSpan();
        var tree = InputCompilation.SyntaxTrees.Single(t => t.FilePath == lineSpan.Path);
        var text = tree.GetText();
        if (text.Lines.GetLinePositionSpan(location.SourceSpan) != lineSpan.Span)
            throw new InvalidOperationException($"line span {lineSpan.Span} does not match span {location.SourceSpan}");
        return text.ToString(location.SourceSpan);
    }
}
