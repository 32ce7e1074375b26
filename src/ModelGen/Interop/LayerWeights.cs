using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Interop;

/// <summary>What a layer's parameters are, read from its <see cref="LayerInfo"/> alone (names and shapes).</summary>
internal enum WeightKind
{
    /// <summary>No parameters (Masking, Dropout, SpatialDropout1D).</summary>
    None,
    /// <summary>Embedding: <c>embeddings [vocabulary, dims]</c>.</summary>
    Embedding,
    /// <summary>Dense or TimeDistributed(Dense): <c>kernel [inputs, units]</c>, optional <c>bias</c>.</summary>
    Dense,
    /// <summary>SimpleRNN, LSTM, GRU, or a Bidirectional copy pair of one of them.</summary>
    Recurrent,
}

/// <summary>One direction of a recurrent layer: its kernel, recurrent kernel and optional bias views.</summary>
/// <param name="Backward">The backward copy of a Bidirectional layer (PyTorch's <c>_reverse</c>).</param>
/// <param name="KerasPrefix">Keras weight-name prefix: empty, <c>forward_lstm/</c> or <c>backward_lstm/</c>.</param>
/// <param name="Kernel">Input kernel, Keras <c>[inputs, gates·units]</c>.</param>
/// <param name="RecurrentKernel">Recurrent kernel, Keras <c>[units, gates·units]</c>.</param>
/// <param name="Bias">Bias (<c>[1 or 2, gates·units]</c>), or null without <c>UseBias</c>.</param>
internal sealed record DirectionWeights(bool Backward, string KerasPrefix, ParameterInfo Kernel, ParameterInfo RecurrentKernel, ParameterInfo? Bias);

/// <summary>
/// A layer's parameters interpreted for conversion: for recurrent layers the gate count (1 SimpleRNN, 3 GRU,
/// 4 LSTM), units, inputs, whether a GRU has Keras's two biases (<c>reset_after</c>), and one entry per direction.
/// </summary>
internal sealed record LayerWeights(LayerInfo Layer, WeightKind Kind, int Gates, int Units, int Inputs, bool TwoBiases, IReadOnlyList<DirectionWeights> Directions)
{
    /// <summary>The layer's weights as ModelGen lays them out, or a description of why they cannot be read.</summary>
    public static LayerWeights Read(LayerInfo layer)
    {
        var p = layer.Parameters;
        if (p.Count == 0) return new(layer, WeightKind.None, 0, 0, 0, false, []);
        if (layer.Type == "Embedding" && p.Count == 1)
            return new(layer, WeightKind.Embedding, 0, p[0].Columns, p[0].Rows, false, []);
        if (layer.Type is "Dense" or "TimeDistributed")
            return new(layer, WeightKind.Dense, 0, p[0].Columns, p[0].Rows, false, []);

        var directions = new List<DirectionWeights>();
        foreach (var group in p.GroupBy(v => Prefix(v.Name)))
        {
            var views = group.ToList();
            var kernel = views.Single(v => v.Name.EndsWith("/kernel", StringComparison.Ordinal) || v.Name == "kernel");
            var recurrent = views.Single(v => v.Name.EndsWith("recurrent_kernel", StringComparison.Ordinal));
            var bias = views.SingleOrDefault(v => v.Name.EndsWith("bias", StringComparison.Ordinal));
            directions.Add(new(group.Key.StartsWith("backward_", StringComparison.Ordinal), group.Key, kernel, recurrent, bias));
        }
        var first = directions[0];
        int units = first.RecurrentKernel.Rows;
        int gates = first.Kernel.Columns / units;
        return new(layer, WeightKind.Recurrent, gates, units, first.Kernel.Rows, first.Bias is { Rows: 2 }, directions);
    }

    private static string Prefix(string name)
    {
        int slash = name.LastIndexOf('/');
        return slash < 0 ? "" : name[..(slash + 1)];
    }

    /// <summary>Keras class of the recurrent cell: SimpleRNN, GRU or LSTM.</summary>
    public string CellType => Gates switch { 1 => "SimpleRNN", 3 => "GRU", 4 => "LSTM", _ => $"{Gates}-gate cell" };

    /// <summary>Text naming the layer for messages, e.g. <c>layer 'lstm' (LSTM, 7 units, 3 inputs)</c>.</summary>
    public string Describe() => Kind switch
    {
        WeightKind.Embedding => $"layer '{Layer.Name}' (Embedding, {Inputs} tokens × {Units})",
        WeightKind.Dense => $"layer '{Layer.Name}' ({Layer.Type}, {Units} units, {Inputs} inputs)",
        WeightKind.Recurrent => $"layer '{Layer.Name}' ({(Directions.Count == 2 ? "Bidirectional " : "")}{CellType}, {Units} units, {Inputs} inputs)",
        _ => $"layer '{Layer.Name}' ({Layer.Type})",
    };
}
