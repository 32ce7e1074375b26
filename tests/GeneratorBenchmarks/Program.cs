// The source generator's own cost, measured as a user's build and IDE pay it:
//   1. cold: a new GeneratorDriver on a compilation holding one model (what a build without a warm compiler server, or
//      the first IDE run, does), per model;
//   2. an edit elsewhere in the model's file: the driver of the previous run on the edited compilation; every step
//      after parsing must be served from cache and no source re-emitted (the program fails otherwise);
//   3. compiling the generated code: Emit of the compilation with and without the generated trees;
//   4. the JIT of the generated methods: the first training step (forward + backward) against a later one, the model
//      loaded from the emitted assembly.
//   dotnet run -c Release --project tests/GeneratorBenchmarks [-- --reps 5] [--markdown FILE] [--only W2Model,…]
//   … -- --dump DIR                 also writes every generated file and its binding time (and a cell's Emit alone)
//   … -- --compile FILE…            the Emit cost of C# files alone (a dumped cell, edited to find what costs)
//   … -- --langversion 12 | --debug-il   the same with another language version / without the IL optimizer
// tests/GeneratorBenchmarks/run.sh runs this and build-cost.sh and updates docs/benchmarks-data/generator-cost.md.
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace ModelGen.GeneratorBenchmarks;

