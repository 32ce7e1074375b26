using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// Emits one element-wise loop over a constant count, the body written once against <see cref="CpuDialect"/> (through
/// the cell math's vocabulary) and rendered at each width the row is wide enough for, widest first, each behind its
/// <c>IsHardwareAccelerated</c> check (which the JIT folds, so one branch is compiled): 512-bit vectors, else 256-bit,
/// else 128-bit (SSE, NEON). Within a width, narrower vectors and then scalars cover what remains (or one overlapped
/// last vector). No branch uses a vector type wider than the CPU runs in hardware. Bounds are compile-time constants;
/// a range one value covers becomes a plain block with constant indices, never a one-iteration loop, except in the
/// cascade of <see cref="Emit"/> (one loop per width sharing <c>j</c>, each width's body written once), where a width's
/// loop may run once.
/// </summary>
/// <remarks>
/// The 128-bit branch is the last, unchecked: every platform .NET 10 runs on accelerates <c>Vector128</c> (SSE4.2 is
/// the x64 baseline, AdvSimd the ARM64 one); only <c>DOTNET_EnableHWIntrinsic=0</c> turns it off, and then the
/// runtime's software <c>Vector128</c> still computes the same values.
/// </remarks>
internal static class FusedLoop
{
    /// <summary>Floats in a 128-bit vector.</summary>
    public const int NarrowWidth = 4;

    /// <summary>Floats in a 256-bit vector.</summary>
    public const int VectorWidth = 8;

    /// <summary>Floats in a 512-bit vector.</summary>
    public const int WideWidth = 16;

    /// <summary>The vector widths, widest first.</summary>
    internal static readonly int[] Widths = { WideWidth, VectorWidth, NarrowWidth };

    /// <summary>The check that selects a width's branch (the narrowest, the last branch, has none).</summary>
    internal static string Accelerated(int lanes) => $"{CpuDialect.TypeOf(lanes)}.IsHardwareAccelerated";

