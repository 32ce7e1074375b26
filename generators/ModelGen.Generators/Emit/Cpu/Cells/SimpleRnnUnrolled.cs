using System;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellEmitter;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>Small SimpleRNN shapes (8 or 16 units) get a step unrolled into straight-line SIMD code: U's rows stay in
/// registers for the whole sequence, and each sample's row goes from the recurrent product through the
/// activation to the store without leaving registers, instead of a GEMM call and an activation pass per step.
/// Where 512-bit vectors run in hardware, one vector holds two 8-unit rows or one 16-unit row.
/// </summary>
internal static class SimpleRnnUnrolled
{
    // The activation of a whole row in registers, at each width (the dialect's own rendering).
    private static readonly CpuDialect Wide = new(FusedLoop.WideWidth), Narrow = new(FusedLoop.VectorWidth);

    public static void Step(CodeWriter w, CellShape cell)
    {
        int u = cell.Units, vectors = u / FusedLoop.VectorWidth;
        using (w.Block("if (recurrentMask.IsEmpty)"))
        {
            w.Line("ref float uRef = ref MemoryMarshal.GetReference(recurrentKernel.Slice(0, Units * Units));");
            using (w.Block("if (Vector512.IsHardwareAccelerated)"))
            {
                if (u == 8)
                {
                    w.Line("// Two samples per 512-bit vector: row k of U twice, [U_k | U_k], in 8 registers; z = p + h[t-1]·U.");
                    for (int k = 0; k < u; k++)
                        w.Line($"var w{k} = Vector512.Create(Vector256.LoadUnsafe(ref uRef, {k * u}));");
                }
                else
                {
                    w.Line("// One sample per 512-bit vector: U's 16 rows in 16 registers; z = p + h[t-1]·U.");
                    for (int k = 0; k < u; k++)
                        w.Line($"var w{k} = Vector512.LoadUnsafe(ref uRef, {k * u});");
                }
                w.Line("// Token rows straight from the projected table (an Embedding folded in), or the projections in h.");
                w.Line("bool fromTable = !tokens.IsEmpty;");
                w.Line("ref int ids = ref MemoryMarshal.GetReference(tokens);");
                w.Line("ref float table0 = ref MemoryMarshal.GetReference(table);");
                using (w.Block("for (int t = 0; t < steps; t++)"))
                {
                    w.Line("ref float prev = ref MemoryMarshal.GetReference(h.Slice(t * n, n));");
                    w.Line("ref float cur = ref MemoryMarshal.GetReference(h.Slice((t + 1) * n, n));");
                    w.Line("int b = 0;");
                    int perVector = 16 / u;
                    w.Line("// Two vectors per iteration: two independent chains, so the products and the activation's");
                    w.Line("// long dependency chain of one overlap with the other's.");
                    foreach (int count in new[] { 2, 1 })
                    {
                        int samples = count * perVector;
                        using (w.Block(count == 2 ? $"for (; b + {samples} <= batch; b += {samples})" : $"if (b + {samples} <= batch)"))
                        {
                            for (int v = 0; v < count; v++)
                            {
                                string row = v == 0 ? "(nuint)(b * Units)" : $"(nuint)(b * Units + {v * 16})";
                                w.Line($"nuint row{v} = {row};");
                                if (u == 8) w.Line($"var hp{v} = Vector512.LoadUnsafe(ref prev, row{v}); // [h_b | h_b+1]");
                                else w.Line($"ref float hp{v} = ref Unsafe.Add(ref prev, b * Units + {v * 16});");
                                // Sample s's row of the table at step t: tokens[s, t] · Units.
                                string TableRow(int sample) => $"(nuint)(Unsafe.Add(ref ids, {(sample == 0 ? "b" : $"(b + {sample})")} * steps + t) * Units)";
                                int first = v * perVector;
                                string fromTable = u == 8
                                    ? $"Vector512.Create(Vector256.LoadUnsafe(ref table0, {TableRow(first)}), Vector256.LoadUnsafe(ref table0, {TableRow(first + 1)}))"
                                    : $"Vector512.LoadUnsafe(ref table0, {TableRow(first)})";
                                w.Line($"var z{v} = fromTable ? {fromTable} : Vector512.LoadUnsafe(ref cur, row{v});");
                            }
                            for (int k = 0; k < u; k++)
                            {
                                for (int v = 0; v < count; v++)
                                {
                                    string hk = u == 8
                                        ? $"Vector512.Shuffle(hp{v}, Vector512.Create({k}, {k}, {k}, {k}, {k}, {k}, {k}, {k}, {k + 8}, {k + 8}, {k + 8}, {k + 8}, {k + 8}, {k + 8}, {k + 8}, {k + 8}))"
                                        : $"Vector512.Create(Unsafe.Add(ref hp{v}, {k}))";
                                    w.Line(k == 1 ? $"var y{v} = {hk} * w1;"
                                        : $"{(k % 2 == 0 ? "z" : "y")}{v} = Vector512.FusedMultiplyAdd({hk}, w{k}, {(k % 2 == 0 ? "z" : "y")}{v});");
                                }
                            }
                            for (int v = 0; v < count; v++)
                                w.Line($"{Wide.Activate(cell.Activation, $"z{v} + y{v}")}.StoreUnsafe(ref cur, row{v});");
                            if (count == 1) w.Line($"b += {samples};");
                        }
                    }
                    if (u == 8)
                    {
                        using (w.Block("if (b < batch)"))
                        {
                            w.Line("// An odd last sample: one 256-bit row.");
                            SimpleRnnRow256(w, cell, k => $"w{k}.GetLower()", mayReadTable: true);
                        }
                    }
                    CarryMasked(w, cells: false);
                }
                w.Line("return;");
            }
            w.Line($"// 256-bit vectors: U's {u}×{u} values live in {u * vectors} registers; z = p + h[t-1]·U per sample row.");
            for (int k = 0; k < u; k++)
                w.Line(string.Join(" ", Enumerable.Range(0, vectors).Select(v =>
                    $"var u{k}_{v} = Vector256.LoadUnsafe(ref uRef, {k * u + v * FusedLoop.VectorWidth});")));
            using (w.Block("for (int t = 0; t < steps; t++)"))
            {
                w.Line("ref float prev = ref MemoryMarshal.GetReference(h.Slice(t * n, n));");
                w.Line("ref float cur = ref MemoryMarshal.GetReference(h.Slice((t + 1) * n, n));");
                using (w.Block("for (int b = 0; b < batch; b++)"))
                    SimpleRnnRow256(w, cell, k => vectors == 1 ? $"u{k}_0" : null);
                CarryMasked(w, cells: false);
            }
            w.Line("return;");
        }
    }

