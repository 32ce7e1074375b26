using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>The pieces the CPU cells share: method signatures from the cells' slots, products, carries, masks and dropout.</summary>
internal static class CpuCellParts
{
    /// <summary><c>public static void Forward(int steps, …)</c> from the cell's slots (<see cref="CellSignature"/>).</summary>
    internal static string Signature(string method, IReadOnlyList<Slot> slots)
        => $"public static void {method}({string.Join(", ", slots.Select(Parameter))})";

    private static string Parameter(Slot slot) => $"{TypeOf(slot)} {slot.Name}{(slot.Optional ? " = default" : "")}";

    private static string TypeOf(Slot slot)
        => slot.Type switch
        {
            SlotType.Count => "int",
            SlotType.Input => "ReadOnlySpan<float>",
            SlotType.Output => "Span<float>",
            SlotType.Mask => "ReadOnlySpan<byte>",
            SlotType.Tokens => "ReadOnlySpan<int>",
            SlotType.Flag => "bool",
        };

    /// <summary>A statement applying <paramref name="a"/> in place to the span expression.</summary>
    internal static string ApplyInPlace(Activation a, string span) => a switch
    {
        Activation.Tanh => $"FastMath.Tanh({span}, {span});",
        Activation.Sigmoid => $"FastMath.Sigmoid({span}, {span});",
        Activation.Relu => $"TensorPrimitives.Max({span}, 0f, {span});",
        Activation.Linear => "",
        Activation.HardSigmoid or Activation.Softmax => throw new System.InvalidOperationException($"{a} is not an element-wise layer activation"),
    };

    internal const string OptionsDoc = """
        /// <remarks>
        /// <paramref name="mask"/> [steps·batch] (empty: none) marks real steps with 1; at a 0 the state carries over
        /// unchanged. <paramref name="recurrentMask"/> [batch, Units] (empty: none) is the recurrent-dropout mask that
        /// multiplies h[t-1] in the recurrent product; <paramref name="maskedStates"/> [steps·batch, Units] keeps those products' inputs.
        /// With <paramref name="zeroInitialState"/> block 0 of the states is all zeros (no initial state set or carried): the
        /// first step's products with h[-1] are left out, here and in Backward, which must be called with the same value.
        /// </remarks>
        """;

    /// <summary><c>previous</c> = the state the step's recurrent product reads: h[t-1], or h[t-1] ⊙ the recurrent-dropout mask.</summary>
    internal static void RecurrentInput(CodeWriter w, bool rows = false)
    {
        w.Line("ReadOnlySpan<float> previous = h.Slice(t * n, n);");
        using (w.Block("if (!recurrentMask.IsEmpty)"))
        {
            w.Line("// Recurrent dropout: h[t-1] ⊙ m, the same mask at every step.");
            w.Line("var dropped = maskedStates.Slice(t * n, n);");
            w.Line(rows
                ? "TensorPrimitives.Multiply(previous.Slice(b0 * Units, rn), recurrentMask.Slice(b0 * Units, rn), dropped.Slice(b0 * Units, rn));"
                : "TensorPrimitives.Multiply(previous, recurrentMask.Slice(0, n), dropped);");
            w.Line("previous = dropped;");
        }
    }

    /// <summary>
    /// The depth k of a step's products with h[t-1]: <c>Units</c>, or 0 at the first step of a pass that starts from
    /// zeros (<c>zeroInitialState</c>), where h[-1] = 0 and each product would add zeros only. An empty product is
    /// Gemm's own case: the add forms leave C as it is, the bias form writes the bias row, the overwriting form zeros.
    /// The same values (at most the sign of an exactly-zero sum differs, and a non-finite recurrent weight shows from the
    /// second step, as 0·∞ is not computed at the first). Saves 1/steps of a pass's recurrent multiply-adds: all of them
    /// for a one-step pass.
    /// </summary>
    internal const string PreviousDepth = "(t > 0 || !zeroInitialState ? Units : 0)";

