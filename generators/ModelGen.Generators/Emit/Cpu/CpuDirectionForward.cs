using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>The CPU rendering of one recurrent direction's forward steps (dropout, mask, reversal, initial state, the cell, carry).</summary>
internal static class CpuDirectionForward
{
    public static void Write(CodeWriter w, ModelPlan plan, LayerPlan layer, DirectionPlan direction, string x)
    {
        var l = layer.Layer;
        var d = direction.Direction;
        int u = l.Cell.Units, f = l.Inputs;
        bool cellState = CellSignature.HasCellState(l.Cell);
        var block = direction.HasOptions ? w.Block("") : null;
        if (block is not null && l.IsBidirectional) w.Line($"// '{d.KerasName}'{(d.Reversed ? ": the sequence reversed" : "")}");
        string input = x, mask = "default", recurrentMask = "default";
        if (block is not null)
        {
            w.Line($"global::System.ReadOnlySpan<float> layerInput = {x};");
            input = "layerInput";
        }
        foreach (var step in direction.Forward)
        {
            switch (step)
            {
                case Step.InputDropout:
                    w.Line($"{Field(d, FlagRole.DropoutActive)} = training;");
                    using (w.Block("if (training)"))
                    {
                        w.Line($"// Input dropout: one mask per sequence, the same at every step.");
                        w.Call($"{G}Kernels.DropoutMask.Fill", "_random", Float(l.Dropout), $"{Field(d, TensorRole.DropoutMask)}.AsSpan(0, batch * {f})");
                        w.Call($"{G}Kernels.SequenceOps.MultiplyPerSequence", "batch", "steps", f, "layerInput", Field(d, TensorRole.DropoutMask), Field(d, TensorRole.DroppedInput));
                        w.Line($"layerInput = {Field(d, TensorRole.DroppedInput)}.AsSpan(0, rows * {f});");
                    }
                    break;
                case Step.StepMask:
                    w.Line("global::System.ReadOnlySpan<byte> mask = _mask.AsSpan(0, rows);");
                    mask = "mask";
                    break;
                case Step.Reverse:
                    w.Line($"{G}Kernels.SequenceOps.ReverseTime(batch, steps, {f}, layerInput, {Field(d, TensorRole.Reversed)}); // last step first");
                    w.Line($"layerInput = {Field(d, TensorRole.Reversed)}.AsSpan(0, rows * {f});");
                    if (l.MaskIn)
                    {
                        w.Call($"{G}Kernels.SequenceOps.ReverseTime", "batch", "steps", "mask", Field(d, TensorRole.ReversedMask));
                        w.Line($"mask = {Field(d, TensorRole.ReversedMask)}.AsSpan(0, rows);");
                    }
                    break;
                case Step.RecurrentDropout:
                    w.Line("global::System.ReadOnlySpan<float> recurrentMask = default;");
                    w.Line($"{Field(d, FlagRole.RecurrentDropoutActive)} = training;");
                    using (w.Block("if (training)"))
                    {
                        w.Call($"{G}Kernels.DropoutMask.Fill", "_random", Float(l.RecurrentDropout), $"{Field(d, TensorRole.RecurrentMask)}.AsSpan(0, batch * {u})");
                        w.Line($"recurrentMask = {Field(d, TensorRole.RecurrentMask)}.AsSpan(0, batch * {u});");
                    }
                    recurrentMask = "recurrentMask";
                    break;
                case Step.InitialState:
                    w.Line($"{Field(d, StateMember.Initial)}.Begin(batch, {Field(d, TensorRole.States)}, {(cellState ? Field(d, TensorRole.Cells) : "default")}); // the initial state, or zeros");
                    break;
                case Step.CellForward:
                    bool folded = plan.Fold is { TargetReadsTokens: true } fold && plan.Model.Layers[fold.Target] == l;
                    string tokenTable = Field(plan.Model.Layers[0], TensorRole.Projection);
                    // A gated cell absorbing the Embedding copies each step's rows of P itself (EmbeddingFold): of the batch's
                    // distinct words' P by their places among them, or of the whole vocabulary's by token id.
                    bool gathers = plan.Fold is { } target && plan.Model.Layers[target.Target] == l && CellSignature.GathersRows(l.Cell);
                    var embedding = plan.Model.Layers[0];
                    string rowIds = $"_distinctWords > 0 ? {Field(embedding, TensorRole.DistinctIndex)}.AsSpan(0, rows) : _folded ? _tokens.AsSpan(0, rows) : default";
                    string rowTable = $"_distinctWords > 0 ? {Field(embedding, TensorRole.DistinctProjection)}.AsSpan(0, _distinctWords * {l.Cell.Width}) : _folded ? {tokenTable}.AsSpan() : default";
                    CpuCellCall.Write(w, l.Cell, "Forward", CellSignature.Forward(l.Cell), slot => slot.Source switch
                    {
                        SlotSource.Steps => "steps",
                        SlotSource.Batch => "batch",
                        SlotSource.LayerInput => input,
                        SlotSource.Kernel => View(d, 0, false),
                        SlotSource.RecurrentKernel => View(d, 1, false),
                        SlotSource.Bias => View(d, 2, false),
                        SlotSource.Tensor => Field(d, slot.Tensor!.Value),
                        SlotSource.StepMask => mask,
                        SlotSource.RecurrentMask => recurrentMask,
                        SlotSource.MaskedStates => l.RecurrentDropout > 0 ? Field(d, TensorRole.MaskedStates) : "default",
                        SlotSource.Tokens => folded ? "_folded ? _tokens.AsSpan(0, rows) : default" : null,
                        SlotSource.TokenTable => folded ? $"_folded ? {tokenTable} : default" : null,
                        SlotSource.ProjectionIds => gathers ? rowIds : null,
                        SlotSource.ProjectionTable => gathers ? rowTable : null,
                        SlotSource.ZeroInitialState => $"{Field(d, StateMember.Initial)}.StartedFromZeros",
                        _ => throw CpuForwardPass.Unbound(l, slot),
                    });
                    break;
                case Step.CarryState:
                    w.Line("// Stateful: the final state is the next batch's initial state.");
                    w.Call($"{Field(d, StateMember.Initial)}.Carry", "batch", $"{Field(d, TensorRole.States)}.AsSpan(rows * {u}, batch * {u})",
                        cellState ? $"{Field(d, TensorRole.Cells)}.AsSpan(rows * {u}, batch * {u})" : "default");
                    break;
                case Step.ClearFinalStateGradients:
                    w.Line($"{Field(d, TensorRole.FinalStateGradient)}.AsSpan(0, batch * {u}).Clear(); // ∂loss/∂(final state): none until the user sets it");
                    if (cellState) w.Line($"{Field(d, TensorRole.FinalCellStateGradient)}.AsSpan(0, batch * {u}).Clear();");
                    break;
                default:
                    throw new System.InvalidOperationException($"{step} is not a forward direction step");
            }
        }
        block?.Dispose();
    }
}
