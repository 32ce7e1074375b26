using System;

namespace ModelGen.Generators.Model;

// Parsed declarations: what the user wrote, before any rule is checked. Plain equatable data only
// (strings, numbers, enums, EquatableArray): no ISymbol, SyntaxNode or Compilation, so the incremental
// pipeline can compare runs and cache.

internal enum LayerKind { Embedding, SimpleRnn, Lstm, Gru, Dense }

/// <summary>A type enclosing the model class (for nested models).</summary>
internal sealed record ContainingType(string Keyword, string Name, bool IsPartial);

/// <summary>One layer attribute as written.</summary>
/// <param name="Kind">Layer type.</param>
/// <param name="AttributeName">Attribute name as the user sees it (for messages), e.g. <c>Lstm</c>.</param>
/// <param name="Name">Explicit name, or null.</param>
/// <param name="Units">Units (recurrent, Dense) or the Embedding's output dimension.</param>
/// <param name="InputDim">The Embedding's vocabulary size; 0 for other layers.</param>
/// <param name="Activation">Activation text as written, or null for the layer's default.</param>
/// <param name="ReturnSequences">Recurrent layers: return every step.</param>
/// <param name="ResetAfter">GRU: reset gate after the recurrent product.</param>
/// <param name="Declaration">Index of the partial declaration the attribute sits on.</param>
/// <param name="Location">The attribute, for diagnostics.</param>
internal sealed record LayerSpec(
    LayerKind Kind,
    string AttributeName,
    string? Name,
    int Units,
    int InputDim,
    string? Activation,
    bool ReturnSequences,
    bool ResetAfter,
    int Declaration,
    LocationInfo? Location);

/// <summary>A <c>[Sequential]</c> class as declared.</summary>
internal sealed record ModelSpec(
    string? Namespace,
    EquatableArray<ContainingType> ContainingTypes,
    string ClassName,
    string Accessibility,
    bool IsPartial,
    bool IsGeneric,
    bool IsStatic,
    int? TimeSteps,
    int? Features,
    LocationInfo? ClassLocation,
    LocationInfo? SequentialLocation,
    EquatableArray<LayerSpec> Layers)
{
    /// <summary>Fully qualified name without <c>global::</c>, for hint names and messages.</summary>
    public string FullName
    {
        get
        {
            string prefix = Namespace is null ? "" : Namespace + ".";
            foreach (var t in ContainingTypes) prefix += t.Name + ".";
            return prefix + ClassName;
        }
    }
}
