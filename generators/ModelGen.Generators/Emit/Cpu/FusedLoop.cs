using System;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// Emits one element-wise loop over a constant count as <c>Vector256&lt;float&gt;</c> code: a loop over whole
/// vectors, then, when the count is not a multiple of 8, the same body once more on a partial vector read and
/// written with masked moves (<c>VectorTail</c>). The body is written once against <see cref="Flavor"/>, which
/// only changes how elements are loaded and stored, so the tail runs the same SIMD arithmetic (and the same
/// vector activations) as the rest instead of falling back to scalar code.
/// </summary>
internal static class FusedLoop
{
    public const int VectorWidth = 8;

    /// <summary>Loads, stores and constants for whole vectors (<paramref name="tail"/> = 0) or a partial one of <paramref name="tail"/> lanes.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "Loop bodies read every piece of syntax through the flavour they are given.")]
    internal sealed class Flavor(int tail)
    {
        /// <summary>Reads element <c>j + offset</c> of <paramref name="reference"/> (and the lanes after it).</summary>
        public string Load(string reference, int offset = 0)
            => tail == 0 ? $"Vector256.LoadUnsafe(ref {reference}, (nuint)({Index(offset)}))" : $"VectorTail.Load(ref {reference}, {Index(offset)}, {tail})";

        /// <summary>A statement writing <paramref name="value"/> to element <c>j + offset</c> (and the lanes after it).</summary>
        public string Store(string reference, int offset, string value)
            => tail == 0 ? $"({value}).StoreUnsafe(ref {reference}, (nuint)({Index(offset)}));" : $"VectorTail.Store({value}, ref {reference}, {Index(offset)}, {tail});";

        /// <summary>The constant 1.</summary>
        public string One => "Vector256<float>.One";

        /// <summary>The constant 0.</summary>
        public string Zero => "Vector256<float>.Zero";

        /// <summary><c>condition ? a : b</c> element-wise where condition is <c>x &gt; 0</c>.</summary>
        public string IfPositive(string x, string then, string otherwise)
            => $"Vector256.ConditionalSelect(Vector256.GreaterThan({x}, Vector256<float>.Zero), {then}, {otherwise})";

        private static string Index(int offset) => offset == 0 ? "j" : $"j + {offset}";
    }

    /// <summary>Writes the loop over <c>j</c> in <c>[0, count)</c>.</summary>
    public static void Emit(CodeWriter w, int count, Action<CodeWriter, Flavor> body)
    {
        int vectorEnd = count / VectorWidth * VectorWidth;
        if (vectorEnd > 0)
        {
            using (w.Block($"for (int j = 0; j < {vectorEnd}; j += {VectorWidth})"))
                body(w, new Flavor(0));
        }
        if (vectorEnd < count)
        {
            using (w.Block(""))
            {
                w.Line($"const int j = {vectorEnd}; // the last {count - vectorEnd} element{(count - vectorEnd == 1 ? "" : "s")}, as one masked vector");
                body(w, new Flavor(count - vectorEnd));
            }
        }
    }

    /// <summary>Declares <c>ref float name = ref MemoryMarshal.GetReference(span);</c> for each pair.</summary>
    public static void Refs(CodeWriter w, params (string Name, string Span)[] refs)
    {
        foreach (var (name, span) in refs) w.Line($"ref float {name} = ref MemoryMarshal.GetReference({span});");
    }
}