    /// <summary>Masked steps keep the previous state (and cell state, when given).</summary>
    internal static void CarryMasked(CodeWriter w, bool cells, bool rows = false)
    {
        using (w.Block("if (!mask.IsEmpty)"))
        {
            w.Line("// Masked samples keep their previous state at this step.");
            string count = rows ? "nb" : "batch", maskRow = rows ? "mask.Slice(t * batch + b0, nb)" : "mask.Slice(t * batch, batch)";
            string at = rows ? " + b0 * Units" : "", length = rows ? "rn" : "n";
            w.Line($"StepMask.Carry({count}, Units, {maskRow}, h.Slice(t * n{at}, {length}), h.Slice((t + 1) * n{at}, {length}));");
            if (cells) w.Line($"StepMask.Carry({count}, Units, {maskRow}, c.Slice(t * n{at}, {length}), c.Slice((t + 1) * n{at}, {length}));");
        }
    }

    /// <summary>
    /// Steps between two flushes of the carried state or gradient (<see cref="ForwardStepEnd"/>,
    /// <see cref="BackwardStepEnd"/>). A value left above 2⁻¹⁰⁰ by a flush and shrinking by a factor of at least ½ a step (the slow decay that would
    /// otherwise stick in the subnormal range) is still above 2⁻¹⁰⁸ at the next flush, 18 binary orders clear of it; one
    /// shrinking faster rounds to zero within a few steps. Every step would cost a pass over the state that is a
    /// noticeable share of a small model's step (SimpleRNN(8), batch 64: ~35 ns against ~240 ns).
    /// </summary>
    internal const int FlushInterval = 8;

    /// <summary>
    /// The end of every forward step: masked samples carried (<see cref="CarryMasked"/>), then, every
    /// <see cref="FlushInterval"/> steps, the new state h[t] (and c[t] with <paramref name="cells"/>) flushed to zero
    /// below 2⁻¹⁰⁰ (<c>Underflow.Flush</c>): a state decaying towards zero (zero inputs, say padding, with zero biases)
    /// would otherwise run every later step on subnormals.
    /// </summary>
    internal static void ForwardStepEnd(CodeWriter w, bool cells, bool rows = false)
    {
        CarryMasked(w, cells, rows);
        w.Line("// A state decaying towards zero goes to zero before it turns subnormal (each operation on a subnormal is ~100× slower).");
        string part = rows ? "(t + 1) * n + b0 * Units, rn" : "(t + 1) * n, n";
        w.Line($"if (t % {FlushInterval} == {FlushInterval - 1}) {{ Underflow.Flush(h.Slice({part}));{(cells ? $" Underflow.Flush(c.Slice({part}));" : "")} }}");
    }

    /// <summary>
    /// The start of a backward step: <c>dPrev</c> (∂h[t-1], the initial state's gradient, or a sink), and
    /// <c>dRead</c>, the gradient of what the recurrent product read (a separate carry under recurrent dropout).
    /// Masked samples pass ∂h straight through to ∂h[t-1].
    /// </summary>
    internal static void BackwardStepStart(CodeWriter w, bool rows = false)
    {
        w.Line("var dPrev = t > 0 ? dh.Slice((t - 1) * n, n) : dInitial.IsEmpty ? sink : dInitial;");
        w.Line("bool needPrevious = t > 0 || !dInitial.IsEmpty;");
        w.Line("var dRead = recurrentMask.IsEmpty ? dPrev : carry;");
        if (rows)
        {
            w.Line("if (!recurrentMask.IsEmpty) carry.Slice(b0 * Units, rn).Clear();");
            w.Line("if (!mask.IsEmpty) StepMask.PassThrough(nb, Units, mask.Slice(t * batch + b0, nb), dh.Slice(t * n + b0 * Units, rn), dPrev.Slice(b0 * Units, rn));");
            return;
        }
        w.Line("if (!recurrentMask.IsEmpty) carry.Clear();");
        w.Line("if (!mask.IsEmpty) StepMask.PassThrough(batch, Units, mask.Slice(t * batch, batch), dh.Slice(t * n, n), dPrev);");
    }

