using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Emit.ModelClass;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>The CPU backend's Forward: the plan's forward steps, layer by layer, over the workspace's time-major arrays.</summary>
internal static class CpuForwardPass
{
    /// <summary>The span holding a layer's output as the next layer reads it (time-major).</summary>
    public static string Output(ModelPlan plan, int index)
    {
        var l = plan.Model.Layers[index];
        string r = l.OutputIsSequence ? "rows" : "batch";
        string own = $"{Field(l, TensorRole.Output)}.AsSpan(0, {r} * {l.OutputWidth})";
        return plan.Layers[index].Output switch
        {
            LayerOutput.Own => own,
            LayerOutput.OwnWhenActive => $"({Field(l, FlagRole.Active)} ? {own} : {LayerInput(plan, index)})",
            LayerOutput.States => l.OutputIsSequence
                ? $"{Field(l.Directions[0], TensorRole.States)}.AsSpan(batch * {l.OutputWidth}, rows * {l.OutputWidth})"
                : $"{Field(l.Directions[0], TensorRole.States)}.AsSpan(rows * {l.OutputWidth}, batch * {l.OutputWidth})",
        };
    }

    /// <summary>The span a layer reads (time-major); for the first layer, the model's input.</summary>
    public static string LayerInput(ModelPlan plan, int index)
        => index == 0 ? (plan.Model.TakesTokens ? "" : "_input.AsSpan(0, rows * InputFeatures)") : Output(plan, index - 1);

    public static void Write(CodeWriter w, ModelPlan plan, bool gpu = false)
    {
        var m = plan.Model;
        Validation.InferredLengthForward(w, m);
        w.Line("/// <inheritdoc/>");
        using (w.Block(Validation.ForwardSignature(m)))
        {
            w.Line($"_pass.Enter(\"{m.Type.ClassName}\");");
            using (w.Block("try"))
            {
                Validation.ForwardArguments(w, m);
                if (gpu) Gpu.GpuModelHooks.Forward(w);
                w.Line("EnsureWorkspace(batchSize, timeSteps);");
                w.Line("int batch = batchSize, steps = timeSteps, rows = batch * steps;");
                w.Line("_batch = batch;");
                w.Line("_steps = steps;");
                w.Line("_haveForward = false;");
                if (m.TakesTokens) w.Line("input.CopyTo(_tokens);");
                else
                {
                    w.Line("// Batch-major input → time-major, so each step's rows are contiguous.");
                    w.Line($"var x = _input.AsSpan(0, rows * InputFeatures);");
                    w.Call($"{G}Kernels.MatrixOps.BatchToTimeMajor", "batch", "steps", "InputFeatures", "input", "x");
                }
                for (int i = 0; i < m.Layers.Count; i++)
                {
                    var l = m.Layers[i];
                    w.Line();
                    w.Line($"// {l.Index}: '{l.Name}' {Shapes.LayerText(l)}");
                    string x = i == 0 ? (m.TakesTokens ? "" : "x") : Output(plan, i - 1);
                    if (plan.Fold?.Target == i) x = $"(_folded ? default : {Output(plan, 0)})";
                    foreach (var step in plan.Layers[i].Forward) LayerStep(w, plan, plan.Layers[i], step, x);
                    if (l.Steps != (i == 0 ? null : m.Layers[i - 1].Steps))
                        w.Line($"steps = {l.Steps}; rows = batch * steps; // the layers after '{l.Name}' run at its {l.Steps} steps");
                }
                w.Line();
                string y = Output(plan, m.Layers.Count - 1);
                if (m.Output.OutputIsSequence)
                {
                    w.Line("// Time-major → batch-major output.");
                    w.Call($"{G}Kernels.MatrixOps.TimeToBatchMajor", "batch", "steps", "OutputUnits", y, "output");
                    if (m.OutputMasked) w.Line($"{G}Kernels.StepMask.ToBatchMajor(batch, steps, _mask, _outputMask); // for losses and metrics");
                }
                else w.Line($"{y}.CopyTo(output);");
                w.Line("_haveForward = true;");
            }
            using (w.Block("finally"))
                w.Line("_pass.Exit();");
        }
        w.Line();
    }

