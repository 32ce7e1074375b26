using System;
using System.Collections.Generic;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// The CPU rendering of the element-wise vocabulary: <c>Vector512&lt;float&gt;</c> (16 lanes), <c>Vector256&lt;float&gt;</c>
/// (8 lanes), <c>Vector128&lt;float&gt;</c> (4 lanes: SSE, NEON) or scalar <c>float</c>. The same C# operators work on all
/// four, so only loads, stores, constants, selects and the activation calls differ (FastMath has an overload per width,
/// bit-identical lane by lane).
/// </summary>
internal sealed class CpuDialect : IElementwise
{
    // Overlapped-tail mode: the vector at a fixed start whose loads are hoisted above the main loop.
    private readonly int? _tailStart;
    private readonly List<string>? _preloads;
    private readonly Dictionary<string, string>? _preloaded;

    // Fixed mode: one value at a constant start, for a range that a loop would cover in one iteration.
    private readonly int? _at;

    /// <summary>A dialect of <paramref name="lanes"/> floats per value: 16, 8, 4 or 1 (scalar).</summary>
    public CpuDialect(int lanes)
    {
        if (lanes is not (1 or 4 or 8 or 16)) throw new ArgumentOutOfRangeException(nameof(lanes));
        Lanes = lanes;
    }

    private CpuDialect(int lanes, int tailStart, List<string> preloads) : this(lanes)
    {
        _tailStart = tailStart;
        _preloads = preloads;
        _preloaded = new Dictionary<string, string>(StringComparer.Ordinal);
    }

    private CpuDialect(int lanes, int at) : this(lanes) => _at = at;

    /// <summary>The one value (vector or scalar) at element <paramref name="start"/>: indices are constants, no loop.</summary>
    internal static CpuDialect At(int lanes, int start) => new(lanes, start);

    /// <summary>The overlapped last vector of a loop, starting at <paramref name="start"/>, its loads added to <paramref name="preloads"/>.</summary>
    internal static CpuDialect Tail(int lanes, int start, List<string> preloads) => new(lanes, start, preloads);

    /// <summary>Floats per value.</summary>
    public int Lanes { get; }

    public bool IsVector => Lanes > 1;

    /// <summary><c>Vector512</c>, <c>Vector256</c> or <c>Vector128</c>.</summary>
    public string VectorType => TypeOf(Lanes);

    /// <summary>The vector type of <paramref name="lanes"/> floats: <c>Vector512</c>, <c>Vector256</c> or <c>Vector128</c>.</summary>
    internal static string TypeOf(int lanes) => lanes switch
    {
        16 => "Vector512",
        8 => "Vector256",
        4 => "Vector128",
        _ => throw new ArgumentOutOfRangeException(nameof(lanes)),
    };

    public string Load(string operand, int offset = 0)
    {
        if (_tailStart is int start)
        {
            string key = $"{operand}+{offset}";
            if (!_preloaded!.TryGetValue(key, out var name))
            {
                name = $"tail{_preloaded.Count}";
                _preloaded[key] = name;
                _preloads!.Add($"var {name} = {VectorType}.LoadUnsafe(ref {operand}, {start + offset});");
            }
            return name;
        }
        if (_at is int at) return IsVector ? $"{VectorType}.LoadUnsafe(ref {operand}, {at + offset})" : $"Unsafe.Add(ref {operand}, {at + offset})";
        return IsVector ? $"{VectorType}.LoadUnsafe(ref {operand}, (nuint)({Index(offset)}))" : $"Unsafe.Add(ref {operand}, {Index(offset)})";
    }

    public string Store(string operand, int offset, string value)
    {
        if (_tailStart is int start) return $"{Receiver(value)}.StoreUnsafe(ref {operand}, {start + offset});";
        if (_at is int at) return IsVector ? $"{Receiver(value)}.StoreUnsafe(ref {operand}, {at + offset});" : $"Unsafe.Add(ref {operand}, {at + offset}) = {value};";
        return IsVector ? $"{Receiver(value)}.StoreUnsafe(ref {operand}, (nuint)({Index(offset)}));" : $"Unsafe.Add(ref {operand}, {Index(offset)}) = {value};";
    }

    public string One => IsVector ? $"{VectorType}<float>.One" : "1f";

    public string Zero => IsVector ? $"{VectorType}<float>.Zero" : "0f";

    public string IfPositive(string x, string then, string otherwise)
        => IsVector ? $"{VectorType}.ConditionalSelect({VectorType}.GreaterThan({x}, {Zero}), {then}, {otherwise})" : $"({x} > 0f ? {then} : {otherwise})";

    public string Activate(Activation activation, string x) => activation switch
    {
        Activation.Sigmoid => $"FastMath.Sigmoid({x})",
        Activation.HardSigmoid => $"FastMath.HardSigmoid({x})",
        Activation.Tanh => $"FastMath.Tanh({x})",
        Activation.Relu => IsVector ? $"{VectorType}.Max({x}, {Zero})" : $"MathF.Max({x}, 0f)",
        Activation.Linear => $"({x})",
        Activation.Softmax => throw new InvalidOperationException("softmax is a row operation, not an element-wise one"),
    };

    public string Slope(Activation activation, string y) => activation switch
    {
        Activation.Sigmoid => Elementwise.SigmoidSlope(this, y),
        Activation.Tanh => Elementwise.TanhSlope(this, y),
        Activation.HardSigmoid => IsVector
            ? $"{VectorType}.ConditionalSelect({VectorType}.GreaterThan({y}, {Zero}) & {VectorType}.LessThan({y}, {One}), {VectorType}.Create(1f / 6f), {Zero})"
            : $"({y} > 0f && {y} < 1f ? 1f / 6f : 0f)",
        Activation.Linear or Activation.Relu or Activation.Softmax => throw new InvalidOperationException($"no slope-from-output form for {activation}"),
    };

    // A value as the receiver of a method call: parenthesised unless it is a plain name.
    private static string Receiver(string value)
    {
        foreach (char ch in value)
            if (!char.IsLetterOrDigit(ch) && ch != '_') return $"({value})";
        return value;
    }

    private static string Index(int offset) => offset == 0 ? "j" : $"j + {offset}";
}
