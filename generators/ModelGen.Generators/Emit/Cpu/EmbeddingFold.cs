using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// The Embedding's gather and scatter on the CPU, folded into the next layer's input projection when the plan has a
/// <see cref="FoldPlan"/> (chosen at run time, per batch: over the whole vocabulary once steps·batch exceeds it, in
/// inference from half of it, see <see cref="InferenceRows"/>; a training pass also over the batch's own distinct words
/// when they are few).
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
    /// The fewest rows (steps·batch) from which inference folds: half the vocabulary. Training folds over the whole
    /// vocabulary only past it, where computing P for every word costs less than projecting every row; inference keeps P between calls
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
        string kernelView = View(target.Directions[0], 0, false);
        var biasView = target.Directions[0].Views.Count > 2 ? View(target.Directions[0], 2, false) : null;
        string tokens = "_tokens.AsSpan(0, rows)";
        // A gated cell copies each step's rows of P in its time loop, for the rows each thread computes (rowIds, rowTable):
        // no gather of every step here.
        bool gathers = CellSignature.GathersRows(target.Cell);
        string wholeVocabulary = $"rows > {l.Inputs} || (!training && rows >= {InferenceRows(l)})";
        if (!fold.TargetReadsTokens)
        {
            w.Line("// A training pass folds over the batch's own distinct words when there are at most three for every four rows (and");
            w.Line("// every four words of the vocabulary): their P = E·W + b costs less than projecting every row, as does the backward");
            w.Line("// pass's Eᵀ·S and S·Wᵀ over them. Inference folds over the whole vocabulary, whose table it keeps between calls.");
            w.Line("_distinctWords = 0;");
            using (w.Block("if (training)"))
            {
                w.Call($"{G}Kernels.Embedding.Validate", "batch", "steps", l.Inputs, tokens, $"\"{l.Name}\"");
                w.Line($"int distinct = {G}Kernels.Embedding.Distinct(batch, steps, {tokens}, {l.Inputs}, {Field(l, TensorRole.WordSlots)}, {Field(l, TensorRole.DistinctWords)}, {Field(l, TensorRole.DistinctIndex)});");
                w.Line($"if (4L * distinct <= 3L * global::System.Math.Min(rows, {l.Inputs})) _distinctWords = distinct;");
            }
            w.Line($"_folded = _distinctWords > 0 || {wholeVocabulary};");
            using (w.Block("if (_distinctWords > 0)"))
            {
                w.Line($"// Folded into '{target.Name}' over the batch's distinct words: P = E·W + b for each, then each token's row of P.");
                w.Line($"var words = {Field(l, TensorRole.DistinctWords)}.AsSpan(0, _distinctWords);");
                w.Line($"var embedded = {Field(l, TensorRole.DistinctEmbeddings)}.AsSpan(0, _distinctWords * {l.OutputWidth});");
                w.Line($"var projection = {Field(l, TensorRole.DistinctProjection)}.AsSpan(0, _distinctWords * {width});");
                w.Call($"{G}Kernels.Embedding.GatherRows", "words", k, l.OutputWidth, "embedded");
                Project(w, "_distinctWords", "embedded", l.OutputWidth, kernelView, biasView, width);
                w.Line("_foldSource.Forget(); // the optimizer will change E, W and b");
                if (gathers) w.Line($"// '{target.Name}' copies each token's row of P in its time loop, by the token's place among the words.");
                else w.Call($"{G}Kernels.Embedding.Gather", "batch", "steps", "_distinctWords", width, $"{Field(l, TensorRole.DistinctIndex)}.AsSpan(0, rows)", "projection", ProjectionTarget(target), $"\"{l.Name}\"");
            }
        }
        else w.Line($"_folded = {wholeVocabulary};");
        using (w.Block(fold.TargetReadsTokens ? "if (_folded)" : "else if (_folded)"))
        {
            w.Line($"// Folded into '{target.Name}': P = E·W + b once for the {l.Inputs} words, then each token's row of P.");
            w.Line($"var projection = {Field(l, TensorRole.Projection)}.AsSpan();");
            string biasSpan = biasView is null ? "default" : $"{biasView}.Slice(0, {width})";
            string source = $"{Field(l, TensorRole.Projection)}, {k}, {kernelView}, {biasSpan}";
            w.Line("// Inference reuses P while E, W and b hold the bits it was made from (compared on every call, a read of");
            w.Line("// each parameter once); a training pass recomputes it, since the optimizer will change them.");
            using (w.Block($"if (training || !_foldSource.Matches({source}))"))
            {
                Project(w, l.Inputs, k, l.OutputWidth, kernelView, biasView, width);
                w.Line($"if (training) _foldSource.Forget(); else _foldSource.Remember({source});");
            }
            if (fold.TargetReadsTokens || gathers)
            {
                w.Line(fold.TargetReadsTokens
                    ? $"// '{target.Name}' reads each token's row of P inside its step loop; the ids are checked here."
                    : $"// '{target.Name}' copies each token's row of P in its time loop; the ids are checked here.");
                w.Call($"{G}Kernels.Embedding.Validate", "batch", "steps", l.Inputs, "_tokens.AsSpan(0, rows)", $"\"{l.Name}\"");
            }
            else w.Call($"{G}Kernels.Embedding.Gather", "batch", "steps", l.Inputs, width, "_tokens.AsSpan(0, rows)", "projection", ProjectionTarget(target), $"\"{l.Name}\"");
        }
        w.Line("else " + plain);
    }

    /// <summary><c>projection = a·kernel + bias</c> for <paramref name="rows"/> rows of <paramref name="a"/> (the words' embeddings).</summary>
    private static void Project(CodeWriter w, object rows, string a, int dim, string kernel, string? bias, int width)
    {
        if (bias is null)
        {
            w.Line("// No bias: the product's tiles start from zero.");
            w.Call($"{G}Kernels.Gemm.Multiply", rows, width, dim, a, dim, kernel, width, "projection", width);
        }
        else w.Call($"{G}Kernels.Gemm.MultiplyBias", rows, width, dim, a, dim, kernel, width, $"{bias}.Slice(0, {width})", "projection", width);
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
        if (!fold.TargetReadsTokens)
        {
            using (w.Block("if (_distinctWords > 0)"))
            {
                w.Line($"// Through the fold over the batch's distinct words: S[j] = Σ ∂Z rows of word j; d'{target.Name}'.kernel += Eⱼᵀ·S;");
                w.Line("// their rows of dE += S·Wᵀ.");
                w.Line($"var words = {Field(l, TensorRole.DistinctWords)}.AsSpan(0, _distinctWords);");
                w.Line($"var embedded = {Field(l, TensorRole.DistinctEmbeddings)}.AsSpan(0, _distinctWords * {dim});");
                w.Line($"var sums = {Field(l, TensorRole.DistinctProjection)}.AsSpan(0, _distinctWords * {width});");
                w.Line("// Each word's row is set at its first token (words are numbered in the order the scatter meets them), so S needs no clearing.");
                w.Call($"{G}Kernels.Embedding.ScatterDistinct", "batch", "steps", width, $"{Field(l, TensorRole.DistinctIndex)}.AsSpan(0, rows)", "_distinctWords", ProjectionGradient(target), "sums");
                w.Line("// Their embeddings again: a Backward before this one left their gradients here (gradients add up over calls).");
                w.Call($"{G}Kernels.Embedding.GatherRows", "words", View(l, ParameterNames.Embeddings, false), dim, "embedded");
                w.Call($"{G}Kernels.Gemm.MultiplyAddTransposedA", dim, width, "_distinctWords", "embedded", dim, "sums", width, View(target.Directions[0], 0, true), width);
                w.Call($"{G}Kernels.MatrixOps.Transpose", dim, width, View(target.Directions[0], 0, false), Field(l, TensorRole.KernelT));
                w.Line("// Their embeddings are read; now their gradients, written over them.");
                w.Call($"{G}Kernels.Gemm.Multiply", "_distinctWords", dim, width, "sums", width, Field(l, TensorRole.KernelT), dim, "embedded", dim);
                w.Call($"{G}Kernels.Embedding.ScatterAddRows", "words", "embedded", dim, View(l, ParameterNames.Embeddings, true));
            }
        }
        using (w.Block(fold.TargetReadsTokens ? "if (_folded)" : "else if (_folded)"))
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
