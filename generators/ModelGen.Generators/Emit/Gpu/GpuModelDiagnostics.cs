using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Checking;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Model;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>The GPU backend's info diagnostics about a model (reported only when ModelGen.Gpu is referenced).</summary>
internal static class GpuModelDiagnostics
{
    /// <summary>
    /// The GPU backend's info diagnostics of a model: MG0032 when a layer has no GPU rendering, else MG0033 for each
    /// recurrent layer whose cell cannot run the on-chip scheme (naming the scheme it uses instead and why).
    /// </summary>
    public static EquatableArray<DiagnosticInfo> Of(ModelSpec spec)
    {
        if (CpuOnly(spec) is { } cpuOnly) return new[] { cpuOnly }.ToEquatableArray();
        CheckedModel? model;
        try
        {
            model = ModelChecker.Check(spec).Model;
        }
        catch (System.Exception e) when (e is not System.OperationCanceledException)
        {
            model = null; // the model's own pipeline reports the failure (MG0999)
        }
        if (model is null) return EquatableArray<DiagnosticInfo>.Empty;
        var list = new List<DiagnosticInfo>();
        foreach (var l in model.Layers.Where(l => l.IsRecurrent))
        {
            var scheme = GpuScheme.Of(l.Cell);
            if (scheme.Kind == GpuSchemeKind.OnChip) continue;
            list.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GpuScheme, spec.SequentialLocation ?? spec.ClassLocation, spec.ClassName, l.Name,
                l.Cell.TypeName, scheme.Reason));
        }
        return list.ToEquatableArray();
    }

    /// <summary>MG0032 at the model's [Sequential] when a layer has no GPU rendering; null when every layer runs on the device.</summary>
    public static DiagnosticInfo? CpuOnly(ModelSpec spec)
    {
        int index = 0;
        while (index < spec.Layers.Count && !GpuModelNames.IsUnsupported(spec.Layers[index].Kind)) index++;
        if (index == spec.Layers.Count) return null;
        var layer = spec.Layers[index];
        string who = layer.Name is { } name ? $"'{name}'" : $"{index}";
        return DiagnosticInfo.Create(DiagnosticDescriptors.GpuCpuOnly, spec.SequentialLocation ?? spec.ClassLocation, spec.ClassName, who,
            LayerKinds.Of(layer.Kind).KerasClass);
    }
}