internal static class Program
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The six benchmark workloads and a large model, as a user declares them (tests/Benchmarks/Models.cs).</summary>
    private static readonly (string Name, string Attributes, bool Tokens)[] Models =
    [
        ("W1Model", "[Sequential(TimeSteps = 4, Features = 1)]\n[SimpleRnn(10)]\n[Dense(1)]", false),
        ("W2Model", "[Sequential(TimeSteps = 100, Features = 2)]\n[Lstm(30, ReturnSequences = true)]\n[Lstm(30)]\n[Dense(1)]", false),
        ("W3Model", "[Sequential(TimeSteps = 28)]\n[Embedding(2000, 128)]\n[Lstm(196)]\n[Dense(2, Activation = \"softmax\")]", true),
        ("W4Model", "[Sequential(TimeSteps = 100)]\n[Embedding(500, 16)]\n[SimpleRnn(8)]\n[Dense(1, Activation = \"sigmoid\")]", true),
        ("W5Model", "[Sequential(TimeSteps = 10, Features = 1)]\n[Lstm(32)]\n[Dense(1)]", false),
        ("W6Model", "[Sequential(TimeSteps = 100, Features = 2)]\n[Gru(30, ReturnSequences = true)]\n[Gru(30)]\n[Dense(1)]", false),
        ("DeepModel", "[Sequential(Features = 8)]\n[Lstm(64, ReturnSequences = true)]\n[Gru(48, ReturnSequences = true)]\n[SimpleRnn(32, ReturnSequences = true)]\n[Lstm(16)]\n[Dense(8, Activation = \"relu\")]\n[Dense(1)]", false),
    ];

    private static int Main(string[] args)
    {
        int reps = 5;
        string? markdown = null, dump = null, only = null;
        var langVersion = LanguageVersion.Latest;
        var compile = new List<string>();
        bool debugIl = false;
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i] == "--reps") reps = int.Parse(args[++i], Inv);
            else if (args[i] == "--markdown") markdown = args[++i];
            else if (args[i] == "--dump") dump = args[++i];
            else if (args[i] == "--langversion") langVersion = LanguageVersionFacts.TryParse(args[++i], out var v) ? v : throw new ArgumentException("unknown --langversion " + args[i]);
            else if (args[i] == "--only") only = args[++i];
            else if (args[i] == "--compile") compile.Add(args[++i]);
            else if (args[i] == "--debug-il") debugIl = true;
            else { Console.Error.WriteLine("usage: [--reps N] [--markdown FILE] [--dump DIR] [--langversion 12|13|latest] [--only W2Model,…]"); return 2; }
        }
        var references = References();
        var parse = CSharpParseOptions.Default.WithLanguageVersion(langVersion);
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable,
            optimizationLevel: debugIl ? OptimizationLevel.Debug : OptimizationLevel.Release);
        if (compile.Count > 0)
        {
            foreach (var file in compile.Concat(compile)) // warm-up: Roslyn's own JIT
                EmitBytes(CSharpCompilation.Create("Alone", [CSharpSyntaxTree.ParseText(File.ReadAllText(file), parse, file)], references, options));
            // --compile FILE…: the Emit cost of these C# files alone (e.g. a dumped cell, edited to find what costs).
            foreach (var file in compile)
            {
                var single = CSharpCompilation.Create("Alone", [CSharpSyntaxTree.ParseText(File.ReadAllText(file), parse, file)], references, options);
                Console.WriteLine($"{file}: Emit {Median(reps, () => EmitBytes(single))} ms");
            }
            return 0;
        }
        var rows = new List<string>();
        var failures = new List<string>();
        string load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";
        Console.WriteLine($"load average {load}; {reps} repetitions per figure (median); one model per compilation");

        // The very first run pays for loading and JIT-compiling the generator itself (as a fresh compiler server does).
        var firstClock = Stopwatch.StartNew();
        RunCold(Compilation(Models[0], parse, references, options), parse);
        double firstMs = firstClock.Elapsed.TotalMilliseconds;

        // Roslyn itself (the NuGet package, not ReadyToRun) starts at tier-0 JIT code, while a build's compiler server
        // runs warm: compile every model a few times first, or the first models measured pay for Roslyn's JIT.
        var warmClock = Stopwatch.StartNew();
        for (int round = 0; round < 4; round++)
            foreach (var model in Models)
            {
                var (_, warmOutput) = RunCold(Compilation(model, parse, references, options), parse, keep: false);
                EmitBytes(warmOutput);
            }
        Console.WriteLine(string.Create(Inv, $"warm-up (4 rounds of generating and compiling every model): {warmClock.Elapsed.TotalSeconds:0.0} s"));

        foreach (var model in Models)
        {
            if (only is not null && !only.Split(',').Contains(model.Name)) continue;
            var compilation = Compilation(model, parse, references, options);
            // 1. cold
            var cold = Median(reps, () => RunCold(compilation, parse));
            var (driver, output) = RunCold(compilation, parse, keep: true);
            var generated = output.SyntaxTrees.Skip(compilation.SyntaxTrees.Length).ToList();
            long chars = generated.Sum(t => (long)t.Length);
            long lines = generated.Sum(t => (long)t.GetText().Lines.Count);
            var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0) { failures.Add($"{model.Name}: generated code does not compile: {errors[0]}"); continue; }
            if (dump is not null) DumpPerFile(dump, model.Name, output, generated);

            // 2. an edit elsewhere in the file, served from cache
            var tree = compilation.SyntaxTrees.Single();
            var edited = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(tree.GetText().ToString() +
                "\npublic static class Elsewhere { public static int Answer() => 42; }\n", System.Text.Encoding.UTF8)));
            var incremental = Median(reps, () =>
            {
                var d = driver.RunGenerators(edited);
                return 0;
            });
            var after = driver.RunGenerators(edited).GetRunResult().Results.Single();
            var reasons = after.TrackedSteps
                .Where(s => s.Key is "Check" or "Model" or "Cells" or "Diagnostics")
                .SelectMany(s => s.Value).SelectMany(step => step.Outputs).Select(o => o.Reason).ToList();
            var before = driver.GetRunResult().Results.Single();
            bool sameSources = before.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString()))
                .SequenceEqual(after.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
            bool cached = reasons.Count > 0 && reasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            var outputReasons = after.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(step => step.Outputs).Select(o => o.Reason).ToList();
            bool outputsCached = outputReasons.All(r => r is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged);
            if (!cached || !sameSources || !outputsCached)
                failures.Add($"{model.Name}: an edit elsewhere in the file was not served from cache (steps: {string.Join(",", reasons.Distinct())}; outputs: {string.Join(",", outputReasons.Distinct())}; same sources: {sameSources})");

            // 3. compiling: the user's code alone against user + generated code
            var emitUser = Median(reps, () => EmitBytes(compilation));
            var emitAll = Median(reps, () => EmitBytes(output));

            // 4. JIT at first call
            var (firstStepMs, laterStepMs) = FirstCall(output, model);

            string row = string.Create(Inv, $"| {model.Name} | {cold} | {incremental} | {(cached && outputsCached && sameSources ? "yes" : "**no**")} | {generated.Count} files, {lines:N0} lines, {chars / 1024.0:0} KiB | {emitUser} | {emitAll} | {firstStepMs:0.0} | {laterStepMs:0.000} |");
            rows.Add(row);
            Console.WriteLine(row);
        }

        var md = new StringBuilder();
        md.Append(string.Create(Inv, $"GeneratorDriver benchmark (`dotnet run -c Release --project tests/GeneratorBenchmarks`), {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, 1-minute load average {load} at the start; medians of {reps} runs.\n"));
        md.Append(string.Create(Inv, $"The very first generator run in the process (loading and JIT-compiling the generator itself) took {firstMs:0} ms.\n\n"));
        md.Append("All times in ms; in brackets the process's CPU time for the same work (all threads: less sensitive to load than wall-clock).\n\n");
        md.Append("| Model | Generator, cold | Generator, edit elsewhere in the file | Served from cache | Generated | Emit user code only | Emit with generated code | First training step, batch 8 (JIT) | 11th training step |\n");
        md.Append("|---|---:|---:|---|---|---:|---:|---:|---:|\n");
        foreach (var r in rows) md.Append(r).Append('\n');
        if (markdown is not null) File.WriteAllText(markdown, md.ToString());
        Console.WriteLine();
        Console.WriteLine(md.ToString());
        foreach (var f in failures) Console.Error.WriteLine("FAILED: " + f);
        return failures.Count == 0 ? 0 : 1;
    }

    private static CSharpCompilation Compilation((string Name, string Attributes, bool Tokens) model, CSharpParseOptions parse,
        ImmutableArray<MetadataReference> references, CSharpCompilationOptions options)
    {
        string source = $"using ModelGen;\n\nnamespace Scratch;\n\n{model.Attributes}\npublic partial class {model.Name};\n";
        return CSharpCompilation.Create("Scratch", [CSharpSyntaxTree.ParseText(SourceText.From(source, System.Text.Encoding.UTF8), parse, "Models.cs")], references, options);
    }

    private static int RunCold(Compilation compilation, CSharpParseOptions parse) { RunCold(compilation, parse, keep: false); return 0; }

    private static (GeneratorDriver Driver, Compilation Output) RunCold(Compilation compilation, CSharpParseOptions parse, bool keep)
    {
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            [new ModelGen.Generators.ModelGenerator().AsSourceGenerator()],
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: keep),
            parseOptions: parse);
        driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        return (driver, output);
    }

    /// <summary>
    /// --dump: writes each generated file and, per file, the time to bind its method bodies on a fresh copy of the
    /// compilation (where the C# compile of the generated code goes).
    /// </summary>
    private static void DumpPerFile(string dir, string name, Compilation output, List<SyntaxTree> generated)
    {
        Directory.CreateDirectory(Path.Combine(dir, name));
        foreach (var tree in generated)
        {
            var fresh = output.Clone();
            long t0 = Stopwatch.GetTimestamp();
            fresh.GetSemanticModel(tree).GetMethodBodyDiagnostics();
            double ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            string file = Path.GetFileName(tree.FilePath);
            File.WriteAllText(Path.Combine(dir, name, file), tree.GetText().ToString());
            // A cell compiles on its own (it needs only the runtime): its Emit cost alone.
            string alone = "";
            if (file.StartsWith("Cells.", StringComparison.Ordinal))
            {
                var single = CSharpCompilation.Create("Cell", [tree], output.References, (CSharpCompilationOptions)output.Options);
                alone = ", Emit alone " + Median(3, () => EmitBytes(single)) + " ms";
            }
            Console.WriteLine(string.Create(Inv, $"  {name}/{file}: {tree.GetText().Lines.Count} lines, method bodies bound in {ms:0} ms{alone}"));
        }
    }

    private static int EmitBytes(Compilation compilation)
    {
        using var stream = new MemoryStream();
        var result = compilation.Emit(stream);
        if (!result.Success) throw new InvalidOperationException("emit failed: " + result.Diagnostics.First(d => d.Severity == DiagnosticSeverity.Error));
        return (int)stream.Length;
    }

    /// <summary>A median over repetitions: wall-clock and the process's CPU time (all threads), in ms.</summary>
    private readonly record struct Cost(double Wall, double Cpu)
    {
        public override string ToString() => Wall < 10 ? string.Create(Inv, $"{Wall:0.00} ({Cpu:0.00})") : string.Create(Inv, $"{Wall:0} ({Cpu:0})");
    }

    // The CPU time is the better figure on a loaded machine: wall-clock then counts time spent waiting for a core.
    private static Cost Median(int reps, Func<int> action)
    {
        action(); // warm
        var wall = new double[reps];
        var cpu = new double[reps];
        using var process = Process.GetCurrentProcess();
        for (int i = 0; i < reps; i++)
        {
            process.Refresh();
            var c0 = process.TotalProcessorTime;
            long t0 = Stopwatch.GetTimestamp();
            action();
            wall[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            process.Refresh();
            cpu[i] = (process.TotalProcessorTime - c0).TotalMilliseconds;
        }
        Array.Sort(wall);
        Array.Sort(cpu);
        return new Cost(wall[reps / 2], cpu[reps / 2]);
    }

    /// <summary>
    /// Loads the compiled model in a collectible context (the ModelGen runtime shared with this process), initialises
    /// it, and times the first training step (forward with training on, backward: the JIT compiles the generated
    /// methods here) against the tenth.
    /// </summary>
    private static (double FirstMs, double LaterMs) FirstCall(Compilation output, (string Name, string Attributes, bool Tokens) model)
    {
        using var stream = new MemoryStream();
        output.Emit(stream);
        stream.Position = 0;
        var context = new AssemblyLoadContext(model.Name, isCollectible: true);
        try
        {
            var assembly = context.LoadFromStream(stream);
            var type = assembly.GetType("Scratch." + model.Name) ?? throw new InvalidOperationException($"no type {model.Name}");
            object instance = Activator.CreateInstance(type)!;
            type.GetMethod("Initialize", [typeof(int)])?.Invoke(instance, [1]);
            var info = (ModelInfo)type.GetProperty("Info")!.GetValue(instance)!;
            int steps = info.TimeSteps ?? 10, batch = 8;
            Action step;
            if (model.Tokens)
            {
                var m = (ISequentialModel<int>)instance;
                var x = new int[batch * steps];
                var y = new float[m.OutputLength(batch, steps)];
                step = () => { m.Forward(x, batch, steps, y, training: true); m.Backward(y, default); };
            }
            else
            {
                var m = (ISequentialModel<float>)instance;
                var x = new float[batch * steps * info.InputFeatures];
                var y = new float[m.OutputLength(batch, steps)];
                step = () => { m.Forward(x, batch, steps, y, training: true); m.Backward(y, default); };
            }
            long t0 = Stopwatch.GetTimestamp();
            step();
            double first = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            for (int i = 0; i < 9; i++) step();
            t0 = Stopwatch.GetTimestamp();
            step();
            return (first, Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }
        finally
        {
            context.Unload();
        }
    }

    // The shared framework this program runs on, plus the ModelGen runtime and System.Numerics.Tensors (what a user's
    // project references).
    private static ImmutableArray<MetadataReference> References()
    {
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return trusted
            .Where(p => string.Equals(Path.GetDirectoryName(p), framework, StringComparison.Ordinal) && p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Append(typeof(ModelGen.SequentialAttribute).Assembly.Location)
            .Append(typeof(System.Numerics.Tensors.TensorPrimitives).Assembly.Location)
            .GroupBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase)
            .Select(g => (MetadataReference)MetadataReference.CreateFromFile(g.Last()))
            .ToImmutableArray();
    }
}