    /// <summary>
    /// The end of a backward step: under recurrent dropout, <c>∂h[t-1] += dRead ⊙ m</c>; then, every
    /// <see cref="FlushInterval"/> steps, the gradients carried to step t-1 (∂h[t-1] and the cell's own
    /// <paramref name="carried"/>, e.g. LSTM's ∂c) flushed to zero below 2⁻¹⁰⁰ (<c>Underflow.Flush</c>), so a long
    /// sequence's decayed gradient does not run every earlier step on subnormals. With <paramref name="rows"/>, only the
    /// rows [b0, b1) of a row job (the flush is per value, so the result does not depend on the split).
    /// </summary>
    internal static void BackwardStepEnd(CodeWriter w, string[] carried, bool rows = false)
    {
        w.Line(rows
            ? "if (!recurrentMask.IsEmpty && needPrevious) TensorPrimitives.MultiplyAdd(carry.Slice(b0 * Units, rn), recurrentMask.Slice(b0 * Units, rn), dPrev.Slice(b0 * Units, rn), dPrev.Slice(b0 * Units, rn));"
            : "if (!recurrentMask.IsEmpty && needPrevious) TensorPrimitives.MultiplyAdd(carry, recurrentMask.Slice(0, n), dPrev, dPrev);");
        w.Line("// Decayed gradients to zero before they turn subnormal (each operation on a subnormal is ~100× slower).");
        string part = rows ? ".Slice(b0 * Units, rn)" : "";
        w.Line($"if (t > 0 && t % {FlushInterval} == 0) {{ {string.Join(" ", carried.Prepend("dPrev").Select(g => $"Underflow.Flush({g}{part});"))} }}");
    }

    /// <summary>
    /// The constants, the scratch length (from the cell's <see cref="CpuScratch"/>) and the Forward doc: how every CPU
    /// cell starts. Recurrent cells also document their mask and recurrent-dropout options.
    /// </summary>
    internal static void Head(CodeWriter w, CellShape cell, string widthDoc, CpuScratch scratch, string forwardDoc, bool recurrent = true)
    {
        CpuCellEmitter.Constants(w, cell, widthDoc);
        w.Line("/// <summary>");
        w.Line("/// Floats of scratch <see cref=\"Backward\"/> needs, in this order:");
        foreach (var region in scratch.Doc) w.Line($"/// {region};");
        w.Line("/// </summary>");
        w.Line($"public static long ScratchLength(long batch) => {scratch.Length};");
        w.Line();
        w.Lines(forwardDoc);
        if (recurrent) w.Lines(OptionsDoc);
    }

    /// <summary>Declares <c>sink</c> and <c>carry</c> from the scratch, and clears the initial-state gradient.</summary>
    internal static void Carries(CodeWriter w, CpuScratch scratch)
    {
        w.Line($"var sink = {scratch.Slice("sink")}; // ∂h[-1] when the initial state's gradient is not wanted");
        w.Line($"var carry = {scratch.Slice("carry")}; // ∂(h[t-1] ⊙ m) under recurrent dropout");
        w.Line("if (!dInitial.IsEmpty) dInitial = dInitial.Slice(0, n);");
        w.Line("dInitial.Clear();");
    }

    /// <summary>The states the recurrent products read, for dU.</summary>
    internal const string PreviousStates = "(recurrentMask.IsEmpty ? h.Slice(0, rows * Units) : maskedStates.Slice(0, rows * Units))";

    /// <summary>
    /// <c>target = a·b + bias</c> over <paramref name="rows"/> rows, all row-major and dense: one
    /// <c>Gemm.MultiplyBias</c>, whose register tiles start from the bias row (the same bits as broadcasting it
    /// first); <c>Gemm.Multiply</c>, whose tiles start from zero, when the cell has no bias.
    /// </summary>
    internal static void BiasProduct(CodeWriter w, CellShape cell, string rows, string n, string k, string a, string b, string biasSlice, string target)
    {
        if (cell.UseBias)
        {
            w.Line($"Gemm.MultiplyBias({rows}, {n}, {k}, {a}, {k}, {b}, {n}, {biasSlice}, {target}, {n});");
            return;
        }
        w.Line($"Gemm.Multiply({rows}, {n}, {k}, {a}, {k}, {b}, {n}, {target}, {n}); // no bias");
    }

