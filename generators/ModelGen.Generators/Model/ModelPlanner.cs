using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Model;

/// <summary>
/// Builds the <see cref="ModelPlan"/> of a checked model: which tensors each layer and direction keeps, and which
/// steps its passes take. The one place that maps a layer kind and its options to steps and saved tensors.
/// </summary>
internal static class ModelPlanner
{
    public static ModelPlan Plan(CheckedModel model)
    {
        var fold = Fold(model);
        var layers = model.Layers.Select(l => PlanLayer(l, isOutput: l == model.Output)).ToEquatableArray();
        return new ModelPlan(model, layers, fold, Logits(model.Output));
    }

    /// <summary>
    /// An output layer computed by the Dense cell, or an output Activation layer (Keras on TensorFlow takes the logits
    /// of an <c>Activation('sigmoid')</c> or <c>('softmax')</c> layer as of a Dense layer's activation), exposes its
    /// logits (<see cref="LogitPlan"/>): kept by the layer unless the activation is linear (then they are the output),
    /// and turned batch-major when the output is a sequence. Recurrent cells end in their own state update, and the
    /// other layers in no activation, so nothing there is for a loss to absorb.
    /// </summary>
    private static LogitPlan? Logits(CheckedLayer output) => output.Cell.Cell switch
    {
        CellKind.Dense => Logit(output),
        null when output.Kind == LayerKind.Activation => Logit(output),
        CellKind.SimpleRnn or CellKind.Lstm or CellKind.Gru or null => null,
    };

    private static LogitPlan Logit(CheckedLayer output) => new(
        Checking.LayerRules.KerasName(output.Cell.Activation),
        output.Cell.Activation == Activation.Linear ? TensorRole.Output : TensorRole.Logits,
        output.OutputIsSequence);

    private static TensorSize PerRow(bool sequence, int width) => new(sequence ? SizeBasis.Rows : SizeBasis.Batch, width);

