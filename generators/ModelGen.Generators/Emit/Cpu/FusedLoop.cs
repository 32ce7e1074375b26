using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// Emits one element-wise loop over a constant count: a vector loop for whole vectors and a scalar loop for the tail
/// (or one overlapped last vector), all with compile-time bounds. The body is written once against
/// <see cref="CpuDialect"/> (through the cell math's vocabulary) and rendered for each flavour.
/// </summary>
internal static class FusedLoop
{
    public const int VectorWidth = 8;

    /// <summary>Writes the loop over <c>j</c> in <c>[0, count)</c>.</summary>
    public static void Emit(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
    {
        int vectorEnd = count / VectorWidth * VectorWidth;
        if (vectorEnd > 0)
        {
            using (w.Block($"for (int j = 0; j < {vectorEnd}; j += {VectorWidth})"))
                body(w, new CpuDialect(VectorWidth));
        }
        if (vectorEnd < count)
        {
            using (w.Block(vectorEnd == 0 ? $"for (int j = 0; j < {count}; j++)" : $"for (int j = {vectorEnd}; j < {count}; j++) // scalar tail"))
                body(w, new CpuDialect(1));
        }
    }

    /// <summary>
    /// Writes the loop over <c>j</c> in <c>[0, count)</c> with no scalar tail when <paramref name="count"/> ≥ 8: whole
    /// vectors up to the last multiple of 8, then one more vector over the last 8 elements, which overlaps the loop's
    /// last vector. That vector's loads are hoisted above the loop, so it computes from the original values even
    /// where the body works in place, and it stores the same values the loop stored for the shared elements.
    /// </summary>
    /// <remarks>
    /// Contract for <paramref name="body"/>: every value it computes must come from its loads, never from a load of an
    /// element it stored earlier in the same body (keep such values in locals). Below 8 elements the loop is scalar.
    /// </remarks>
    public static void EmitOverlapped(CodeWriter w, int count, Action<CodeWriter, CpuDialect> body)
    {
        int vectorEnd = count / VectorWidth * VectorWidth;
        if (vectorEnd == 0 || vectorEnd == count)
        {
            Emit(w, count, body);
            return;
        }
        var preloads = new List<string>();
        var tail = new CodeWriter();
        body(tail, CpuDialect.Tail(VectorWidth, count - VectorWidth, preloads));
        using (w.Block(""))
        {
            w.Line($"// Elements {count - VectorWidth}…{count - 1} as one vector, read before the loop writes any of them.");
            foreach (var line in preloads) w.Line(line);
            using (w.Block($"for (int j = 0; j < {vectorEnd}; j += {VectorWidth})"))
                body(w, new CpuDialect(VectorWidth));
            using (w.Block(""))
                w.Lines(tail.ToString().TrimEnd('\n'));
        }
    }

    /// <summary>Declares <c>ref float name = ref MemoryMarshal.GetReference(span);</c> for each pair.</summary>
    public static void Refs(CodeWriter w, params (string Name, string Span)[] refs)
    {
        foreach (var (name, span) in refs) w.Line($"ref float {name} = ref MemoryMarshal.GetReference({span});");
    }
}
