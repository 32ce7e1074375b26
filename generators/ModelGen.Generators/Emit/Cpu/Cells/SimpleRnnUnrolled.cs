using System;
using System.Linq;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>Small SimpleRNN shapes (8 or 16 units) get a step unrolled into straight-line SIMD code: U's rows stay in
/// registers for the whole sequence (where the register file holds them; an 8-unit U at 128 bits on x64 in two
/// column passes, see Rows), and each sample's row goes from the
/// recurrent product to the store without leaving registers, instead of a GEMM call per step; at 512 bits the
/// activation is applied on the way, at 256 and 128 bits after the sums: trailing them by a few samples where a row is
/// one vector (see Lag), else by a pass over the step's block (see SplitActivation). The same scheme at every width the CPU runs in hardware: where 512-bit vectors run, one
/// vector holds two 8-unit rows or one 16-unit row; at 256 bits an 8-unit row is one vector and a 16-unit row two; at
/// 128 bits (SSE, NEON) two or four. Each sample's sums run in the same order at every width, so every width gives
/// the same bits.
/// </summary>
internal static class SimpleRnnUnrolled
{
    // Vectors of U kept in locals (registers) for the whole sequence; above this U is read from L1 at each use, as the
    // locals would not fit the register file (16 ymm on AVX2, 16 xmm on x64; NEON and AVX-512 have 32).
    private const int MostHoisted = 16;

    // Whether U's u rows of `vectors` vectors each are kept in registers (locals) rather than read from L1 at each use.
    private static bool Hoisted(int u, int vectors) => u * vectors <= MostHoisted;

    public static void Step(CodeWriter w, CellShape cell)
    {
        int u = cell.Units;
        using (w.Block("if (recurrentMask.IsEmpty)"))
        {
            w.Line("ref float uRef = ref MemoryMarshal.GetReference(recurrentKernel.Slice(0, Units * Units));");
            w.Line("// Token rows straight from the projected table (an Embedding folded in), or the projections in h.");
            w.Line("bool fromTable = !tokens.IsEmpty;");
            w.Line("ref int ids = ref MemoryMarshal.GetReference(tokens);");
            w.Line("ref float table0 = ref MemoryMarshal.GetReference(table);");
            FirstStepFromZeros(w, cell);
            FusedLoop.Branches(w, FusedLoop.Widths, lanes =>
            {
                if (lanes > u) Packed(w, cell);
                else Rows(w, cell, lanes);
            });
            w.Line("return;");
        }
    }

    /// <summary>
    /// The attribute that has the JIT compile the Forward holding the unrolled time loop fully optimized at its first
    /// call, once. Under tiering its optimized code was compiled from a synthesized profile (the instrumented copy runs
    /// a call or two, each a whole sequence in one loop that on-stack replacement takes over), and its block layout
    /// varied from process to process: W4's inference on the Zen 3 took 35 µs in some processes and 41 µs in others
    /// (the loop over sample pairs split across distant blocks, with reloads from the stack), 35–36 µs in every process
    /// with the attribute. Other cells keep tiering: forced like this, W1's and W5's steps (a few steps of one cell
    /// per call) were 5 % slower.
    /// </summary>
    public static void FullOptimization(CodeWriter w)
    {
        w.Line("// Compiled fully optimized at its first call, not tiered: the whole sequence runs in one call, tiering's profile of");
        w.Line("// it varied by process, and so did its code and speed (a SimpleRNN(8) over 100 steps of 64 samples: 35 or 41 µs by");
        w.Line("// process on a Zen 3).");
        w.Line("[MethodImpl(MethodImplOptions.AggressiveOptimization)]");
    }

    /// <summary>
    /// From a zero state the first step has no recurrent product (h[-1]·U = 0): h[0] is the activation of its projections
    /// (the table's rows when an Embedding is folded in), done here over the step's block, and the time loop starts at
    /// step 1 (<c>t0</c>). The span activation gives the vector forms' bits (FastMath).
    /// </summary>
    private static void FirstStepFromZeros(CodeWriter w, CellShape cell)
    {
        w.Line("int t0 = 0;");
        using (w.Block("if (zeroInitialState && steps > 0)"))
        {
            w.Line("// h[-1] = 0: h[0] = activation(p), no product.");
            w.Line("var first = h.Slice(n, n);");
            using (w.Block("if (fromTable)"))
            {
                using (w.Block("for (int b = 0; b < batch; b++)"))
                    w.Line("table.Slice(Unsafe.Add(ref ids, b * steps) * Units, Units).CopyTo(first.Slice(b * Units, Units));");
            }
            string activate = ApplyInPlace(cell.Activation, "first");
            if (activate.Length > 0) w.Line(activate);
            w.Line("const int t = 0;");
            CarryMasked(w, cells: false);
            w.Line("t0 = 1;");
        }
    }

