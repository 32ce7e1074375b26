using ModelGen.Generators.Model;

namespace ModelGen.Generators.Cells;

/// <summary>
/// The element-wise vocabulary the cell math is written in. Each method returns code text in the backend's language
/// for element <c>j</c> of a row; a dialect renders it (the CPU dialect as <c>Vector512</c>, <c>Vector256</c>, <c>Vector128</c> or scalar
/// C#; a GPU dialect as kernel code). Values are named with <c>var</c> declarations, which every C# dialect shares.
/// </summary>
internal interface IElementwise
{
    /// <summary>Element <c>j + offset</c> of the row operand <paramref name="operand"/>.</summary>
    string Load(string operand, int offset = 0);

    /// <summary>A statement writing <paramref name="value"/> to element <c>j + offset</c> of <paramref name="operand"/>.</summary>
    string Store(string operand, int offset, string value);

    /// <summary>The constant 1.</summary>
    string One { get; }

    /// <summary>The constant 0.</summary>
    string Zero { get; }

    /// <summary><c>x &gt; 0 ? then : otherwise</c>, element-wise.</summary>
    string IfPositive(string x, string then, string otherwise);

    /// <summary><paramref name="activation"/> applied to <paramref name="x"/>.</summary>
    string Activate(Activation activation, string x);

    /// <summary>The derivative of <paramref name="activation"/>, written from its output <paramref name="y"/> (sigmoid, hard sigmoid, tanh).</summary>
    string Slope(Activation activation, string y);
}

/// <summary>Expressions built from the vocabulary alone, the same in every dialect.</summary>
internal static class Elementwise
{
    /// <summary><c>dy ⊙ activation'(z)</c>, written from the output <paramref name="y"/>.</summary>
    public static string SlopeTimes(IElementwise e, Activation activation, string y, string dy) => activation switch
    {
        Activation.Tanh => $"{dy} * {e.Slope(Activation.Tanh, y)}",
        Activation.Sigmoid or Activation.HardSigmoid => $"{dy} * {e.Slope(activation, y)}",
        Activation.Relu => e.IfPositive(y, dy, e.Zero),
        Activation.Linear or Activation.Softmax => dy,
    };

    /// <summary>The sigmoid's slope from its output, <c>y·(1 − y)</c>, in any dialect.</summary>
    public static string SigmoidSlope(IElementwise e, string y) => $"{y} * ({e.One} - {y})";

    /// <summary>tanh's slope from its output, <c>1 − y²</c>, in any dialect.</summary>
    public static string TanhSlope(IElementwise e, string y) => $"({e.One} - {y} * {y})";
}
