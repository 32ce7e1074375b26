using System;
using System.Collections.Generic;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// Emits one element-wise loop over a constant count twice: a <c>Vector256&lt;float&gt;</c> loop for whole
/// vectors and a scalar loop for the tail, both with compile-time bounds. The body is written once against
/// <see cref="Flavor"/>: the same C# operators work on <c>float</c> and <c>Vector256&lt;float&gt;</c>, so only
/// loads, stores and constants differ.
/// </summary>
internal static class FusedLoop
{
    public const int VectorWidth = 8;

    /// <summary>Loads, stores and constants for one flavour of the loop.</summary>
    internal sealed class Flavor(bool vector)
    {
        public bool IsVector { get; } = vector;

        /// <summary>Reads element <c>j + offset</c> of <paramref name="reference"/>.</summary>
        public string Load(string reference, int offset = 0)
            => IsVector ? $"Vector256.LoadUnsafe(ref {reference}, (nuint)({Index(offset)}))" : $"Unsafe.Add(ref {reference}, {Index(offset)})";

        /// <summary>A statement writing <paramref name="value"/> to element <c>j + offset</c>.</summary>
        public string Store(string reference, int offset, string value)
            => IsVector ? $"({value}).StoreUnsafe(ref {reference}, (nuint)({Index(offset)}));" : $"Unsafe.Add(ref {reference}, {Index(offset)}) = {value};";

        /// <summary>The constant 1 in this flavour.</summary>
        public string One => IsVector ? "Vector256<float>.One" : "1f";

        /// <summary>The constant 0 in this flavour.</summary>
        public string Zero => IsVector ? "Vector256<float>.Zero" : "0f";

        /// <summary><c>condition ? a : b</c> element-wise where condition is <c>x &gt; 0</c>.</summary>
        public string IfPositive(string x, string then, string otherwise)
            => IsVector ? $"Vector256.ConditionalSelect(Vector256.GreaterThan({x}, Vector256<float>.Zero), {then}, {otherwise})" : $"({x} > 0f ? {then} : {otherwise})";

        private static string Index(int offset) => offset == 0 ? "j" : $"j + {offset}";
    }

    /// <summary>Writes the loop over <c>j</c> in <c>[0, count)</c>.</summary>
    public static void Emit(CodeWriter w, int count, Action<CodeWriter, Flavor> body)
    {
        int vectorEnd = count / VectorWidth * VectorWidth;
        if (vectorEnd > 0)
        {
            using (w.Block($"for (int j = 0; j < {vectorEnd}; j += {VectorWidth})"))
                body(w, new Flavor(vector: true));
        }
        if (vectorEnd < count)
        {
            using (w.Block(vectorEnd == 0 ? $"for (int j = 0; j < {count}; j++)" : $"for (int j = {vectorEnd}; j < {count}; j++) // scalar tail"))
                body(w, new Flavor(vector: false));
        }
    }

    /// <summary>Declares <c>ref float name = ref MemoryMarshal.GetReference(span);</c> for each pair.</summary>
    public static void Refs(CodeWriter w, params (string Name, string Span)[] refs)
    {
        foreach (var (name, span) in refs) w.Line($"ref float {name} = ref MemoryMarshal.GetReference({span});");
    }
}