    /// <summary>8 units in 512-bit vectors: two samples per vector, U's rows doubled, an odd last sample at 256 bits.</summary>
    private static void Packed(CodeWriter w, CellShape cell)
    {
        int u = cell.Units;
        w.Line("// Two samples per 512-bit vector: row k of U twice, [U_k | U_k], in 8 registers; z = p + h[t-1]·U.");
        for (int k = 0; k < u; k++)
            w.Line($"var w{k} = Vector512.Create(Vector256.LoadUnsafe(ref uRef, {k * u}));");
        TimeLoop(w, () =>
        {
            w.Line("int b = 0;");
            w.Line("// Two vectors per iteration: two independent chains, so the products and the activation's");
            w.Line("// long dependency chain of one overlap with the other's.");
            for (int count = 2; count >= 1; count--)
            {
                int samples = count * 2;
                using (w.Block(count == 2 ? $"for (; b + {samples} <= batch; b += {samples})" : $"if (b + {samples} <= batch)"))
                {
                    for (int v = 0; v < count; v++)
                    {
                        w.Line($"nuint row{v} = {Row(v * 16)};");
                        w.Line($"var hp{v} = Vector512.LoadUnsafe(ref prev, row{v}); // [h_b | h_b+1]");
                        // The upper row goes in straight from memory (ToVector512Unsafe costs nothing); Vector512.Create of two
                        // loaded halves took two inserts and a stack round trip per vector.
                        string fromTable = $"Vector256.LoadUnsafe(ref table0, {TableRow(2 * v)}).ToVector512Unsafe().WithUpper(Vector256.LoadUnsafe(ref table0, {TableRow(2 * v + 1)}))";
                        w.Line($"var z{v} = fromTable ? {fromTable} : Vector512.LoadUnsafe(ref cur, row{v});");
                    }
                    for (int k = 0; k < u; k++)
                        for (int v = 0; v < count; v++)
                            Accumulate(w, 16, k, v, $"Vector512.Shuffle(hp{v}, Vector512.Create({string.Join(", ", Enumerable.Repeat(k, 8).Concat(Enumerable.Repeat(k + 8, 8)))}))", $"w{k}");
                    for (int v = 0; v < count; v++)
                        w.Line($"{new CpuDialect(16).Activate(cell.Activation, $"z{v} + y{v}")}.StoreUnsafe(ref cur, row{v});");
                    if (count == 1) w.Line($"b += {samples};");
                }
            }
            using (w.Block("if (b < batch)"))
            {
                w.Line("// An odd last sample: one 256-bit row.");
                Samples(w, cell, 8, 1, (k, _) => $"w{k}.GetLower()");
            }
        });
    }

    /// <summary>
    /// Rows of whole vectors of <paramref name="lanes"/> floats: an 8-unit row in one 256-bit vector, two samples per
    /// iteration for two independent chains; wider rows (several vectors each) one sample per iteration.
    /// </summary>
    private static void Rows(CodeWriter w, CellShape cell, int lanes)
    {
        if (Trailing(cell, lanes))
        {
            TrailingSteps(w, cell, lanes);
            return;
        }
        int u = cell.Units, vectors = u / lanes;
        // 8 units at 128 bits: U is 16 vectors. NEON's 32 registers hold them beside the sums; x64's 16 (SSE, AVX at
        // 128 bits) do not, and how the JIT then spilled them decided the speed: tiered, 13 of U's 16 vectors stayed in registers
        // (W4's inference 61 µs on a Zen 3 at 128 bits with FMA); compiled at full optimization, all 13 were reloaded from
        // the stack for every sample (72 µs); read from L1 at each use, the products are bound by loads (67 µs). So on x64 each step
        // runs in column passes, each with its 8 vectors of U in registers.
        if (lanes == FusedLoop.NarrowWidth && vectors > 1 && Hoisted(u, vectors))
        {
            using (w.Block("if (global::System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported)"))
                WholeRows(w, cell, lanes);
            using (w.Block("else"))
                ColumnPasses(w, cell, lanes);
        }
        else WholeRows(w, cell, lanes);
    }

