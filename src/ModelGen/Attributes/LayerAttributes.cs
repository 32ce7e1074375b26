using System;

namespace ModelGen;

/// <summary>Base of every layer attribute. Layers apply in the order they are written.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name, as in Keras (<c>name=</c>). Unset gives Keras's default names:
    /// <c>lstm</c>, <c>lstm_1</c>, <c>dense</c> ... counted per layer type within the model.
    /// </summary>
    public string? Name { get; set; }
}

/// <summary>Base of the recurrent layers (SimpleRNN, LSTM, GRU).</summary>
public abstract class RecurrentLayerAttribute : LayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    protected RecurrentLayerAttribute(int units) => Units = units;

    /// <summary>Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>).</summary>
    public int Units { get; }

    /// <summary>
    /// Return the output of every time step (<c>[batch, steps, units]</c>) instead of the last one
    /// (<c>[batch, units]</c>). Needed to stack another recurrent layer on top.
    /// </summary>
    public bool ReturnSequences { get; set; }
}

/// <summary>
/// Keras <c>Embedding(input_dim, output_dim)</c>: maps token ids in <c>[0, inputDim)</c> to dense vectors.
/// Must be the first layer; the model is then fed token ids.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class EmbeddingAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="inputDim">Vocabulary size: token ids run from 0 to <paramref name="inputDim"/> − 1.</param>
    /// <param name="outputDim">Size of each embedding vector.</param>
    public EmbeddingAttribute(int inputDim, int outputDim)
    {
        InputDim = inputDim;
        OutputDim = outputDim;
    }

    /// <summary>Vocabulary size.</summary>
    public int InputDim { get; }

    /// <summary>Embedding vector size.</summary>
    public int OutputDim { get; }
}

/// <summary>
/// Keras <c>SimpleRNN</c> / PyTorch <c>nn.RNN</c>: <c>h = activation(x·W + h·U + b)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    public SimpleRnnAttribute(int units) : base(units) { }

    /// <summary>Activation: <c>"tanh"</c> (default), <c>"relu"</c>, <c>"sigmoid"</c> or <c>"linear"</c>.</summary>
    public string Activation { get; set; } = "tanh";
}

/// <summary>
/// Keras <c>LSTM</c> / PyTorch <c>nn.LSTM</c>: gates i, f, c, o (Keras and PyTorch share this order),
/// one bias of <c>4·units</c> (PyTorch's two biases add up to it).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : RecurrentLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    public LstmAttribute(int units) : base(units) { }
}

/// <summary>
/// Keras <c>GRU</c>: gates z, r, h in Keras's order. With <see cref="ResetAfter"/> (the Keras default) the
/// reset gate applies after the recurrent product and the layer has two biases, exactly PyTorch's
/// <c>nn.GRU</c>; with <c>ResetAfter = false</c> it follows the original Cho et al. form (Keras only).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : RecurrentLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    public GruAttribute(int units) : base(units) { }

    /// <summary>Apply the reset gate after the recurrent product (Keras default, PyTorch semantics).</summary>
    public bool ResetAfter { get; set; } = true;
}

/// <summary>
/// Keras <c>Dense</c> / PyTorch <c>nn.Linear</c> (+ activation): <c>y = activation(x·W + b)</c>.
/// After a layer that returns sequences it applies to every time step.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DenseAttribute : LayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> outputs.</summary>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Output units.</summary>
    public int Units { get; }

    /// <summary>
    /// Activation: <c>"linear"</c> (default), <c>"tanh"</c>, <c>"sigmoid"</c>, <c>"relu"</c> or <c>"softmax"</c>.
    /// </summary>
    public string Activation { get; set; } = "linear";
}
