using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The GPU backend's generated cells (<c>Cells.Gpu.*.g.cs</c>: host code and ILGPU kernel source) of an LSTM model, a
/// GRU model, a Bidirectional masked model and an LSTM too wide for the on-chip scheme, compared with their approved
/// snapshots; the GPU output compiles with no warning; and a compilation without ModelGen.Gpu gets exactly the CPU
/// files and nothing GPU.
/// </summary>
public sealed class GpuSnapshotTests
{
    private const string WideLstmSource = """
        using ModelGen;

        namespace Demo;

        [Sequential(Features = 3)]
        [Lstm(64)]
        [Dense(1)]
        public partial class WideLstmModel;
        """;

    private static bool IsGpuCell(string hintName) => hintName.StartsWith("Cells.Gpu.", StringComparison.Ordinal);

    /// <summary>The generator run on a compilation that references ModelGen.Gpu, holding (at least) the given GPU cells.</summary>
    private static GeneratorRun GenerateGpu(string source, params string[] expectedGpuCells)
    {
        var run = GeneratorHarness.Run(GeneratorHarness.CreateGpuCompilation(new[] { (GeneratorHarness.DefaultPath, source) }));
        run.GeneratorDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ShouldBeEmpty();
        run.HintNames.Where(IsGpuCell).OrderBy(h => h, StringComparer.Ordinal)
            .ShouldBe(expectedGpuCells.OrderBy(h => h, StringComparer.Ordinal));
        return run;
    }

    // Each test calls Snapshot.ShouldMatchAll itself: the approved files are named after its caller.
    [Fact]
    public void LstmModel()
    {
        var run = GenerateGpu(TestModels.LstmModel, "Cells.Gpu.Lstm_I2_H12.g.cs", "Cells.Gpu.Dense_I12_U1_Linear.g.cs");
        run.Source("Cells.Gpu.Lstm_I2_H12.g.cs").ShouldContain("// Scheme: on-chip");
        Snapshot.ShouldMatchAll(run, IsGpuCell);
    }

    [Fact]
    public void GruModel()
    {
        var run = GenerateGpu(TestModels.GruModel, "Cells.Gpu.Gru_I3_H9_ResetAfter.g.cs", "Cells.Gpu.Dense_I9_U2_Tanh.g.cs");
        Snapshot.ShouldMatchAll(run, IsGpuCell);
    }

    [Fact]
    public void BidirectionalMaskedModel()
    {
        var run = GenerateGpu(TestModels.BidirectionalModel,
            "Cells.Gpu.Lstm_I3_H8.g.cs", "Cells.Gpu.Gru_I16_H5_ResetAfter.g.cs", "Cells.Gpu.Dense_I5_U4_Softmax.g.cs");
        Snapshot.ShouldMatchAll(run, IsGpuCell);
    }

    [Fact]
    public void WideLstmModel()
    {
        // LSTM(64): U is 64 KB, over the 48 KB a group gets without the opt-in, so one launch per step.
        var run = GenerateGpu(WideLstmSource, "Cells.Gpu.Lstm_I3_H64.g.cs", "Cells.Gpu.Dense_I64_U1_Linear.g.cs");
        run.Source("Cells.Gpu.Lstm_I3_H64.g.cs").ShouldContain("// Scheme: per-step");
        Snapshot.ShouldMatchAll(run, IsGpuCell);
    }

