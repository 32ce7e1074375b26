using System.Linq;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Model;

// The checked model: shapes inferred, names resolved, parameter offsets assigned. This is what every
// backend emits from (CPU today; ILGPU kernels read the same record). Plain equatable data with no
// locations, so editing whitespace or moving the class does not re-run emission.

internal enum Activation { Linear, Tanh, Sigmoid, Relu, Softmax, HardSigmoid }

/// <summary>How Bidirectional combines its two outputs.</summary>
internal enum MergeMode { Concat, Sum, Mul, Ave }

/// <summary>Keras's initializers; each is the runtime <c>Initializer</c> value of the same name.</summary>
internal enum InitKind
{
    Zeros, GlorotUniform, Orthogonal, Uniform005, UnitForgetBias,
    Ones, Constant, GlorotNormal, HeNormal, HeUniform, LecunNormal, LecunUniform, RandomNormal, RandomUniform, TruncatedNormal, Identity,
}

/// <summary>One parameter view of a layer, in Keras layout.</summary>
internal sealed record ParamView(string KerasName, string PropertySuffix, int Offset, int Rows, int Columns, InitKind Init)
{
    public int Length => Rows * Columns;

    /// <summary>The initializer's arguments in Keras's order; empty for Keras's defaults.</summary>
    public EquatableArray<float> InitArguments { get; init; } = EquatableArray<float>.Empty;

    /// <summary>LSTM bias: ones in the forget-gate block after <see cref="Init"/> (when that is not already <see cref="InitKind.UnitForgetBias"/>).</summary>
    public bool UnitForgetBias { get; init; }

    /// <summary>The L1 and L2 factors of its regularizer, or null for none.</summary>
    public (float L1, float L2)? Regularizer { get; init; }
}

/// <summary>
/// One direction of a recurrent layer: the layer itself, or the forward or backward copy inside Bidirectional.
/// Each has its own weights, workspace and states.
/// </summary>
/// <param name="Identifier">C# identifier of the direction's members, e.g. <c>Lstm</c> or <c>BidirectionalBackward</c>.</param>
/// <param name="KerasName">Keras's name of the sub-layer (<c>forward_lstm</c>), or the layer's own name.</param>
/// <param name="Reversed">Reads the sequence from its last step to its first.</param>
/// <param name="Views">Its parameter views (kernel, recurrent kernel, bias when present).</param>
internal sealed record RecurrentDirection(string Identifier, string KerasName, bool Reversed, EquatableArray<ParamView> Views);

/// <summary>A layer with its inferred shapes and parameter layout.</summary>
/// <param name="Index">Position in the model.</param>
/// <param name="Kind">Layer type.</param>
/// <param name="Name">Keras name (explicit, or Keras's default).</param>
/// <param name="Identifier">PascalCase C# identifier derived from the name, unique in the model.</param>
/// <param name="Inputs">Features per step (or per sample) coming in; the vocabulary size for an Embedding.</param>
/// <param name="OutputWidth">Output width per step (or per sample): the units, twice them for a concatenating Bidirectional, the input width for layers that keep it.</param>
/// <param name="InputIsSequence">The input has a time axis.</param>
/// <param name="OutputIsSequence">The output has a time axis.</param>
/// <param name="ParameterCount">Keras's count.</param>
/// <param name="Parameters">Views into the flat buffer.</param>
/// <param name="Cell">The shared compute shape.</param>
internal sealed record CheckedLayer(
    int Index,
    LayerKind Kind,
    string Name,
    string Identifier,
    int Inputs,
    int OutputWidth,
    bool InputIsSequence,
    bool OutputIsSequence,
    int ParameterCount,
    EquatableArray<ParamView> Parameters,
    CellShape Cell)
{
    /// <summary>The facts of this layer's kind.</summary>
    public LayerKindInfo Info => LayerKinds.Of(Kind);

    public bool IsRecurrent => Info.IsRecurrent;

    /// <summary>Bidirectional or TimeDistributed around this layer; null when it is not wrapped.</summary>
    public LayerKind? Wrapper { get; init; }

    /// <summary>Bidirectional: how the two outputs combine.</summary>
    public MergeMode Merge { get; init; }

    /// <summary>Recurrent layers: one direction, or two inside Bidirectional.</summary>
    public EquatableArray<RecurrentDirection> Directions { get; init; } = EquatableArray<RecurrentDirection>.Empty;

    /// <summary>Recurrent: the final states are exposed.</summary>
    public bool ReturnState { get; init; }

    /// <summary>Recurrent: the final states carry into the next batch.</summary>
    public bool Stateful { get; init; }

    /// <summary>Recurrent: input dropout rate.</summary>
    public float Dropout { get; init; }

    /// <summary>Dropout and SpatialDropout1D: the fraction dropped.</summary>
    public float Rate { get; init; }

    /// <summary>Recurrent: recurrent dropout rate.</summary>
    public float RecurrentDropout { get; init; }

    /// <summary>A mask (from Embedding(MaskZero) or Masking) reaches this layer's input.</summary>
    public bool MaskIn { get; init; }

    /// <summary>Embedding: token 0 is padding and masks its step.</summary>
    public bool MaskZero { get; init; }

    /// <summary>Masking: the padding value.</summary>
    public float MaskValue { get; init; }

    /// <summary>
    /// The time steps this layer runs at when a RepeatVector at or above it fixed them (its <c>n</c>); null: the steps of
    /// the model's input. For a RepeatVector, the steps of its output.
    /// </summary>
    public int? Steps { get; init; }

    /// <summary>False for a frozen layer (Keras <c>trainable=False</c>).</summary>
    public bool Trainable { get; init; } = true;

    public bool IsBidirectional => Wrapper == LayerKind.Bidirectional;

    /// <summary>Keras class name for Summary(): the wrapper's when wrapped.</summary>
    public string KerasType => Wrapper is { } wrapper ? LayerKinds.Of(wrapper).KerasClass : Info.KerasClass;
}

/// <summary>A model that passed every check; the input to every emitter.</summary>
internal sealed record CheckedModel(
    TypeHierarchy Type,
    int? TimeSteps,
    int InputFeatures,
    int VocabularySize,
    EquatableArray<CheckedLayer> Layers,
    int ParameterCount)
{
    public bool TakesTokens => VocabularySize > 0;

    /// <summary>The class declares instance constructors of its own.</summary>
    public bool DeclaresConstructors { get; init; }

    /// <summary>The output is a sequence that still carries the step mask (losses and metrics skip masked rows).</summary>
    public bool OutputMasked { get; init; }

    /// <summary>Some layer draws dropout masks, so the model carries a random generator.</summary>
    public bool UsesDropout => Layers.Any(l => l.Dropout > 0 || l.RecurrentDropout > 0 || l.Info.IsDropoutLayer);

    /// <summary>Some layer computes a mask over time steps.</summary>
    public bool UsesMask => Layers.Any(l => l.MaskZero || l.Kind == LayerKind.Masking);

    public CheckedLayer Output => Layers[Layers.Count - 1];
}

/// <summary>What the checker hands on: the model when it can be emitted, and the diagnostics to report.</summary>
internal sealed record CheckResult(CheckedModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
