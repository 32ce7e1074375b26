using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.ModelClass;

/// <summary>
/// The recurrent layers' state members, per direction: initial states (set, or carried by a stateful layer), their
/// gradients, the final states (Keras <c>return_state</c>, PyTorch <c>h_n</c>/<c>c_n</c>) and <c>ResetStates()</c>.
/// </summary>
internal static class States
{
    public static void Write(CodeWriter w, CheckedModel m)
    {
        var recurrent = m.Layers.Where(l => l.IsRecurrent).ToList();
        if (recurrent.Count == 0) return;
        w.Line("// Initial states: zero unless set (or carried by a stateful layer); kept until ResetStates().");
        foreach (var l in recurrent)
            foreach (var d in l.Directions)
            {
                w.Line($"private float[] {Field(d, "InitialState")} = global::System.Array.Empty<float>(), {Field(d, "InitialStateGradient")} = global::System.Array.Empty<float>();");
                if (CellSignature.HasCellState(l.Cell))
                    w.Line($"private float[] {Field(d, "InitialCellState")} = global::System.Array.Empty<float>(), {Field(d, "InitialCellStateGradient")} = global::System.Array.Empty<float>();");
                w.Line($"private int {Field(d, "InitialBatch")}; // samples in the initial state; 0: none (zeros)");
                w.Line($"private bool {Field(d, "InitialUsed")}; // the last forward pass started from it");
            }
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Keras <c>reset_states()</c>: every recurrent layer starts the next forward pass from zeros again, forgetting");
        w.Line("/// states set with the <c>Set…InitialState</c> methods and states carried by stateful layers.");
        w.Line("/// </summary>");
        using (w.Block("public void ResetStates()"))
        {
            foreach (var l in recurrent)
                foreach (var d in l.Directions)
                {
                    w.Line($"{Field(d, "InitialBatch")} = 0;");
                    w.Line($"{Field(d, "InitialUsed")} = false;");
                }
        }
        foreach (var l in recurrent)
            foreach (var d in l.Directions)
                DirectionStates(w, m, l, d);
    }

    private static void DirectionStates(CodeWriter w, CheckedModel m, CheckedLayer l, RecurrentDirection d)
    {
        int u = l.Cell.Units;
        bool lstm = CellSignature.HasCellState(l.Cell); // h and c
        string who = d.KerasName == l.Name ? $"'{l.Name}'" : $"'{d.KerasName}' of '{l.Name}'";
        w.Line();
        w.Line($"/// <summary>");
        w.Line($"/// Keras <c>initial_state</c> of {who}: the state{(lstm ? "s h and c" : " h")} its next forward passes start from,");
        w.Line($"/// [samples, {u}] batch-major (PyTorch's h_0{(lstm ? " and c_0" : "")} for one layer and direction). The batch must then have as many");
        w.Line($"/// samples. Kept until <see cref=\"ResetStates\"/>{(l.Stateful ? "; this stateful layer replaces it with its final state after each pass" : "")}.");
        w.Line($"/// </summary>");
        string parameters = lstm ? "global::System.ReadOnlySpan<float> h, global::System.ReadOnlySpan<float> c" : "global::System.ReadOnlySpan<float> h";
        using (w.Block($"public void Set{d.Identifier}InitialState({parameters})"))
        {
            w.Line($"if (h.IsEmpty || h.Length % {u} != 0)");
            w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}': the initial state of {who} is [samples, {u}], a positive multiple of {u} floats, but holds {{h.Length}}\", nameof(h));");
            if (lstm)
            {
                w.Line("if (c.Length != h.Length)");
                w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}': the initial cell state of {who} must be as long as h, {{h.Length}} floats, but holds {{c.Length}}\", nameof(c));");
            }
            w.Line($"Grow{d.Identifier}State(h.Length / {u});");
            w.Line($"h.CopyTo({Field(d, "InitialState")});");
            if (lstm) w.Line($"c.CopyTo({Field(d, "InitialCellState")});");
            w.Line($"{Field(d, "InitialBatch")} = h.Length / {u};");
        }
        w.Line();
        using (w.Block($"private void Grow{d.Identifier}State(int samples)"))
        {
            w.Line($"if ({Field(d, "InitialState")}.Length >= samples * {u}) return;");
            w.Line($"{Field(d, "InitialState")} = new float[samples * {u}];");
            w.Line($"{Field(d, "InitialStateGradient")} = new float[samples * {u}];");
            if (lstm)
            {
                w.Line($"{Field(d, "InitialCellState")} = new float[samples * {u}];");
                w.Line($"{Field(d, "InitialCellStateGradient")} = new float[samples * {u}];");
            }
        }
        w.Line();
        w.Line($"/// <summary>∂loss/∂(initial h) of {who}, [batch, {u}], after Backward of a forward pass that started from a set or carried state; empty otherwise.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}InitialStateGradient => {Field(d, "InitialUsed")} ? {Field(d, "InitialStateGradient")}.AsSpan(0, _batch * {u}) : default;");
        if (lstm)
        {
            w.Line($"/// <summary>∂loss/∂(initial c) of {who}, like <see cref=\"{d.Identifier}InitialStateGradient\"/>.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}InitialCellStateGradient => {Field(d, "InitialUsed")} ? {Field(d, "InitialCellStateGradient")}.AsSpan(0, _batch * {u}) : default;");
        }
        if (l.ReturnState)
        {
            w.Line($"/// <summary>Keras <c>return_state</c>: the final h of {who} after the last forward pass, [batch, {u}] (PyTorch h_n); empty before one.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}FinalState => _haveForward ? {Field(d, "States")}.AsSpan(_batch * _steps * {u}, _batch * {u}) : default;");
            if (lstm)
            {
                w.Line($"/// <summary>The final c of {who} (PyTorch c_n), like <see cref=\"{d.Identifier}FinalState\"/>.</summary>");
                w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}FinalCellState => _haveForward ? {Field(d, "Cells")}.AsSpan(_batch * _steps * {u}, _batch * {u}) : default;");
            }
        }
    }
}