    /// <summary>
    /// One sample's row in 256-bit vectors: z = p + h[t-1]·U, activated and stored. <paramref name="uRow"/> names row
    /// k of U as one vector (8 units), or returns null to use the registers <c>u{k}_{v}</c>.
    /// </summary>
    private static void SimpleRnnRow256(CodeWriter w, CellShape cell, Func<int, string?> uRow, bool mayReadTable = false)
    {
        int u = cell.Units, vectors = u / FusedLoop.VectorWidth;
        string U(int k, int v) => uRow(k) ?? $"u{k}_{v}";
        string Offset(int v) => v == 0 ? "row" : $"row + {v * FusedLoop.VectorWidth}";
        w.Line("ref float hp = ref Unsafe.Add(ref prev, b * Units);");
        w.Line("nuint row = (nuint)(b * Units);");
        w.Line("// Two accumulation chains per vector (even and odd k), so consecutive FMAs do not wait on each other.");
        for (int v = 0; v < vectors; v++)
        {
            string load = $"Vector256.LoadUnsafe(ref cur, {Offset(v)})";
            if (mayReadTable)
            {
                string column = v == 0 ? "" : $" + {v * FusedLoop.VectorWidth}";
                load = $"fromTable ? Vector256.LoadUnsafe(ref table0, (nuint)(Unsafe.Add(ref ids, b * steps + t) * Units{column})) : {load}";
            }
            w.Line($"var z{v} = {load};");
        }
        for (int k = 0; k < u; k++)
        {
            w.Line($"var h{k} = Vector256.Create(Unsafe.Add(ref hp, {k}));");
            for (int v = 0; v < vectors; v++)
                w.Line(k == 1 ? $"var y{v} = h1 * {U(1, v)};"
                    : $"{(k % 2 == 0 ? "z" : "y")}{v} = Vector256.FusedMultiplyAdd(h{k}, {U(k, v)}, {(k % 2 == 0 ? "z" : "y")}{v});");
        }
        for (int v = 0; v < vectors; v++)
            w.Line($"{Narrow.Activate(cell.Activation, $"z{v} + y{v}")}.StoreUnsafe(ref cur, {Offset(v)});");
    }
}
