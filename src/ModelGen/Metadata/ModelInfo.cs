using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>How a parameter is initialised; Keras defaults.</summary>
public enum Initializer
{
    /// <summary>All zeros (Keras bias default).</summary>
    Zeros,
    /// <summary>Glorot (Xavier) uniform: U(±√(6 / (fanIn + fanOut))) (Keras kernel default).</summary>
    GlorotUniform,
    /// <summary>Orthogonal matrix (Keras recurrent-kernel default).</summary>
    Orthogonal,
    /// <summary>Uniform in [−0.05, 0.05] (Keras Embedding default).</summary>
    Uniform005,
    /// <summary>Zeros except ones in the forget-gate block (Keras LSTM <c>unit_forget_bias=True</c>).</summary>
    UnitForgetBias,
}

/// <summary>One named parameter tensor of a layer: a view of <see cref="ISequentialModel.Parameters"/>.</summary>
/// <param name="Name">Keras weight name: <c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>, <c>embeddings</c>.</param>
/// <param name="Offset">Start in the flat parameter buffer.</param>
/// <param name="Rows">Rows (Keras layout: inputs for kernels). 1 for vectors.</param>
/// <param name="Columns">Columns (Keras layout: gates·units for kernels).</param>
/// <param name="Initializer">Keras default initializer.</param>
public sealed record ParameterInfo(string Name, int Offset, int Rows, int Columns, Initializer Initializer)
{
    /// <summary>Number of floats.</summary>
    public int Length => Rows * Columns;

    /// <summary>Keras shape text, e.g. <c>(2, 120)</c> or <c>(120,)</c>.</summary>
    public string ShapeText => Rows == 1 && Name.Contains("bias", StringComparison.Ordinal) && Columns > 0
        ? string.Create(CultureInfo.InvariantCulture, $"({Columns},)")
        : string.Create(CultureInfo.InvariantCulture, $"({Rows}, {Columns})");
}

/// <summary>One layer as Keras's <c>model.summary()</c> shows it.</summary>
/// <param name="Name">Layer name (Keras default names when unset).</param>
/// <param name="Type">Keras class name: <c>SimpleRNN</c>, <c>LSTM</c>, <c>GRU</c>, <c>Dense</c>, <c>Embedding</c>.</param>
/// <param name="OutputShape">Keras output shape text, e.g. <c>(None, 10)</c>.</param>
/// <param name="ParameterCount">Trainable parameters (Keras's count).</param>
/// <param name="Parameters">The layer's parameter views.</param>
/// <param name="Stateful">
/// A recurrent layer declared <c>Stateful = true</c> (Keras <c>stateful=True</c>): it carries each sample's final state
/// into the same sample of the next batch, so batches keep one size until <c>ResetStates()</c>.
/// </param>
public sealed record LayerInfo(string Name, string Type, string OutputShape, int ParameterCount, IReadOnlyList<ParameterInfo> Parameters, bool Stateful = false);

/// <summary>A model's layer table and parameter layout, generated at compile time.</summary>
/// <param name="Name">Model class name.</param>
/// <param name="TimeSteps">Declared time steps, or null when any length is accepted.</param>
/// <param name="InputFeatures">Features per step, or 0 when the model takes token ids.</param>
/// <param name="VocabularySize">Embedding input dimension when the model takes token ids, else 0.</param>
/// <param name="OutputUnits">Units of the last layer.</param>
/// <param name="OutputIsSequence">True when the output has a time axis (<c>[batch, steps, units]</c>).</param>
/// <param name="Layers">Layers in order.</param>
public sealed record ModelInfo(
    string Name,
    int? TimeSteps,
    int InputFeatures,
    int VocabularySize,
    int OutputUnits,
    bool OutputIsSequence,
    IReadOnlyList<LayerInfo> Layers)
{
    /// <summary>True when a layer carries its states from batch to batch (<see cref="LayerInfo.Stateful"/>).</summary>
    public bool IsStateful
    {
        get
        {
            foreach (var layer in Layers)
                if (layer.Stateful) return true;
            return false;
        }
    }

    /// <summary>True when the model is fed token ids (first layer is an Embedding).</summary>
    public bool TakesTokens => VocabularySize > 0;

    /// <summary>Total trainable parameters.</summary>
    public int ParameterCount
    {
        get
        {
            int total = 0;
            foreach (var layer in Layers) total += layer.ParameterCount;
            return total;
        }
    }

    /// <summary>Weight-file signature: layer types, names and parameter shapes, in order.</summary>
    public string Signature
    {
        get
        {
            var sb = new StringBuilder();
            foreach (var layer in Layers)
            {
                sb.Append(layer.Type).Append(' ').Append(layer.Name);
                foreach (var p in layer.Parameters) sb.Append(' ').Append(p.Name).Append(p.ShapeText);
                sb.Append(';');
            }
            return sb.ToString();
        }
    }

    /// <summary>The Keras <c>model.summary()</c> table: layer (type), output shape, parameter count, totals.</summary>
    /// <returns>The table as text, each line ending in <c>\n</c>, counts with thousands separators (invariant culture).</returns>
    public string Summary()
    {
        var rows = new List<(string Layer, string Shape, string Params)>();
        foreach (var layer in Layers)
            rows.Add(($"{layer.Name} ({layer.Type})", layer.OutputShape, layer.ParameterCount.ToString("N0", CultureInfo.InvariantCulture)));
        int w0 = "Layer (type)".Length, w1 = "Output Shape".Length, w2 = "Param #".Length;
        foreach (var (l, s, p) in rows) { w0 = Math.Max(w0, l.Length); w1 = Math.Max(w1, s.Length); w2 = Math.Max(w2, p.Length); }
        w0 += 2; w1 += 2;
        int width = w0 + w1 + w2;
        var sb = new StringBuilder();
        sb.Append("Model: \"").Append(Name).Append('"').Append('\n');
        sb.Append('─', width).Append('\n');
        sb.Append("Layer (type)".PadRight(w0)).Append("Output Shape".PadRight(w1)).Append("Param #".PadLeft(w2)).Append('\n');
        sb.Append('═', width).Append('\n');
        for (int i = 0; i < rows.Count; i++)
        {
            sb.Append(rows[i].Layer.PadRight(w0)).Append(rows[i].Shape.PadRight(w1)).Append(rows[i].Params.PadLeft(w2)).Append('\n');
            sb.Append(i == rows.Count - 1 ? '═' : '─', width).Append('\n');
        }
        string total = ParameterCount.ToString("N0", CultureInfo.InvariantCulture);
        sb.Append(" Total params: ").Append(total).Append('\n');
        sb.Append(" Trainable params: ").Append(total).Append('\n');
        sb.Append(" Non-trainable params: 0").Append('\n');
        return sb.ToString();
    }
}
