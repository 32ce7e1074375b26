using ModelGen.Generators.Emit;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Cells;

/// <summary>
/// The LSTM's element-wise math, written once (gates i, f, c, o: Keras and PyTorch order):
/// <code>
/// i, f, o = σ(·)   c̃ = tanh(·)   c[t] = f ⊙ c[t-1] + i ⊙ c̃   h[t] = o ⊙ tanh(c[t])
/// </code>
/// with the layer's <c>Activation</c> (Keras <c>activation</c>) in place of both tanh when it is not tanh.
/// Each method writes the body for element <c>j</c> of one sample's row; the backend loops over <c>j</c> and binds
/// the row operands named in its summary.
/// </summary>
internal static class LstmMath
{
    /// <summary>
    /// Forward, one row. Operands: <c>gr</c> the gate pre-activations [4·Units] (overwritten with the activated gates,
    /// kept for backward), <c>cp</c> c[t-1], <c>cn</c> c[t], <c>tc</c> activation(c[t]), <c>hn</c> h[t].
    /// </summary>
    public static void ForwardRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        var gate = cell.RecurrentActivation;
        w.Line($"var iv = {e.Activate(gate, e.Load("gr"))};");
        w.Line($"var fv = {e.Activate(gate, e.Load("gr", u))};");
        w.Line($"var cv = {e.Activate(cell.Activation, e.Load("gr", 2 * u))};");
        w.Line($"var ov = {e.Activate(gate, e.Load("gr", 3 * u))};");
        w.Line(e.Store("gr", 0, "iv"));
        w.Line(e.Store("gr", u, "fv"));
        w.Line(e.Store("gr", 2 * u, "cv"));
        w.Line(e.Store("gr", 3 * u, "ov"));
        w.Line($"var cnv = fv * {e.Load("cp")} + iv * cv;");
        w.Line(e.Store("cn", 0, "cnv"));
        w.Line($"var tcv = {e.Activate(cell.Activation, "cnv")};");
        w.Line(e.Store("tc", 0, "tcv"));
        w.Line(e.Store("hn", 0, "ov * tcv"));
    }

    /// <summary>
    /// Forward, one row's first pass (the CPU's), for one gate (<paramref name="gate"/> 0–3: i, f, c̃, o): its
    /// activation, stored in place of its pre-activation. Operands as <see cref="ForwardRow"/>. The four gates, then
    /// <see cref="ForwardCellRow"/>, over the same row compute what <see cref="ForwardRow"/> does, bit for bit.
    /// </summary>
    /// <remarks>
    /// Why not one pass: there each vector's work is a chain of two dependent activations (a gate's, then tanh(c[t]))
    /// about as long in cycles as the instructions it issues, so the out-of-order window holds only a few vectors'
    /// chains and the vector units wait. In these passes every chain is one activation long. One gate per loop rather
    /// than the four in one, so that a loop's constants are one activation's (W2's inference at 256 bits on a Zen 3:
    /// about 4 % faster than the four gates in one loop; the GRU's <see cref="GruMath.ResetAfterGatesRow"/> is written
    /// the same way, where it measured level).
    /// </remarks>
    public static void ForwardGatesRow(CodeWriter w, IElementwise e, CellShape cell, int gate)
    {
        int u = cell.Units;
        var activation = gate == 2 ? cell.Activation : cell.RecurrentActivation;
        w.Line(e.Store("gr", gate * u, e.Activate(activation, e.Load("gr", gate * u))));
    }

    /// <summary>
    /// Forward, one row's second pass, after <see cref="ForwardGatesRow"/>: c[t] = f·c[t-1] + i·c̃ and h[t] = o·tanh(c[t])
    /// from the activated gates in <c>gr</c>. Operands as <see cref="ForwardRow"/>.
    /// </summary>
    public static void ForwardCellRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        w.Line($"var cnv = {e.Load("gr", u)} * {e.Load("cp")} + {e.Load("gr")} * {e.Load("gr", 2 * u)};");
        w.Line(e.Store("cn", 0, "cnv"));
        w.Line($"var tcv = {e.Activate(cell.Activation, "cnv")};");
        w.Line(e.Store("tc", 0, "tcv"));
        w.Line(e.Store("hn", 0, $"{e.Load("gr", 3 * u)} * tcv"));
    }

    /// <summary>
    /// Backward, one row: ∂c = ∂c[t+1]·f[t+1] + ∂h·o·activation'(c) (1 − tanh²c for tanh), then each gate's
    /// pre-activation gradient. Slopes are written from the outputs. Operands:
    /// <c>g</c> the activated gates, <c>dg</c> their gradients, <c>tc</c> activation(c[t]), <c>cp</c> c[t-1], <c>dhr</c> ∂h[t],
    /// <c>dcr</c> the carried ∂c (updated in place).
    /// </summary>
    public static void BackwardRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        var gate = cell.RecurrentActivation;
        w.Line($"var i = {e.Load("g")}; var fg = {e.Load("g", u)}; var cc = {e.Load("g", 2 * u)}; var o = {e.Load("g", 3 * u)};");
        w.Line($"var th = {e.Load("tc")}; var dhv = {e.Load("dhr")};");
        w.Line($"var dcv = {e.Load("dcr")} + {Elementwise.SlopeTimes(e, cell.Activation, "th", "dhv * o")};");
        w.Line(e.Store("dg", 0, $"dcv * cc * {e.Slope(gate, "i")}"));
        w.Line(e.Store("dg", u, $"dcv * {e.Load("cp")} * {e.Slope(gate, "fg")}"));
        w.Line(e.Store("dg", 2 * u, Elementwise.SlopeTimes(e, cell.Activation, "cc", "dcv * i")));
        w.Line(e.Store("dg", 3 * u, $"dhv * th * {e.Slope(gate, "o")}"));
        w.Line(e.Store("dcr", 0, "dcv * fg"));
    }
}
