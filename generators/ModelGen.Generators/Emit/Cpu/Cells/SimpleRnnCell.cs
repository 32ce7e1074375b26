using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellEmitter;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>The SimpleRNN cell on the CPU: <c>h = activation(x·W + h[t-1]·U + b)</c>, one large input product, a small product and an activation pass per step (or the unrolled step for 8 and 16 units).</summary>
internal static class SimpleRnnCell
{
    private static readonly CpuScratch Scratch = CpuScratch.Recurrent("Units");

    public static void Write(CodeWriter w, CellShape cell)
    {
        int h = cell.Units;
        Head(w, cell, "Pre-activation width (one gate).", Scratch, """
            /// <summary>
            /// Forward over a time-major batch. <paramref name="x"/> [steps·batch, Inputs]; kernel [Inputs, Units];
            /// recurrentKernel [Units, Units]; bias [Units]; <paramref name="h"/> [(steps+1)·batch, Units] with block 0
            /// the initial state; blocks 1…steps receive each step's output.
            /// </summary>
            """);
        bool tokens = CellSignature.ReadsTokens(cell);
        if (CellSignature.UnrolledStep(cell)) SimpleRnnUnrolled.FullOptimization(w);
        using (w.Block(Signature("Forward", CellSignature.Forward(cell))))
        {
            w.Line("int rows = steps * batch, n = batch * Units;");
            w.Line("var outputs = h.Slice(n, rows * Units);");
            if (tokens)
            {
                w.Line("// tokens [batch, steps] with table [vocabulary, Units] = E·W + b: an Embedding folded into this projection,");
                w.Line("// ids already checked. The unrolled step reads sample b's row tokens[b, t] of the table at step t, so");
                w.Line("// nothing is gathered beforehand; the step under recurrent dropout gets the rows gathered here.");
                using (w.Block("if (!tokens.IsEmpty && !recurrentMask.IsEmpty)"))
                {
                    w.Line("Embedding.Gather(batch, steps, table.Length / Units, Units, tokens, table, outputs, \"embedding\");");
                    w.Line("tokens = default;");
                }
            }
            w.Line($"// h[1…steps] = x·W + b for every step at once: [steps·batch, {cell.Inputs}] × [{cell.Inputs}, {h}].");
            w.Line("// An empty x means the caller has written them already (an Embedding folded into this projection).");
            using (w.Block("if (!x.IsEmpty)"))
            {
                BiasProduct(w, cell, "rows", "Units", "Inputs", "x.Slice(0, rows * Inputs)", "kernel", "bias.Slice(0, Units)", "outputs");
            }
            if (CellSignature.UnrolledStep(cell)) SimpleRnnUnrolled.Step(w, cell);
            using (w.Block("for (int t = 0; t < steps; t++)"))
            {
                w.Line("var z = h.Slice((t + 1) * n, n);");
                RecurrentInput(w);
                w.Line($"// z += h[t-1]·U: [batch, {h}] × [{h}, {h}] (not at the first step from zeros).");
                w.Line($"Gemm.MultiplyAdd(batch, Units, {PreviousDepth}, previous, Units, recurrentKernel, Units, z, Units);");
                if (cell.Activation != Activation.Linear)
                {
                    w.Line($"// h[t] = {CpuCellEmitter.Name(cell.Activation)}(z), the whole [batch, {h}] block at once.");
                    w.Line(ApplyInPlace(cell.Activation, "z"));
                }
                ForwardStepEnd(w, cells: false);
            }
        }
        if (CellSignature.UnrolledStep(cell))
        {
            SimpleRnnUnrolled.StepMethods(w, cell);
            SimpleRnnUnrolled.ActivationMethods(w, cell);
        }
        w.Line();
        w.Lines("""
            /// <summary>
            /// Back-propagation through time. <paramref name="dh"/> [steps·batch, Units] holds ∂loss/∂output of every
            /// step on entry and is used in place for the pre-activation gradients. Adds to the three parameter
            /// gradients; writes <paramref name="dx"/> [steps·batch, Inputs] unless it is empty, and the initial
            /// state's gradient into <paramref name="dInitial"/> [batch, Units] unless it is empty.
            /// </summary>
            """);
        using (w.Block(Signature("Backward", CellSignature.Backward(cell))))
        {
            w.Line("int rows = steps * batch, n = batch * Units;");
            w.Line("if (!x.IsEmpty) x = x.Slice(0, rows * Inputs);");
            w.Line("dh = dh.Slice(0, rows * Units);");
            BackwardSteps(w, Scratch, "Units", null, () => { }, () =>
            {
                w.Line("var dz = dh.Slice(t * n, n);");
                if (cell.Activation != Activation.Linear)
                    ActivationGradientBlock(w, cell, "h.Slice((t + 1) * n, n)", "dz", "n");
                w.Line("// dh[t-1] += dz·Uᵀ");
                w.Line("if (needPrevious) Gemm.MultiplyAdd(batch, Units, Units, dz, Units, recurrentT, Units, dRead, Units);");
            });
            WeightGradients(w, "dh", "Units");
            BiasGradient(w, cell, "dh", "dBias.Slice(0, Units)");
            InputGradient(w, "dh", Scratch);
        }
    }
}
