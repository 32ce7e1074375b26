using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Gpu.GpuModelNames;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU rendering of one recurrent direction's forward steps (CpuDirectionForward's twin): dropout masks drawn on the
/// host in the CPU's order and uploaded, mask and reversal kernels, the initial state (set, carried or zeros) uploaded
/// into block 0, the GPU cell, and a stateful layer's final state read back into the model's RecurrentState.
/// </summary>
internal static class GpuDirectionForward
{
    public static void Write(CodeWriter w, LayerPlan layer, DirectionPlan direction, string x)
    {
        var l = layer.Layer;
        var d = direction.Direction;
        int u = l.Cell.Units, f = l.Inputs;
        bool cellState = CellSignature.HasCellState(l.Cell);
        using var block = w.Block("");
        if (l.IsBidirectional) w.Line($"// '{d.KerasName}'{(d.Reversed ? ": the sequence reversed" : "")}");
        w.Line($"{View("float")} layerInput = {x};");
        string mask = "default", recurrentMask = "default";
        string state = $"_model.{Field(d, StateMember.Initial)}";
        foreach (var step in direction.Forward)
        {
            switch (step)
            {
                case Step.InputDropout:
                    w.Line($"{Field(d, FlagRole.DropoutActive)} = training;");
                    using (w.Block("if (training)"))
                    {
                        w.Line("// Input dropout: one mask per sequence, drawn on the host as the CPU pass draws it.");
                        string dm = Field(d, TensorRole.DropoutMask);
                        w.Call($"{G}Kernels.DropoutMask.Fill", "_model._random", Float(l.Dropout), $"{Host(dm)}.AsSpan(0, batch * {f})");
                        w.Line($"{K}Upload({Host(dm)}.AsSpan(0, batch * {f}), {All(dm)});");
                        w.Call($"{K}MultiplyPerSequence", "device", "batch", "steps", f, "layerInput", All(dm), All(Field(d, TensorRole.DroppedInput)));
                        w.Line($"layerInput = {Part(Field(d, TensorRole.DroppedInput), "0", $"rows * {f}")};");
                    }
                    break;
                case Step.StepMask:
                    w.Line($"{View("byte")} mask = {Part("_mask", "0", "rows")};");
                    mask = "mask";
                    break;
                case Step.Reverse:
                    w.Line($"{K}ReverseTime(device, batch, steps, {f}, layerInput, {All(Field(d, TensorRole.Reversed))}); // last step first");
                    w.Line($"layerInput = {Part(Field(d, TensorRole.Reversed), "0", $"rows * {f}")};");
                    if (l.MaskIn)
                    {
                        w.Line($"{K}ReverseTime(device, batch, steps, mask, {All(Field(d, TensorRole.ReversedMask))});");
                        w.Line($"mask = {Part(Field(d, TensorRole.ReversedMask), "0", "rows")};");
                    }
                    break;
                case Step.RecurrentDropout:
                    w.Line($"{View("float")} recurrentMask = default;");
                    w.Line($"{Field(d, FlagRole.RecurrentDropoutActive)} = training;");
                    using (w.Block("if (training)"))
                    {
                        string rm = Field(d, TensorRole.RecurrentMask);
                        w.Call($"{G}Kernels.DropoutMask.Fill", "_model._random", Float(l.RecurrentDropout), $"{Host(rm)}.AsSpan(0, batch * {u})");
                        w.Line($"{K}Upload({Host(rm)}.AsSpan(0, batch * {u}), {All(rm)});");
                        w.Line($"recurrentMask = {Part(rm, "0", $"batch * {u}")};");
                    }
                    recurrentMask = "recurrentMask";
                    break;
                case Step.InitialState:
                    string h0 = Host(Field(d, StateMember.InitialState)), c0 = Host(Field(d, StateMember.FinalCellState));
                    w.Line($"// The initial state (set or carried) uploaded into block 0, or zeros.");
                    w.Line($"{state}.Begin(batch, {h0}, {(cellState ? c0 : "default")});");
                    using (w.Block($"if ({state}.Used)"))
                    {
                        w.Line($"{K}Upload({h0}.AsSpan(0, batch * {u}), {All(Field(d, TensorRole.States))});");
                        if (cellState) w.Line($"{K}Upload({c0}.AsSpan(0, batch * {u}), {All(Field(d, TensorRole.Cells))});");
                    }
                    using (w.Block("else"))
                    {
                        w.Line($"{K}Clear(device, {Part(Field(d, TensorRole.States), "0", $"batch * {u}")});");
                        if (cellState) w.Line($"{K}Clear(device, {Part(Field(d, TensorRole.Cells), "0", $"batch * {u}")});");
                    }
                    break;
                case Step.CellForward:
                    GpuCellCall.Write(w, l.Cell, "Forward", CellSignature.Forward(l.Cell), slot => slot.Source switch
                    {
                        SlotSource.Steps => "steps",
                        SlotSource.Batch => "batch",
                        SlotSource.LayerInput => "layerInput",
                        SlotSource.Kernel => DirectionParameter(d, 0, false),
                        SlotSource.RecurrentKernel => DirectionParameter(d, 1, false),
                        SlotSource.Bias => DirectionParameter(d, 2, false),
                        SlotSource.Tensor => All(Field(d, slot.Tensor!.Value)),
                        SlotSource.StepMask => mask,
                        SlotSource.RecurrentMask => recurrentMask,
                        SlotSource.MaskedStates => l.RecurrentDropout > 0 ? All(Field(d, TensorRole.MaskedStates)) : "default",
                        SlotSource.Tokens or SlotSource.TokenTable => "default", // the Embedding is not folded on the device
                        _ => throw GpuForwardPass.Unbound(l, slot),
                    });
                    break;
                case Step.CarryState:
                    string h = Host(Field(d, StateMember.InitialState)), c = Host(Field(d, StateMember.FinalCellState));
                    w.Line("// Stateful: the final state is read back and becomes the next batch's initial state.");
                    w.Line($"{K}Download({Part(Field(d, TensorRole.States), $"rows * {u}", $"batch * {u}")}, {h}.AsSpan(0, batch * {u}));");
                    if (cellState) w.Line($"{K}Download({Part(Field(d, TensorRole.Cells), $"rows * {u}", $"batch * {u}")}, {c}.AsSpan(0, batch * {u}));");
                    w.Line($"{state}.Carry(batch, {h}, {(cellState ? c : "default")});");
                    break;
                case Step.ClearFinalStateGradients:
                    w.Line($"{Host(Field(d, TensorRole.FinalStateGradient))}.AsSpan(0, batch * {u}).Clear(); // ∂loss/∂(final state): none until the user sets it");
                    if (cellState) w.Line($"{Host(Field(d, TensorRole.FinalCellStateGradient))}.AsSpan(0, batch * {u}).Clear();");
                    break;
                default:
                    throw new System.InvalidOperationException($"{step} is not a forward direction step");
            }
        }
    }
}
