using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellEmitter;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>The GRU cell on the CPU, both forms: the skeletons (products, loops, carries) around <see cref="GruMath"/>.</summary>
internal static class GruCell
{
    private static readonly CpuScratch AfterScratch = CpuScratch.Recurrent("Width");
    // Reset-after forward: up to this many units, z and r of every row are one loop over the rows and ĥ, h a second;
    // above it, one loop does all three passes row by row. A row's r → ĥ chain is long (σ, then tanh) and, with few
    // units, short of other work beside it: two loops keep it a whole pass apart. Measured on a Zen 5 (cells alone,
    // alternating): 30 units 9–11 % faster at 512 bits and 6–9 % at 256; 64 and 128 within 1 %; 256 units 2–3 % slower.
    private const int SplitRowPassUnits = 64;

    private static string Gate(CellShape cell) => cell.RecurrentActivation == Activation.HardSigmoid ? "hard σ" : "σ";

    private static readonly CpuScratch BeforeScratch = CpuScratch.Recurrent("Width", ("dResetState", "batch * Units", "∂(r ⊙ h[t-1]) of one step"));

    // ---------------------------------------------------------------- GRU, reset after (PyTorch semantics)

    public static void WriteResetAfter(CodeWriter w, CellShape cell)
    {
        int u = cell.Units;
        Head(w, cell, "Gate width: the z, r, h blocks of Units each.", AfterScratch, """
            /// <summary>
            /// Forward over a time-major batch. kernel [Inputs, Width]; recurrentKernel [Units, Width]; bias [2, Width]
            /// (row 0 input bias, row 1 recurrent bias). <paramref name="h"/> [(steps+1)·batch, Units], block 0 the initial
            /// state. <paramref name="gates"/> [steps·batch, Width] receives z, r and ĥ; <paramref name="recurrent"/>
            /// [steps·batch, Width] receives h[t-1]·U + b_rec, kept for the backward pass.
            /// </summary>
            """);
        GatedForward(w, cell, "b_in", cells: false, () =>
        {
            w.Line("var z = gates.Slice(t * batch * Width, batch * Width);");
            w.Line("var rc = recurrent.Slice(t * batch * Width, batch * Width);");
            RecurrentInput(w, rows: true);
            w.Line($"// rc = h[t-1]·U + b_rec for these rows: [rows, {u}] × [{u}, {3 * u}], kept apart because r multiplies its h block;");
            w.Line($"// {(cell.UseBias ? "b_rec" : "zeros")} alone at the first step from zeros (an empty product).");
            if (cell.UseBias)
            {
                w.Line($"Gemm.MultiplyBiasRows(batch, b0, b1, Width, {PreviousDepth}, previous, Units, recurrentKernel, Width, bias.Slice(Width, Width), rc, Width);");
            }
            else
            {
                w.Line($"Gemm.MultiplyRows(batch, b0, b1, Width, {PreviousDepth}, previous, Units, recurrentKernel, Width, rc, Width); // no bias");
            }
            (string?, System.Action<CodeWriter, CpuDialect>) zPass = ($"z = {Gate(cell)}(x·W_z + b_in,z + h·U_z + b_rec,z)", (w2, f) => GruMath.ResetAfterGatesRow(w2, f, cell, 0));
            (string?, System.Action<CodeWriter, CpuDialect>) rPass = ($"r = {Gate(cell)}(x·W_r + b_in,r + h·U_r + b_rec,r)", (w2, f) => GruMath.ResetAfterGatesRow(w2, f, cell, 1));
            string output = $"ĥ = {Name(cell.Activation)}(x·W_h + b_in,h + r ⊙ (h·U_h + b_rec,h)); h[t] = z ⊙ h[t-1] + (1 − z) ⊙ ĥ.";
            System.Action<CodeWriter, CpuDialect> outputRow = (w2, f) => GruMath.ResetAfterOutputRow(w2, f, cell);
            var gateOperands = new[] { ("gr", "z.Slice(b * Width, Width)"), ("rr", "rc.Slice(b * Width, Width)") };
            var rowOperands = new[] { gateOperands[0], gateOperands[1], ("hp", "h.Slice(t * n + b * Units, Units)"), ("hn", "h.Slice((t + 1) * n + b * Units, Units)") };
            if (u <= SplitRowPassUnits)
            {
                PerSample(w, gateOperands, () => FusedLoop.EmitOverlappedPasses(w, u, zPass, rPass),
                    "z and r of every row first (kept for backward), each loop one activation long. ĥ needs r, so it follows in a",
                    "loop of its own: a row's r → ĥ chain then lies a whole pass apart, and the core overlaps rows instead of waiting.");
                PerSample(w, rowOperands, () => FusedLoop.EmitOverlapped(w, u, outputRow), output + " ĥ kept for backward.");
            }
            else
            {
                PerSample(w, rowOperands, () => FusedLoop.EmitOverlappedPasses(w, u, zPass, rPass, (output, outputRow)),
                    "Passes over the row, each loop one activation long: z, r, then ĥ and h (all three kept for backward).");
            }
        });
        w.Line();
        w.Lines("""
            /// <summary>
            /// Back-propagation through time. <paramref name="dh"/> [steps·batch, Units] holds ∂loss/∂output of every
            /// step on entry (and receives the carried gradients). <paramref name="dGates"/> and
            /// <paramref name="dRecurrent"/> [steps·batch, Width] receive the gradients of the input and recurrent
            /// pre-activations. Adds to the parameter gradients; writes <paramref name="dx"/> unless it is empty.
            /// </summary>
            """);
        System.Action? rowJob;
        using (w.Block(Signature("Backward", CellSignature.Backward(cell))))
        {
            BackwardPrologue(w);
            w.Line("dRecurrent = dRecurrent.Slice(0, rows * Width);");
            rowJob = BackwardSteps(w, AfterScratch, "Width", null, () => { }, () =>
            {
                PerSample(w,
                    new[]
                    {
                        ("g", "gates.Slice((t * batch + b) * Width, Width)"),
                        ("rr", "recurrent.Slice((t * batch + b) * Width, Width)"),
                        ("dg", "dGates.Slice((t * batch + b) * Width, Width)"),
                        ("drc", "dRecurrent.Slice((t * batch + b) * Width, Width)"),
                        ("hp", "h.Slice(t * n + b * Units, Units)"),
                        ("dhr", "dh.Slice(t * n + b * Units, Units)"),
                        ("dpr", "dPrev.Slice(b * Units, Units)"),
                    },
                    () => FusedLoop.Emit(w, u, (w2, f) => GruMath.ResetAfterBackwardRow(w2, f, cell)),
                    "Through h = z·h[t-1] + (1 − z)·ĥ, ĥ's tanh, r's product and the two sigmoids.");
                w.Line("// dh[t-1] += dRecurrent[t]·Uᵀ for these rows");
                w.Line("if (needPrevious) Gemm.MultiplyAddRows(batch, b0, b1, Units, Width, dRecurrent.Slice(t * batch * Width, batch * Width), Width, recurrentT, Units, dRead, Units);");
            }, cell);
            w.Line("// After the loop: dU += h[t-1]ᵀ·dRecurrent (from step 1 when h[-1] = 0), dW += xᵀ·dGates, both biases, dx.");
            FirstProductRow(w);
            RecurrentKernelGradient(w, PreviousStates, "dRecurrent", "0", "Width", "Width", "dRecurrentKernel");
            w.Line("if (!x.IsEmpty) Gemm.MultiplyAddTransposedA(Inputs, Width, rows, x, Inputs, dGates, Width, dKernel, Width); // else the caller folds dW in");
            BiasGradient(w, cell, "dGates", "dBias.Slice(0, Width)");
            BiasGradient(w, cell, "dRecurrent", "dBias.Slice(Width, Width)");
            InputGradient(w, "dGates", AfterScratch);
        }
        rowJob?.Invoke();
    }