    [Fact]
    public void WithoutModelGenGpu_NoGpuFile_AndWithIt_TheSameCpuCells()
    {
        foreach (string source in TestModels.All.Append(WideLstmSource))
        {
            var cpu = GeneratorHarness.Run(source);
            var gpu = GeneratorHarness.Run(GeneratorHarness.CreateGpuCompilation(new[] { (GeneratorHarness.DefaultPath, source) }));
            cpu.HintNames.ShouldNotBeEmpty();
            cpu.HintNames.ShouldAllBe(h => !h.Contains(".Gpu", StringComparison.Ordinal));
            gpu.HintNames.Where(IsGpuCell).ShouldNotBeEmpty();
            var gpuCpuPart = gpu.GeneratedSources.Where(s => !s.HintName.Contains(".Gpu", StringComparison.Ordinal))
                .ToDictionary(s => s.HintName, s => s.SourceText.ToString(), StringComparer.Ordinal);
            gpuCpuPart.Keys.OrderBy(h => h, StringComparer.Ordinal).ShouldBe(cpu.HintNames.OrderBy(h => h, StringComparer.Ordinal));
            // The CPU cells are the same; the model class gains the hooks that run it on a device (snapshot in
            // GpuModelSnapshotTests), so only the cells are compared here.
            foreach (var generated in cpu.GeneratedSources.Where(s => s.HintName.StartsWith("Cells.", StringComparison.Ordinal)))
                gpuCpuPart[generated.HintName].ShouldBe(generated.SourceText.ToString(), $"{generated.HintName} differs when ModelGen.Gpu is referenced");
        }
    }

    [Fact]
    public void GpuCells_CompileWithoutWarnings()
    {
        var parseOptions = GeneratorHarness.ParseOptions.WithDocumentationMode(DocumentationMode.Diagnose);
        foreach (string source in TestModels.All.Append(WideLstmSource))
        {
            var compilation = GeneratorHarness.CreateGpuCompilation(new[] { (GeneratorHarness.DefaultPath, source) }, GeneratorHarness.StrictOptions, parseOptions);
            var run = GeneratorHarness.Run(compilation, GeneratorHarness.CreateDriver(parseOptions));
            run.HintNames.Where(IsGpuCell).ShouldNotBeEmpty();
            // The test declarations themselves carry no doc comments: only problems in generated files count.
            var problems = run.CompilationDiagnostics
                .Where(d => d.Severity >= DiagnosticSeverity.Warning && d.Location.SourceTree?.FilePath is { } path && path != GeneratorHarness.DefaultPath)
                .ToList();
            problems.ShouldBeEmpty(string.Join("\n", problems.Take(20).Select(d => $"{d} @ {Path.GetFileName(d.Location.SourceTree?.FilePath)}")));
        }
    }
}

