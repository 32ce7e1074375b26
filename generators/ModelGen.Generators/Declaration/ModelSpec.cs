using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Declaration;

// Parsed declarations: what the user wrote, before any rule is checked. Plain equatable data only
// (strings, numbers, enums, EquatableArray): no ISymbol, SyntaxNode or Compilation, so the incremental
// pipeline can compare runs and cache.

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
/// <param name="Location">The attribute, for diagnostics about it as a whole.</param>
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
    LocationInfo? Location)
{
    /// <summary>The options beyond the core ones, as written (defaults when not).</summary>
    public LayerOptions Options { get; init; } = LayerOptions.Default;

    /// <summary>Where each argument was written, for diagnostics about one value (see <see cref="At"/>).</summary>
    public EquatableArray<ArgumentSite> Arguments { get; init; } = EquatableArray<ArgumentSite>.Empty;

    /// <summary>
    /// The argument <paramref name="key"/> (a constructor parameter's name, e.g. <c>units</c>, or a property's, e.g.
    /// <c>Dropout</c>) where it was written, else <paramref name="otherwise"/> (a wrapper's attribute, say), else this
    /// attribute: a value the user left at its default is reported at the attribute.
    /// </summary>
    public LocationInfo? At(string key, LocationInfo? otherwise = null) => ArgumentSite.Find(Arguments, key) ?? otherwise ?? Location;
}

/// <summary>
/// One argument of an attribute as written: its key (the constructor parameter's name for a positional or
/// <c>name:</c> argument, the property's name for <c>Name = value</c>) and the argument's whole text, so a diagnostic
/// about one value underlines that value in the editor, as the compiler's own errors about arguments do.
/// </summary>
internal sealed record ArgumentSite(string Key, LocationInfo Location)
{
    /// <summary>The location of <paramref name="key"/> in <paramref name="sites"/>, or null when it was not written.</summary>
    public static LocationInfo? Find(EquatableArray<ArgumentSite> sites, string key)
    {
        foreach (var site in sites)
            if (site.Key == key) return site.Location;
        return null;
    }
}

/// <summary>Layer options as written; each applies to the layer kinds whose attribute carries it.</summary>
internal sealed record LayerOptions
{
    public static readonly LayerOptions Default = new();

    /// <summary>Recurrent: keep the final state readable.</summary>
    public bool ReturnState { get; init; }
    /// <summary>Recurrent: read the sequence reversed.</summary>
    public bool GoBackwards { get; init; }
    /// <summary>Recurrent: carry the final state into the next batch.</summary>
    public bool Stateful { get; init; }
    /// <summary>Recurrent: input dropout rate.</summary>
    public double Dropout { get; init; }
    /// <summary>Recurrent: recurrent dropout rate.</summary>
    public double RecurrentDropout { get; init; }
    /// <summary>Recurrent and Dense: the layer has a bias.</summary>
    public bool UseBias { get; init; } = true;
    /// <summary>LSTM and GRU: the gate activation as written, or null for the attribute's default.</summary>
    public string? RecurrentActivation { get; init; }
    /// <summary>Embedding: token 0 is padding.</summary>
    public bool MaskZero { get; init; }
    /// <summary>Masking: the padding value.</summary>
    public double MaskValue { get; init; }
    /// <summary>Dropout and SpatialDropout1D: the rate.</summary>
    public double Rate { get; init; }
    /// <summary>Bidirectional: the merge mode as written, or null for the attribute's default.</summary>
    public string? MergeMode { get; init; }
    /// <summary>RepeatVector: the repetition factor <c>n</c>.</summary>
    public int Repeats { get; init; }
    /// <summary>Any layer: false freezes it (Keras <c>trainable=False</c>).</summary>
    public bool Trainable { get; init; } = true;
    /// <summary>LSTM: ones in the forget gate's bias.</summary>
    public bool UnitForgetBias { get; init; } = true;
    /// <summary>Recurrent, Dense (kernel) and Embedding (embeddings): the initializer as written, or null for Keras's default.</summary>
    public string? KernelInitializer { get; init; }
    /// <summary>Recurrent: the recurrent kernel's initializer as written, or null.</summary>
    public string? RecurrentInitializer { get; init; }
    /// <summary>Recurrent and Dense: the bias initializer as written, or null.</summary>
    public string? BiasInitializer { get; init; }
    /// <summary>Recurrent, Dense (kernel) and Embedding (embeddings): the regularizer as written, or null for none.</summary>
    public string? KernelRegularizer { get; init; }
    /// <summary>Recurrent: the recurrent kernel's regularizer as written, or null.</summary>
    public string? RecurrentRegularizer { get; init; }
    /// <summary>Recurrent and Dense: the bias regularizer as written, or null.</summary>
    public string? BiasRegularizer { get; init; }
}

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
    /// <summary>
    /// Set when reading the declaration failed unexpectedly: the exception's type and message. The checker reports it
    /// as MG0999 at the class instead of letting the model vanish silently.
    /// </summary>
    public string? ParseFailure { get; init; }

    /// <summary>The class declares instance constructors of its own (so the generated code adds no parameterless one).</summary>
    public bool DeclaresConstructors { get; init; }

    /// <summary>How the type is declared: <c>class</c>, or <c>record</c>, <c>struct</c>, <c>record struct</c>, <c>interface</c> (MG0023).</summary>
    public string TypeKeyword { get; init; } = "class";

    /// <summary>
    /// What keeps a model class from taking the generated part (MG0012) beyond generic and static: <c>abstract</c> (the
    /// generated code creates instances), <c>file</c>-local (the generated part would be another type), a primary
    /// constructor (the generated constructors cannot chain to it); null when none.
    /// </summary>
    public string? ShapeProblem { get; init; }

    /// <summary>The names of the members the user's declarations give the class (nested types included), sorted.</summary>
    public EquatableArray<string> DeclaredMembers { get; init; } = EquatableArray<string>.Empty;

    /// <summary>Accessible members it inherits from base classes other than <c>object</c>, as <c>name</c> → base class, sorted.</summary>
    public EquatableArray<InheritedMember> InheritedMembers { get; init; } = EquatableArray<InheritedMember>.Empty;

    /// <summary>
    /// An attribute of the model whose arguments C# could not bind: the compiler's error stands at the argument, and
    /// the checker adds none of its own about values the user never wrote (and generates nothing).
    /// </summary>
    public bool HasBindingErrors { get; init; }

    /// <summary>Where each argument of <c>[Sequential]</c> was written (<c>TimeSteps</c>, <c>Features</c>).</summary>
    public EquatableArray<ArgumentSite> SequentialArguments { get; init; } = EquatableArray<ArgumentSite>.Empty;

    /// <summary>The <c>[Sequential]</c> argument <paramref name="key"/> where it was written, else the attribute.</summary>
    public LocationInfo? AtSequential(string key) => ArgumentSite.Find(SequentialArguments, key) ?? SequentialLocation;

    /// <summary>The base class, when it is itself a model class (has <c>[Sequential]</c>).</summary>
    public string? BaseModel { get; init; }

    /// <summary>The type to emit into.</summary>
    public TypeHierarchy Type => new(Namespace, ContainingTypes, ClassName, Accessibility);

    /// <summary>Fully qualified name without <c>global::</c>, for hint names and messages.</summary>
    public string FullName => Type.FullName;
}

/// <summary>A member a model class inherits, and the base class that declares it.</summary>
internal readonly record struct InheritedMember(string Name, string DeclaredIn);
