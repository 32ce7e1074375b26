using ModelGen.Generators.Cells;
using ModelGen.Generators.Emit.ModelClass;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>The CPU backend's Backward: the plan's backward steps, from the last layer to the first.</summary>
internal static class CpuBackwardPass
{
    /// <summary>
    /// Where the layer above writes ∂loss/∂(this layer's output), time-major; for a recurrent layer that returns
    /// only its last step, <paramref name="prepare"/> clears the other steps first.
    /// </summary>
    private static string GradientTarget(CheckedLayer l, out string? prepare)
    {
        prepare = null;
        if (!l.IsRecurrent || l.IsBidirectional) return Field(l, TensorRole.OutputGradient);
        var d = l.Directions[0];
        if (l.OutputIsSequence) return Field(d, TensorRole.OutputGradient);
        prepare = $"{Field(d, TensorRole.OutputGradient)}.AsSpan(0, (rows - batch) * {l.OutputWidth}).Clear(); // '{l.Name}' returned only its last step";
        return $"{Field(d, TensorRole.OutputGradient)}.AsSpan((rows - batch) * {l.OutputWidth}, batch * {l.OutputWidth})";
    }

    public static void Write(CodeWriter w, ModelPlan plan, bool gpu = false)
    {
        var m = plan.Model;
        w.Line("/// <summary>Back-propagation through time for the last forward pass; adds to <see cref=\"Gradients\"/>.</summary>");
        w.Line("public void Backward(global::System.ReadOnlySpan<float> outputGradient) => Backward(outputGradient, default);");
        w.Line();
        const string Gradients = "global::System.ReadOnlySpan<float> outputGradient, global::System.Span<float> inputGradient";
        const string FromLogits = "public void BackwardFromLogits(global::System.ReadOnlySpan<float> logitGradient, global::System.Span<float> inputGradient)";
        bool skipsSlope = plan.Logits is { TimeMajor: TensorRole.Logits };
        if (plan.Logits is not null)
        {
            w.Line("/// <inheritdoc/>");
            w.Line(skipsSlope
                ? $"{FromLogits} => Backward(logitGradient, inputGradient, fromLogits: true);"
                : $"{FromLogits} => Backward(logitGradient, inputGradient); // a linear output: the logits are the output");
            w.Line();
        }
        w.Line("/// <inheritdoc/>");
        if (skipsSlope)
        {
            w.Line($"public void Backward({Gradients}) => Backward(outputGradient, inputGradient, fromLogits: false);");
            w.Line();
            w.Line("// From ∂loss/∂output, or from ∂loss/∂logits (BackwardFromLogits: the output activation's slope is skipped).");
        }
        using (w.Block(skipsSlope ? $"private void Backward({Gradients}, bool fromLogits)" : $"public void Backward({Gradients})"))
        {
            w.Line($"_pass.Enter(\"{m.Type.ClassName}\");");
            using (w.Block("try"))
            {
                Validation.BackwardArguments(w, m);
                if (gpu) Gpu.GpuModelHooks.Backward(w, skipsSlope);

                var last = m.Output;
                w.Line();
                w.Line("// ∂loss/∂output into the last layer's gradient buffer, time-major.");
                if (last.Steps is int outputSteps) w.Line($"steps = {outputSteps}; rows = batch * steps; // '{last.Name}' runs at {outputSteps} steps");
                string top = GradientTarget(last, out var clear);
                if (clear is not null) w.Line(clear);
                if (last.OutputIsSequence)
                    w.Call($"{G}Kernels.MatrixOps.BatchToTimeMajor", "batch", "steps", "OutputUnits", "outputGradient", top);
                else w.Line($"outputGradient.CopyTo({top});");

                for (int i = m.Layers.Count - 1; i >= 0; i--)
                {
                    var l = m.Layers[i];
                    var prev = i > 0 ? m.Layers[i - 1] : null;
                    w.Line();
                    w.Line($"// {l.Index}: '{l.Name}' {Shapes.LayerText(l)}");
                    if (l.Steps != prev?.Steps)
                        w.Line(prev?.Steps is int before
                            ? $"steps = {before}; rows = batch * steps; // the layers before '{l.Name}' run at {before} steps"
                            : $"steps = _steps; rows = batch * steps; // the layers before '{l.Name}' run at the input's steps");
                    string x = CpuForwardPass.LayerInput(plan, i);
                    string dx;
                    if (prev is null) dx = m.TakesTokens ? "default" : "(inputGradient.IsEmpty ? default : _inputGradient.AsSpan(0, rows * InputFeatures))";
                    else
                    {
                        dx = GradientTarget(prev, out var prepare);
                        if (prepare is not null) w.Line(prepare);
                    }
                    if (prev is not null && plan.Fold?.Target == i)
                    {
                        x = $"(_folded ? default : {x})";
                        dx = $"(_folded ? default : {dx}.AsSpan())";
                    }
                    var layer = plan.Layers[i];
                    foreach (var step in layer.Backward) LayerStep(w, plan, layer, step, x, dx);
                }
                if (!m.TakesTokens)
                {
                    w.Line();
                    w.Line("// Time-major → batch-major input gradient.");
                    w.Line($"if (!inputGradient.IsEmpty) {G}Kernels.MatrixOps.TimeToBatchMajor(batch, steps, InputFeatures, _inputGradient.AsSpan(0, rows * InputFeatures), inputGradient);");
                }
            }
            using (w.Block("finally"))
                w.Line("_pass.Exit();");
        }
    }

