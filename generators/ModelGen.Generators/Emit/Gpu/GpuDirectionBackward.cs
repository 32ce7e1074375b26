using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Gpu.GpuModelNames;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU rendering of one recurrent direction's backward steps (CpuDirectionBackward's twin): the user's ∂(final state)
/// uploaded and added, the GPU cell's BPTT, the initial state's gradient read back into the model's RecurrentState, and the
/// direction's input gradient into the layer's.
/// </summary>
internal static class GpuDirectionBackward
{
    public static void Write(CodeWriter w, LayerPlan layer, DirectionPlan direction, string x, string dx, bool first)
    {
        var l = layer.Layer;
        var d = direction.Direction;
        int u = l.Cell.Units, f = l.Inputs;
        bool own = direction.OwnInput, cellState = CellSignature.HasCellState(l.Cell);
        string state = $"_model.{Field(d, StateMember.Initial)}";
        using var block = w.Block("");
        if (l.IsBidirectional) w.Line($"// '{d.KerasName}'");
        string input = x, inputGradient = dx;
        if (own)
        {
            w.Line($"{View("float")} dx = {dx};");
            if (d.Reversed) input = Part(Field(d, TensorRole.Reversed), "0", $"rows * {f}");
            else if (l.Dropout > 0) input = $"({Field(d, FlagRole.DropoutActive)} ? {Part(Field(d, TensorRole.DroppedInput), "0", $"rows * {f}")} : {x})";
            inputGradient = $"(dx.Length == 0 ? default : {Part(Field(d, TensorRole.InputGradient), "0", $"rows * {f}")})";
        }
        foreach (var step in direction.Backward)
        {
            switch (step)
            {
                case Step.CellBackward:
                    GpuCellCall.Write(w, l.Cell, "Backward", CellSignature.Backward(l.Cell), slot => slot.Source switch
                    {
                        SlotSource.Steps => "steps",
                        SlotSource.Batch => "batch",
                        SlotSource.LayerInput => input,
                        SlotSource.Kernel => DirectionParameter(d, 0, false),
                        SlotSource.RecurrentKernel => DirectionParameter(d, 1, false),
                        SlotSource.Tensor => All(Field(d, slot.Tensor!.Value)),
                        SlotSource.KernelGradient => DirectionParameter(d, 0, true),
                        SlotSource.RecurrentKernelGradient => DirectionParameter(d, 1, true),
                        SlotSource.BiasGradient => DirectionParameter(d, 2, true),
                        SlotSource.InputGradient => inputGradient,
                        SlotSource.Scratch => All(Field(d, TensorRole.Scratch)),
                        SlotSource.StepMask => !l.MaskIn ? "default" : d.Reversed ? Part(Field(d, TensorRole.ReversedMask), "0", "rows") : Part("_mask", "0", "rows"),
                        SlotSource.RecurrentMask => l.RecurrentDropout > 0
                            ? $"({Field(d, FlagRole.RecurrentDropoutActive)} ? {Part(Field(d, TensorRole.RecurrentMask), "0", $"batch * {u}")} : default)"
                            : "default",
                        SlotSource.MaskedStates => l.RecurrentDropout > 0 ? All(Field(d, TensorRole.MaskedStates)) : "default",
                        SlotSource.InitialStateGradient => $"({state}.Used ? {Part(Field(d, StateMember.InitialStateGradient), "0", $"batch * {u}")} : default)",
                        SlotSource.InitialCellStateGradient => $"({state}.Used ? {Part(Field(d, StateMember.InitialCellStateGradient), "0", $"batch * {u}")} : default)",
                        SlotSource.FinalCellStateGradient => l.ReturnState ? Part(Field(d, TensorRole.FinalCellStateGradient), "0", $"batch * {u}") : "default",
                        _ => throw GpuForwardPass.Unbound(l, slot),
                    });
                    using (w.Block($"if ({state}.Used)"))
                    {
                        w.Line("// ∂loss/∂(initial state) read back into the model's state, where InitialStateGradient reads it.");
                        w.Line($"{K}Download({Part(Field(d, StateMember.InitialStateGradient), "0", $"batch * {u}")}, {state}.Gradient(batch));");
                        if (cellState) w.Line($"{K}Download({Part(Field(d, StateMember.InitialCellStateGradient), "0", $"batch * {u}")}, {state}.CellGradient(batch));");
                    }
                    break;
                case Step.AddFinalStateGradients:
                    string last = Part(Field(d, TensorRole.OutputGradient), $"(rows - batch) * {u}", $"batch * {u}");
                    string fsg = Field(d, TensorRole.FinalStateGradient);
                    w.Line("// ReturnState: ∂loss/∂(final h), written by the user on the host, joins the last step's ∂h (∂(final c) is the cell's starting ∂c).");
                    w.Line($"{K}Upload({Host(fsg)}.AsSpan(0, batch * {u}), {All(fsg)});");
                    if (cellState)
                    {
                        string fcg = Field(d, TensorRole.FinalCellStateGradient);
                        w.Line($"{K}Upload({Host(fcg)}.AsSpan(0, batch * {u}), {All(fcg)});");
                    }
                    w.Call($"{K}Add", "device", $"batch * {u}", last, All(fsg), last);
                    break;
                case Step.AccumulateInputGradient:
                    string dropout = l.Dropout > 0 ? $"{Field(d, FlagRole.DropoutActive)} ? {Part(Field(d, TensorRole.DropoutMask), "0", $"batch * {f}")} : default" : "default";
                    w.Call($"{K}AccumulateInputGradient", "device", "batch", "steps", f, Part(Field(d, TensorRole.InputGradient), "0", $"rows * {f}"),
                        $"reversed: {(d.Reversed ? "true" : "false")}", dropout, "dx", $"add: {(first ? "false" : "true")}");
                    break;
                default:
                    throw new System.InvalidOperationException($"{step} is not a backward direction step");
            }
        }
    }
}