    // At 256 and 128 bits the step's sums and its activation are two passes: each sample's sum is stored, then the
    // activation runs over the step's whole block [batch, Units] at once. In one pass each sample's work was a chain
    // (products, then the activation) about as long in cycles as the instructions it issues, so the out-of-order
    // window held only a few samples' chains; split, every chain is short and the activations are independent
    // (W4's inference on a Zen 3: 23 % faster at 256 bits). The 512-bit rows keep the one pass (no AVX-512 machine
    // measured the split).
    private static bool SplitActivation(CellShape cell, int lanes) => lanes < FusedLoop.WideWidth && cell.Activation != Activation.Linear;

    // Where a row is one vector (8 units at 256 bits, 4 at 128) the activation trails the sums instead (see Lag).
    private static bool Trailing(CellShape cell, int lanes) => SplitActivation(cell, lanes) && cell.Units == lanes;

    // How many samples the activation trails the sums by (Trailing): each iteration of the pair loop stores its two
    // samples' sums, then activates the two stored Lag samples before; the last ones are activated after the loop. The
    // sums (multiply-adds, broadcasts) and the activation (multiply-adds, a division, min/max) then issue side by side,
    // where in separate passes each ran alone at its own bottleneck. In a copy of W4's loop at 256 bits on the Zen 5
    // (AVX-512 off, 16 registers; 2026-12-04): 24.6 µs in two passes; trailing by 2, 4, 8, 12, 16, 32 samples 22.5,
    // 21.5, 20.7, 20.5, 20.6, 21.8 µs. The previous pair's sums kept in registers instead spilled U (28–48 µs).
    // Generated (Pairs8 and Last8 against the two passes, W4's inference, fresh pairs of processes): 22.3–23.1 µs
    // against 23.6–24.5 in 18 pairs, a lag of 4 samples 22.7–23.5; but 7–10 % slower in 4 pairs taken while the host
    // was in a slow state that made both 30–50 % slower, as if the core's out-of-order window were smaller.
    private const int Lag = 12;

    private static string PairsName(int lanes) => $"Pairs{lanes}";

    private static string LastName(int lanes) => $"Last{lanes}";

    /// <summary>
    /// Forward's time loop where the activation trails the sums (<see cref="Trailing"/>): the steps up to the next
    /// underflow flush, or one step under a mask, in one call of the pairs' method and, for an odd batch, one of the
    /// last sample's (<see cref="StepMethods"/>); the last of those steps then ends as every step does.
    /// </summary>
    private static void TrailingSteps(CodeWriter w, CellShape cell, int lanes)
    {
        w.Line($"// {CpuDialect.TypeOf(lanes)}: a row is one vector; the steps up to the next flush (one under a mask) in {PairsName(lanes)} and {LastName(lanes)}, loops without calls.");
        using (w.Block("for (int t = t0; t < steps; t++)"))
        {
            w.Line($"int t1 = mask.IsEmpty ? Math.Min(steps, (t / {FlushInterval} + 1) * {FlushInterval}) : t + 1;");
            string args = "(t, t1, steps, batch, h, ref uRef, fromTable, ref ids, ref table0);";
            w.Line($"{PairsName(lanes)}{args}");
            w.Line($"if ((batch & 1) != 0) {LastName(lanes)}{args}");
            w.Line("t = t1 - 1;");
            ForwardStepEnd(w, cells: false);
        }
    }