    private static void LayerStep(CodeWriter w, ModelPlan plan, LayerPlan layer, Step step, string x, string dx)
    {
        var l = layer.Layer;
        string r = l.OutputIsSequence ? "rows" : "batch";
        int u = l.OutputWidth;
        switch (step)
        {
            case Step.ScatterAdd:
                EmbeddingFold.Backward(w, plan, l);
                break;
            case Step.CopyUnmasked:
                w.Line($"{G}Kernels.StepMask.CopyUnmasked(rows, {u}, _mask, {Field(l, TensorRole.OutputGradient)}, {dx}); // nothing flows into padding");
                break;
            case Step.DropoutBackward or Step.SpatialDropoutBackward:
                using (w.Block(""))
                {
                    w.Line($"global::System.Span<float> dx = {dx};");
                    w.Line($"var dy = {Field(l, TensorRole.OutputGradient)}.AsSpan(0, {r} * {u});");
                    w.Line(step == Step.DropoutBackward
                        ? $"if (!dx.IsEmpty && {Field(l, FlagRole.Active)}) global::System.Numerics.Tensors.TensorPrimitives.Multiply(dy, {Field(l, TensorRole.DropoutMask)}.AsSpan(0, {r} * {u}), dx.Slice(0, {r} * {u}));"
                        : $"if (!dx.IsEmpty && {Field(l, FlagRole.Active)}) {G}Kernels.SequenceOps.MultiplyPerSequence(batch, steps, {u}, dy, {Field(l, TensorRole.DropoutMask)}, dx);");
                    w.Line("else if (!dx.IsEmpty) dy.CopyTo(dx);");
                }
                break;
            case Step.DenseCellBackward:
                CpuCellCall.Write(w, l.Cell, "Backward", CellSignature.Backward(l.Cell), slot => slot.Source switch
                {
                    SlotSource.Rows => l.InputIsSequence ? "rows" : "batch",
                    SlotSource.LayerInput => x,
                    SlotSource.Kernel => View(l, ParameterNames.Kernel, false),
                    SlotSource.Tensor => Field(l, slot.Tensor!.Value),
                    SlotSource.KernelGradient => View(l, ParameterNames.Kernel, true),
                    SlotSource.BiasGradient => View(l, ParameterNames.Bias, true),
                    SlotSource.InputGradient => dx,
                    SlotSource.Scratch => Field(l, TensorRole.Scratch),
                    SlotSource.FromLogits => plan.Logits is { TimeMajor: TensorRole.Logits } && l == plan.Model.Output ? "fromLogits" : "default",
                    _ => throw CpuForwardPass.Unbound(l, slot),
                });
                break;
            case Step.Split:
                string mode = $"{G}Kernels.MergeMode.{l.Merge}";
                var (f, b) = (l.Directions[0], l.Directions[1]);
                int units = l.Cell.Units;
                w.Line("// Split ∂merged into each direction's ∂h, in its own step order.");
                string forward = Field(f, TensorRole.States), backward = Field(b, TensorRole.States);
                string merged = $"{Field(l, TensorRole.OutputGradient)}.AsSpan(0, {r} * {u})";
                if (l.OutputIsSequence)
                    w.Call($"{G}Kernels.Bidirectional.SplitSequence", mode, "batch", "steps", units, $"{forward}.AsSpan(batch * {units}, rows * {units})",
                        $"{backward}.AsSpan(batch * {units}, rows * {units})", l.MaskIn ? "_mask.AsSpan(0, rows)" : "default", merged,
                        Field(f, TensorRole.OutputGradient), Field(b, TensorRole.OutputGradient));
                else
                    w.Call($"{G}Kernels.Bidirectional.SplitLast", mode, "batch", "steps", units, $"{forward}.AsSpan(rows * {units}, batch * {units})",
                        $"{backward}.AsSpan(rows * {units}, batch * {units})", merged, Field(f, TensorRole.OutputGradient), Field(b, TensorRole.OutputGradient));
                break;
            case Step.RepeatBackward:
                int repeats = l.Steps!.Value;
                w.Call($"{G}Kernels.SequenceLayers.RepeatBackward", "batch", repeats, u,
                    $"{Field(l, TensorRole.OutputGradient)}.AsSpan(0, batch * {repeats * u})", dx);
                break;
            case Step.AveragePoolBackward:
                w.Call($"{G}Kernels.SequenceLayers.AveragePoolBackward", "batch", "steps", u, l.MaskIn ? "_mask.AsSpan(0, rows)" : "default",
                    $"{Field(l, TensorRole.OutputGradient)}.AsSpan(0, batch * {u})", dx);
                break;
            case Step.MaxPoolBackward:
                w.Call($"{G}Kernels.SequenceLayers.MaxPoolBackward", "batch", "steps", u, x, $"{Field(l, TensorRole.Output)}.AsSpan(0, batch * {u})",
                    $"{Field(l, TensorRole.OutputGradient)}.AsSpan(0, batch * {u})", dx);
                break;
            case Step.FlattenBackward:
                using (w.Block(""))
                {
                    w.Line($"global::System.Span<float> dx = {dx};");
                    w.Line($"if (!dx.IsEmpty) {G}Kernels.MatrixOps.BatchToTimeMajor(batch, steps, {l.Inputs}, {Field(l, TensorRole.OutputGradient)}.AsSpan(0, batch * {u}), dx);");
                }
                break;
            case Step.ActivateBackward:
                void Slope() => w.Call($"{G}Kernels.ActivationLayer.Backward", CpuForwardPass.ActivationKind(l), r, u, Field(l, TensorRole.Output),
                    Field(l, TensorRole.OutputGradient), dx);
                if (plan.Logits is { TimeMajor: TensorRole.Logits } && l == plan.Model.Output)
                {
                    using (w.Block("if (fromLogits)"))
                    {
                        w.Line("// From ∂loss/∂logits, which is ∂loss/∂input: no activation slope.");
                        w.Line($"global::System.Span<float> dx = {dx};");
                        w.Line($"if (!dx.IsEmpty) {Field(l, TensorRole.OutputGradient)}.AsSpan(0, {r} * {u}).CopyTo(dx);");
                    }
                    using (w.Block("else")) Slope();
                }
                else Slope();
                break;
            case Step.Directions:
                for (int n = 0; n < layer.Directions.Count; n++) CpuDirectionBackward.Write(w, layer, layer.Directions[n], x, dx, first: n == 0);
                break;
            default:
                throw new System.InvalidOperationException($"{step} is not a backward layer step");
        }
    }
}
