using System;
using System.Linq;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Model;

// The model plan: what every backend renders. Per layer and per direction it lists every tensor the passes keep
// (role, size formula, purpose) and the ordered forward and backward steps. Backends decide how to run a step
// and where a tensor lives (CPU arrays, GPU buffers); they do not decide which tensors or steps there are.
// Plain equatable data, built from the checked model by ModelPlanner.

/// <summary>
/// A tensor the passes keep. Its member name is the owner's identifier followed by the role
/// (<c>_lstmGates</c>, <c>_bidirectionalBackwardStates</c>), so the role names are also the generated member suffixes.
/// </summary>
internal enum TensorRole
{
    Output, OutputGradient, DropoutMask, DroppedInput, States, Cells, Gates, TanhCells, Recurrent, ResetStates,
    GateGradients, RecurrentGradients, Scratch, RecurrentMask, MaskedStates, Reversed, ReversedMask, InputGradient,
    Projection, ProjectionGradient, KernelT,
    /// <summary>A training batch's distinct token ids (a fold over the batch's own words).</summary>
    DistinctWords,
    /// <summary>Each token's position among the batch's distinct ids.</summary>
    DistinctIndex,
    /// <summary>Scratch of one int per word, zero between calls (finding the distinct ids).</summary>
    WordSlots,
    /// <summary>The distinct words' embeddings, then their gradients.</summary>
    DistinctEmbeddings,
    /// <summary>E·W + b for the distinct words, then ∂Z summed per distinct word.</summary>
    DistinctProjection,
    /// <summary>The output Dense layer's values before its activation (time-major), for <c>ILogitOutput</c>.</summary>
    Logits,
    /// <summary>The output logits batch-major, for a sequence output (<c>ILogitOutput.OutputLogits</c>).</summary>
    BatchMajorLogits,
    /// <summary>∂loss/∂(final h) of a direction that returns its state, set by the user between Forward and Backward.</summary>
    FinalStateGradient,
    /// <summary>∂loss/∂(final c) of an LSTM direction that returns its state.</summary>
    FinalCellStateGradient,
}

/// <summary>A per-pass flag a layer or direction keeps (whether a training-only step ran).</summary>
internal enum FlagRole { Active, DropoutActive, RecurrentDropoutActive }

/// <summary>
/// The per-direction state members: <see cref="Initial"/> the runtime's RecurrentState (initial states set or carried,
/// their gradients); the public <c>Set…InitialState</c>, <c>…InitialStateGradient</c>, <c>…FinalState</c> and
/// <c>…FinalStateGradient</c> members.
/// </summary>
internal enum StateMember
{
    Initial, InitialState, InitialStateGradient, InitialCellStateGradient, FinalState, FinalCellState, FinalStateGradient, FinalCellStateGradient,
}

/// <summary>What a tensor's length is a multiple of.</summary>
internal enum SizeBasis
{
    /// <summary><c>rows</c> = steps·batch (one row per sample and step).</summary>
    Rows,
    /// <summary><c>batch</c> (one row per sample).</summary>
    Batch,
    /// <summary><c>rows + batch</c>: every step's state plus block 0, the initial state.</summary>
    RowsAndInitial,
    /// <summary>A constant length.</summary>
    Fixed,
    /// <summary>The cell's backward scratch for a batch (its layout is the cell's own).</summary>
    CellScratch,
}

/// <summary>A tensor's length: <see cref="Basis"/> times <see cref="Width"/> (a width of 0 means the basis alone).</summary>
internal sealed record TensorSize(SizeBasis Basis, int Width);

internal enum ElementType { Float, Byte, Int }

/// <summary>One tensor a pass keeps.</summary>
/// <param name="Owner">Identifier of the layer or direction that owns it.</param>
/// <param name="Role">What it holds.</param>
/// <param name="Size">Its length.</param>
/// <param name="Purpose">One line for readers of the generated code.</param>
/// <param name="Element">Element type.</param>
internal sealed record PlannedTensor(string Owner, TensorRole Role, TensorSize Size, string Purpose, ElementType Element = ElementType.Float);

/// <summary>One flag a pass keeps.</summary>
internal sealed record PlannedFlag(string Owner, FlagRole Role, string Purpose);