    /// <summary>
    /// Writes the loop over <c>j</c> in <c>[0, count)</c>: whole vectors, then narrower ones, then scalars. Where the row
    /// holds more than one width and is not a whole number of the widest vectors, the widths are one cascade of loops
    /// sharing <c>j</c>, each width's body written once (otherwise one branch per width, each with constant indices):
    /// a width's loop runs only when it is accelerated (the JIT folds the check), and goes up to its last whole vector,
    /// from where the wider loop stopped. That covers the row exactly as the widest accelerated width followed by each
    /// narrower one would (a width's end, <c>count / lanes * lanes</c>, does not depend on where it starts, as every
    /// wider width is a multiple of it), so the values and operations are those of a chain per width.
    /// </summary>
    public static void Emit(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
    {
        var widths = WidthsFor(count);
        if (widths.Length <= 1)
        {
            Chain(w, count, Down(widths.Length == 0 ? 1 : widths[0]), body, freshScope: false);
            return;
        }
        // The cascade only where it writes fewer bodies than a chain per width (a row that is not a whole number of
        // the widest vectors); otherwise each width's branch keeps its constant indices.
        int chained = widths.Sum(lanes => Ranges(count, Down(lanes)).Count);
        int cascaded = widths.Length + (count % widths[widths.Length - 1] == 0 ? 0 : 1);
        if (cascaded < chained) Cascade(w, count, widths, body);
        else Branches(w, widths, lanes => Chain(w, count, Down(lanes), body, freshScope: true));
    }

    /// <summary>
    /// The cascade over <paramref name="widths"/> (widest first, at least two), in a block of its own:
    /// <c>int j = 0;</c>, then per width <c>for (; Vector512.IsHardwareAccelerated &amp;&amp; j &lt; 16; j += 16)</c>,
    /// the narrowest unchecked, then the scalar tail.
    /// </summary>
    private static void Cascade(CodeWriter w, int count, int[] widths, Action<CodeWriter, CpuDialect> body)
    {
        int narrowest = widths[widths.Length - 1];
        CascadeLoops(w, widths, lanes => $"j < {count / lanes * lanes}", count % narrowest == 0 ? null : $"j < {count}", body);
    }

    /// <summary>
    /// The cascade's block: <c>int j = 0;</c>, a loop per width while <paramref name="condition"/> holds (each but the
    /// narrowest behind its <c>IsHardwareAccelerated</c> check), then, when <paramref name="scalarCondition"/> is given,
    /// the scalar tail.
    /// </summary>
    private static void CascadeLoops(CodeWriter w, int[] widths, Func<int, string> condition, string? scalarCondition, Action<CodeWriter, CpuDialect> body)
    {
        using (w.Block(""))
        {
            w.Line("// The widest accelerated vectors first, then each narrower one from where it stopped, then scalars.");
            w.Line("int j = 0;");
            for (int i = 0; i < widths.Length; i++)
            {
                int lanes = widths[i];
                string check = i < widths.Length - 1 ? $"{Accelerated(lanes)} && " : "";
                using (w.Block($"for (; {check}{condition(lanes)}; j += {lanes})"))
                    body(w, new CpuDialect(lanes));
            }
            if (scalarCondition is not null)
                using (w.Block($"for (; {scalarCondition}; j++) // scalar tail"))
                    body(w, new CpuDialect(1));
        }
    }

    /// <summary>
    /// Writes the loop over <c>j</c> in <c>[0, count)</c> for a count known only at run time (a whole <c>[batch, units]</c>
    /// block, whose rows are contiguous): the cascade of <see cref="Emit"/>, each width's loop running while a whole
    /// vector of it is left, then scalars. For element-wise bodies with no notion of rows: a block of short rows
    /// (a SimpleRNN(8)'s 64 rows of 8) goes through the widest vectors instead of one short row at a time.
    /// </summary>
    public static void EmitRuntime(CodeWriter w, string count, Action<CodeWriter, CpuDialect> body)
        => CascadeLoops(w, Widths, lanes => $"j <= {count} - {lanes}", $"j < {count}", body);

    /// <summary>
    /// Writes the loop over <c>j</c> in <c>[0, count)</c> with no scalar tail when <paramref name="count"/> ≥ 4: whole
    /// vectors up to the last multiple of the width, then one more vector over the last elements, which overlaps the
    /// loop's last vector. That vector's loads are hoisted above the loop, so it computes from the original values even
    /// where the body works in place, and it stores the same values the loop stored for the shared elements.
    /// </summary>
    /// <remarks>
    /// Contract for <paramref name="body"/>: every value it computes must come from its loads, never from a load of an
    /// element it stored earlier in the same body (keep such values in locals). Below 4 elements the loop is scalar.
    /// </remarks>
    public static void EmitOverlapped(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
        => EmitOverlappedPasses(w, count, (null, body));

    /// <summary>
    /// Several <see cref="EmitOverlapped"/> loops over the same row, one after another, under one branch per width
    /// (rather than a branch per loop): with more than one pass, each pass's loop in a block of its own, its overlapped
    /// last vector read before that loop writes, after the passes before it have finished. A pass with a comment gets it
    /// as a line above its loop. One pass is <see cref="EmitOverlapped"/>.
    /// </summary>
    /// <remarks>The contract of <see cref="EmitOverlapped"/> holds for each pass's body.</remarks>
    public static void EmitOverlappedPasses(CodeWriter w, int count, params (string? Comment, Action<CodeWriter, CpuDialect> Body)[] passes)
    {
        var widths = WidthsFor(count);
        bool own = passes.Length > 1; // a block per pass, so that each pass's tail preloads have a scope of their own
        void Each(Action<Action<CodeWriter, CpuDialect>> render)
        {
            foreach (var (comment, body) in passes)
            {
                if (comment is not null) w.Line("// " + comment);
                render(body);
            }
        }
        if (widths.Length == 0)
            Each(body => { using (own ? w.Block("") : null) Chain(w, count, Down(1), body, freshScope: own); });
        else if (widths.Length == 1)
            Each(body => { using (w.Block("")) Overlapped(w, count, widths[0], body); });
        else
            Branches(w, widths, lanes => Each(body => { using (own ? w.Block("") : null) Overlapped(w, count, lanes, body); }));
    }

    /// <summary>The vector widths a row of <paramref name="count"/> holds at least one whole vector of, widest first.</summary>
    private static int[] WidthsFor(int count) => Widths.Where(lanes => lanes <= count).ToArray();

    /// <summary><paramref name="lanes"/>, then each narrower vector width, then scalars.</summary>
    private static int[] Down(int lanes) => Widths.Where(l => l <= lanes).Append(1).ToArray();

    /// <summary>
    /// One branch per width, widest first: <c>if (Vector512.IsHardwareAccelerated) … else if (…) … else …</c>, the
    /// last width unchecked. <paramref name="render"/> writes a branch's body into the block opened for it.
    /// </summary>
    internal static void Branches(CodeWriter w, IReadOnlyList<int> widths, Action<int> render)
    {
        for (int i = 0; i < widths.Count; i++)
        {
            string header = i == 0 ? $"if ({Accelerated(widths[i])})"
                : i < widths.Count - 1 ? $"else if ({Accelerated(widths[i])})"
                : "else";
            using (w.Block(header)) render(widths[i]);
        }
    }

    /// <summary>
    /// Covers <c>[0, count)</c> with each width in turn, as far as whole values of it reach. In a fresh scope (a block
    /// of its own with nothing else in it), a single one-value range is written without braces of its own.
    /// </summary>
    private static void Chain(CodeWriter w, int count, int[] widths, Action<CodeWriter, CpuDialect> body, bool freshScope)
    {
        var ranges = Ranges(count, widths);
        foreach (var (from, to, lanes) in ranges)
            Range(w, from, to, lanes, body, tail: from > 0, bare: freshScope && ranges.Count == 1);
    }

    /// <summary>The ranges of <c>[0, count)</c> that each of <paramref name="widths"/> in turn covers with whole values.</summary>
    private static List<(int Start, int End, int Lanes)> Ranges(int count, int[] widths)
    {
        var ranges = new List<(int Start, int End, int Lanes)>();
        int start = 0;
        foreach (int lanes in widths)
        {
            int end = start + (count - start) / lanes * lanes;
            if (end > start) ranges.Add((start, end, lanes));
            start = end;
        }
        return ranges;
    }

    /// <summary><c>[start, end)</c> in values of <paramref name="lanes"/>: a loop, or a block when one value covers it.</summary>
    private static void Range(CodeWriter w, int start, int end, int lanes, Action<CodeWriter, CpuDialect> body, bool tail, bool bare = false)
    {
        string what = lanes == 1 ? (end - start == 1 ? $"element {start}" : $"elements {start}…{end - 1}") : $"elements {start}…{end - 1} as one vector";
        if (end - start == lanes)
        {
            using (bare ? null : w.Block(""))
            {
                w.Line($"// {char.ToUpperInvariant(what[0])}{what.Substring(1)}.");
                body(w, CpuDialect.At(lanes, start));
            }
            return;
        }
        string step = lanes == 1 ? "j++" : $"j += {lanes}";
        using (w.Block($"for (int j = {start}; j < {end}; {step}){(tail && lanes == 1 ? " // scalar tail" : "")}"))
            body(w, new CpuDialect(lanes));
    }

    /// <summary>The overlapped loop, written into the block the caller opened.</summary>
    private static void Overlapped(CodeWriter w, int count, int lanes, Action<CodeWriter, CpuDialect> body)
    {
        int vectorEnd = count / lanes * lanes;
        if (vectorEnd == count)
        {
            Range(w, 0, count, lanes, body, tail: false, bare: true);
            return;
        }
        var preloads = new List<string>();
        var tail = new CodeWriter();
        body(tail, CpuDialect.Tail(lanes, count - lanes, preloads));
        w.Line($"// Elements {count - lanes}…{count - 1} as one vector, read before the loop writes any of them.");
        foreach (var line in preloads) w.Line(line);
        Range(w, 0, vectorEnd, lanes, body, tail: false);
        using (w.Block(""))
            w.Lines(tail.ToString().TrimEnd('\n'));
    }

    /// <summary>Declares <c>ref float name = ref MemoryMarshal.GetReference(span);</c> for each pair.</summary>
    public static void Refs(CodeWriter w, params (string Name, string Span)[] refs)
    {
        foreach (var (name, span) in refs) w.Line($"ref float {name} = ref MemoryMarshal.GetReference({span});");
    }
}