    private static LayerPlan PlanLayer(CheckedLayer l, bool isOutput)
    {
        string id = l.Identifier;
        int u = l.OutputWidth;
        bool seq = l.OutputIsSequence;
        PlannedTensor T(TensorRole role, TensorSize size, string purpose) => new(id, role, size, purpose);
        var gradient = "∂loss/∂output";
        var (tensors, flags, forward, backward, output) = l.Kind switch
        {
            LayerKind.Embedding => (
                new[] { T(TensorRole.Output, PerRow(true, u), "embedded tokens [steps·batch, dim]"), T(TensorRole.OutputGradient, PerRow(true, u), gradient) },
                System.Array.Empty<PlannedFlag>(),
                l.MaskZero ? new[] { Step.Gather, Step.MaskFromTokens } : new[] { Step.Gather },
                new[] { Step.ScatterAdd },
                LayerOutput.Own),
            LayerKind.Masking => (
                new[] { T(TensorRole.Output, PerRow(true, u), "the input with masked steps zeroed"), T(TensorRole.OutputGradient, PerRow(true, u), gradient) },
                System.Array.Empty<PlannedFlag>(),
                new[] { Step.Masking },
                new[] { Step.CopyUnmasked },
                LayerOutput.Own),
            LayerKind.Dropout => (
                new[]
                {
                    T(TensorRole.Output, PerRow(seq, u), "the input times the mask (training only)"), T(TensorRole.OutputGradient, PerRow(seq, u), gradient),
                    T(TensorRole.DropoutMask, PerRow(seq, u), "0 or 1/(1 − rate) per value"),
                },
                new[] { new PlannedFlag(id, FlagRole.Active, "dropped values in the last forward pass") },
                new[] { Step.Dropout },
                new[] { Step.DropoutBackward },
                LayerOutput.OwnWhenActive),
            LayerKind.SpatialDropout1D => (
                new[]
                {
                    T(TensorRole.Output, PerRow(seq, u), "the input times the mask (training only)"), T(TensorRole.OutputGradient, PerRow(seq, u), gradient),
                    T(TensorRole.DropoutMask, PerRow(false, u), "0 or 1/(1 − rate) per sample and channel"),
                },
                new[] { new PlannedFlag(id, FlagRole.Active, "dropped values in the last forward pass") },
                new[] { Step.SpatialDropout },
                new[] { Step.SpatialDropoutBackward },
                LayerOutput.OwnWhenActive),
            LayerKind.Dense => (
                new[]
                {
                    T(TensorRole.Output, PerRow(l.InputIsSequence, u), "outputs"),
                    T(TensorRole.OutputGradient, PerRow(l.InputIsSequence, u), "∂loss/∂output, then the pre-activation gradient"),
                    T(TensorRole.Scratch, new TensorSize(SizeBasis.CellScratch, 0), "transposed kernel for the backward pass"),
                }.Concat(LogitTensors(l, isOutput)).ToArray(),
                System.Array.Empty<PlannedFlag>(),
                isOutput && seq ? new[] { Step.DenseCell, Step.BatchMajorLogits } : new[] { Step.DenseCell },
                new[] { Step.DenseCellBackward },
                LayerOutput.Own),
            LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru => (
                l.IsBidirectional
                    ? new[] { T(TensorRole.Output, PerRow(seq, u), "the merged outputs"), T(TensorRole.OutputGradient, PerRow(seq, u), "∂loss/∂merged output") }
                    : System.Array.Empty<PlannedTensor>(),
                System.Array.Empty<PlannedFlag>(),
                l.IsBidirectional ? new[] { Step.Directions, Step.Merge } : new[] { Step.Directions },
                l.IsBidirectional ? new[] { Step.Split, Step.Directions } : new[] { Step.Directions },
                l.IsBidirectional ? LayerOutput.Own : LayerOutput.States),
            LayerKind.RepeatVector => Plain(T(TensorRole.Output, PerRow(true, u), $"the input repeated at each of {l.Steps} steps"),
                T(TensorRole.OutputGradient, PerRow(true, u), gradient), Step.Repeat, Step.RepeatBackward),
            LayerKind.GlobalAveragePooling1D => Plain(T(TensorRole.Output, PerRow(false, u), l.MaskIn ? "the mean over the unmasked steps" : "the mean over the steps"),
                T(TensorRole.OutputGradient, PerRow(false, u), gradient), Step.AveragePool, Step.AveragePoolBackward),
            LayerKind.GlobalMaxPooling1D => Plain(T(TensorRole.Output, PerRow(false, u), "the maximum over the steps"),
                T(TensorRole.OutputGradient, PerRow(false, u), gradient), Step.MaxPool, Step.MaxPoolBackward),
            LayerKind.Flatten => Plain(T(TensorRole.Output, PerRow(false, u), "each sample's steps in one row, batch-major"),
                T(TensorRole.OutputGradient, PerRow(false, u), gradient), Step.Flatten, Step.FlattenBackward),
            LayerKind.Activation => (
                new[]
                {
                    T(TensorRole.Output, PerRow(seq, u), $"{Checking.LayerRules.KerasName(l.Cell.Activation)} of the input"),
                    T(TensorRole.OutputGradient, PerRow(seq, u), gradient),
                }.Concat(LogitTensors(l, isOutput)).ToArray(),
                System.Array.Empty<PlannedFlag>(),
                isOutput && seq ? new[] { Step.Activate, Step.BatchMajorLogits } : new[] { Step.Activate },
                new[] { Step.ActivateBackward },
                LayerOutput.Own),
            LayerKind.Bidirectional or LayerKind.TimeDistributed => throw new System.InvalidOperationException($"{l.Kind} is a wrapper, not a layer of a checked model"),
        };
        var directions = l.Directions.Select(d => PlanDirection(l, d)).ToEquatableArray();
        return new LayerPlan(l, tensors.ToEquatableArray(), flags.ToEquatableArray(), directions, forward.ToEquatableArray(), backward.ToEquatableArray(), output);
    }

