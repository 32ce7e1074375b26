using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>
/// How a parameter is initialised: Keras's initializers. Those with arguments read them from
/// <see cref="ParameterInfo.InitializerArguments"/>; fan-in and fan-out are the rows and columns of a matrix, and the
/// length for both of a 1-D bias (Keras's <c>compute_fans</c>).
/// </summary>
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
    /// <summary>All ones (Keras <c>ones</c>).</summary>
    Ones,
    /// <summary>Every value <c>value</c> (Keras <c>Constant(value)</c>); arguments: <c>[value]</c>.</summary>
    Constant,
    /// <summary>Keras <c>GlorotNormal</c>: truncated normal (±2σ′) with σ′ = √(2 / (fanIn + fanOut)) / 0.87962566103423978, so σ = √(2 / (fanIn + fanOut)).</summary>
    GlorotNormal,
    /// <summary>Keras <c>HeNormal</c>: truncated normal as <see cref="GlorotNormal"/> with σ = √(2 / fanIn).</summary>
    HeNormal,
    /// <summary>Keras <c>HeUniform</c>: U(±√(6 / fanIn)).</summary>
    HeUniform,
    /// <summary>Keras <c>LecunNormal</c>: truncated normal as <see cref="GlorotNormal"/> with σ = √(1 / fanIn).</summary>
    LecunNormal,
    /// <summary>Keras <c>LecunUniform</c>: U(±√(3 / fanIn)).</summary>
    LecunUniform,
    /// <summary>Keras <c>RandomNormal(mean, stddev)</c> (defaults 0, 0.05); arguments: <c>[mean, stddev]</c>.</summary>
    RandomNormal,
    /// <summary>Keras <c>RandomUniform(minval, maxval)</c> (defaults −0.05, 0.05); arguments: <c>[minval, maxval]</c>.</summary>
    RandomUniform,
    /// <summary>Keras <c>TruncatedNormal(mean, stddev)</c> (defaults 0, 0.05): values beyond 2·stddev of the mean are redrawn; arguments: <c>[mean, stddev]</c>.</summary>
    TruncatedNormal,
    /// <summary>Keras <c>Identity(gain)</c>: <c>gain</c> on the diagonal of a matrix (rectangular too), zeros elsewhere; arguments: <c>[gain]</c>.</summary>
    Identity,
}

/// <summary>One named parameter tensor of a layer: a view of <see cref="ISequentialModel.Parameters"/>.</summary>
/// <param name="Name">Keras weight name: <c>kernel</c>, <c>recurrent_kernel</c>, <c>bias</c>, <c>embeddings</c>.</param>
/// <param name="Offset">Start in the flat parameter buffer.</param>
/// <param name="Rows">Rows (Keras layout: inputs for kernels). 1 for vectors.</param>
/// <param name="Columns">Columns (Keras layout: gates·units for kernels).</param>
/// <param name="Initializer">The initializer: Keras's default for the weight, or the one the layer declares.</param>
public sealed record ParameterInfo(string Name, int Offset, int Rows, int Columns, Initializer Initializer)
{
    /// <summary>
    /// The initializer's arguments in Keras's order (<see cref="Initializer.Constant"/>: value; <see cref="Initializer.RandomNormal"/>
    /// and <see cref="Initializer.TruncatedNormal"/>: mean, stddev; <see cref="Initializer.RandomUniform"/>: minval, maxval;
    /// <see cref="Initializer.Orthogonal"/> and <see cref="Initializer.Identity"/>: gain). Empty: Keras's defaults.
    /// </summary>
    public IReadOnlyList<float> InitializerArguments { get; init; } = Array.Empty<float>();

    /// <summary>
    /// An LSTM bias initialised by <see cref="Initializer"/> and then given ones in its forget-gate block (Keras
    /// <c>unit_forget_bias=True</c> with a <c>bias_initializer</c> other than zeros; zeros with ones is <see cref="Initializer.UnitForgetBias"/>).
    /// </summary>
    public bool UnitForgetBias { get; init; }

    /// <summary>The weight's L1/L2 regularizer (Keras <c>kernel_regularizer</c>, <c>recurrent_regularizer</c>, <c>bias_regularizer</c>), or null.</summary>
    public Regularizer? Regularizer { get; init; }

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
/// <param name="ParameterCount">The layer's parameters (Keras's count), trainable or not (<see cref="Trainable"/>).</param>
/// <param name="Parameters">The layer's parameter views.</param>
/// <param name="Stateful">
/// A recurrent layer declared <c>Stateful = true</c> (Keras <c>stateful=True</c>): it carries each sample's final state
/// into the same sample of the next batch, so batches keep one size until <c>ResetStates()</c>.
/// </param>
/// <param name="Trainable">
/// Keras <c>trainable</c>: false for a layer declared <c>Trainable = false</c> (e.g. a frozen pretrained Embedding). Optimizers
/// leave its parameters and their slots untouched, its regularizers add nothing, and <c>Summary()</c> counts it under
/// "Non-trainable params", as Keras does.
/// </param>
public sealed record LayerInfo(string Name, string Type, string OutputShape, int ParameterCount, IReadOnlyList<ParameterInfo> Parameters, bool Stateful = false, bool Trainable = true);

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

    /// <summary>Parameters that the optimizer updates: those of the layers with <see cref="LayerInfo.Trainable"/> (Keras <c>trainable_weights</c>).</summary>
    public int TrainableParameterCount
    {
        get
        {
            int total = 0;
            foreach (var layer in Layers)
                if (layer.Trainable) total += layer.ParameterCount;
            return total;
        }
    }

    /// <summary>Parameters of frozen layers (Keras <c>non_trainable_weights</c>): <see cref="ParameterCount"/> − <see cref="TrainableParameterCount"/>.</summary>
    public int NonTrainableParameterCount => ParameterCount - TrainableParameterCount;

    /// <summary>Total parameters, trainable and not (Keras's "Total params").</summary>
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
        sb.Append(" Total params: ").Append(ParameterCount.ToString("N0", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(" Trainable params: ").Append(TrainableParameterCount.ToString("N0", CultureInfo.InvariantCulture)).Append('\n');
        sb.Append(" Non-trainable params: ").Append(NonTrainableParameterCount.ToString("N0", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }
}