    private static void LayerStep(CodeWriter w, ModelPlan plan, LayerPlan layer, Step step, string x)
    {
        var l = layer.Layer;
        string r = l.OutputIsSequence ? "rows" : "batch";
        string u = l.OutputWidth.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (step)
        {
            case Step.Gather:
                EmbeddingFold.Forward(w, plan, l);
                break;
            case Step.MaskFromTokens:
                w.Line($"{G}Kernels.StepMask.FromTokens(batch, steps, _tokens.AsSpan(0, rows), _mask); // token 0 is padding");
                break;
            case Step.Masking:
                w.Call($"{G}Kernels.StepMask.Masking", "rows", u, Float(l.MaskValue), x, "_mask", Field(l, TensorRole.Output));
                break;
            case Step.Dropout:
                w.Line($"{Field(l, FlagRole.Active)} = training;");
                using (w.Block("if (training)"))
                {
                    w.Line($"var mask = {Field(l, TensorRole.DropoutMask)}.AsSpan(0, {r} * {u});");
                    w.Line($"{G}Kernels.DropoutMask.Fill(_random, {Float(l.Rate)}, mask);");
                    w.Line($"global::System.Numerics.Tensors.TensorPrimitives.Multiply({x}, mask, {Field(l, TensorRole.Output)}.AsSpan(0, {r} * {u}));");
                }
                break;
            case Step.SpatialDropout:
                w.Line($"{Field(l, FlagRole.Active)} = training;");
                using (w.Block("if (training)"))
                {
                    w.Line($"var mask = {Field(l, TensorRole.DropoutMask)}.AsSpan(0, batch * {u});");
                    w.Line($"{G}Kernels.DropoutMask.Fill(_random, {Float(l.Rate)}, mask); // whole channels, the same at every step");
                    w.Call($"{G}Kernels.SequenceOps.MultiplyPerSequence", "batch", "steps", u, x, "mask", Field(l, TensorRole.Output));
                }
                break;
            case Step.DenseCell:
                CpuCellCall.Write(w, l.Cell, "Forward", CellSignature.Forward(l.Cell), slot => slot.Source switch
                {
                    SlotSource.Rows => l.InputIsSequence ? "rows" : "batch",
                    SlotSource.LayerInput => x,
                    SlotSource.Kernel => View(l, ParameterNames.Kernel, false),
                    SlotSource.Bias => View(l, ParameterNames.Bias, false),
                    SlotSource.Tensor => Field(l, slot.Tensor!.Value),
                    SlotSource.Logits => layer.Tensors.Any(t => t.Role == TensorRole.Logits) ? Field(l, TensorRole.Logits) : "default",
                    _ => throw Unbound(l, slot),
                });
                break;
            case Step.BatchMajorLogits:
                w.Line("// The logits batch-major, as OutputLogits gives them.");
                w.Call($"{G}Kernels.MatrixOps.TimeToBatchMajor", "batch", "steps", u, $"{Field(l, plan.Logits!.TimeMajor)}.AsSpan(0, rows * {u})",
                    Field(l, TensorRole.BatchMajorLogits));
                break;
            case Step.Repeat:
                w.Call($"{G}Kernels.SequenceLayers.Repeat", "batch", l.Steps!.Value, u, x, Field(l, TensorRole.Output));
                break;
            case Step.AveragePool:
                w.Call($"{G}Kernels.SequenceLayers.AveragePool", "batch", "steps", u, x, l.MaskIn ? "_mask.AsSpan(0, rows)" : "default", Field(l, TensorRole.Output));
                break;
            case Step.MaxPool:
                w.Call($"{G}Kernels.SequenceLayers.MaxPool", "batch", "steps", u, x, Field(l, TensorRole.Output));
                break;
            case Step.Flatten:
                w.Call($"{G}Kernels.MatrixOps.TimeToBatchMajor", "batch", "steps", l.Inputs, x, Field(l, TensorRole.Output));
                break;
            case Step.Activate:
                w.Call($"{G}Kernels.ActivationLayer.Forward", ActivationKind(l), r, u, x, Field(l, TensorRole.Output));
                if (layer.Tensors.Any(t => t.Role == TensorRole.Logits))
                    w.Line($"{x}.CopyTo({Field(l, TensorRole.Logits)}); // its input, the output layer's logits (ILogitOutput)");
                break;
            case Step.Directions:
                foreach (var d in layer.Directions)
                    CpuDirectionForward.Write(w, plan, layer, d, x);
                break;
            case Step.Merge:
                string mode = $"{G}Kernels.MergeMode.{l.Merge}";
                var (f, b) = (l.Directions[0], l.Directions[1]);
                int units = l.Cell.Units;
                string forward = Field(f, TensorRole.States), backward = Field(b, TensorRole.States);
                if (l.OutputIsSequence)
                    w.Call($"{G}Kernels.Bidirectional.MergeSequence", mode, "batch", "steps", units, $"{forward}.AsSpan(batch * {units}, rows * {units})",
                        $"{backward}.AsSpan(batch * {units}, rows * {units})", l.MaskIn ? "_mask.AsSpan(0, rows)" : "default", Field(l, TensorRole.Output));
                else
                    w.Call($"{G}Kernels.Bidirectional.MergeLast", mode, "batch", units, $"{forward}.AsSpan(rows * {units}, batch * {units})",
                        $"{backward}.AsSpan(rows * {units}, batch * {units})", Field(l, TensorRole.Output));
                break;
            default:
                throw new System.InvalidOperationException($"{step} is not a forward layer step");
        }
    }

    /// <summary>The Activation layer's function as the runtime's <c>ActivationKind</c>.</summary>
    internal static string ActivationKind(CheckedLayer l) => $"{G}Kernels.ActivationKind.{l.Cell.Activation}";

    internal static System.InvalidOperationException Unbound(CheckedLayer l, Slot slot)
        => new($"'{l.Name}': nothing binds {l.Cell.TypeName}'s '{slot.Name}' ({slot.Source})");
}