    /// <summary>
    /// The trailing steps' methods (<see cref="TrailingSteps"/>), each running steps [t, t1) in a loop without a call:
    /// on x64 Linux no vector register survives a call, and with the mask carry and the flush called in the loop the JIT
    /// broadcast the activation's coefficients and spilled them at every vector. The pairs of samples in one, an odd
    /// last sample in the other: its code inside the pairs' loop (as the other widths have it) changed how the JIT
    /// allocated the pairs' registers, and a copy of W4's loop ran 22.9–24.8 µs with it against 21.1–21.4 without.
    /// </summary>
    public static void StepMethods(CodeWriter w, CellShape cell)
    {
        foreach (int lanes in FusedLoop.Widths)
        {
            if (!Trailing(cell, lanes)) continue;
            string name = CpuCellEmitter.Name(cell.Activation);
            StepMethod(w, cell, lanes, PairsName(lanes), "int n = batch * Units;", () =>
            {
                w.Line("int b = 0;");
                w.Line($"// Two samples per iteration: two independent chains of products; from sample {Lag} on, the two rows {Lag} samples back activated.");
                using (w.Block("for (; b + 2 <= batch; b += 2)"))
                {
                    Samples(w, cell, lanes, 2, (k, _) => $"w{k}", activate: false);
                    using (w.Block($"if (b >= {Lag})"))
                    {
                        for (int s = 0; s < 2; s++)
                            ActivateInPlace(w, cell, lanes, "cur", $"row{s} - {Lag * cell.Units}");
                    }
                }
                w.Line($"// h[t] = {name}(z) for the pairs' last {Lag} samples.");
                using (w.Block($"for (int j = b > {Lag} ? (b - {Lag}) * Units : 0; j < b * Units; j += {lanes})"))
                    ActivateInPlace(w, cell, lanes, "cur", "(nuint)j");
            },
                $"Steps [t, t1) of Forward's unrolled loop at {lanes * 32} bits for the pairs of samples: h[t+1] = {name}(p + h[t]·U) with U at uRef and p",
                "the table's rows of the step (fromTable: tokens at ids, [batch, steps]) or already in h[t+1]. No mask, no flush.");
            StepMethod(w, cell, lanes, LastName(lanes), "int n = batch * Units, b = batch - 1;",
                () => Samples(w, cell, lanes, 1, (k, _) => $"w{k}", activate: true),
                "Steps [t, t1) of the same loop for an odd batch's last sample, activated on the way.");
        }
    }

    // One of StepMethods' methods: the comment lines, then the steps [t, t1) with U's rows hoisted, each step's rows
    // (StepRows) and then `step`'s samples.
    private static void StepMethod(CodeWriter w, CellShape cell, int lanes, string methodName, string sizes, System.Action step, params string[] comments)
    {
        w.Line();
        foreach (var comment in comments) w.Line("// " + comment);
        w.Line("[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]");
        using (w.Block($"private static void {methodName}(int t, int t1, int steps, int batch, Span<float> h, ref float uRef, bool fromTable, ref int ids, ref float table0)"))
        {
            w.Line(sizes);
            HoistU(w, cell, lanes);
            using (w.Block("for (; t < t1; t++)"))
            {
                StepRows(w);
                step();
            }
        }
    }