    /// <summary>A layer a runtime kernel computes with one step each way, keeping its output and the gradient of it.</summary>
    private static (PlannedTensor[], PlannedFlag[], Step[], Step[], LayerOutput) Plain(PlannedTensor output, PlannedTensor gradient, Step forward, Step backward)
        => (new[] { output, gradient }, System.Array.Empty<PlannedFlag>(), new[] { forward }, new[] { backward }, LayerOutput.Own);

    /// <summary>The output layer's logits (see <see cref="Logits"/>): time-major unless linear, batch-major for a sequence.</summary>
    private static IEnumerable<PlannedTensor> LogitTensors(CheckedLayer l, bool output)
    {
        if (!output) yield break;
        if (l.Cell.Activation != Activation.Linear)
            yield return new PlannedTensor(l.Identifier, TensorRole.Logits, PerRow(l.InputIsSequence, l.OutputWidth), "values before the activation (ILogitOutput)");
        if (l.OutputIsSequence)
            yield return new PlannedTensor(l.Identifier, TensorRole.BatchMajorLogits, PerRow(true, l.OutputWidth), "the logits batch-major (OutputLogits)");
    }

    private static DirectionPlan PlanDirection(CheckedLayer l, RecurrentDirection d)
    {
        int u = l.Cell.Units, w = l.Cell.Width, f = l.Inputs;
        string who = d.Identifier == l.Identifier ? "" : $"{d.KerasName}: ";
        bool ownInput = l.IsBidirectional || d.Reversed || l.Dropout > 0;
        var tensors = new List<PlannedTensor>();
        void Add(TensorRole role, TensorSize size, string purpose, ElementType element = ElementType.Float)
            => tensors.Add(new PlannedTensor(d.Identifier, role, size, who + purpose, element));
        var rows = new TensorSize(SizeBasis.Rows, u);
        var states = new TensorSize(SizeBasis.RowsAndInitial, u);
        var gates = new TensorSize(SizeBasis.Rows, w);

        Add(TensorRole.States, states, "h, block 0 the initial state");
        foreach (var (role, purpose) in CellSignature.SavedTensors(l.Cell))
        {
            var size = role switch
            {
                TensorRole.Cells => states,
                TensorRole.Gates or TensorRole.Recurrent or TensorRole.GateGradients or TensorRole.RecurrentGradients => gates,
                _ => rows,
            };
            Add(role, size, purpose);
        }
        Add(TensorRole.Scratch, new TensorSize(SizeBasis.CellScratch, 0), "transposed weights and carries for the backward pass");
        if (l.Dropout > 0)
        {
            Add(TensorRole.DropoutMask, new TensorSize(SizeBasis.Batch, f), "input dropout mask, one per sequence");
            Add(TensorRole.DroppedInput, new TensorSize(SizeBasis.Rows, f), "the input times its dropout mask");
        }
        if (l.RecurrentDropout > 0)
        {
            Add(TensorRole.RecurrentMask, new TensorSize(SizeBasis.Batch, u), "recurrent dropout mask, one per sequence");
            Add(TensorRole.MaskedStates, rows, "h[t-1] ⊙ the recurrent mask");
        }
        if (d.Reversed)
        {
            Add(TensorRole.Reversed, new TensorSize(SizeBasis.Rows, f), "the input, last step first");
            if (l.MaskIn) Add(TensorRole.ReversedMask, new TensorSize(SizeBasis.Rows, 0), "the step mask, last step first", ElementType.Byte);
        }
        if (ownInput) Add(TensorRole.InputGradient, new TensorSize(SizeBasis.Rows, f), "∂loss/∂input in this direction's order, before its dropout mask");
        if (l.ReturnState)
        {
            Add(TensorRole.FinalStateGradient, new TensorSize(SizeBasis.Batch, u), "∂loss/∂(final h), batch-major, set by the user");
            if (CellSignature.HasCellState(l.Cell))
                Add(TensorRole.FinalCellStateGradient, new TensorSize(SizeBasis.Batch, u), "∂loss/∂(final c), batch-major, set by the user");
        }

        var flags = new List<PlannedFlag>();
        if (l.Dropout > 0) flags.Add(new PlannedFlag(d.Identifier, FlagRole.DropoutActive, "applied input dropout in the last forward pass"));
        if (l.RecurrentDropout > 0) flags.Add(new PlannedFlag(d.Identifier, FlagRole.RecurrentDropoutActive, "applied recurrent dropout in the last forward pass"));

        var forward = new List<Step>();
        if (l.Dropout > 0) forward.Add(Step.InputDropout);
        if (l.MaskIn) forward.Add(Step.StepMask);
        if (d.Reversed) forward.Add(Step.Reverse);
        if (l.RecurrentDropout > 0) forward.Add(Step.RecurrentDropout);
        forward.Add(Step.InitialState);
        forward.Add(Step.CellForward);
        if (l.Stateful) forward.Add(Step.CarryState);
        if (l.ReturnState) forward.Add(Step.ClearFinalStateGradients);
        var backward = new List<Step>();
        if (l.ReturnState) backward.Add(Step.AddFinalStateGradients);
        backward.Add(Step.CellBackward);
        if (ownInput) backward.Add(Step.AccumulateInputGradient);
        return new DirectionPlan(d, ownInput, tensors.ToEquatableArray(), flags.ToEquatableArray(), forward.ToEquatableArray(), backward.ToEquatableArray());
    }

