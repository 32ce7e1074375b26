using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// Emits one element-wise loop over a constant count, the body written once against <see cref="CpuDialect"/> (through
/// the cell math's vocabulary) and rendered at each width: 512-bit vectors where the CPU runs them in hardware
/// (a branch on <c>Vector512.IsHardwareAccelerated</c>, which the JIT folds to one side), 256-bit vectors otherwise,
/// then scalars for what remains (or one overlapped last vector). Bounds are compile-time constants; a range one
/// value covers becomes a plain block with constant indices, never a one-iteration loop.
/// </summary>
internal static class FusedLoop
{
    /// <summary>Floats in a 256-bit vector.</summary>
    public const int VectorWidth = 8;

    /// <summary>Floats in a 512-bit vector.</summary>
    public const int WideWidth = 16;

    private static readonly int[] Narrow = { VectorWidth, 1 };
    private static readonly int[] Wide = { WideWidth, VectorWidth, 1 };

    /// <summary>Writes the loop over <c>j</c> in <c>[0, count)</c>: whole vectors, then narrower ones, then scalars.</summary>
    public static void Emit(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
    {
        if (count < WideWidth)
        {
            Chain(w, count, Narrow, body, freshScope: false);
            return;
        }
        using (w.Block("if (Vector512.IsHardwareAccelerated)"))
            Chain(w, count, Wide, body, freshScope: true);
        using (w.Block("else"))
            Chain(w, count, Narrow, body, freshScope: true);
    }

    /// <summary>
    /// Writes the loop over <c>j</c> in <c>[0, count)</c> with no scalar tail when <paramref name="count"/> ≥ 8: whole
    /// vectors up to the last multiple of the width, then one more vector over the last elements, which overlaps the
    /// loop's last vector. That vector's loads are hoisted above the loop, so it computes from the original values even
    /// where the body works in place, and it stores the same values the loop stored for the shared elements.
    /// </summary>
    /// <remarks>
    /// Contract for <paramref name="body"/>: every value it computes must come from its loads, never from a load of an
    /// element it stored earlier in the same body (keep such values in locals). Below 8 elements the loop is scalar.
    /// </remarks>
    public static void EmitOverlapped(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
    {
        if (count < VectorWidth || count < WideWidth && count % VectorWidth == 0)
        {
            Chain(w, count, Narrow, body, freshScope: false);
            return;
        }
        if (count < WideWidth)
        {
            using (w.Block("")) Overlapped(w, count, VectorWidth, body);
            return;
        }
        using (w.Block("if (Vector512.IsHardwareAccelerated)"))
            Overlapped(w, count, WideWidth, body);
        using (w.Block("else"))
            Overlapped(w, count, VectorWidth, body);
    }

    /// <summary>
    /// Covers <c>[0, count)</c> with each width in turn, as far as whole values of it reach. In a fresh scope (a block
    /// of its own with nothing else in it), a single one-value range is written without braces of its own.
    /// </summary>
    private static void Chain(CodeWriter w, int count, int[] widths, Action<CodeWriter, CpuDialect> body, bool freshScope)
    {
        var ranges = new List<(int Start, int End, int Lanes)>();
        int start = 0;
        foreach (int lanes in widths)
        {
            int end = start + (count - start) / lanes * lanes;
            if (end > start) ranges.Add((start, end, lanes));
            start = end;
        }
        foreach (var (from, to, lanes) in ranges)
            Range(w, from, to, lanes, body, tail: from > 0, bare: freshScope && ranges.Count == 1);
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
