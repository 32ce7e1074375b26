using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellEmitter;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>The LSTM cell on the CPU: the skeleton (products, loops, carries) around <see cref="LstmMath"/>.</summary>
internal static class LstmCell
{
    private static readonly CpuScratch Scratch = CpuScratch.Recurrent("Width", ("dc", "batch * Units", "∂c carried back through time"));

    public static void Write(CodeWriter w, CellShape cell)
    {
        int u = cell.Units;
        Head(w, cell, "Gate width: the i, f, c, o blocks of Units each.", Scratch, """
            /// <summary>
            /// Forward over a time-major batch. <paramref name="x"/> [steps·batch, Inputs]; kernel [Inputs, Width];
            /// recurrentKernel [Units, Width]; bias [Width]. <paramref name="h"/> and <paramref name="c"/>
            /// [(steps+1)·batch, Units], block 0 the initial state. <paramref name="gates"/> [steps·batch, Width] receives
            /// the activated gates and <paramref name="tanhC"/> [steps·batch, Units] tanh(c), both kept for the backward pass.
            /// </summary>
            """);
        GatedForward(w, cell, "b", cells: true, () =>
        {
            w.Line("var z = gates.Slice(t * batch * Width, batch * Width);");
            RecurrentInput(w, rows: true);
            w.Line($"// gates += h[t-1]·U for these rows: [rows, {u}] × [{u}, {4 * u}] (not at the first step from zeros).");
            w.Line($"Gemm.MultiplyAddRows(batch, b0, b1, Width, {PreviousDepth}, previous, Units, recurrentKernel, Width, z, Width);");
            string gate = cell.RecurrentActivation == Activation.HardSigmoid ? "hard σ" : "σ";
            PerSample(w,
                new[]
                {
                    ("gr", "z.Slice(b * Width, Width)"),
                    ("cp", "c.Slice(t * n + b * Units, Units)"),
                    ("cn", "c.Slice((t + 1) * n + b * Units, Units)"),
                    ("tc", "tanhC.Slice(t * n + b * Units, Units)"),
                    ("hn", "h.Slice((t + 1) * n + b * Units, Units)"),
                },
                () => FusedLoop.EmitOverlappedPasses(w, u,
                    ($"i = {gate}(·)", (w2, f) => LstmMath.ForwardGatesRow(w2, f, cell, 0)),
                    ($"f = {gate}(·)", (w2, f) => LstmMath.ForwardGatesRow(w2, f, cell, 1)),
                    ($"c̃ = {Name(cell.Activation)}(·)", (w2, f) => LstmMath.ForwardGatesRow(w2, f, cell, 2)),
                    ($"o = {gate}(·)", (w2, f) => LstmMath.ForwardGatesRow(w2, f, cell, 3)),
                    ($"c[t] = f·c[t-1] + i·c̃; h[t] = o·{Name(cell.Activation)}(c[t]) from the gates just stored.", (w2, f) => LstmMath.ForwardCellRow(w2, f, cell))),
                "Passes over the row, each loop one activation long: the gates (activated in place, kept for backward), then the cell.");
        });
        w.Line();
        w.Lines("""
            /// <summary>
            /// Back-propagation through time. <paramref name="dh"/> [steps·batch, Units] holds ∂loss/∂output of every
            /// step on entry (and receives the carried gradients); <paramref name="dGates"/> [steps·batch, Width]
            /// receives the pre-activation gate gradients. Adds to the parameter gradients; writes
            /// <paramref name="dx"/> [steps·batch, Inputs] unless it is empty, and the initial states' gradients into
            /// <paramref name="dInitial"/> and <paramref name="dInitialCell"/> [batch, Units] unless they are empty.
            /// <paramref name="dFinalCell"/> [batch, Units] (empty: zeros) is ∂loss/∂c of the last step from outside.
            /// </summary>
            """);
        System.Action? rowJob;
        using (w.Block(Signature("Backward", CellSignature.Backward(cell))))
        {
            BackwardPrologue(w);
            rowJob = BackwardSteps(w, Scratch, "Width", null, () =>
            {
                w.Line($"var dc = {Scratch.Slice("dc")};");
                w.Line("if (dFinalCell.IsEmpty) dc.Clear();");
                w.Line("else dFinalCell.Slice(0, n).CopyTo(dc); // ∂loss/∂(final c) of a layer that returns its state");
            }, () =>
            {
                using (w.Block("for (int b = b0; b < b1; b++)"))
                {
                    using (w.Block("if (!mask.IsEmpty && mask[t * batch + b] == 0)"))
                    {
                        w.Line("// A masked step: c passes through unchanged (∂c carries on), the gates get nothing.");
                        w.Line("dGates.Slice((t * batch + b) * Width, Width).Clear();");
                        w.Line("continue;");
                    }
                    FusedLoop.Refs(w,
                        ("g", "gates.Slice((t * batch + b) * Width, Width)"),
                        ("dg", "dGates.Slice((t * batch + b) * Width, Width)"),
                        ("tc", "tanhC.Slice(t * n + b * Units, Units)"),
                        ("cp", "c.Slice(t * n + b * Units, Units)"),
                        ("dhr", "dh.Slice(t * n + b * Units, Units)"),
                        ("dcr", "dc.Slice(b * Units, Units)"));
                    w.Line("// ∂c = ∂c[t+1]·f[t+1] + ∂h·o·(1 − tanh²c); gate gradients through σ' and tanh'.");
                    FusedLoop.Emit(w, u, (w2, f) => LstmMath.BackwardRow(w2, f, cell));
                }
                w.Line("// dh[t-1] += dGates[t]·Uᵀ for these rows");
                w.Line("if (needPrevious) Gemm.MultiplyAddRows(batch, b0, b1, Units, Width, dGates.Slice(t * batch * Width, batch * Width), Width, recurrentT, Units, dRead, Units);");
            }, cell, "dc");
            w.Line("if (!dInitialCell.IsEmpty) dc.CopyTo(dInitialCell); // ∂c[-1]");
            WeightGradients(w, "dGates", "Width");
            BiasGradient(w, cell, "dGates", "dBias.Slice(0, Width)");
            InputGradient(w, "dGates", Scratch);
        }
        rowJob?.Invoke();
    }
}
