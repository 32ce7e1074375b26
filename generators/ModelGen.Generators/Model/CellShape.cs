using ModelGen.Generators.Layers;

namespace ModelGen.Generators.Model;

/// <summary>
/// A distinct compute shape. One cell is emitted per shape per compilation and shared by every layer and model
/// that has it; every backend names it by <see cref="TypeName"/>.
/// </summary>
/// <param name="Kind">The layer's kind; only kinds with a <see cref="LayerKindInfo.Cell"/> get a cell, the others carry a shape only for their sizes.</param>
/// <param name="Inputs">Features per step coming in (the vocabulary size for an Embedding).</param>
/// <param name="Units">Hidden size (recurrent), output width (Dense) or embedding dimension.</param>
/// <param name="Activation">SimpleRNN and Dense: the activation; LSTM and GRU: the candidate's (and LSTM's output's), tanh by default.</param>
/// <param name="ResetAfter">GRU: the reset gate applies after the recurrent product (two biases).</param>
internal sealed record CellShape(LayerKind Kind, int Inputs, int Units, Activation Activation, bool ResetAfter)
{
    /// <summary>LSTM and GRU gate activation: sigmoid (default) or hard sigmoid.</summary>
    public Activation RecurrentActivation { get; init; } = Activation.Sigmoid;

    /// <summary>The layer has a bias.</summary>
    public bool UseBias { get; init; } = true;

    // LSTM and GRU name a candidate activation other than tanh (the default keeps its name).
    private string Suffix => (Cell is CellKind.Lstm or CellKind.Gru && Activation != Activation.Tanh ? "_" + Activation : "")
        + (RecurrentActivation == Activation.HardSigmoid ? "_HardSigmoid" : "") + (UseBias ? "" : "_NoBias");

    /// <summary>Gates per unit: 1 (SimpleRNN, Dense), 3 (GRU), 4 (LSTM).</summary>
    public int Gates => LayerKinds.Of(Kind).Gates;

    /// <summary>Pre-activation width: gates × units.</summary>
    public int Width => Gates * Units;

    /// <summary>The generated cell that computes this shape, or null for a layer computed by runtime kernels.</summary>
    public CellKind? Cell => LayerKinds.Of(Kind).Cell;

    /// <summary>Name of the emitted cell, e.g. <c>Lstm_I2_H30</c>, <c>Gru_I2_H30_ResetAfter</c>, <c>Dense_I10_U1_Sigmoid</c>.</summary>
    public string TypeName => Cell switch
    {
        CellKind.SimpleRnn => $"SimpleRnn_I{Inputs}_H{Units}_{Activation}",
        CellKind.Lstm => $"Lstm_I{Inputs}_H{Units}",
        CellKind.Gru => $"Gru_I{Inputs}_H{Units}_{(ResetAfter ? "ResetAfter" : "ResetBefore")}",
        CellKind.Dense => $"Dense_I{Inputs}_U{Units}_{Activation}",
        null => $"{Kind}_I{Inputs}_U{Units}",
    } + Suffix;

    /// <summary>A cell is emitted for this shape; false for layers computed by runtime kernels.</summary>
    public bool IsEmitted => Cell is not null;
}