    /// <summary>Adds the column sums of <paramref name="m"/> to a bias gradient; nothing when the cell has no bias.</summary>
    internal static void BiasGradient(CodeWriter w, CellShape cell, string m, string slice)
    {
        if (cell.UseBias) w.Line($"MatrixOps.AddColumnSums(rows, {m}, {slice});");
    }

    /// <summary>
    /// The derivative of the cell's activation written from its output <c>y</c>, times <c>dy</c>, over a whole block of
    /// <paramref name="count"/> values (rows of <c>Units</c> back to back): element-wise, so the rows need no loop of
    /// their own and short rows take whole vectors.
    /// </summary>
    internal static void ActivationGradientBlock(CodeWriter w, CellShape cell, string outputs, string gradients, string count)
    {
        w.Line($"// dz = dy ⊙ {CpuCellEmitter.Name(cell.Activation)}'(z) over the whole block, from the stored output");
        FusedLoop.Refs(w, ("yr", outputs), ("d", gradients));
        FusedLoop.EmitRuntime(w, count, (w2, f) => ActivationMath.GradientRow(w2, f, cell.Activation));
    }

    internal static void WeightGradients(CodeWriter w, string dz, string dzWidth)
    {
        w.Line("// After the loop, two large products over all steps: dU += h[t-1]ᵀ·dZ (from step 1 when h[-1] = 0), dW += xᵀ·dZ.");
        FirstProductRow(w);
        RecurrentKernelGradient(w, PreviousStates, dz, "0", dzWidth, dzWidth, "dRecurrentKernel");
        w.Line($"if (!x.IsEmpty) Gemm.MultiplyAddTransposedA(Inputs, {dzWidth}, rows, x, Inputs, {dz}, {dzWidth}, dKernel, {dzWidth}); // else the caller folds dW in");
    }

    /// <summary>
    /// <c>first</c>: the first row of the states that dU's product reads, <c>batch</c> when the pass started from zeros
    /// (block 0, h[-1] = 0, would add zeros only; see <see cref="PreviousDepth"/>), else 0.
    /// </summary>
    internal static void FirstProductRow(CodeWriter w)
        => w.Line("int first = zeroInitialState ? batch : 0; // h[-1] = 0 adds nothing to dU");

    /// <summary>
    /// <c>gradient += statesᵀ·dz</c> over the rows from <c>first</c> (<see cref="FirstProductRow"/>; none for a one-step
    /// pass from zeros): a recurrent kernel's gradient from the states its products read (<paramref name="states"/>,
    /// <c>[rows, Units]</c> from row 0) and their pre-activation gradients (<paramref name="dz"/>'s rows,
    /// <paramref name="dzStride"/> floats apart, from column <paramref name="column"/>, <paramref name="n"/> wide).
    /// </summary>
    internal static void RecurrentKernelGradient(CodeWriter w, string states, string dz, string column, string n, string dzStride, string gradient)
    {
        string from = column == "0" ? $"first * {dzStride}" : $"first * {dzStride} + {column}";
        w.Line($"if (first < rows) Gemm.MultiplyAddTransposedA(Units, {n}, rows - first, {states}.Slice(first * Units), Units, {dz}.Slice({from}), {dzStride}, {gradient}, {dzStride});");
    }

    /// <summary>dx = dZ·Wᵀ through a transposed copy of the kernel, so the product reads rows contiguously.</summary>
    internal static void InputGradient(CodeWriter w, string dz, CpuScratch scratch)
    {
        using (w.Block("if (!dx.IsEmpty)"))
        {
            w.Line("// dx = dZ·Wᵀ");
            w.Line($"var kernelT = {scratch.Slice("kernelT")};");
            w.Line("MatrixOps.Transpose(Inputs, Width, kernel, kernelT);");
            w.Line("dx = dx.Slice(0, rows * Inputs);");
            w.Line($"Gemm.Multiply(rows, Inputs, Width, {dz}, Width, kernelT, Inputs, dx, Inputs);");
        }
    }

    // ---------------------------------------------------------------- pieces shared by the recurrent cells

