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
        string[] gates = { "iv", "fv", "cv", "ov" };
        for (int g = 0; g < 4; g++) w.Line($"var {gates[g]} = {ActivatedGate(e, cell, g)};");
        for (int g = 0; g < 4; g++) w.Line(e.Store("gr", g * cell.Units, gates[g]));
        CellUpdate(w, e, cell, "iv", "fv", "cv", "ov", e.Load("cp"));
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
        => w.Line(e.Store("gr", gate * cell.Units, ActivatedGate(e, cell, gate)));

    /// <summary>
    /// Forward, one row's second pass, after <see cref="ForwardGatesRow"/>: c[t] = f·c[t-1] + i·c̃ and h[t] = o·tanh(c[t])
    /// from the activated gates in <c>gr</c>. Operands as <see cref="ForwardRow"/>.
    /// </summary>
    public static void ForwardCellRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        // Read in the order of the expression (f, c[t-1], i, c̃, o): an overlapped last vector names its loads so.
        string f = e.Load("gr", u), previousCell = e.Load("cp"), i = e.Load("gr"), c = e.Load("gr", 2 * u), o = e.Load("gr", 3 * u);
        CellUpdate(w, e, cell, i, f, c, o, previousCell);
    }

    // Gate g's activation of its pre-activation in gr (i, f, o: the recurrent activation; c̃: the layer's).
    private static string ActivatedGate(IElementwise e, CellShape cell, int gate)
        => e.Activate(gate == 2 ? cell.Activation : cell.RecurrentActivation, e.Load("gr", gate * cell.Units));

    // c[t] = f·c[t-1] + i·c̃ and h[t] = o·activation(c[t]) from the gates' values, both forward forms' second half.
    private static void CellUpdate(CodeWriter w, IElementwise e, CellShape cell, string i, string f, string c, string o, string previousCell)
    {
        w.Line($"var cnv = {f} * {previousCell} + {i} * {c};");
        w.Line(e.Store("cn", 0, "cnv"));
        w.Line($"var tcv = {e.Activate(cell.Activation, "cnv")};");
        w.Line(e.Store("tc", 0, "tcv"));
        w.Line(e.Store("hn", 0, $"{o} * tcv"));
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
