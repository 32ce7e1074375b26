using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Emit.ModelClass;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Gpu.GpuModelNames;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU runner's Forward: the plan's forward steps, layer by layer, as the CPU pass walks them (CpuForwardPass), over
/// device views. Dropout masks are drawn on the host with the model's own generator, in the CPU pass's order, and uploaded.
/// </summary>
internal static class GpuForwardPass
{
    /// <summary>The device view holding a layer's output as the next layer reads it (time-major).</summary>
    public static string Output(ModelPlan plan, int index)
    {
        var l = plan.Model.Layers[index];
        string r = l.OutputIsSequence ? "rows" : "batch";
        string own = Part(Field(l, TensorRole.Output), "0", $"{r} * {l.OutputWidth}");
        return plan.Layers[index].Output switch
        {
            LayerOutput.Own => own,
            LayerOutput.OwnWhenActive => $"({Field(l, FlagRole.Active)} ? {own} : {LayerInput(plan, index)})",
            LayerOutput.States => l.OutputIsSequence
                ? Part(Field(l.Directions[0], TensorRole.States), $"batch * {l.OutputWidth}", $"rows * {l.OutputWidth}")
                : Part(Field(l.Directions[0], TensorRole.States), $"rows * {l.OutputWidth}", $"batch * {l.OutputWidth}"),
        };
    }

    /// <summary>The device view a layer reads (time-major); for the first layer, the model's input.</summary>
    public static string LayerInput(ModelPlan plan, int index)
        => index == 0 ? (plan.Model.TakesTokens ? "default" : Part("_x", "0", "rows * InputFeatures")) : Output(plan, index - 1);

    public static void Write(CodeWriter w, ModelPlan plan, string input)
    {
        var m = plan.Model;
        w.Line("/// <inheritdoc/>");
        using (w.Block($"public override void Forward({View(input)} input, int batch, int steps, bool training)"))
        {
            Validation.DeviceForwardArguments(w, m);
            w.Line("EnsureWorkspace(batch, steps);");
            w.Line("int rows = batch * steps;");
            w.Line("Batch = batch;");
            w.Line("Steps = steps;");
            w.Line("var device = Device;");
            if (m.TakesTokens) w.Line($"{K}Copy(device, input.SubView(0, rows), {All("_tokens")});");
            else
            {
                w.Line("// Batch-major input → time-major, so each step's rows are contiguous.");
                w.Call($"{K}BatchToTimeMajor", "device", "batch", "steps", "InputFeatures", "input", Part("_x", "0", "rows * InputFeatures"));
            }
            for (int i = 0; i < m.Layers.Count; i++)
            {
                var l = m.Layers[i];
                w.Line();
                w.Line($"// {l.Index}: '{l.Name}' {Shapes.LayerText(l)}");
                string x = LayerInput(plan, i);
                foreach (var step in plan.Layers[i].Forward) LayerStep(w, plan, plan.Layers[i], step, x);
            }
            w.Line();
            if (m.Output.OutputIsSequence)
            {
                w.Line("// Time-major → batch-major output.");
                w.Call($"{K}TimeToBatchMajor", "device", "batch", "steps", "OutputUnits", Output(plan, m.Layers.Count - 1), Part("_y", "0", "rows * OutputUnits"));
                if (m.OutputMasked) w.Line($"{K}MaskToBatchMajor(device, batch, steps, {All("_mask")}, {All("_outputMask")}); // for losses and metrics");
            }
        }
        w.Line();
        w.Line("/// <inheritdoc/>");
        using (w.Block($"public override {View("float")} Output"))
        using (w.Block("get"))
        {
            w.Line("int batch = Batch, steps = Steps, rows = batch * steps;");
            w.Line(m.Output.OutputIsSequence ? $"return {Part("_y", "0", "rows * OutputUnits")};" : $"return {Output(plan, m.Layers.Count - 1)};");
        }
        w.Line();
        if (plan.Logits is { } logits)
        {
            var output = m.Output;
            string rows = output.OutputIsSequence ? "Batch * Steps" : "Batch";
            var tensor = logits.BatchMajor ? TensorRole.BatchMajorLogits : logits.TimeMajor;
            w.Line("/// <inheritdoc/>");
            w.Line($"public override {View("float")} OutputLogits => {Part(Field(output, tensor), "0", $"{rows} * OutputUnits")};");
            w.Line();
        }
        if (m.OutputMasked)
        {
            w.Line("/// <inheritdoc/>");
            w.Line($"public override {View("byte")} OutputMask => {Part("_outputMask", "0", "Batch * Steps")};");
            w.Line();
        }
    }

