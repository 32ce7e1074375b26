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
    public static void Write(CodeWriter w, CheckedModel m, bool gpu = false)
    {
        var recurrent = m.Layers.Where(l => l.IsRecurrent).ToList();
        if (recurrent.Count == 0) return;
        w.Line("// Initial states: zero unless set (or carried by a stateful layer); kept until ResetStates().");
        foreach (var l in recurrent)
            foreach (var d in l.Directions)
            {
                w.Line($"private readonly {G}Kernels.RecurrentState {Field(d, StateMember.Initial)} =");
                w.Line($"    new(\"{m.Type.ClassName}\", \"{d.KerasName}\", \"{Who(l, d)}\", units: {l.Cell.Units}, "
                    + $"hasCellState: {(CellSignature.HasCellState(l.Cell) ? "true" : "false")}, stateful: {(l.Stateful ? "true" : "false")});");
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
                    w.Line($"{Field(d, StateMember.Initial)}.Reset();");
        }
        w.Line();
        w.Line("/// <inheritdoc/>");
        var held = recurrent.SelectMany(l => l.Directions).Select(d => $"{Field(d, StateMember.Initial)}.Samples != 0");
        w.Line($"public bool HoldsInitialState => {string.Join(" || ", held)};");
        foreach (var l in recurrent)
            foreach (var d in l.Directions)
                DirectionStates(w, l, d, gpu);
    }

    /// <summary>The direction in words: <c>'lstm'</c>, or <c>'forward_lstm' of 'bidirectional'</c>.</summary>
    private static string Who(CheckedLayer l, RecurrentDirection d) => d.KerasName == l.Name ? $"'{l.Name}'" : $"'{d.KerasName}' of '{l.Name}'";

    private static void DirectionStates(CodeWriter w, CheckedLayer l, RecurrentDirection d, bool gpu)
    {
        int u = l.Cell.Units;
        bool lstm = CellSignature.HasCellState(l.Cell); // h and c
        string who = Who(l, d);
        string state = Field(d, StateMember.Initial);
        w.Line();
        w.Line($"/// <summary>");
        w.Line($"/// Keras <c>initial_state</c> of {who}: the state{(lstm ? "s h and c" : " h")} its next forward passes start from,");
        w.Line($"/// [samples, {u}] batch-major (PyTorch's h_0{(lstm ? " and c_0" : "")} for one layer and direction). The batch must then have as many");
        w.Line($"/// samples. Kept until <see cref=\"ResetStates\"/>{(l.Stateful ? "; this stateful layer replaces it with its final state after each pass" : "")}.");
        w.Line($"/// </summary>");
        w.Line($"/// <exception cref=\"global::System.ArgumentException\">A state is not a positive whole number of samples{(lstm ? ", or c is not as long as h" : "")}.</exception>");
        w.Line(lstm
            ? $"public void Set{d.Identifier}InitialState(global::System.ReadOnlySpan<float> h, global::System.ReadOnlySpan<float> c) => {state}.Set(h, c);"
            : $"public void Set{d.Identifier}InitialState(global::System.ReadOnlySpan<float> h) => {state}.Set(h, default);");
        w.Line();
        w.Line($"/// <summary>∂loss/∂(initial h) of {who}, [batch, {u}], after Backward of a forward pass that started from a set or carried state; empty otherwise.</summary>");
        w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}InitialStateGradient => {state}.Gradient(_batch);");
        if (lstm)
        {
            w.Line();
            w.Line($"/// <summary>∂loss/∂(initial c) of {who}, like <see cref=\"{d.Identifier}InitialStateGradient\"/>.</summary>");
            w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}InitialCellStateGradient => {state}.CellGradient(_batch);");
        }
        if (l.ReturnState)
        {
            w.Line();
            w.Line($"/// <summary>Keras <c>return_state</c>: the final h of {who} after the last forward pass, [batch, {u}] (PyTorch h_n); empty before one.</summary>");
            string rows = RowsOf(l, "_batch", "_batch * _steps");
            w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}FinalState => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"{Field(d, TensorRole.States)}.AsSpan({rows} * {u}, _batch * {u})", $"{d.Identifier}FinalStateOnHost()")} : default;");
            if (lstm)
            {
                w.Line();
                w.Line($"/// <summary>The final c of {who} (PyTorch c_n), like <see cref=\"{d.Identifier}FinalState\"/>.</summary>");
                w.Line($"public global::System.ReadOnlySpan<float> {d.Identifier}FinalCellState => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"{Field(d, TensorRole.Cells)}.AsSpan({rows} * {u}, _batch * {u})", $"{d.Identifier}FinalCellStateOnHost()")} : default;");
            }
            FinalStateGradients(w, d, u, lstm, who, gpu);
        }
    }

    /// <summary>The writable ∂loss/∂(final state) spans of a direction that returns its state.</summary>
    private static void FinalStateGradients(CodeWriter w, RecurrentDirection d, int u, bool lstm, string who, bool gpu)
    {
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// ∂loss/∂(final h) of {who}, [batch, {u}] batch-major, writable: the gradient of a loss that uses");
        w.Line($"/// <see cref=\"{d.Identifier}FinalState\"/> (PyTorch: h_n in the loss, or <c>torch.autograd.backward([y, h_n], [dy, dh_n])</c>;");
        w.Line("/// Keras: a <c>return_state</c> output feeding later computations). Forward clears it; write or add to it before");
        w.Line("/// Backward, which adds it to the last step's ∂h, after any gradient through the layer's output. Empty before a forward pass.");
        w.Line("/// </summary>");
        w.Line($"public global::System.Span<float> {d.Identifier}FinalStateGradient => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"{Field(d, TensorRole.FinalStateGradient)}.AsSpan(0, _batch * {u})", $"{d.Identifier}FinalStateGradientOnHost")} : default;");
        if (!lstm) return;
        w.Line();
        w.Line($"/// <summary>∂loss/∂(final c) of {who} (PyTorch c_n), like <see cref=\"{d.Identifier}FinalStateGradient\"/>: Backward starts the cell state's gradient from it.</summary>");
        w.Line($"public global::System.Span<float> {d.Identifier}FinalCellStateGradient => _haveForward ? {Gpu.GpuModelHooks.Read(gpu, $"{Field(d, TensorRole.FinalCellStateGradient)}.AsSpan(0, _batch * {u})", $"{d.Identifier}FinalCellStateGradientOnHost")} : default;");
    }
}
