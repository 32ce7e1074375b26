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
        // Overlapped-tail mode: the vector at a fixed start whose loads are hoisted above the main loop.
        private readonly int? _tailStart;
        private readonly List<string>? _preloads;
        private readonly Dictionary<string, string>? _preloaded;

        private Flavor(int tailStart, List<string> preloads) : this(vector: true)
        {
            _tailStart = tailStart;
            _preloads = preloads;
            _preloaded = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        public bool IsVector { get; } = vector;

        /// <summary>Reads element <c>j + offset</c> of <paramref name="reference"/>.</summary>
        public string Load(string reference, int offset = 0)
        {
            if (_tailStart is int start)
            {
                string key = $"{reference}+{offset}";
                if (!_preloaded!.TryGetValue(key, out var name))
                {
                    name = $"tail{_preloaded.Count}";
                    _preloaded[key] = name;
                    _preloads!.Add($"var {name} = Vector256.LoadUnsafe(ref {reference}, {start + offset});");
                }
                return name;
            }
            return IsVector ? $"Vector256.LoadUnsafe(ref {reference}, (nuint)({Index(offset)}))" : $"Unsafe.Add(ref {reference}, {Index(offset)})";
        }

        /// <summary>A statement writing <paramref name="value"/> to element <c>j + offset</c>.</summary>
        public string Store(string reference, int offset, string value)
        {
            if (_tailStart is int start) return $"{Receiver(value)}.StoreUnsafe(ref {reference}, {start + offset});";
            return IsVector ? $"{Receiver(value)}.StoreUnsafe(ref {reference}, (nuint)({Index(offset)}));" : $"Unsafe.Add(ref {reference}, {Index(offset)}) = {value};";
        }

        internal static Flavor Tail(int start, List<string> preloads) => new(start, preloads);

        /// <summary>The constant 1 in this flavour.</summary>
        public string One => IsVector ? "Vector256<float>.One" : "1f";

        /// <summary>The constant 0 in this flavour.</summary>
        public string Zero => IsVector ? "Vector256<float>.Zero" : "0f";

        /// <summary><c>condition ? a : b</c> element-wise where condition is <c>x &gt; 0</c>.</summary>
        public string IfPositive(string x, string then, string otherwise)
            => IsVector ? $"Vector256.ConditionalSelect(Vector256.GreaterThan({x}, Vector256<float>.Zero), {then}, {otherwise})" : $"({x} > 0f ? {then} : {otherwise})";

        // A value as the receiver of a method call: parenthesised unless it is a plain name.
        private static string Receiver(string value)
        {
            foreach (char ch in value)
                if (!char.IsLetterOrDigit(ch) && ch != '_') return $"({value})";
            return value;
        }

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
    public static void EmitOverlapped(CodeWriter w, int count, Action<CodeWriter, Flavor> body)
    {
        int vectorEnd = count / VectorWidth * VectorWidth;
        if (vectorEnd == 0 || vectorEnd == count)
        {
            Emit(w, count, body);
            return;
        }
        var preloads = new List<string>();
        var tail = new CodeWriter();
        body(tail, Flavor.Tail(count - VectorWidth, preloads));
        using (w.Block(""))
        {
            w.Line($"// Elements {count - VectorWidth}…{count - 1} as one vector, read before the loop writes any of them.");
            foreach (var line in preloads) w.Line(line);
            using (w.Block($"for (int j = 0; j < {vectorEnd}; j += {VectorWidth})"))
                body(w, new Flavor(vector: true));
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