    // ---------------------------------------------------------------- GRU, reset before (Keras reset_after=False)

    public static void WriteResetBefore(CodeWriter w, CellShape cell)
    {
        int u = cell.Units;
        Head(w, cell, "Gate width: the z, r, h blocks of Units each.", BeforeScratch, """
            /// <summary>
            /// Forward over a time-major batch. kernel [Inputs, Width]; recurrentKernel [Units, Width]; bias [Width].
            /// <paramref name="h"/> [(steps+1)·batch, Units], block 0 the initial state. <paramref name="gates"/>
            /// [steps·batch, Width] receives z, r and ĥ; <paramref name="resetState"/> [steps·batch, Units] receives
            /// r ⊙ h[t-1], kept for the backward pass.
            /// </summary>
            """);
        GatedForward(w, cell, "b", cells: false, () =>
        {
            w.Line("var z = gates.Slice(t * batch * Width, batch * Width);");
            w.Line("var rh = resetState.Slice(t * n, n);");
            RecurrentInput(w, rows: true);
            w.Line($"// z, r blocks += h[t-1]·U_zr for these rows: [rows, {u}] × [{u}, {2 * u}] (not at the first step from zeros).");
            w.Line($"Gemm.MultiplyAddRows(batch, b0, b1, 2 * Units, {PreviousDepth}, previous, Units, recurrentKernel, Width, z, Width);");
            PerSample(w,
                new[] { ("gr", "z.Slice(b * Width, 2 * Units)"), ("pr", "previous.Slice(b * Units, Units)"), ("rhr", "rh.Slice(b * Units, Units)") },
                () => FusedLoop.EmitOverlapped(w, u, (w2, f) => GruMath.ResetBeforeGatesRow(w2, f, cell)),
                $"z, r = {Gate(cell)}(·) (kept for backward); r ⊙ h[t-1]");
            w.Line($"// h block += (r ⊙ h[t-1])·U_h for these rows: [rows, {u}] × [{u}, {u}] (r ⊙ h[-1] = 0 from zeros).");
            w.Line($"Gemm.MultiplyAddRows(batch, b0, b1, Units, {PreviousDepth}, rh, Units, recurrentKernel.Slice(2 * Units), Width, z.Slice(2 * Units), Width);");
            PerSample(w,
                new[] { ("gr", "z.Slice(b * Width, Width)"), ("hp", "h.Slice(t * n + b * Units, Units)"), ("hn", "h.Slice((t + 1) * n + b * Units, Units)") },
                () => FusedLoop.EmitOverlapped(w, u, (w2, f) => GruMath.ResetBeforeOutputRow(w2, f, cell)),
                "ĥ = tanh(·) (kept for backward); h[t] = z ⊙ h[t-1] + (1 − z) ⊙ ĥ");
        });
        w.Line();
        w.Lines("""
            /// <summary>
            /// Back-propagation through time. <paramref name="dh"/> [steps·batch, Units] holds ∂loss/∂output of every
            /// step on entry (and receives the carried gradients); <paramref name="dGates"/> [steps·batch, Width]
            /// receives the pre-activation gradients. Adds to the parameter gradients; writes <paramref name="dx"/>
            /// unless it is empty.
            /// </summary>
            """);
        System.Action? rowJob;
        using (w.Block(Signature("Backward", CellSignature.Backward(cell))))
        {
            BackwardPrologue(w);
            rowJob = BackwardSteps(w, BeforeScratch, "Width", "rows 0…2·Units-1: U_zrᵀ; the rest: U_hᵀ",
                () => w.Line($"var dResetState = {BeforeScratch.Slice("dResetState")};"), () =>
            {
                w.Line("var dz = dGates.Slice(t * batch * Width, batch * Width);");
                PerSample(w,
                    new[]
                    {
                        ("g", "gates.Slice((t * batch + b) * Width, Width)"),
                        ("dg", "dz.Slice(b * Width, Width)"),
                        ("hp", "h.Slice(t * n + b * Units, Units)"),
                        ("dhr", "dh.Slice(t * n + b * Units, Units)"),
                        ("dpr", "dPrev.Slice(b * Units, Units)"),
                    },
                    () => FusedLoop.Emit(w, u, (w2, f) => GruMath.ResetBeforeBackwardOutputRow(w2, f, cell)),
                    "Through h = z·h[t-1] + (1 − z)·ĥ, ĥ's tanh and z's sigmoid.");
                w.Line("// ∂(r ⊙ h[t-1]) = ∂ĥ_pre·U_hᵀ");
                w.Line("Gemm.MultiplyRows(batch, b0, b1, Units, Units, dz.Slice(2 * Units), Width, recurrentT.Slice(2 * Units * Units), Units, dResetState, Units);");
                PerSample(w,
                    new[]
                    {
                        ("g", "gates.Slice((t * batch + b) * Width, Width)"),
                        ("dg", "dz.Slice(b * Width, Width)"),
                        ("hp", "(recurrentMask.IsEmpty ? h : maskedStates).Slice(t * n + b * Units, Units)"),
                        ("drs", "dResetState.Slice(b * Units, Units)"),
                        ("dpr", "dRead.Slice(b * Units, Units)"),
                    },
                    () => FusedLoop.Emit(w, u, (w2, f) => GruMath.ResetBeforeBackwardResetRow(w2, f, cell)),
                    "∂r = ∂(r⊙h)·h[t-1] through σ'; ∂h[t-1] += ∂(r⊙h)·r (h[t-1] as the products read it)");
                w.Line("// dh[t-1] += dZ_zr[t]·U_zrᵀ for these rows");
                w.Line("if (needPrevious) Gemm.MultiplyAddRows(batch, b0, b1, Units, 2 * Units, dz, Width, recurrentT, Units, dRead, Units);");
            }, cell, "dResetState");
            w.Line("// After the loop: dU_zr += h[t-1]ᵀ·dZ_zr, dU_h += (r⊙h[t-1])ᵀ·dZ_h (both from step 1 when h[-1] = 0), dW += xᵀ·dZ, db, dx.");
            FirstProductRow(w);
            RecurrentKernelGradient(w, PreviousStates, "dGates", "0", "2 * Units", "Width", "dRecurrentKernel");
            RecurrentKernelGradient(w, "resetState.Slice(0, rows * Units)", "dGates", "2 * Units", "Units", "Width", "dRecurrentKernel.Slice(2 * Units)");
            w.Line("if (!x.IsEmpty) Gemm.MultiplyAddTransposedA(Inputs, Width, rows, x, Inputs, dGates, Width, dKernel, Width); // else the caller folds dW in");
            BiasGradient(w, cell, "dGates", "dBias.Slice(0, Width)");
            InputGradient(w, "dGates", BeforeScratch);
        }
        rowJob?.Invoke();
    }
}
