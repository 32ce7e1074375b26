using System.Linq;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// Names and expressions the GPU model emitters share: device views of the workspace (<c>PassKernels.Part</c>), of the
/// parameters and gradients (host layout, so a view is an offset and a length), and the GPU cells' class names.
/// </summary>
internal static class GpuModelNames
{
    /// <summary>The runtime pass kernels, fully qualified, with a trailing dot.</summary>
    public const string K = "global::ModelGen.Gpu.Kernels.PassKernels.";

    /// <summary>The GPU package's namespace, fully qualified, with a trailing dot.</summary>
    public const string GpuNs = "global::ModelGen.Gpu.";

    /// <summary>A dense device buffer of <paramref name="element"/>.</summary>
    public static string Buffer(string element) => $"global::ILGPU.Runtime.MemoryBuffer1D<{element}, global::ILGPU.Stride1D.Dense>";

    /// <summary>A device view of <paramref name="element"/>.</summary>
    public static string View(string element) => $"global::ILGPU.ArrayView<{element}>";

    /// <summary>The GPU cell class of <paramref name="cell"/> (gpucells' <c>Cells.Gpu.{TypeName}.g.cs</c>).</summary>
    public static string Cell(CellShape cell) => $"{CellPrefix}Gpu.{cell.TypeName}";

    /// <summary><paramref name="length"/> elements of a workspace buffer from <paramref name="offset"/>.</summary>
    public static string Part(string field, string offset, string length) => $"{K}Part({field}, {offset}, {length})";

    /// <summary>The whole of a workspace buffer.</summary>
    public static string All(string field) => $"{K}All({field})";

    /// <summary>A parameter block on the device (its gradient when <paramref name="gradient"/>).</summary>
    public static string Parameter(ParamView p, bool gradient) => Part(gradient ? "Gradients" : "Parameters", p.Offset.ToString(), p.Length.ToString());

    /// <summary>A layer's parameter view by its property suffix (<c>Kernel</c>, <c>Bias</c>); <c>default</c> when it has none.</summary>
    public static string LayerParameter(CheckedLayer l, string suffix, bool gradient)
        => l.Parameters.FirstOrDefault(p => p.PropertySuffix == suffix) is { } p ? Parameter(p, gradient) : "default";

    /// <summary>A direction's kernel (0), recurrent kernel (1) or bias (2); <c>default</c> when it has no bias.</summary>
    public static string DirectionParameter(RecurrentDirection d, int index, bool gradient)
        => index >= d.Views.Count ? "default" : Parameter(d.Views[index], gradient);

    /// <summary>The host staging array of a device tensor (dropout masks drawn on the host, states set by the user).</summary>
    public static string Host(string field) => field + "Host";

    /// <summary>
    /// The first layer the GPU passes do not render (RepeatVector, pooling, Flatten, Activation), or null when every layer
    /// runs on the device.
    /// </summary>
    public static CheckedLayer? Unsupported(CheckedModel m) => m.Layers.FirstOrDefault(l => IsUnsupported(l.Kind));

    /// <summary>The layer kinds without a GPU rendering.</summary>
    public static bool IsUnsupported(LayerKind kind) => kind switch
    {
        LayerKind.RepeatVector or LayerKind.GlobalAveragePooling1D or LayerKind.GlobalMaxPooling1D or LayerKind.Flatten or LayerKind.Activation => true,
        LayerKind.Embedding or LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru or LayerKind.Dense or LayerKind.Masking or LayerKind.Dropout
            or LayerKind.SpatialDropout1D or LayerKind.Bidirectional or LayerKind.TimeDistributed => false,
        _ => true,
    };
}
