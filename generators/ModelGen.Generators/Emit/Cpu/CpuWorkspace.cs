using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Model;
using ModelGen.Generators.Emit.ModelClass;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// The CPU backend's workspace: one array per tensor of the plan, time-major [steps][batch][…], grown once for a
/// larger batch or length and then reused, so passes allocate nothing in steady state.
/// </summary>
internal static class CpuWorkspace
{
    /// <summary>The tensor's length as a C# expression in <c>rows</c> and <c>batch</c> (the owner's rows: see <see cref="RowsOf"/>).</summary>
    public static string Size(PlannedTensor t, CheckedLayer owner) => t.Size.Basis switch
    {
        SizeBasis.Rows => t.Size.Width == 0 ? RowsOf(owner) : $"{RowsOf(owner)} * {t.Size.Width}",
        SizeBasis.Batch => $"batch * {t.Size.Width}",
        SizeBasis.RowsAndInitial => $"({RowsOf(owner)} + batch) * {t.Size.Width}",
        SizeBasis.Fixed => t.Size.Width.ToString(System.Globalization.CultureInfo.InvariantCulture),
        SizeBasis.CellScratch => $"{CellPrefix}{owner.Cell.TypeName}.ScratchLength(batch)",
    };

    private static string TypeOf(PlannedTensor t) => t.Element switch
    {
        ElementType.Float => "float",
        ElementType.Byte => "byte",
        ElementType.Int => "int",
    };

    public static void Write(CodeWriter w, ModelPlan plan, bool gpu = false)
    {
        var m = plan.Model;
        w.Line("// Workspace, time-major [steps][batch][…]: grown once for a larger batch or length, then reused.");
        w.Line("private int _batch, _steps, _rowCapacity, _batchCapacity;");
        w.Line("private bool _haveForward;");
        foreach (var a in ModelArrays(m))
            w.Line($"private {a.Element}[] {a.Field} = global::System.Array.Empty<{a.Element}>(); // {a.Doc}");
        foreach (var layer in plan.Layers)
        {
            var l = layer.Layer;
            foreach (var a in TensorArrays(layer))
                w.Line($"private {a.Element}[] {a.Field} = global::System.Array.Empty<{a.Element}>(); // {a.Doc}");
            foreach (var f in layer.Flags)
                w.Line($"private bool {Field(f)}; // '{l.Name}' {f.Purpose}");
            foreach (var d in layer.Directions)
                foreach (var f in d.Flags)
                    w.Line($"private bool {Field(f)}; // '{d.Direction.KerasName}' {f.Purpose}");
        }
        if (plan.Fold is { } fold)
        {
            var e = m.Layers[0];
            w.Line($"private bool _folded; // the last batch ran '{e.Name}' folded into '{m.Layers[fold.Target].Name}''s input projection");
            if (!fold.TargetReadsTokens)
                w.Line("private int _distinctWords; // > 0: the last batch folded over its own distinct words, this many");
            w.Line($"private readonly {G}Kernels.FoldSource _foldSource = new(); // the parameters the projected table was last computed from");
            foreach (var a in FoldArrays(plan))
                w.Line($"private {a.Element}[] {a.Field} = global::System.Array.Empty<{a.Element}>(); // {a.Doc}");
        }
        w.Line();
        Size(w, plan);
        using (w.Block("private void EnsureWorkspace(int batch, int steps)"))
        {
            w.Line("long wanted = (long)batch * steps;");
            w.Line("if (wanted <= _rowCapacity && batch <= _batchCapacity) return;");
            w.Line("// Sized and checked before anything is allocated: a workspace that cannot fit leaves the model as it was,");
            w.Line("// and every length below is known to fit in an array (so in an int).");
            w.Line("long grownBytes = WorkspaceSize(global::System.Math.Max(wanted, _rowCapacity), global::System.Math.Max(batch, _batchCapacity), out long largest);");
            w.Line($"{G}Memory.CheckWorkspace(\"{m.Type.ClassName}\", batch, steps, grownBytes, largest);");
            w.Line("int rows = (int)wanted;");
            w.Line("rows = global::System.Math.Max(rows, _rowCapacity);");
            w.Line("batch = global::System.Math.Max(batch, _batchCapacity);");
            foreach (var a in ModelArrays(m).Concat(plan.Layers.SelectMany(TensorArrays)).Concat(FoldArrays(plan, table: false)))
                w.Line($"{a.Field} = new {a.Element}[{a.Size}];");
            if (plan.Fold is not null)
            {
                var e = m.Layers[0];
                using (w.Block($"if (rows >= {EmbeddingFold.InferenceRows(e)} && {Field(e, TensorRole.Projection)}.Length == 0) // inference folds from half the vocabulary, training past it"))
                {
                    foreach (var a in FoldArrays(plan, table: true))
                        w.Line($"{a.Field} = new {a.Element}[{a.Size}];");
                }
            }
            w.Line("_rowCapacity = rows;");
            w.Line("_batchCapacity = batch;");
        }
        w.Line();
        w.Line("/// <inheritdoc/>");
        // Counted in long and checked: a length past one array is an exception saying so, not an int that wrapped.
        string rowsPerSample = !m.Output.OutputIsSequence ? "1" : m.Output.Steps is int n ? n.ToString(System.Globalization.CultureInfo.InvariantCulture) : "timeSteps";
        w.Line($"public int OutputLength(int batchSize, int timeSteps) => global::ModelGen.Memory.CheckOutput(\"{m.Type.ClassName}\", batchSize, timeSteps, {rowsPerSample}, OutputUnits);");
        w.Line();
        if (m.OutputMasked)
        {
            w.Line("/// <inheritdoc/>");
            w.Line($"public global::System.ReadOnlySpan<byte> OutputMask => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"_outputMask.AsSpan(0, {RowsOf(m.Output, "_batch", "_batch * _steps")})", "OutputMaskOnHost()")} : default;");
            w.Line();
        }
        if (plan.Logits is { } logits)
        {
            var output = m.Output;
            string rows = output.OutputIsSequence ? RowsOf(output, "_batch", "_batch * _steps") : "_batch";
            var tensor = logits.BatchMajor ? TensorRole.BatchMajorLogits : logits.TimeMajor;
            w.Line("/// <inheritdoc/>");
            w.Line($"public string OutputActivation => \"{logits.Activation}\";");
            w.Line();
            w.Line($"/// <summary>'{output.Name}' before its activation in the last forward pass, {Shapes.Output(m)} batch-major; empty before one.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> OutputLogits => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"{Field(output, tensor)}.AsSpan(0, {rows} * OutputUnits)", "OutputLogitsOnHost()")} : default;");
            w.Line();
        }
    }