    private static void LayerStep(CodeWriter w, ModelPlan plan, LayerPlan layer, Step step, string x)
    {
        var l = layer.Layer;
        string r = l.OutputIsSequence ? "rows" : "batch";
        string u = l.OutputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (step)
        {
            case Step.Gather:
                w.Call($"{K}Gather", "device", "batch", "steps", l.Inputs, l.OutputWidth, All("_tokens"), LayerParameter(l, ParameterNames.Embeddings, false),
                    All(Field(l, TensorRole.Output)));
                break;
            case Step.MaskFromTokens:
                w.Line($"{K}MaskFromTokens(device, batch, steps, {All("_tokens")}, {All("_mask")}); // token 0 is padding");
                break;
            case Step.Masking:
                w.Call($"{K}Masking", "device", "rows", u, Float(l.MaskValue), x, All("_mask"), All(Field(l, TensorRole.Output)));
                break;
            case Step.Dropout or Step.SpatialDropout:
                string n = step == Step.Dropout ? $"{r} * {u}" : $"batch * {u}";
                w.Line($"{Field(l, FlagRole.Active)} = training;");
                using (w.Block("if (training)"))
                {
                    string mask = Field(l, TensorRole.DropoutMask);
                    w.Line($"// The mask drawn on the host with the model's generator, as the CPU pass draws it{(step == Step.SpatialDropout ? " (whole channels)" : "")}.");
                    w.Line($"var mask = {Host(mask)}.AsSpan(0, {n});");
                    w.Line($"{G}Kernels.DropoutMask.Fill(_model._random, {Float(l.Rate)}, mask);");
                    w.Line($"{K}Upload(mask, {All(mask)});");
                    if (step == Step.Dropout) w.Call($"{K}Multiply", "device", $"{r} * {u}", x, All(mask), All(Field(l, TensorRole.Output)));
                    else w.Call($"{K}MultiplyPerSequence", "device", "batch", "steps", u, x, All(mask), All(Field(l, TensorRole.Output)));
                }
                break;
            case Step.DenseCell:
                GpuCellCall.Write(w, l.Cell, "Forward", CellSignature.Forward(l.Cell), slot => slot.Source switch
                {
                    SlotSource.Rows => l.InputIsSequence ? "rows" : "batch",
                    SlotSource.LayerInput => x,
                    SlotSource.Kernel => LayerParameter(l, ParameterNames.Kernel, false),
                    SlotSource.Bias => LayerParameter(l, ParameterNames.Bias, false),
                    SlotSource.Tensor => All(Field(l, slot.Tensor!.Value)),
                    SlotSource.Logits => layer.Tensors.Any(t => t.Role == TensorRole.Logits) ? All(Field(l, TensorRole.Logits)) : "default",
                    _ => throw Unbound(l, slot),
                });
                break;
            case Step.BatchMajorLogits:
                w.Line("// The logits batch-major, as OutputLogits gives them.");
                w.Call($"{K}TimeToBatchMajor", "device", "batch", "steps", u, Part(Field(l, plan.Logits!.TimeMajor), "0", $"rows * {u}"),
                    All(Field(l, TensorRole.BatchMajorLogits)));
                break;
            case Step.Directions:
                foreach (var d in layer.Directions) GpuDirectionForward.Write(w, layer, d, x);
                break;
            case Step.Merge:
                string mode = $"{G}Kernels.MergeMode.{l.Merge}";
                var (f, b) = (l.Directions[0], l.Directions[1]);
                int units = l.Cell.Units;
                string forward = Field(f, TensorRole.States), backward = Field(b, TensorRole.States);
                if (l.OutputIsSequence)
                    w.Call($"{K}MergeSequence", "device", mode, "batch", "steps", units, Part(forward, $"batch * {units}", $"rows * {units}"),
                        Part(backward, $"batch * {units}", $"rows * {units}"), l.MaskIn ? All("_mask") : "default", All(Field(l, TensorRole.Output)));
                else
                    w.Call($"{K}MergeLast", "device", mode, "batch", units, Part(forward, $"rows * {units}", $"batch * {units}"),
                        Part(backward, $"rows * {units}", $"batch * {units}"), All(Field(l, TensorRole.Output)));
                break;
            case Step.Repeat or Step.AveragePool or Step.MaxPool or Step.Flatten or Step.Activate:
                throw new System.InvalidOperationException($"'{l.Name}': {step} has no GPU rendering (the model is CPU-only)");
            default:
                throw new System.InvalidOperationException($"{step} is not a forward layer step");
        }
    }

    internal static System.InvalidOperationException Unbound(CheckedLayer l, Slot slot)
        => new($"'{l.Name}': nothing binds GPU {l.Cell.TypeName}'s '{slot.Name}' ({slot.Source})");
}