    /// <summary>The sizes, and <c>gates = x·W + bias</c> for every step at once: the one large input product.</summary>
    internal static void InputProjection(CodeWriter w, CellShape cell, string biasName)
    {
        w.Line("int rows = steps * batch, n = batch * Units;");
        w.Line("gates = gates.Slice(0, rows * Width);");
        w.Line($"// gates = x·W + {biasName} for every step at once: [steps·batch, {cell.Inputs}] × [{cell.Inputs}, {cell.Gates * cell.Units}].");
        if (CellSignature.GathersRows(cell))
        {
            w.Line("// An empty x means an Embedding folded into this projection: the time loop copies each step's rows of rowTable");
            w.Line("// by rowIds [batch, steps], or, without them, the caller has written them already.");
        }
        else w.Line("// An empty x means the caller has written them already (an Embedding folded into this projection).");
        using (w.Block("if (!x.IsEmpty)"))
        {
            BiasProduct(w, cell, "rows", "Width", "Inputs", "x.Slice(0, rows * Inputs)", "kernel", "bias.Slice(0, Width)", "gates");
        }
    }

    /// <summary>
    /// A gated cell's Forward: the method, the input projection of every step at once (<c>x·W + bias</c>), then the
    /// time loop with each step's <paramref name="step"/> as a row job (<see cref="RowJob"/>, written after the method),
    /// so it can be split by sample rows between threads.
    /// </summary>
    internal static void GatedForward(CodeWriter w, CellShape cell, string biasName, bool cells, System.Action step)
    {
        var slots = CellSignature.Forward(cell);
        using (w.Block(Signature("Forward", slots)))
        {
            InputProjection(w, cell, biasName);
            RowJobCall(w, "ForwardRows", slots, System.Array.Empty<string>(), productColumns: "Width", productDepth: "Units");
        }
        w.Line();
        RowJob(w, "ForwardRows", "Forward's time loop for the sample rows [b0, b1): every step, no other row read.", slots, System.Array.Empty<string>(),
            () => ForwardSteps(w, cells, () =>
            {
                if (CellSignature.GathersRows(cell))
                {
                    w.Line("// A folded Embedding: this step's rows of E·W + b, copied by the thread that computes them, just before its product.");
                    w.Line("if (x.IsEmpty && !rowTable.IsEmpty) Embedding.GatherStep(batch, steps, t, b0, b1, Width, rowIds, rowTable, gates.Slice(t * batch * Width, batch * Width));");
                }
                step();
            }, rows: true));
    }

    /// <summary>The forward time loop every recurrent cell has: each step's <paramref name="body"/>, then masked samples carried.</summary>
    internal static void ForwardSteps(CodeWriter w, bool cells, System.Action body, bool rows = false)
    {
        using (w.Block("for (int t = 0; t < steps; t++)"))
        {
            body();
            ForwardStepEnd(w, cells, rows);
        }
    }

    // ---------------------------------------------------------------- time loops split by sample rows

    /// <summary>
    /// Hands the time loop to <see cref="RowJob"/>'s struct: every slot and local copied in, then
    /// <c>RowParallel.Run</c>, which splits the batch's rows between threads when the recurrent products
    /// (steps · batch · Units · Width multiply-adds) are large enough to pay for it.
    /// </summary>
    internal static void RowJobCall(CodeWriter w, string job, IReadOnlyList<Slot> slots, string[] locals, string productColumns, string productDepth)
    {
        w.Line("// The time loop, split by sample rows between threads when it is large enough: rows are independent");
        w.Line("// through the recurrence, and each is computed as on one thread.");
        w.Line($"var job = new {job}");
        w.Line("{");
        using (w.Indent())
        {
            foreach (var name in slots.Select(s => s.Name).Concat(locals)) w.Line($"{name} = {name},");
        }
        w.Line("};");
        w.Line($"// Parts start on whole tiles of the per-step product ([batch, {productDepth}] × [{productDepth}, {productColumns}]).");
        w.Line($"RowParallel.Run(ref job, batch, RowParallel.Parts(batch, (long)steps * batch * Units * Width), Gemm.RowBlock(batch, {productColumns}, {productDepth}));");
    }