    // U's rows as locals w0… (u{k}_{v} where a row is several vectors), loaded once for the loop that follows.
    private static void HoistU(CodeWriter w, CellShape cell, int lanes)
    {
        int u = cell.Units, vectors = u / lanes;
        string type = CpuDialect.TypeOf(lanes);
        for (int k = 0; k < u; k++)
            w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v => $"var {UName(k, v, vectors)} = {type}.LoadUnsafe(ref uRef, {k * u + v * lanes});")));
    }

    // h[t-1] and h[t] of step t as prev and cur.
    private static void StepRows(CodeWriter w)
    {
        w.Line("ref float prev = ref MemoryMarshal.GetReference(h.Slice(t * n, n));");
        w.Line("ref float cur = ref MemoryMarshal.GetReference(h.Slice((t + 1) * n, n));");
    }

    // activation(row) stored in place: the vector of `lanes` floats at `reference` + `offset`.
    private static void ActivateInPlace(CodeWriter w, CellShape cell, int lanes, string reference, string offset)
        => w.Line($"{new CpuDialect(lanes).Activate(cell.Activation, $"{CpuDialect.TypeOf(lanes)}.LoadUnsafe(ref {reference}, {offset})")}.StoreUnsafe(ref {reference}, {offset});");

    /// <summary>Each sample's whole row per iteration, U hoisted into registers where it fits (<see cref="MostHoisted"/>).</summary>
    private static void WholeRows(CodeWriter w, CellShape cell, int lanes)
    {
        int u = cell.Units, vectors = u / lanes;
        string type = CpuDialect.TypeOf(lanes);
        bool hoisted = Hoisted(u, vectors);
        bool split = SplitActivation(cell, lanes);
        Func<int, int, string> uRow;
        if (hoisted)
        {
            w.Line($"// {type}: a row is {Words(vectors)}; U's {u}×{u} values in {u * vectors} registers; z = p + h[t-1]·U.");
            HoistU(w, cell, lanes);
            uRow = (k, v) => UName(k, v, vectors);
        }
        else
        {
            w.Line($"// {type}: a row is {Words(vectors)}; U ({u * vectors} vectors, more than the registers) is read from L1 at each use.");
            uRow = (k, v) => $"{type}.LoadUnsafe(ref uRef, {k * u + v * lanes})";
        }
        TimeLoop(w, () =>
        {
            if (vectors > 1)
            {
                using (w.Block("for (int b = 0; b < batch; b++)"))
                    Samples(w, cell, lanes, 1, uRow, activate: !split);
            }
            else PairsThenOdd(w, cell, lanes, uRow, !split, null);
            if (split) ActivationPass(w, cell, lanes);
        });
    }

    /// <summary>
    /// One pass per vector column of the rows (units 0–3, then 4–7 at 128 bits): U's vectors of that column, one per k,
    /// loaded at the pass's start (inside the time loop, so only one column's are live), then two samples per iteration.
    /// The same sums in the same order as a whole row's, so the same bits.
    /// </summary>
    private static void ColumnPasses(CodeWriter w, CellShape cell, int lanes)
    {
        int u = cell.Units, vectors = u / lanes;
        string type = CpuDialect.TypeOf(lanes);
        bool split = SplitActivation(cell, lanes);
        w.Line($"// {type} on x64 (16 vector registers; an AVX-512 CPU held to 128 bits has 32 but takes this path too): a row is {Words(vectors)};");
        w.Line($"// each step in {vectors} column passes, a column's {u} vectors of U in registers.");
        TimeLoop(w, () =>
        {
            for (int v = 0; v < vectors; v++)
            {
                using (w.Block(""))
                {
                    w.Line($"// Units {v * lanes}–{v * lanes + lanes - 1} of every sample.");
                    for (int k = 0; k < u; k++)
                        w.Line($"var w{k} = {type}.LoadUnsafe(ref uRef, {k * u + v * lanes});");
                    PairsThenOdd(w, cell, lanes, (k, _) => $"w{k}", !split, new[] { v });
                }
            }
            if (split) ActivationPass(w, cell, lanes);
        });
    }

    /// <summary>Two samples per iteration (two independent chains of products), then an odd last sample.</summary>
    private static void PairsThenOdd(CodeWriter w, CellShape cell, int lanes, Func<int, int, string> uRow, bool activate, int[]? columns)
    {
        w.Line("int b = 0;");
        w.Line("// Two samples per iteration: two independent chains of products.");
        using (w.Block("for (; b + 2 <= batch; b += 2)"))
            Samples(w, cell, lanes, 2, uRow, activate, columns);
        using (w.Block("if (b < batch)"))
            Samples(w, cell, lanes, 1, uRow, activate, columns);
    }

    private static void ActivationPass(CodeWriter w, CellShape cell, int lanes)
    {
        w.Line($"// h[t] = {CpuCellEmitter.Name(cell.Activation)}(z) over the step's whole block, each vector independent of the others.");
        w.Line($"ActivateStep{lanes}(ref cur, n);");
    }

    /// <summary>
    /// The step's activation pass at 256 and 128 bits, a method of its own: inside the time loop its constants (the
    /// activation's coefficients) competed with U and the sums for registers, and where the JIT reloaded them at every
    /// vector W4's inference was 10 % slower at 128 bits on a Zen 3; alone, they stay in registers. Not the runtime's
    /// FastMath span kernels (CpuCellParts.ApplyInPlace, as the GEMM path's step calls), whose loop over any length,
    /// its tail and its width checks, measured 10–12 % slower at 128 bits. One per width that splits (<see cref="SplitActivation"/>):
    /// none for a linear cell.
    /// </summary>
    public static void ActivationMethods(CodeWriter w, CellShape cell)
    {
        foreach (int lanes in FusedLoop.Widths)
        {
            if (!SplitActivation(cell, lanes) || Trailing(cell, lanes)) continue;
            w.Line();
            w.Line($"// {CpuCellEmitter.Name(cell.Activation)} in place over z[0, n), n a multiple of {lanes}: the unrolled step's activation pass at {lanes * 32} bits.");
            w.Line("[MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]");
            using (w.Block($"private static void ActivateStep{lanes}(ref float z, int n)"))
            {
                using (w.Block($"for (int j = 0; j < n; j += {lanes})"))
                    ActivateInPlace(w, cell, lanes, "z", "(nuint)j");
            }
        }
    }

    /// <summary>The time loop from <c>t0</c>: h[t-1] and h[t] of the step, the body, masked samples carried.</summary>
    private static void TimeLoop(CodeWriter w, Action body)
    {
        using (w.Block("for (int t = t0; t < steps; t++)"))
        {
            StepRows(w);
            body();
            ForwardStepEnd(w, cells: false);
        }
    }

    /// <summary>
    /// <paramref name="samples"/> samples from <c>b</c>, each row in vectors of <paramref name="lanes"/>: z = p + h[t-1]·U,
    /// activated (unless <paramref name="activate"/> is false: then z is stored, for a pass over the step's block to
    /// activate) and stored. <paramref name="uRow"/> names vector v of U's row k.
    /// </summary>
    private static void Samples(CodeWriter w, CellShape cell, int lanes, int samples, Func<int, int, string> uRow, bool activate = true, int[]? columns = null)
    {
        int u = cell.Units;
        string type = CpuDialect.TypeOf(lanes);
        columns ??= Enumerable.Range(0, u / lanes).ToArray();
        int c = columns.Length;
        string Column(int v) => v == 0 ? "" : $" + {v * lanes}";
        for (int s = 0; s < samples; s++)
        {
            w.Line($"ref float hp{s} = ref Unsafe.Add(ref prev, {(s == 0 ? "b * Units" : $"(b + {s}) * Units")});");
            w.Line($"nuint row{s} = {Row(s * u)};");
            for (int i = 0; i < c; i++)
            {
                string fromTable = $"{type}.LoadUnsafe(ref table0, {TableRow(s)}{Column(columns[i])})";
                w.Line($"var z{s * c + i} = fromTable ? {fromTable} : {type}.LoadUnsafe(ref cur, row{s}{Column(columns[i])});");
            }
        }
        if (samples * c > 1) w.Line("// Two accumulation chains per vector (even and odd k), so consecutive FMAs do not wait on each other.");
        for (int k = 0; k < u; k++)
        {
            for (int s = 0; s < samples; s++)
            {
                string hk = $"{type}.Create(Unsafe.Add(ref hp{s}, {k}))";
                if (c > 1)
                {
                    w.Line($"var h{s}_{k} = {hk};");
                    hk = $"h{s}_{k}";
                }
                for (int i = 0; i < c; i++)
                    Accumulate(w, lanes, k, s * c + i, hk, uRow(k, columns[i]));
            }
        }
        var dialect = new CpuDialect(lanes);
        for (int s = 0; s < samples; s++)
            for (int i = 0; i < c; i++)
            {
                string z = $"z{s * c + i} + y{s * c + i}";
                string activated = activate ? dialect.Activate(cell.Activation, z) : $"({z})";
                w.Line($"{activated}.StoreUnsafe(ref cur, row{s}{Column(columns[i])});");
            }
    }

    /// <summary>
    /// Term k of vector q's sum: even k into <c>z{q}</c>, odd k into <c>y{q}</c> (started at k = 1). The 128-bit form
    /// multiplies and adds with MultiplyAddEstimate: fused wherever the CPU has FMA (every ARM64), so the same bits as the
    /// wider forms, and not emulated in software on x64 without FMA (the 128-bit path there).
    /// </summary>
    private static void Accumulate(CodeWriter w, int lanes, int k, int q, string hk, string uk)
        => w.Line(k == 1 ? $"var y{q} = {hk} * {uk};"
            : $"{(k % 2 == 0 ? "z" : "y")}{q} = {CpuDialect.TypeOf(lanes)}.{(lanes == FusedLoop.NarrowWidth ? "MultiplyAddEstimate" : "FusedMultiplyAdd")}({hk}, {uk}, {(k % 2 == 0 ? "z" : "y")}{q});");

    // Sample offset's row in h: b · Units (+ offset).
    private static string Row(int offset) => offset == 0 ? "(nuint)(b * Units)" : $"(nuint)(b * Units + {offset})";

    // Sample s's row of the table at step t: tokens[b + s, t] · Units.
    private static string TableRow(int sample) => $"(nuint)(Unsafe.Add(ref ids, {(sample == 0 ? "b" : $"(b + {sample})")} * steps + t) * Units)";

    private static string UName(int k, int v, int vectors) => vectors == 1 ? $"w{k}" : $"u{k}_{v}";

    private static string Words(int vectors) => vectors == 1 ? "one vector" : $"{vectors} vectors";
}