/// <summary>
/// The GPU scheme's shared-memory accounting against what the emitted kernels allocate, over widths around every
/// boundary: the busier kernel's <c>SharedMemory.Allocate</c> calls add up to exactly U (on chip) plus the scheme's step
/// buffers, and never above the 48 KB a CUDA group gets without the opt-in (a kernel above it fails to build or launch on
/// a GPU, which the CPU accelerator does not check).
/// </summary>
public sealed class GpuSchemeTests
{
    public static TheoryData<string, int> Shapes()
    {
        var data = new TheoryData<string, int>();
        foreach (string form in new[] { "SimpleRnn", "Lstm", "GruAfter", "GruBefore" })
            foreach (int units in new[] { 1, 3, 12, 30, 54, 55, 63, 64, 65, 110, 111, 128, 256, 300, 1024, 2048, 4096 })
                data.Add(form, units);
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void KernelSharedMemory_IsTheSchemesAccount_AndFitsIn48KB(string form, int units)
    {
        var cell = Shape(form, units);
        var scheme = Emit.Gpu.GpuScheme.Of(cell);
        bool onChip = scheme.Kind == Emit.Gpu.GpuSchemeKind.OnChip;
        string source = Emit.Gpu.GpuCellEmitter.Emit(cell);
        int slots = Constant(source, "Slots"), gateSlots = Constant(source, "GateSlots");
        slots.ShouldBe(scheme.SamplesPerGroup * units);
        int backwardAt = source.IndexOf("public static void BackwardKernel", StringComparison.Ordinal);
        int forwardAt = source.IndexOf("public static void ForwardKernel", StringComparison.Ordinal);
        forwardAt.ShouldBeGreaterThan(0);
        backwardAt.ShouldBeGreaterThan(forwardAt);
        int forward = SharedFloats(source[forwardAt..backwardAt], slots, gateSlots);
        int backward = SharedFloats(source[backwardAt..], slots, gateSlots);
        int bytes = 4 * Math.Max(forward, backward);
        bytes.ShouldBe((onChip ? Emit.Gpu.GpuScheme.RecurrentBytes(cell) : 0) + 4 * Emit.Gpu.GpuScheme.BufferFloats(cell, scheme.SamplesPerGroup, onChip),
            $"{cell.TypeName} ({scheme.Reason})");
        bytes.ShouldBeLessThanOrEqualTo(48 * 1024, $"{cell.TypeName} ({scheme.Reason})");
        if (onChip) slots.ShouldBeLessThanOrEqualTo(256); // a group never needs more threads than the cap
    }

    /// <summary>
    /// Every <c>Group.Barrier()</c> sits where the whole group reaches it (the kernel body or the time loop's body, whose
    /// bounds are the same for every thread; never inside a per-item loop or a branch), and the kernels use none of
    /// what GPU.md B4 rules out: <c>MathF</c>/<c>Math</c> (LibDevice on PTX), <c>CopySign</c>, System.Numerics vectors.
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void Kernels_BarriersReachedByTheWholeGroup_AndNoUnsupportedMaths(string form, int units)
    {
        string source = Emit.Gpu.GpuCellEmitter.Emit(Shape(form, units));
        string kernels = source[source.IndexOf("public static void ForwardKernel", StringComparison.Ordinal)..];
        foreach (string banned in new[] { "CopySign", "Vector", "System.Numerics", "Warp." })
            kernels.ShouldNotContain(banned, Case.Sensitive);
        // System.Math/MathF calls (CellMath's are the allowed ones).
        System.Text.RegularExpressions.Regex.Matches(kernels, @"(?<![A-Za-z])MathF?\.").ShouldBeEmpty();
        var lines = kernels.Split('\n');
        int barriers = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            if (!lines[i].Contains("Group.Barrier()", StringComparison.Ordinal)) continue;
            barriers++;
            int indent = lines[i].Length - lines[i].TrimStart().Length;
            // 8: the kernel body; 12: the body of "for (int t = …)", the only loop at the kernel body's level.
            indent.ShouldBeOneOf(new[] { 8, 12 }, $"line {i}: {lines[i].Trim()}");
            if (indent == 12)
            {
                // Up to the enclosing line at the kernel body's level: only the time loop's "{" and then "for (int t" itself.
                int open = i - 1;
                while (open > 0 && lines[open].Length - lines[open].TrimStart().Length > 8) open--;
                if (lines[open].Trim() == "{") open--;
                lines[open].TrimStart().ShouldStartWith("for (int t", customMessage: $"line {i}'s barrier is not in the time loop's body");
            }
        }
        barriers.ShouldBeGreaterThanOrEqualTo(3);
    }

    private static Model.CellShape Shape(string form, int units) => form switch
    {
        "SimpleRnn" => new Model.CellShape(Layers.LayerKind.SimpleRnn, 7, units, Model.Activation.Tanh, ResetAfter: false),
        "Lstm" => new Model.CellShape(Layers.LayerKind.Lstm, 7, units, Model.Activation.Tanh, ResetAfter: false),
        "GruAfter" => new Model.CellShape(Layers.LayerKind.Gru, 7, units, Model.Activation.Tanh, ResetAfter: true),
        _ => new Model.CellShape(Layers.LayerKind.Gru, 7, units, Model.Activation.Tanh, ResetAfter: false),
    };

    private static int Constant(string source, string name)
    {
        var match = System.Text.RegularExpressions.Regex.Match(source, $@"public const int {name} = (\d+);");
        match.Success.ShouldBeTrue(name);
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>The floats a kernel's <c>SharedMemory.Allocate&lt;float&gt;(…)</c> calls take: literals and (2 ×) Slots/GateSlots.</summary>
    private static int SharedFloats(string kernel, int slots, int gateSlots)
    {
        int total = 0;
        foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(kernel, @"SharedMemory\.Allocate<float>\(([^)]*)\)"))
        {
            string size = m.Groups[1].Value.Replace(" ", "", StringComparison.Ordinal);
            total += size switch
            {
                "Slots" => slots,
                "2*Slots" => 2 * slots,
                "GateSlots" => gateSlots,
                "2*GateSlots" => 2 * gateSlots,
                _ => int.Parse(size, System.Globalization.CultureInfo.InvariantCulture),
            };
        }
        return total;
    }
}