    /// <summary>
    /// The <c>ref struct</c> job over rows [b0, b1): a field per slot and per local (<c>Span&lt;float&gt;</c>), and
    /// <c>Rows</c> with <paramref name="body"/>, which sees <c>n</c> (floats of a step's states), <c>nb</c> (its rows)
    /// and <c>rn</c> (their floats).
    /// </summary>
    internal static void RowJob(CodeWriter w, string job, string doc, IReadOnlyList<Slot> slots, string[] locals, System.Action body)
    {
        w.Line($"/// <summary>{doc}</summary>");
        using (w.Block($"private ref struct {job} : IRowJob"))
        {
            foreach (var slot in slots) w.Line($"public {TypeOf(slot)} {slot.Name};");
            foreach (var name in locals) w.Line($"public Span<float> {name};");
            w.Line();
            w.Line("/// <inheritdoc/>");
            using (w.Block("public void Rows(int b0, int b1)"))
            {
                w.Line("int n = batch * Units, nb = b1 - b0, rn = nb * Units;");
                body();
            }
        }
    }

    /// <summary>
    /// The backward pass's start (sizes, Uᵀ into the scratch, the carries) and its time loop: each step's
    /// <paramref name="body"/> between the shared start and end of a backward step. <paramref name="own"/> writes the
    /// cell's own scratch views between Uᵀ and the carries. <paramref name="ownLocals"/> names the cell's own gradients
    /// carried from step to step besides ∂h (LSTM's ∂c): fields of the row job with <paramref name="rowsOf"/>, and flushed
    /// with ∂h at each step's end (<see cref="BackwardStepEnd"/>).
    /// </summary>
    internal static System.Action? BackwardSteps(CodeWriter w, CpuScratch scratch, string uWidth, string? uNote, System.Action own, System.Action body,
        CellShape? rowsOf = null, params string[] ownLocals)
    {
        w.Line($"var recurrentT = {scratch.Slice("recurrentT")};{(uNote is null ? "" : " // " + uNote)}");
        w.Line($"MatrixOps.Transpose(Units, {uWidth}, recurrentKernel, recurrentT);");
        own();
        Carries(w, scratch);
        if (rowsOf is null)
        {
            BackwardLoop(w, body, ownLocals, rows: false);
            return null;
        }
        // Split by rows: the loop becomes a job, whose struct the caller writes after the method (the returned action).
        var slots = CellSignature.Backward(rowsOf);
        var locals = BackwardLocals.Concat(ownLocals).ToArray();
        RowJobCall(w, "BackwardRows", slots, locals, productColumns: "Units", productDepth: "Width");
        return () =>
        {
            w.Line();
            RowJob(w, "BackwardRows", "Backward's time loop for the sample rows [b0, b1): every step, no other row read.", slots, locals,
                () => BackwardLoop(w, body, ownLocals, rows: true));
        };
    }

    // The backward pass's own locals that its time loop reads (Uᵀ and the carries).
    private static readonly string[] BackwardLocals = { "recurrentT", "sink", "carry" };

    private static void BackwardLoop(CodeWriter w, System.Action body, string[] carried, bool rows)
    {
        using (w.Block("for (int t = steps - 1; t >= 0; t--)"))
        {
            BackwardStepStart(w, rows);
            body();
            BackwardStepEnd(w, carried, rows);
        }
    }

    /// <summary>One pass per sample row of a row job (rows [b0, b1)): the row operands, what the pass computes, then the fused loop.</summary>
    internal static void PerSample(CodeWriter w, (string Name, string Span)[] operands, System.Action loop, params string[] comments)
    {
        using (w.Block("for (int b = b0; b < b1; b++)"))
        {
            FusedLoop.Refs(w, operands);
            foreach (var comment in comments) w.Line("// " + comment);
            loop();
        }
    }

    /// <summary>The sizes at the start of a gated cell's backward pass.</summary>
    internal static void BackwardPrologue(CodeWriter w)
    {
        w.Line("int rows = steps * batch, n = batch * Units;");
        w.Line("if (!x.IsEmpty) x = x.Slice(0, rows * Inputs);");
        w.Line("dGates = dGates.Slice(0, rows * Width);");
    }

}