    /// <summary>
    /// The recurrent layer right after a first-layer Embedding, whose input projection can absorb it (see
    /// <see cref="FoldPlan"/>). Only a plain layer folds: one direction, reading forwards, without input dropout.
    /// </summary>
    private static FoldPlan? Fold(CheckedModel m)
    {
        if (m.Layers.Count < 2 || m.Layers[0].Kind != LayerKind.Embedding) return null;
        if (m.Layers[1] is not { IsRecurrent: true, IsBidirectional: false, Dropout: 0 } target || target.Directions[0].Reversed) return null;
        var e = m.Layers[0];
        int width = target.Cell.Width;
        bool readsTokens = CellSignature.ReadsTokens(target.Cell);
        var tensors = new List<PlannedTensor>
        {
            new(e.Identifier, TensorRole.Projection, new TensorSize(SizeBasis.Fixed, e.Inputs * width), $"E·W + b for every word [{e.Inputs}, {width}]"),
            new(e.Identifier, TensorRole.ProjectionGradient, new TensorSize(SizeBasis.Fixed, e.Inputs * width), "∂Z summed per word"),
            new(e.Identifier, TensorRole.KernelT, new TensorSize(SizeBasis.Fixed, width * e.OutputWidth), $"'{target.Name}' kernel transposed"),
        };
        if (!readsTokens)
        {
            // A training pass folds over the batch's distinct words when they are few enough (EmbeddingFold); a cell that
            // reads token rows of P itself (the unrolled small SimpleRNN) keeps the whole-vocabulary table.
            tensors.Add(new(e.Identifier, TensorRole.DistinctWords, new TensorSize(SizeBasis.Rows, 0), "the training batch's distinct token ids", ElementType.Int));
            tensors.Add(new(e.Identifier, TensorRole.DistinctIndex, new TensorSize(SizeBasis.Rows, 0), "each token's position among them", ElementType.Int));
            tensors.Add(new(e.Identifier, TensorRole.WordSlots, new TensorSize(SizeBasis.Fixed, e.Inputs), "scratch for finding them, zero between calls", ElementType.Int));
            tensors.Add(new(e.Identifier, TensorRole.DistinctEmbeddings, new TensorSize(SizeBasis.Rows, e.OutputWidth), "their embeddings, then their gradients"));
            tensors.Add(new(e.Identifier, TensorRole.DistinctProjection, new TensorSize(SizeBasis.Rows, width), "E·W + b for them, then ∂Z summed per word"));
        }
        return new FoldPlan(1, width, readsTokens, tensors.ToEquatableArray());
    }
}
