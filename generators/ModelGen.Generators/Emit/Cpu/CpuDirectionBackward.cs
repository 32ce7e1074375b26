using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>The CPU rendering of one recurrent direction's backward steps: the cell's BPTT, then its input gradient.</summary>
internal static class CpuDirectionBackward
{
    public static void Write(CodeWriter w, LayerPlan layer, DirectionPlan direction, string x, string dx, bool first)
    {
        var l = layer.Layer;
        var d = direction.Direction;
        int u = l.Cell.Units, f = l.Inputs;
        bool own = direction.OwnInput;
        var block = direction.HasOptions ? w.Block("") : null;
        if (block is not null && l.IsBidirectional) w.Line($"// '{d.KerasName}'");
        string input = x, inputGradient = dx;
        if (own)
        {
            w.Line($"global::System.Span<float> dx = {dx};");
            if (d.Reversed) input = $"{Field(d, TensorRole.Reversed)}.AsSpan(0, rows * {f})";
            else if (l.Dropout > 0) input = $"({Field(d, FlagRole.DropoutActive)} ? {Field(d, TensorRole.DroppedInput)}.AsSpan(0, rows * {f}) : {x})";
            inputGradient = $"(dx.IsEmpty ? default : {Field(d, TensorRole.InputGradient)}.AsSpan(0, rows * {f}))";
        }
        foreach (var step in direction.Backward)
        {
            switch (step)
            {
                case Step.CellBackward:
                    CpuCellCall.Write(w, l.Cell, "Backward", CellSignature.Backward(l.Cell), slot => slot.Source switch
                    {
                        SlotSource.Steps => "steps",
                        SlotSource.Batch => "batch",
                        SlotSource.LayerInput => input,
                        SlotSource.Kernel => View(d, 0, false),
                        SlotSource.RecurrentKernel => View(d, 1, false),
                        SlotSource.Tensor => Field(d, slot.Tensor!.Value),
                        SlotSource.KernelGradient => View(d, 0, true),
                        SlotSource.RecurrentKernelGradient => View(d, 1, true),
                        SlotSource.BiasGradient => View(d, 2, true),
                        SlotSource.InputGradient => inputGradient,
                        SlotSource.Scratch => Field(d, TensorRole.Scratch),
                        SlotSource.StepMask => !l.MaskIn ? "default" : d.Reversed ? $"{Field(d, TensorRole.ReversedMask)}.AsSpan(0, rows)" : "_mask.AsSpan(0, rows)",
                        SlotSource.RecurrentMask => l.RecurrentDropout > 0
                            ? $"({Field(d, FlagRole.RecurrentDropoutActive)} ? {Field(d, TensorRole.RecurrentMask)}.AsSpan(0, batch * {u}) : default)"
                            : "default",
                        SlotSource.MaskedStates => l.RecurrentDropout > 0 ? Field(d, TensorRole.MaskedStates) : "default",
                        SlotSource.InitialStateGradient => $"{Field(d, StateMember.Initial)}.Gradient(batch)",
                        SlotSource.InitialCellStateGradient => $"{Field(d, StateMember.Initial)}.CellGradient(batch)",
                        SlotSource.ZeroInitialState => $"{Field(d, StateMember.Initial)}.StartedFromZeros",
                        SlotSource.FinalCellStateGradient => l.ReturnState ? $"{Field(d, TensorRole.FinalCellStateGradient)}.AsSpan(0, batch * {u})" : "default",
                        _ => throw CpuForwardPass.Unbound(l, slot),
                    });
                    break;
                case Step.AddFinalStateGradients:
                    string last = $"{Field(d, TensorRole.OutputGradient)}.AsSpan((rows - batch) * {u}, batch * {u})";
                    w.Line("// ReturnState: ∂loss/∂(final h) joins the last step's ∂h (∂(final c) is the cell's starting ∂c).");
                    w.Call("global::System.Numerics.Tensors.TensorPrimitives.Add", last, $"{Field(d, TensorRole.FinalStateGradient)}.AsSpan(0, batch * {u})", last);
                    break;
                case Step.AccumulateInputGradient:
                    string dropout = l.Dropout > 0 ? $"{Field(d, FlagRole.DropoutActive)} ? {Field(d, TensorRole.DropoutMask)}.AsSpan(0, batch * {f}) : default" : "default";
                    w.Call($"{G}Kernels.SequenceOps.AccumulateInputGradient", "batch", "steps", f, $"{Field(d, TensorRole.InputGradient)}.AsSpan(0, rows * {f})", $"reversed: {(d.Reversed ? "true" : "false")}", dropout, "dx", $"add: {(first ? "false" : "true")}");
                    break;
                default:
                    throw new System.InvalidOperationException($"{step} is not a backward direction step");
            }
        }
        block?.Dispose();
    }
}