/// <summary>The steps of the passes, in order. A backend renders each; a new step is added here and in every backend.</summary>
internal enum Step
{
    // Layer steps, forward.
    /// <summary>Embedding: each token's row of the table (or of the folded projection).</summary>
    Gather,
    /// <summary>Embedding(MaskZero): the step mask from token 0.</summary>
    MaskFromTokens,
    /// <summary>Masking: the step mask from the padding value; masked steps zeroed.</summary>
    Masking,
    /// <summary>Dropout: a mask per value (training only).</summary>
    Dropout,
    /// <summary>SpatialDropout1D: a mask per sample and channel (training only).</summary>
    SpatialDropout,
    /// <summary>Dense: the cell's forward pass over every row.</summary>
    DenseCell,
    /// <summary>Recurrent: each direction's steps.</summary>
    Directions,
    /// <summary>Bidirectional: both directions' outputs merged.</summary>
    Merge,
    /// <summary>RepeatVector: each sample's vector copied to every one of its n steps.</summary>
    Repeat,
    /// <summary>GlobalAveragePooling1D: the mean over the (unmasked) steps.</summary>
    AveragePool,
    /// <summary>GlobalMaxPooling1D: the maximum over the steps.</summary>
    MaxPool,
    /// <summary>Flatten: time-major steps → one batch-major row of steps·features per sample.</summary>
    Flatten,
    /// <summary>Activation: the function applied to every value (softmax per row).</summary>
    Activate,
    /// <summary>The output layer's logits turned batch-major (a sequence output), for <c>ILogitOutput.OutputLogits</c>.</summary>
    BatchMajorLogits,

    // Direction steps, forward.
    /// <summary>Input dropout: one mask per sequence (training only).</summary>
    InputDropout,
    /// <summary>The step mask, read by the cell.</summary>
    StepMask,
    /// <summary>The input (and mask) reversed in time.</summary>
    Reverse,
    /// <summary>Recurrent dropout: one mask per sequence (training only).</summary>
    RecurrentDropout,
    /// <summary>The initial state: zeros, or one set or carried.</summary>
    InitialState,
    /// <summary>The cell's forward pass over all steps.</summary>
    CellForward,
    /// <summary>Stateful: the final state becomes the next batch's initial state.</summary>
    CarryState,
    /// <summary>ReturnState: ∂loss/∂(final state) cleared, so a Backward the user gives none adds nothing.</summary>
    ClearFinalStateGradients,

    // Layer steps, backward.
    /// <summary>Embedding: ∂output rows added to their tokens' rows (or through the fold).</summary>
    ScatterAdd,
    /// <summary>Masking: nothing flows into padding.</summary>
    CopyUnmasked,
    /// <summary>Dropout: ∂input = ∂output ⊙ mask.</summary>
    DropoutBackward,
    /// <summary>SpatialDropout1D: ∂input = ∂output ⊙ the sample's channel mask at every step.</summary>
    SpatialDropoutBackward,
    /// <summary>Dense: the cell's backward pass.</summary>
    DenseCellBackward,
    /// <summary>Bidirectional: ∂merged split into each direction's ∂h.</summary>
    Split,
    /// <summary>RepeatVector: ∂input = ∂output summed over the n steps.</summary>
    RepeatBackward,
    /// <summary>GlobalAveragePooling1D: ∂output / count to every counted step.</summary>
    AveragePoolBackward,
    /// <summary>GlobalMaxPooling1D: ∂output shared among the steps that reach the maximum.</summary>
    MaxPoolBackward,
    /// <summary>Flatten: batch-major rows back to time-major steps.</summary>
    FlattenBackward,
    /// <summary>Activation: ∂input = ∂output ⊙ the slope, from the output.</summary>
    ActivateBackward,

    // Direction steps, backward.
    /// <summary>ReturnState: ∂loss/∂(final h) added to the last step's ∂h (∂(final c) goes to the cell as its starting ∂c).</summary>
    AddFinalStateGradients,
    /// <summary>The cell's back-propagation through time.</summary>
    CellBackward,
    /// <summary>The direction's input gradient into the layer's, re-ordered and through its dropout mask.</summary>
    AccumulateInputGradient,
}

/// <summary>One direction of a recurrent layer: its tensors, flags and steps.</summary>
/// <param name="Direction">The direction.</param>
/// <param name="OwnInput">It reads its input through a buffer of its own and hands back its input gradient through another.</param>
internal sealed record DirectionPlan(
    RecurrentDirection Direction,
    bool OwnInput,
    EquatableArray<PlannedTensor> Tensors,
    EquatableArray<PlannedFlag> Flags,
    EquatableArray<Step> Forward,
    EquatableArray<Step> Backward)
{
    /// <summary>More than the plain cell call (and so a block of its own in generated code).</summary>
    public bool HasOptions => OwnInput || Forward.Any(s => s is Step.InputDropout or Step.StepMask or Step.Reverse or Step.RecurrentDropout);
}

