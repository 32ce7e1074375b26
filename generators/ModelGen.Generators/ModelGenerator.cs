using System;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Checking;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Emit.Cpu;
using ModelGen.Generators.Emit.Gpu;
using ModelGen.Generators.Emit.ModelClass;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators;

/// <summary>
/// The ModelGen incremental generator. The pipeline only (each stage lives in its own folder):
/// <code>
/// [Sequential] class ─parse─► ModelSpec ─check─► CheckResult ─┬─► diagnostics
///                                                              └─plan─► ModelPlan ─┬─► model class (neutral parts + CPU pass)
///                                                                                  └─► distinct cell shapes ─► one CPU cell each
/// </code>
/// Every value flowing between stages is plain equatable data, so unchanged models are served from cache.
/// A second backend (ILGPU kernels) adds outputs beside the CPU ones, rendering the same plan and cell math.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class ModelGenerator : IIncrementalGenerator
{
    /// <inheritdoc/>
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                ModelParser.SequentialAttribute,
                static (node, _) => node is TypeDeclarationSyntax,
                static (ctx, ct) => ModelParser.ParseOrFailure(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Parse);

        // Whether the compilation references ModelGen.Gpu: a bool, so an edit anywhere else leaves the steps that combine
        // with it cached. (Not a named step: Roslyn 4.14 records no tracked step for a transform of the compilation here.)
        var gpu = context.CompilationProvider
            .Select(static (compilation, _) => GpuBackend.IsReferenced(compilation));

        var results = specs
            .Select(static (spec, _) => CheckOrFailure(spec))
            .WithTrackingName(TrackingNames.Check);

        var diagnostics = results
            .Select(static (result, _) => result.Diagnostics)
            .WithTrackingName(TrackingNames.Diagnostics);
        context.RegisterSourceOutput(diagnostics, static (spc, list) =>
        {
            foreach (var diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        var plans = results
            .Where(static result => result.Model is not null)
            .Select(static (result, _) => PlanOrFailure(result.Model!))
            .WithTrackingName(TrackingNames.Model);
        // With ModelGen.Gpu referenced, each model also gets its GPU part (Models.{…}.Gpu.g.cs), and its CPU part the hooks
        // that run Forward/Backward on the device while one is set; without it, the CPU part is exactly what it was.
        var gpuPlans = plans.Combine(gpu);
        context.RegisterSourceOutput(gpuPlans, static (spc, pair) =>
        {
            var (plan, gpuOn) = pair;
            bool hooks = gpuOn && plan.Failure is null && GpuModelNames.Unsupported(plan.Model) is null;
            Emit(spc, plan.Model.Type.HintName("Models"), plan.Model.Type.FullName, () => ModelClassEmitter.Emit(plan, hooks), plan.Failure);
            if (gpuOn && plan.Failure is null)
                Emit(spc, GpuModelEmitter.HintName(plan), plan.Model.Type.FullName, () => GpuModelEmitter.Emit(plan));
        });
        // GPU: at a model's [Sequential], a layer the GPU passes do not render (MG0032) or a recurrent layer that cannot run
        // the on-chip scheme (MG0033), both info.
        var gpuDiagnostics = specs.Combine(gpu)
            .Select(static (pair, _) => pair.Right ? GpuModelDiagnostics.Of(pair.Left) : EquatableArray<DiagnosticInfo>.Empty);
        context.RegisterSourceOutput(gpuDiagnostics, static (spc, list) =>
        {
            foreach (var diagnostic in list) spc.ReportDiagnostic(diagnostic.ToDiagnostic());
        });

        // Layer attributes on a type without [Sequential] would otherwise be ignored in silence: MG0024, once per type,
        // from the provider of its first layer attribute.
        foreach (var kind in LayerKinds.All)
        {
            var orphans = context.SyntaxProvider
                .ForAttributeWithMetadataName(
                    ModelParser.AttributeNamespace + "." + kind.AttributeClass,
                    static (node, _) => node is TypeDeclarationSyntax,
                    static (ctx, ct) => ModelParser.OrphanLayers(ctx, ct))
                .WithTrackingName(TrackingNames.Orphans)
                .Where(static diagnostic => diagnostic is not null)
                .Select(static (diagnostic, _) => diagnostic!);
            context.RegisterSourceOutput(orphans, static (spc, diagnostic) => spc.ReportDiagnostic(diagnostic.ToDiagnostic()));
        }

        var cells = plans
            .Where(static plan => plan.Failure is null)
            .Select(static (plan, _) => plan.Model.Layers.Where(l => l.Cell.IsEmitted).Select(l => l.Cell).ToEquatableArray())
            .Collect()
            .SelectMany(static (all, _) => all.SelectMany(c => c).Distinct().ToImmutableArray())
            .WithTrackingName(TrackingNames.Cells);
        // Tests only: the build property ModelGenEmulateVector512 (made visible to the compiler by the test project that
        // sets it) renders the cells' 512-bit checks so that those branches run, emulated, on a machine without AVX-512
        // (CpuCellEmitter.Emit). A bool, so an edit anywhere leaves the cells cached.
        var emulate512 = context.AnalyzerConfigOptionsProvider
            .Select(static (options, _) => options.GlobalOptions.TryGetValue("build_property.ModelGenEmulateVector512", out var value)
                && string.Equals(value?.Trim(), "true", StringComparison.OrdinalIgnoreCase));
        context.RegisterSourceOutput(cells.Combine(emulate512), static (spc, pair) =>
            Emit(spc, $"Cells.{pair.Left.TypeName}.g.cs", pair.Left.TypeName, () => CpuCellEmitter.Emit(pair.Left, pair.Right)));
        // With ModelGen.Gpu referenced, each cell shape also gets its GPU cell (ILGPU kernels); without it, nothing more.
        context.RegisterSourceOutput(cells.Combine(gpu).Where(static pair => pair.Right).Select(static (pair, _) => pair.Left), static (spc, cell) =>
            Emit(spc, GpuCellEmitter.HintName(cell), cell.TypeName, () => GpuCellEmitter.Emit(cell)));
    }

    // The generator never throws: an unexpected failure becomes diagnostic MG0999, with the exception's message,
    // instead of a crash or a model that silently vanishes.
    private static CheckResult CheckOrFailure(ModelSpec spec)
    {
        try
        {
            return ModelChecker.Check(spec);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            var diagnostic = DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, spec.SequentialLocation ?? spec.ClassLocation, spec.FullName,
                "checking: " + e.GetType().Name + ": " + e.Message);
            return new CheckResult(null, ImmutableArray.Create(diagnostic).ToEquatableArray());
        }
    }

    private static ModelPlan PlanOrFailure(CheckedModel model)
    {
        try
        {
            return ModelPlanner.Plan(model);
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            return new ModelPlan(model, EquatableArray<LayerPlan>.Empty, null, null) { Failure = "planning: " + e.GetType().Name + ": " + e.Message };
        }
    }

    private static void Emit(SourceProductionContext spc, string hintName, string what, Func<string> emit, string? failure = null)
    {
        try
        {
            if (failure is not null) throw new InvalidOperationException(failure);
            spc.AddSource(hintName, emit());
        }
        catch (OperationCanceledException) { throw; }
        catch (Exception e)
        {
            spc.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.InternalError, null, what, e.GetType().Name + ": " + e.Message));
        }
    }
}