    /// <summary>
    /// <c>WorkspaceBytes</c>: what <c>EnsureWorkspace</c> allocates for a pass, summed from the plan's tensors in 64 bits,
    /// with the largest array's length, so a pass that cannot fit is refused before anything is allocated.
    /// </summary>
    private static void Size(CodeWriter w, ModelPlan plan)
    {
        var m = plan.Model;
        w.Line("/// <summary>");
        w.Line("/// Bytes of workspace a pass of <paramref name=\"batchSize\"/> samples × <paramref name=\"timeSteps\"/> steps keeps: every array");
        w.Line("/// the forward and backward passes of that size hold (what <see cref=\"global::ModelGen.Memory.WorkspaceBudget\"/> limits).");
        w.Line("/// </summary>");
        w.Line("public static long WorkspaceBytes(int batchSize, int timeSteps) => WorkspaceSize((long)batchSize * timeSteps, batchSize, out _);");
        w.Line();
        w.Line($"long {G}ISequentialModel.WorkspaceBytes(int batchSize, int timeSteps) => WorkspaceBytes(batchSize, timeSteps);");
        w.Line();
        using (w.Block("private static long WorkspaceSize(long rows, long batch, out long largest)"))
        {
            w.Line("long bytes = 0;");
            w.Line("largest = 0;");
            void Add(WorkspaceArray a) => w.Line($"{G}Memory.Add(ref bytes, ref largest, {a.Size}, {(a.Element == "byte" ? 1 : 4)});");
            foreach (var a in ModelArrays(m).Concat(plan.Layers.SelectMany(TensorArrays)).Concat(FoldArrays(plan, table: false))) Add(a);
            if (plan.Fold is not null)
            {
                using (w.Block($"if (rows >= {EmbeddingFold.InferenceRows(m.Layers[0])}) // the Embedding folded into the next projection"))
                    foreach (var a in FoldArrays(plan, table: true)) Add(a);
            }
            w.Line("return bytes;");
        }
        w.Line();
    }

    /// <summary>
    /// One array of the workspace: its field, element type, length (C# in <c>rows</c> and <c>batch</c>) and what it holds.
    /// The declarations, <c>EnsureWorkspace</c> and <c>WorkspaceBytes</c> are all written from the same lists.
    /// </summary>
    private sealed record WorkspaceArray(string Field, string Element, string Size, string Doc);

    /// <summary>The model's own arrays: its input (or token ids) and their gradient, the step masks.</summary>
    private static IEnumerable<WorkspaceArray> ModelArrays(CheckedModel m)
    {
        if (m.TakesTokens) yield return new("_tokens", "int", "rows", "the last batch of token ids, batch-major");
        else
        {
            yield return new("_input", "float", $"rows * {m.InputFeatures}", "the last input, time-major [steps·batch, features]");
            yield return new("_inputGradient", "float", $"rows * {m.InputFeatures}", "∂loss/∂input, time-major");
        }
        // The mask has the rows of the layer that makes it (after a RepeatVector, its n steps).
        string rows = RowsOf(m.Layers.FirstOrDefault(l => l.MaskZero || l.Kind == Layers.LayerKind.Masking));
        if (m.UsesMask) yield return new("_mask", "byte", rows, "the step mask, time-major [steps·batch]: 1 real, 0 padding");
        if (m.OutputMasked) yield return new("_outputMask", "byte", rows, "the step mask of the output rows, batch-major");
    }

    /// <summary>A layer's planned tensors, its own then each direction's.</summary>
    private static IEnumerable<WorkspaceArray> TensorArrays(LayerPlan layer)
        => layer.Tensors.Concat(layer.Directions.SelectMany(d => d.Tensors))
            .Select(t => new WorkspaceArray(Field(t), TypeOf(t), Size(t, layer.Layer), $"'{layer.Layer.Name}': {t.Purpose}"));

    /// <summary>
    /// The folded Embedding's arrays: with <paramref name="table"/>, the whole-vocabulary table and its gradient,
    /// allocated only from the rows where a pass can fold over every word; otherwise the rest (the transposed kernel and
    /// the arrays of a fold over the batch's distinct words), allocated with the workspace. All of them with no argument.
    /// </summary>
    private static IEnumerable<WorkspaceArray> FoldArrays(ModelPlan plan, bool? table = null)
        => plan.Fold is { } fold
            ? fold.Tensors
                .Where(t => table is not { } wanted || (t.Role is TensorRole.Projection or TensorRole.ProjectionGradient) == wanted)
                .Select(t => new WorkspaceArray(Field(t), TypeOf(t), Size(t, plan.Model.Layers[0]), t.Purpose))
            : Enumerable.Empty<WorkspaceArray>();
}