/// <summary>Where a layer's output lives, as the next layer reads it.</summary>
internal enum LayerOutput
{
    /// <summary>Its own <see cref="TensorRole.Output"/>.</summary>
    Own,
    /// <summary>Its own output when its training-only step ran (<see cref="FlagRole.Active"/>), its input otherwise.</summary>
    OwnWhenActive,
    /// <summary>Its direction's <see cref="TensorRole.States"/>: blocks 1…steps for a sequence, the last block otherwise.</summary>
    States,
}

/// <summary>One layer: its own tensors and flags, its directions (recurrent layers), its steps, and where its output lives.</summary>
internal sealed record LayerPlan(
    CheckedLayer Layer,
    EquatableArray<PlannedTensor> Tensors,
    EquatableArray<PlannedFlag> Flags,
    EquatableArray<DirectionPlan> Directions,
    EquatableArray<Step> Forward,
    EquatableArray<Step> Backward,
    LayerOutput Output);

/// <summary>
/// A first-layer Embedding folded into the next layer's input projection: when the vocabulary is smaller than
/// steps·batch (in inference, than twice that: the table is kept between calls while the weights keep their bits),
/// <c>P = E·W + b</c> is computed once for every word and each token gathers its row of P, instead of
/// gathering embeddings and multiplying every row by W. Backward scatters ∂Z by token into <c>S</c> and takes
/// <c>dW += Eᵀ·S</c>, <c>dE += S·Wᵀ</c>. A training pass may fold over the batch's distinct words instead of the
/// whole vocabulary (the Distinct… tensors; not where the target reads tokens itself). Chosen at run time, per batch.
/// </summary>
/// <param name="Target">Index of the layer that absorbs the Embedding (always 1).</param>
/// <param name="Width">The target's pre-activation width (gates × units).</param>
/// <param name="TargetReadsTokens">The target's cell reads each token's row of P itself, inside its step loop.</param>
/// <param name="Tensors">The projection, its gradient and the transposed kernel.</param>
internal sealed record FoldPlan(int Target, int Width, bool TargetReadsTokens, EquatableArray<PlannedTensor> Tensors);

/// <summary>
/// The output layer's logits, when it is a Dense layer: the model implements <c>ILogitOutput</c>, so a cross-entropy can
/// be computed from the values before the output activation (as Keras on TensorFlow does) and Backward can start from
/// ∂loss/∂logits.
/// </summary>
/// <param name="Activation">The output activation as Keras names it (<c>sigmoid</c>, <c>softmax</c>, <c>linear</c> …).</param>
/// <param name="TimeMajor">The output layer's tensor holding them time-major: <see cref="TensorRole.Logits"/>, or its
/// <see cref="TensorRole.Output"/> when the activation is linear.</param>
/// <param name="BatchMajor">A sequence output: they are turned batch-major into <see cref="TensorRole.BatchMajorLogits"/>
/// (<see cref="Step.BatchMajorLogits"/>); otherwise the time-major tensor is already batch-major.</param>
internal sealed record LogitPlan(string Activation, TensorRole TimeMajor, bool BatchMajor);

/// <summary>The whole model as every backend renders it.</summary>
internal sealed record ModelPlan(CheckedModel Model, EquatableArray<LayerPlan> Layers, FoldPlan? Fold, LogitPlan? Logits)
{
    /// <summary>Set when planning failed unexpectedly; the model is then reported as MG0999 and nothing is emitted.</summary>
    public string? Failure { get; init; }

    /// <summary>The private field of <paramref name="owner"/>'s <paramref name="what"/>: <c>_{owner in camel case}{what}</c>.</summary>
    public static string FieldName(string owner, string what) => $"_{char.ToLowerInvariant(owner[0])}{owner.Substring(1)}{what}";

    /// <summary>Every suffix a generated member name can carry after a layer or direction identifier.</summary>
    public static readonly string[] MemberSuffixes =
        Enum.GetNames(typeof(TensorRole))
            .Concat(Enum.GetNames(typeof(FlagRole)))
            .Concat(Enum.GetNames(typeof(StateMember)))
            .Concat(ParameterNames.Suffixes.SelectMany(s => new[] { s, s + ParameterNames.GradientSuffix }))
            .Distinct()
            .ToArray();
}
