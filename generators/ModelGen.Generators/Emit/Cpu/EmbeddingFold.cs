using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// The Embedding's gather and scatter on the CPU, folded into the next layer's input projection when the plan has a
/// <see cref="FoldPlan"/> (chosen at run time, per batch: training folds once steps·batch exceeds the vocabulary,
/// inference from half of it; see <see cref="InferenceRows"/>).
/// </summary>
internal static class EmbeddingFold
{
    /// <summary>Where the fold target's cell expects its input projection (x·W + b for every step).</summary>
    private static string ProjectionTarget(CheckedLayer l)
    {
        var role = CellSignature.InputProjection(l.Cell) ?? throw new System.InvalidOperationException($"{l.Kind} does not absorb an Embedding");
        // A state tensor's block 0 is the initial state: the projections of steps 1… follow it.
        string start = role == TensorRole.States ? $"batch * {l.Cell.Width}" : "0";
        return $"{Field(l, role)}.AsSpan({start}, rows * {l.Cell.Width})";
    }

    /// <summary>The fold target's pre-activation gradient after its backward pass.</summary>
    private static string ProjectionGradient(CheckedLayer l)
    {
        var role = CellSignature.InputProjectionGradient(l.Cell) ?? throw new System.InvalidOperationException($"{l.Kind} does not absorb an Embedding");
        return $"{Field(l, role)}.AsSpan(0, rows * {l.Cell.Width})";
    }

    /// <summary>
    /// The fewest rows (steps·batch) from which inference folds: half the vocabulary. Training folds only past the
    /// vocabulary, where computing P for every word costs less than projecting every row; inference keeps P between calls
    /// while E, W and b keep their bits, so from half the vocabulary the first call after a change costs at most twice the
    /// unfolded projection and every later call none. Workspace sizing allocates the fold's arrays from here.
    /// </summary>
    public static int InferenceRows(CheckedLayer embedding) => (embedding.Inputs + 1) / 2;

    /// <summary>The Gather step.</summary>
    public static void Forward(CodeWriter w, ModelPlan plan, CheckedLayer l)
    {
        string k = View(l, ParameterNames.Embeddings, false);
        string plain = $"{G}Kernels.Embedding.Gather(batch, steps, {l.Inputs}, {l.OutputWidth}, _tokens.AsSpan(0, rows), {k}, {Field(l, TensorRole.Output)}, \"{l.Name}\");";
        if (plan.Fold is not { } fold)
        {
            w.Line(plain);
            return;
        }
        var target = plan.Model.Layers[fold.Target];
        int width = fold.Width;
        w.Line($"_folded = rows > {l.Inputs} || (!training && rows >= {InferenceRows(l)});");
        using (w.Block("if (_folded)"))
        {
            w.Line($"// Folded into '{target.Name}': P = E·W + b once for the {l.Inputs} words, then each token's row of P.");
            w.Line($"var projection = {Field(l, TensorRole.Projection)}.AsSpan();");
            var bias = target.Directions[0].Views.Count > 2 ? View(target.Directions[0], 2, false) : null;
            string kernel = View(target.Directions[0], 0, false), biasSpan = bias is null ? "default" : $"{bias}.Slice(0, {width})";
            string source = $"{Field(l, TensorRole.Projection)}, {k}, {kernel}, {biasSpan}";
            w.Line("// Inference reuses P while E, W and b hold the bits it was made from (compared on every call, a read of");
            w.Line("// each parameter once); a training pass recomputes it, since the optimizer will change them.");
            using (w.Block($"if (training || !_foldSource.Matches({source}))"))
            {
                if (bias is null)
                {
                    w.Line("projection.Clear(); // no bias");
                    w.Call($"{G}Kernels.Gemm.MultiplyAdd", l.Inputs, width, l.OutputWidth, k, l.OutputWidth, kernel, width, "projection", width);
                }
                else
                {
                    w.Call($"{G}Kernels.Gemm.MultiplyBias", l.Inputs, width, l.OutputWidth, k, l.OutputWidth, kernel, width, biasSpan, "projection", width);
                }
                w.Line($"if (training) _foldSource.Forget(); else _foldSource.Remember({source});");
            }
            if (fold.TargetReadsTokens)
            {
                w.Line($"// '{target.Name}' reads each token's row of P inside its step loop; the ids are checked here.");
                w.Call($"{G}Kernels.Embedding.Validate", "batch", "steps", l.Inputs, "_tokens.AsSpan(0, rows)", $"\"{l.Name}\"");
            }
            else w.Call($"{G}Kernels.Embedding.Gather", "batch", "steps", l.Inputs, width, "_tokens.AsSpan(0, rows)", "projection", ProjectionTarget(target), $"\"{l.Name}\"");
        }
        w.Line("else " + plain);
    }

    /// <summary>The ScatterAdd step.</summary>
    public static void Backward(CodeWriter w, ModelPlan plan, CheckedLayer l)
    {
        string plain = $"{G}Kernels.Embedding.ScatterAdd(batch, steps, {l.OutputWidth}, _tokens.AsSpan(0, rows), {Field(l, TensorRole.OutputGradient)}, {View(l, ParameterNames.Embeddings, true)});";
        if (plan.Fold is not { } fold)
        {
            w.Line(plain);
            return;
        }
        var target = plan.Model.Layers[fold.Target];
        int width = fold.Width, dim = l.OutputWidth;
        using (w.Block("if (_folded)"))
        {
            w.Line($"// Through the fold: S[v] = Σ ∂Z rows of token v; d'{target.Name}'.kernel += Eᵀ·S; dE += S·Wᵀ.");
            w.Line($"var sums = {Field(l, TensorRole.ProjectionGradient)}.AsSpan();");
            w.Line("sums.Clear();");
            w.Call($"{G}Kernels.Embedding.ScatterAdd", "batch", "steps", width, "_tokens.AsSpan(0, rows)", ProjectionGradient(target), "sums");
            w.Call($"{G}Kernels.Gemm.MultiplyAddTransposedA", dim, width, l.Inputs, View(l, ParameterNames.Embeddings, false), dim, "sums", width, View(target.Directions[0], 0, true), width);
            w.Call($"{G}Kernels.MatrixOps.Transpose", dim, width, View(target.Directions[0], 0, false), Field(l, TensorRole.KernelT));
            w.Call($"{G}Kernels.Gemm.MultiplyAdd", l.Inputs, dim, width, "sums", width, Field(l, TensorRole.KernelT), dim, View(l, ParameterNames.Embeddings, true), dim);
        }
        w.Line("else " + plain);
    }
}
