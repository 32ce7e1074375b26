using ModelGen.Generators.Cells;
using ModelGen.Generators.Emit.ModelClass;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Gpu.GpuModelNames;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>The GPU runner's Backward: the plan's backward steps from the last layer to the first (CpuBackwardPass's twin).</summary>
internal static class GpuBackwardPass
{
    /// <summary>Where the layer above writes ∂loss/∂(this layer's output); <paramref name="prepare"/> clears the other steps of a last-step-only recurrent layer.</summary>
    private static string GradientTarget(CheckedLayer l, out string? prepare)
    {
        prepare = null;
        if (!l.IsRecurrent || l.IsBidirectional) return All(Field(l, TensorRole.OutputGradient));
        var d = l.Directions[0];
        if (l.OutputIsSequence) return All(Field(d, TensorRole.OutputGradient));
        prepare = $"{K}Clear(device, {Part(Field(d, TensorRole.OutputGradient), "0", $"(rows - batch) * {l.OutputWidth}")}); // '{l.Name}' returned only its last step";
        return Part(Field(d, TensorRole.OutputGradient), $"(rows - batch) * {l.OutputWidth}", $"batch * {l.OutputWidth}");
    }

    public static void Write(CodeWriter w, ModelPlan plan)
    {
        var m = plan.Model;
        w.Line("/// <inheritdoc/>");
        using (w.Block($"public override void Backward({View("float")} outputGradient, bool fromLogits, {View("float")} inputGradient)"))
        {
            w.Line("int batch = Batch, steps = Steps, rows = batch * steps;");
            w.Line("var device = Device;");
            var last = m.Output;
            w.Line();
            w.Line("// ∂loss/∂output into the last layer's gradient buffer, time-major.");
            string top = GradientTarget(last, out var clear);
            if (clear is not null) w.Line(clear);
            if (last.OutputIsSequence) w.Call($"{K}BatchToTimeMajor", "device", "batch", "steps", "OutputUnits", "outputGradient", top);
            else w.Line($"{K}Copy(device, outputGradient.SubView(0, batch * OutputUnits), {top});");
            for (int i = m.Layers.Count - 1; i >= 0; i--)
            {
                var l = m.Layers[i];
                var prev = i > 0 ? m.Layers[i - 1] : null;
                w.Line();
                w.Line($"// {l.Index}: '{l.Name}' {Shapes.LayerText(l)}");
                string x = GpuForwardPass.LayerInput(plan, i);
                string dx;
                if (prev is null) dx = m.TakesTokens ? "default" : $"(inputGradient.Length == 0 ? default : {Part("_dx", "0", "rows * InputFeatures")})";
                else
                {
                    dx = GradientTarget(prev, out var prepare);
                    if (prepare is not null) w.Line(prepare);
                }
                foreach (var step in plan.Layers[i].Backward) LayerStep(w, plan, plan.Layers[i], step, x, dx);
            }
            if (!m.TakesTokens)
            {
                w.Line();
                w.Line("// Time-major → batch-major input gradient.");
                w.Line($"if (inputGradient.Length != 0) {K}TimeToBatchMajor(device, batch, steps, InputFeatures, {Part("_dx", "0", "rows * InputFeatures")}, inputGradient);");
            }
        }
        w.Line();
    }

    private static void LayerStep(CodeWriter w, ModelPlan plan, LayerPlan layer, Step step, string x, string dx)
    {
        var l = layer.Layer;
        string r = l.OutputIsSequence ? "rows" : "batch";
        int u = l.OutputWidth;
        switch (step)
        {
            case Step.ScatterAdd:
                w.Call($"{K}ScatterAdd", "device", "batch", "steps", l.Inputs, u, All("_tokens"), All(Field(l, TensorRole.OutputGradient)),
                    LayerParameter(l, ParameterNames.Embeddings, true));
                break;
            case Step.CopyUnmasked:
                w.Line($"{K}CopyUnmasked(device, rows, {u}, {All("_mask")}, {All(Field(l, TensorRole.OutputGradient))}, {dx}); // nothing flows into padding");
                break;
            case Step.DropoutBackward or Step.SpatialDropoutBackward:
                using (w.Block(""))
                {
                    w.Line($"{View("float")} dx = {dx};");
                    w.Line($"var dy = {Part(Field(l, TensorRole.OutputGradient), "0", $"{r} * {u}")};");
                    w.Line(step == Step.DropoutBackward
                        ? $"if (dx.Length != 0 && {Field(l, FlagRole.Active)}) {K}Multiply(device, {r} * {u}, dy, {All(Field(l, TensorRole.DropoutMask))}, dx);"
                        : $"if (dx.Length != 0 && {Field(l, FlagRole.Active)}) {K}MultiplyPerSequence(device, batch, steps, {u}, dy, {All(Field(l, TensorRole.DropoutMask))}, dx);");
                    w.Line($"else if (dx.Length != 0) {K}Copy(device, dy, dx);");
                }
                break;
            case Step.DenseCellBackward:
                GpuCellCall.Write(w, l.Cell, "Backward", CellSignature.Backward(l.Cell), slot => slot.Source switch
                {
                    SlotSource.Rows => l.InputIsSequence ? "rows" : "batch",
                    SlotSource.LayerInput => x,
                    SlotSource.Kernel => LayerParameter(l, ParameterNames.Kernel, false),
                    SlotSource.Tensor => All(Field(l, slot.Tensor!.Value)),
                    SlotSource.KernelGradient => LayerParameter(l, ParameterNames.Kernel, true),
                    SlotSource.BiasGradient => LayerParameter(l, ParameterNames.Bias, true),
                    SlotSource.InputGradient => dx,
                    SlotSource.Scratch => All(Field(l, TensorRole.Scratch)),
                    SlotSource.FromLogits => plan.Logits is { TimeMajor: TensorRole.Logits } && l == plan.Model.Output ? "fromLogits" : "default",
                    _ => throw GpuForwardPass.Unbound(l, slot),
                });
                break;
            case Step.Split:
                string mode = $"{G}Kernels.MergeMode.{l.Merge}";
                var (f, b) = (l.Directions[0], l.Directions[1]);
                int units = l.Cell.Units;
                w.Line("// Split ∂merged into each direction's ∂h, in its own step order.");
                string forward = Field(f, TensorRole.States), backward = Field(b, TensorRole.States);
                string merged = Part(Field(l, TensorRole.OutputGradient), "0", $"{r} * {u}");
                if (l.OutputIsSequence)
                    w.Call($"{K}SplitSequence", "device", mode, "batch", "steps", units, Part(forward, $"batch * {units}", $"rows * {units}"),
                        Part(backward, $"batch * {units}", $"rows * {units}"), l.MaskIn ? All("_mask") : "default", merged,
                        All(Field(f, TensorRole.OutputGradient)), All(Field(b, TensorRole.OutputGradient)));
                else
                    w.Call($"{K}SplitLast", "device", mode, "batch", "steps", units, Part(forward, $"rows * {units}", $"batch * {units}"),
                        Part(backward, $"rows * {units}", $"batch * {units}"), merged, All(Field(f, TensorRole.OutputGradient)), All(Field(b, TensorRole.OutputGradient)));
                break;
            case Step.Directions:
                for (int n = 0; n < layer.Directions.Count; n++) GpuDirectionBackward.Write(w, layer, layer.Directions[n], x, dx, first: n == 0);
                break;
            case Step.RepeatBackward or Step.AveragePoolBackward or Step.MaxPoolBackward or Step.FlattenBackward or Step.ActivateBackward:
                throw new System.InvalidOperationException($"'{l.Name}': {step} has no GPU rendering (the model is CPU-only)");
            default:
                throw new System.InvalidOperationException($"{step} is not a backward layer step");
        }
    }
}
