using System;
using ModelGen.Generators.Emit;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Cells;

/// <summary>
/// The GRU's element-wise math, both forms, written once (gates z, r, h: Keras order):
/// <code>
/// z, r = σ(·)   reset after (PyTorch, Keras default): ĥ = tanh(x·W_h + b_in,h + r ⊙ (h[t-1]·U_h + b_rec,h))
///               reset before (Keras reset_after=False): ĥ = tanh(x·W_h + (r ⊙ h[t-1])·U_h + b_h)
/// h[t] = z ⊙ h[t-1] + (1 − z) ⊙ ĥ
/// </code>
/// with the layer's <c>Activation</c> (Keras <c>activation</c>) in place of ĥ's tanh when it is not tanh.
/// Each method writes the body for element <c>j</c> of one sample's row; the backend binds the named row operands.
/// </summary>
internal static class GruMath
{
    /// <summary>The state update both forms share: <c>z ⊙ h[t-1] + (1 − z) ⊙ ĥ</c>.</summary>
    private static string StateUpdate(IElementwise e, string z, string previous, string candidate)
        => $"{z} * {previous} + ({e.One} - {z}) * {candidate}";

    /// <summary>
    /// Reset after, forward, one row. Operands: <c>gr</c> x·W + b_in [3·Units] (overwritten with z, r, ĥ, kept for
    /// backward), <c>rr</c> h[t-1]·U + b_rec, <c>hp</c> h[t-1], <c>hn</c> h[t].
    /// </summary>
    public static void ResetAfterForwardRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        var gate = cell.RecurrentActivation;
        w.Line($"var zv = {e.Activate(gate, GateInput(e, 0))};");
        w.Line($"var rv = {e.Activate(gate, GateInput(e, u))};");
        w.Line($"var hv = {Candidate(e, cell, () => "rv")};");
        w.Line(e.Store("gr", 0, "zv"));
        w.Line(e.Store("gr", u, "rv"));
        w.Line(e.Store("gr", 2 * u, "hv"));
        w.Line(e.Store("hn", 0, StateUpdate(e, "zv", e.Load("hp"), "hv")));
    }

    /// <summary>
    /// Reset after, forward, one row's first pass (the CPU's), for one gate (<paramref name="gate"/> 0: z, 1: r): its
    /// activation, stored in place of its input pre-activation. Operands as <see cref="ResetAfterForwardRow"/>; both
    /// gates, then <see cref="ResetAfterOutputRow"/>, over the same row compute what that does, bit for bit (why in
    /// passes: <see cref="LstmMath.ForwardGatesRow"/>).
    /// </summary>
    public static void ResetAfterGatesRow(CodeWriter w, IElementwise e, CellShape cell, int gate)
    {
        int o = gate * cell.Units;
        w.Line(e.Store("gr", o, e.Activate(cell.RecurrentActivation, GateInput(e, o))));
    }

    // Reset after: ĥ = activation(x·W_h + b_in,h + r ⊙ (h·U_h + b_rec,h)), r's value named by r(), called between the
    // other two loads so that the loads are made in the order of the expression (an overlapped last vector names them so).
    private static string Candidate(IElementwise e, CellShape cell, Func<string> r)
    {
        int u = cell.Units;
        return e.Activate(cell.Activation, $"{e.Load("gr", 2 * u)} + {r()} * {e.Load("rr", 2 * u)}");
    }

    // Reset after: a gate's input, x·W + b_in plus h[t-1]·U + b_rec, at offset o of the row.
    private static string GateInput(IElementwise e, int o) => $"{e.Load("gr", o)} + {e.Load("rr", o)}";

    /// <summary>
    /// Reset after, forward, one row's second pass, after <see cref="ResetAfterGatesRow"/>: ĥ from the activated r
    /// (kept), then the state update from the activated z. Operands as <see cref="ResetAfterForwardRow"/>.
    /// </summary>
    public static void ResetAfterOutputRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        w.Line($"var hv = {Candidate(e, cell, () => e.Load("gr", u))};");
        w.Line(e.Store("gr", 2 * u, "hv"));
        w.Line($"var zv = {e.Load("gr")};");
        w.Line(e.Store("hn", 0, StateUpdate(e, "zv", e.Load("hp"), "hv")));
    }

    /// <summary>
    /// Reset after, backward, one row: through the state update, ĥ's activation, r's product and the two gate activations.
    /// Operands: <c>g</c> z, r, ĥ; <c>rr</c> the recurrent pre-activations; <c>dg</c>, <c>drc</c> the input and
    /// recurrent pre-activation gradients; <c>hp</c> h[t-1]; <c>dhr</c> ∂h[t]; <c>dpr</c> ∂h[t-1] (added to).
    /// </summary>
    public static void ResetAfterBackwardRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        var gate = cell.RecurrentActivation;
        w.Line($"var zv = {e.Load("g")}; var rv = {e.Load("g", u)}; var hh = {e.Load("g", 2 * u)};");
        w.Line($"var dhv = {e.Load("dhr")};");
        w.Line($"var dn = {Elementwise.SlopeTimes(e, cell.Activation, "hh", $"dhv * ({e.One} - zv)")};");
        w.Line($"var dz = dhv * ({e.Load("hp")} - hh) * {e.Slope(gate, "zv")};");
        w.Line($"var dr = dn * {e.Load("rr", 2 * u)} * {e.Slope(gate, "rv")};");
        w.Line(e.Store("dg", 0, "dz"));
        w.Line(e.Store("dg", u, "dr"));
        w.Line(e.Store("dg", 2 * u, "dn"));
        w.Line(e.Store("drc", 0, "dz"));
        w.Line(e.Store("drc", u, "dr"));
        w.Line(e.Store("drc", 2 * u, "dn * rv"));
        w.Line(e.Store("dpr", 0, $"{e.Load("dpr")} + dhv * zv"));
    }

    /// <summary>
    /// Reset before, forward, the gates: z, r activated and kept; r ⊙ h[t-1] for the candidate's product. Operands:
    /// <c>gr</c> the z and r pre-activations [2·Units], <c>pr</c> h[t-1] as the product reads it, <c>rhr</c> r ⊙ h[t-1].
    /// </summary>
    public static void ResetBeforeGatesRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        var gate = cell.RecurrentActivation;
        w.Line($"var zv = {e.Activate(gate, e.Load("gr"))};");
        w.Line($"var rv = {e.Activate(gate, e.Load("gr", u))};");
        w.Line(e.Store("gr", 0, "zv"));
        w.Line(e.Store("gr", u, "rv"));
        w.Line(e.Store("rhr", 0, $"rv * {e.Load("pr")}"));
    }

    /// <summary>
    /// Reset before, forward, the output: ĥ = activation(·) kept; the state update. Operands: <c>gr</c> the whole gate row,
    /// <c>hp</c> h[t-1], <c>hn</c> h[t].
    /// </summary>
    public static void ResetBeforeOutputRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        w.Line($"var hv = {e.Activate(cell.Activation, e.Load("gr", 2 * u))};");
        w.Line(e.Store("gr", 2 * u, "hv"));
        w.Line($"var zv = {e.Load("gr")};");
        w.Line(e.Store("hn", 0, StateUpdate(e, "zv", e.Load("hp"), "hv")));
    }

    /// <summary>
    /// Reset before, backward, through the state update, ĥ's activation and z's activation. Operands: <c>g</c> z, r, ĥ;
    /// <c>dg</c> their pre-activation gradients; <c>hp</c> h[t-1]; <c>dhr</c> ∂h[t]; <c>dpr</c> ∂h[t-1] (added to).
    /// </summary>
    public static void ResetBeforeBackwardOutputRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        w.Line($"var zv = {e.Load("g")}; var hh = {e.Load("g", 2 * u)}; var dhv = {e.Load("dhr")};");
        w.Line(e.Store("dg", 0, $"dhv * ({e.Load("hp")} - hh) * {e.Slope(cell.RecurrentActivation, "zv")}"));
        w.Line(e.Store("dg", 2 * u, Elementwise.SlopeTimes(e, cell.Activation, "hh", $"dhv * ({e.One} - zv)")));
        w.Line(e.Store("dpr", 0, $"{e.Load("dpr")} + dhv * zv"));
    }

    /// <summary>
    /// Reset before, backward, through r's product: ∂r = ∂(r⊙h)·h[t-1] through the gate activation; ∂h[t-1] +=
    /// ∂(r⊙h)·r. Operands: <c>g</c> the gates, <c>dg</c> their gradients, <c>hp</c> h[t-1] as the products read it,
    /// <c>drs</c> ∂(r ⊙ h[t-1]), <c>dpr</c> the gradient of what the recurrent product read (added to).
    /// </summary>
    public static void ResetBeforeBackwardResetRow(CodeWriter w, IElementwise e, CellShape cell)
    {
        int u = cell.Units;
        w.Line($"var rv = {e.Load("g", u)}; var drh = {e.Load("drs")};");
        w.Line(e.Store("dg", u, $"drh * {e.Load("hp")} * {e.Slope(cell.RecurrentActivation, "rv")}"));
        w.Line(e.Store("dpr", 0, $"{e.Load("dpr")} + drh * rv"));
    }
}
