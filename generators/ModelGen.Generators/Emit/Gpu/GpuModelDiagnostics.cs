using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>The GPU backend's info diagnostics about a model (reported only when ModelGen.Gpu is referenced).</summary>
internal static class GpuModelDiagnostics
{
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
