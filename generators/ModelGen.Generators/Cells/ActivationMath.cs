using ModelGen.Generators.Emit;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Cells;

/// <summary>
/// The element-wise math of SimpleRNN and Dense, whose only element-wise step is the activation:
/// <c>h = activation(x·W + h[t-1]·U + b)</c> and <c>y = activation(x·W + b)</c>.
/// </summary>
internal static class ActivationMath
{
    /// <summary>
    /// <c>dz = dy ⊙ activation'(z)</c> for the values at <c>j</c>, the derivative written from the stored output. Operands: <c>yr</c> the
    /// output, <c>d</c> ∂loss/∂output (replaced by ∂loss/∂z).
    /// </summary>
    public static void GradientRow(CodeWriter w, IElementwise e, Activation activation)
    {
        w.Line($"var yv = {e.Load("yr")};");
        w.Line(e.Store("d", 0, Elementwise.SlopeTimes(e, activation, "yv", e.Load("d"))));
    }
}
