using System.Linq;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.ModelClass;

/// <summary>
/// Names of the generated members that every part refers to: workspace fields (<c>_lstmGates</c>), parameter spans,
/// and the runtime's namespaces. The role names are the plan's (<see cref="TensorRole"/>, <see cref="FlagRole"/>,
/// <see cref="StateMember"/>), so the checker's collision test and the emitted names cannot disagree.
/// </summary>
internal static class Members
{
    /// <summary>The runtime namespace, fully qualified.</summary>
    public const string G = "global::ModelGen.";

    /// <summary>The namespace of the emitted cells.</summary>
    public const string CellNamespace = "ModelGen.Generated";

    /// <summary>The emitted cells' namespace, fully qualified, with a trailing dot.</summary>
    public const string CellPrefix = "global::" + CellNamespace + ".";

    /// <summary>The private field of <paramref name="owner"/>'s <paramref name="what"/>: <c>_{owner in camel case}{what}</c>.</summary>
    public static string Field(string owner, string what) => $"_{char.ToLowerInvariant(owner[0])}{owner.Substring(1)}{what}";

    public static string Field(CheckedLayer l, string what) => Field(l.Identifier, what);

    public static string Field(RecurrentDirection d, string what) => Field(d.Identifier, what);

    public static string Field(PlannedTensor t) => Field(t.Owner, t.Role.ToString());

    public static string Field(PlannedFlag f) => Field(f.Owner, f.Role.ToString());

    public static string Field(string owner, TensorRole role) => Field(owner, role.ToString());

    public static string Field(RecurrentDirection d, TensorRole role) => Field(d.Identifier, role.ToString());

    public static string Field(CheckedLayer l, TensorRole role) => Field(l.Identifier, role.ToString());

    public static string Field(RecurrentDirection d, StateMember member) => Field(d.Identifier, member.ToString());

    public static string Field(RecurrentDirection d, FlagRole flag) => Field(d.Identifier, flag.ToString());

    public static string Field(CheckedLayer l, FlagRole flag) => Field(l.Identifier, flag.ToString());

    /// <summary>
    /// A layer's parameter view (or its gradient) by its generated property, e.g. <c>DenseKernel</c>; <c>default</c>
    /// when the layer has none (no bias).
    /// </summary>
    public static string View(CheckedLayer l, string suffix, bool gradient)
        => l.Parameters.Any(v => v.PropertySuffix == suffix) ? l.Identifier + suffix + (gradient ? ParameterNames.GradientSuffix : "") : "default";

    /// <summary>
    /// A direction's kernel (0), recurrent kernel (1) or bias (2) by its generated property (<c>LstmKernel</c>,
    /// <c>BidirectionalBackwardRecurrentKernel</c>); <c>default</c> when it has no bias.
    /// </summary>
    public static string View(RecurrentDirection d, int index, bool gradient)
        => index >= d.Views.Count ? "default" : d.Identifier + ParameterNames.Suffixes[index] + (gradient ? ParameterNames.GradientSuffix : "");

    /// <summary>A float literal in the invariant culture.</summary>
    public static string Float(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";
}
