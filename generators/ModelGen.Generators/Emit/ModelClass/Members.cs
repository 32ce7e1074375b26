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
    public static string Field(string owner, string what) => ModelPlan.FieldName(owner, what);

    /// <summary>The field of a layer's tensor, flag or state member (the role's name is the suffix).</summary>
    public static string Field(CheckedLayer l, System.Enum role) => Field(l.Identifier, role.ToString());

    /// <summary>The field of a direction's tensor, flag or state member.</summary>
    public static string Field(RecurrentDirection d, System.Enum role) => Field(d.Identifier, role.ToString());

    public static string Field(PlannedTensor t) => Field(t.Owner, t.Role.ToString());

    public static string Field(PlannedFlag f) => Field(f.Owner, f.Role.ToString());

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

    /// <summary>
    /// The rows (steps·batch) <paramref name="l"/>'s time axis has, as C# in <paramref name="batch"/> and <paramref name="rows"/>
    /// (the input's rows): <c>batch * n</c> for a layer at or after a RepeatVector(n), <paramref name="rows"/> otherwise.
    /// </summary>
    public static string RowsOf(CheckedLayer? l, string batch = "batch", string rows = "rows")
        => l?.Steps is int n ? $"{batch} * {n}" : rows;

    /// <summary>A float literal in the invariant culture.</summary>
    public static string Float(float value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture) + "f";
}
