using System;

namespace ModelGen.Generators.Model;

// The checked model: shapes inferred, names resolved, parameter offsets assigned. This is what every
// backend emits from (CPU today; ILGPU kernels read the same record). Plain equatable data with no
// locations, so editing whitespace or moving the class does not re-run emission.

internal enum Activation { Linear, Tanh, Sigmoid, Relu, Softmax }

internal enum InitKind { Zeros, GlorotUniform, Orthogonal, Uniform005, UnitForgetBias }

/// <summary>
/// A distinct compute shape. One static class is emitted per shape per compilation and shared by every
/// layer and model that has it.
/// </summary>
internal sealed record CellShape(LayerKind Kind, int Inputs, int Units, Activation Activation, bool ResetAfter)
{
    /// <summary>Gates per unit: 1 (SimpleRNN, Dense), 3 (GRU), 4 (LSTM).</summary>
    public int Gates => Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };

    /// <summary>Name of the emitted static class, e.g. <c>Lstm_I2_H30</c>, <c>Gru_I2_H30_ResetAfter</c>, <c>Dense_I10_U1_Sigmoid</c>.</summary>
    public string TypeName => Kind switch
    {
        LayerKind.SimpleRnn => $"SimpleRnn_I{Inputs}_H{Units}_{Activation}",
        LayerKind.Lstm => $"Lstm_I{Inputs}_H{Units}",
        LayerKind.Gru => $"Gru_I{Inputs}_H{Units}_{(ResetAfter ? "ResetAfter" : "ResetBefore")}",
        LayerKind.Dense => $"Dense_I{Inputs}_U{Units}_{Activation}",
        _ => $"Embedding_V{Inputs}_D{Units}",
    };
}

/// <summary>One parameter view of a layer, in Keras layout.</summary>
internal sealed record ParamView(string KerasName, string PropertySuffix, int Offset, int Rows, int Columns, InitKind Init)
{
    public int Length => Rows * Columns;
}

/// <summary>A layer with its inferred shapes and parameter layout.</summary>
/// <param name="Index">Position in the model.</param>
/// <param name="Kind">Layer type.</param>
/// <param name="Name">Keras name (explicit, or Keras's default).</param>
/// <param name="Identifier">PascalCase C# identifier derived from the name, unique in the model.</param>
/// <param name="Inputs">Features per step (or per sample) coming in; the vocabulary size for an Embedding.</param>
/// <param name="Units">Output width per step (or per sample).</param>
/// <param name="InputIsSequence">The input has a time axis.</param>
/// <param name="OutputIsSequence">The output has a time axis.</param>
/// <param name="ParameterCount">Keras's count.</param>
/// <param name="Parameters">Views into the flat buffer.</param>
/// <param name="Cell">The shared compute shape.</param>
internal sealed record CheckedLayer(
    int Index,
    LayerKind Kind,
    string Name,
    string Identifier,
    int Inputs,
    int Units,
    bool InputIsSequence,
    bool OutputIsSequence,
    int ParameterCount,
    EquatableArray<ParamView> Parameters,
    CellShape Cell)
{
    public bool IsRecurrent => Kind is LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru;

    /// <summary>Keras class name for Summary().</summary>
    public string KerasType => Kind switch
    {
        LayerKind.Embedding => "Embedding",
        LayerKind.SimpleRnn => "SimpleRNN",
        LayerKind.Lstm => "LSTM",
        LayerKind.Gru => "GRU",
        _ => "Dense",
    };
}

/// <summary>The type to emit into (namespace, nesting, accessibility).</summary>
internal sealed record TypeTarget(string? Namespace, EquatableArray<ContainingType> ContainingTypes, string ClassName, string Accessibility)
{
    public string FullName
    {
        get
        {
            string prefix = Namespace is null ? "" : Namespace + ".";
            foreach (var t in ContainingTypes) prefix += t.Name + ".";
            return prefix + ClassName;
        }
    }
}

/// <summary>A model that passed every check; the input to every emitter.</summary>
internal sealed record CheckedModel(
    TypeTarget Type,
    int? TimeSteps,
    int InputFeatures,
    int VocabularySize,
    EquatableArray<CheckedLayer> Layers,
    int ParameterCount)
{
    public bool TakesTokens => VocabularySize > 0;

    public CheckedLayer Output => Layers[Layers.Count - 1];
}

/// <summary>What the checker hands on: the model when it can be emitted, and the diagnostics to report.</summary>
internal sealed record CheckResult(CheckedModel? Model, EquatableArray<DiagnosticInfo> Diagnostics);
