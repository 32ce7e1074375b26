using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU backend is emitted only into a compilation that references the ModelGen.Gpu package (ILGPU): without it,
/// nothing GPU is emitted and the CPU output is exactly what it was.
/// </summary>
internal static class GpuBackend
{
    /// <summary>The runtime type whose presence switches the GPU backend on.</summary>
    public const string MarkerType = "ModelGen.Gpu.GpuRunner`1";

    /// <summary>True when <paramref name="compilation"/> references ModelGen.Gpu.</summary>
    public static bool IsReferenced(Compilation compilation) => compilation.GetTypeByMetadataName(MarkerType) is not null;
}
