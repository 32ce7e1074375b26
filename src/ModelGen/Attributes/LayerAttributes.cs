using System;

// The generator compiles this file too (linked into ModelGen.Generators), so attribute names and defaults exist
// once: the parser reads option names with nameof and defaults from instances of these types.
#if MODELGEN_GENERATOR
namespace ModelGen.Generators.Shared.Attributes;
#else
namespace ModelGen;
#endif

/// <summary>Base of every layer attribute. Layers apply in the order they are written.</summary>
public abstract class LayerAttribute : Attribute
{
    /// <summary>
    /// The layer's name, as in Keras (<c>name=</c>). Unset gives Keras's default names:
    /// <c>lstm</c>, <c>lstm_1</c>, <c>dense</c> ... counted per layer type within the model.
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Keras <c>trainable</c>: with <c>false</c> the layer is frozen (e.g. pretrained embeddings): optimizers leave its
    /// parameters and their state untouched, its regularizers add nothing, and <c>Summary()</c> counts its parameters
    /// under "Non-trainable params". On <c>Bidirectional</c> or <c>TimeDistributed</c> it freezes the wrapped layer.
    /// </summary>
    public bool Trainable { get; set; } = true;
}

/// <summary>Base of the recurrent layers (SimpleRNN, LSTM, GRU).</summary>
public abstract class RecurrentLayerAttribute : LayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    /// <param name="units">Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>), at least 1.</param>
    protected RecurrentLayerAttribute(int units) => Units = units;

    /// <summary>Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>).</summary>
    public int Units { get; }

    /// <summary>
    /// Return the output of every time step (<c>[batch, steps, units]</c>) instead of the last one
    /// (<c>[batch, units]</c>). Needed to stack another recurrent layer on top.
    /// </summary>
    public bool ReturnSequences { get; set; }

    /// <summary>
    /// Keras <c>return_state</c>: keep the final state readable after each forward pass, as the generated
    /// <c>…FinalState</c> (and, for LSTM, <c>…FinalCellState</c>) properties, <c>[batch, units]</c>
    /// (PyTorch's <c>h_n</c> and <c>c_n</c>). The layer's output is unchanged.
    /// </summary>
    public bool ReturnState { get; set; }

    /// <summary>
    /// Keras <c>go_backwards</c>: process the sequence from its last step to its first, and return the output
    /// sequence in that (reversed) order.
    /// </summary>
    public bool GoBackwards { get; set; }

    /// <summary>
    /// Keras <c>stateful</c>: the final state of sample <c>i</c> of a batch is the initial state of sample
    /// <c>i</c> of the next batch, until the generated <c>ResetStates()</c> is called. The batch size must then
    /// stay the same between resets.
    /// </summary>
    public bool Stateful { get; set; }

    /// <summary>
    /// Keras <c>dropout</c>: the fraction of input features dropped during training. One mask per sequence,
    /// the same at every step and for every gate; inputs kept are scaled by <c>1 / (1 − rate)</c>.
    /// </summary>
    public double Dropout { get; set; }

    /// <summary>
    /// Keras <c>recurrent_dropout</c>: the fraction of the previous state's units dropped in the recurrent
    /// product during training, with one mask per sequence, fixed across time steps (variational dropout).
    /// </summary>
    public double RecurrentDropout { get; set; }

    /// <summary>Keras <c>use_bias</c>: with <c>false</c> the layer has no bias (and Keras's smaller parameter count).</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>
    /// Keras <c>kernel_initializer</c> of the input kernel, by Keras name: <c>"glorot_uniform"</c> (unset: Keras's default),
    /// <c>"glorot_normal"</c>, <c>"he_uniform"</c>, <c>"he_normal"</c>, <c>"lecun_uniform"</c>, <c>"lecun_normal"</c>,
    /// <c>"orthogonal"</c>, <c>"identity"</c>, <c>"zeros"</c>, <c>"ones"</c>, or with arguments in Python call syntax:
    /// <c>"constant(0.5)"</c>, <c>"random_normal(mean=0.0, stddev=0.05)"</c>, <c>"random_uniform(minval=-0.05, maxval=0.05)"</c>,
    /// <c>"truncated_normal(stddev=0.02)"</c>, <c>"orthogonal(gain=2)"</c>, <c>"identity(gain=1)"</c> (Keras class names such
    /// as <c>"RandomNormal"</c> also read). An unknown name or argument is error MG0030.
    /// </summary>
    public string? KernelInitializer { get; set; }

    /// <summary>Keras <c>recurrent_initializer</c> of the recurrent kernel (unset: <c>"orthogonal"</c>); names as <see cref="KernelInitializer"/>.</summary>
    public string? RecurrentInitializer { get; set; }

    /// <summary>Keras <c>bias_initializer</c> (unset: <c>"zeros"</c>); names as <see cref="KernelInitializer"/>, except the 2-D-only <c>orthogonal</c> and <c>identity</c>.</summary>
    public string? BiasInitializer { get; set; }

    /// <summary>
    /// Keras <c>kernel_regularizer</c>: <c>"l1"</c> (l1 = 0.01), <c>"l2"</c> (l2 = 0.01), <c>"l1(0.001)"</c>, <c>"l2(0.01)"</c>,
    /// <c>"l1_l2(l1=0.01, l2=0.01)"</c> (Keras 3's <c>L1L2</c>: both default to 0). The penalty <c>l1·Σ|w| + l2·Σw²</c> is
    /// added to the loss Fit and Evaluate report, and its gradient to the gradients (see <c>Regularization</c>).
    /// An unknown name or argument, or a negative factor, is error MG0031.
    /// </summary>
    public string? KernelRegularizer { get; set; }

    /// <summary>Keras <c>recurrent_regularizer</c> on the recurrent kernel; as <see cref="KernelRegularizer"/>.</summary>
    public string? RecurrentRegularizer { get; set; }

    /// <summary>Keras <c>bias_regularizer</c>; as <see cref="KernelRegularizer"/>.</summary>
    public string? BiasRegularizer { get; set; }
}

/// <summary>Base of LSTM and GRU, which have gates.</summary>
public abstract class GatedLayerAttribute : RecurrentLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    /// <param name="units">Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>), at least 1.</param>
    protected GatedLayerAttribute(int units) : base(units) { }

    /// <summary>
    /// Keras <c>recurrent_activation</c> of the gates: <c>"sigmoid"</c> (default) or <c>"hard_sigmoid"</c>,
    /// which follows Keras 3 and PyTorch's <c>Hardsigmoid</c>: <c>clip(x / 6 + 0.5, 0, 1)</c>.
    /// </summary>
    public string RecurrentActivation { get; set; } = "sigmoid";

    /// <summary>
    /// Keras <c>activation</c>: the function that replaces tanh in the candidate (LSTM's c̃ and the output's
    /// <c>activation(c)</c>; GRU's ĥ): <c>"tanh"</c> (default), <c>"relu"</c>, <c>"sigmoid"</c> or <c>"linear"</c>,
    /// e.g. Keras <c>LSTM(50, activation='relu')</c>. PyTorch's <c>nn.LSTM</c>/<c>nn.GRU</c> have tanh only, so a model
    /// with another activation cannot be exported to PyTorch (ONNX exports it through the operator's <c>activations</c>).
    /// </summary>
    public string Activation { get; set; } = "tanh";
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

    /// <summary>
    /// Keras <c>mask_zero</c>: token id 0 is padding. Its steps are masked: the recurrent layers after it keep
    /// their previous state and output there, so 'pre' and 'post' padding give the same result.
    /// </summary>
    public bool MaskZero { get; set; }

    /// <summary>Keras <c>embeddings_initializer</c> (unset: <c>"uniform"</c>, i.e. U(±0.05)); names as <see cref="RecurrentLayerAttribute.KernelInitializer"/>.</summary>
    public string? EmbeddingsInitializer { get; set; }

    /// <summary>Keras <c>embeddings_regularizer</c>; as <see cref="RecurrentLayerAttribute.KernelRegularizer"/>.</summary>
    public string? EmbeddingsRegularizer { get; set; }
}

/// <summary>
/// Keras <c>Masking(mask_value)</c>: a step whose features all equal <c>maskValue</c> is masked
/// (the recurrent layers after it skip it, keeping their state) and its features are set to zero.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class MaskingAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="maskValue">Keras <c>mask_value</c>: a step whose features all equal it is masked.</param>
    public MaskingAttribute(double maskValue = 0.0) => MaskValue = maskValue;

    /// <summary>The value that marks a padded step.</summary>
    public double MaskValue { get; }
}

/// <summary>
/// Keras <c>Dropout(rate)</c>: during training, zeroes each value with probability <c>rate</c>
/// (independently at every step) and scales the rest by <c>1 / (1 − rate)</c>; at inference it does nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class DropoutAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Keras <c>rate</c>: the probability of zeroing each value, in [0, 1).</param>
    public DropoutAttribute(double rate) => Rate = rate;

    /// <summary>Fraction dropped, in [0, 1).</summary>
    public double Rate { get; }
}

/// <summary>
/// Keras <c>SpatialDropout1D(rate)</c>: during training, drops whole feature channels, the same ones at every
/// step of a sequence, and scales the rest by <c>1 / (1 − rate)</c>; at inference it does nothing.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SpatialDropout1DAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="rate">Keras <c>rate</c>: the probability of dropping each feature channel, in [0, 1).</param>
    public SpatialDropout1DAttribute(double rate) => Rate = rate;

    /// <summary>Fraction of channels dropped, in [0, 1).</summary>
    public double Rate { get; }
}

/// <summary>
/// Keras <c>Bidirectional(layer, merge_mode)</c>: wraps the recurrent layer written right after it. A forward
/// copy reads the sequence in order, a backward copy (its own weights) reads it reversed, and their outputs
/// are merged per step (the backward one re-aligned in time). Parameters: the forward layer's, then the
/// backward layer's, as Keras stores them; PyTorch's <c>bidirectional=True</c> keeps the second set as <c>…_reverse</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class BidirectionalAttribute : LayerAttribute
{
    /// <summary>
    /// How the two outputs combine: <c>"concat"</c> (default; forward then backward, twice the units, as
    /// PyTorch), <c>"sum"</c>, <c>"mul"</c> or <c>"ave"</c>.
    /// </summary>
    public string MergeMode { get; set; } = "concat";
}

/// <summary>
/// Keras <c>TimeDistributed(layer)</c>: wraps the Dense layer written right after it and applies it to every
/// time step (a Dense after a sequence already does this; the wrapper states it and requires the sequence).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class TimeDistributedAttribute : LayerAttribute
{
}

/// <summary>
/// Keras <c>SimpleRNN</c> / PyTorch <c>nn.RNN</c>: <c>h = activation(x·W + h·U + b)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class SimpleRnnAttribute : RecurrentLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    /// <param name="units">Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>), at least 1.</param>
    public SimpleRnnAttribute(int units) : base(units) { }

    /// <summary>Activation: <c>"tanh"</c> (default), <c>"relu"</c>, <c>"sigmoid"</c> or <c>"linear"</c>.</summary>
    public string Activation { get; set; } = "tanh";
}

/// <summary>
/// Keras <c>LSTM</c> / PyTorch <c>nn.LSTM</c>: gates i, f, c, o (Keras and PyTorch share this order),
/// one bias of <c>4·units</c> (PyTorch's two biases add up to it).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class LstmAttribute : GatedLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    /// <param name="units">Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>), at least 1.</param>
    public LstmAttribute(int units) : base(units) { }

    /// <summary>
    /// Keras <c>unit_forget_bias</c>: the forget gate's bias starts at 1 (over whatever <c>BiasInitializer</c> gives the
    /// other gates), as Keras and Jozefowicz et al. recommend. <c>false</c> leaves it to <c>BiasInitializer</c>.
    /// </summary>
    public bool UnitForgetBias { get; set; } = true;
}

/// <summary>
/// Keras <c>GRU</c>: gates z, r, h in Keras's order. With <see cref="ResetAfter"/> (the Keras default) the
/// reset gate applies after the recurrent product and the layer has two biases, exactly PyTorch's
/// <c>nn.GRU</c>; with <c>ResetAfter = false</c> it follows the original Cho et al. form (Keras only).
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GruAttribute : GatedLayerAttribute
{
    /// <summary>Creates the layer with <paramref name="units"/> hidden units.</summary>
    /// <param name="units">Hidden units (Keras <c>units</c>, PyTorch <c>hidden_size</c>), at least 1.</param>
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
    /// <param name="units">Output units (Keras <c>units</c>, PyTorch <c>out_features</c>), at least 1.</param>
    public DenseAttribute(int units) => Units = units;

    /// <summary>Output units.</summary>
    public int Units { get; }

    /// <summary>
    /// Activation: <c>"linear"</c> (default), <c>"tanh"</c>, <c>"sigmoid"</c>, <c>"relu"</c> or <c>"softmax"</c>.
    /// </summary>
    public string Activation { get; set; } = "linear";

    /// <summary>Keras <c>use_bias</c>: with <c>false</c> the layer has no bias.</summary>
    public bool UseBias { get; set; } = true;

    /// <summary>Keras <c>kernel_initializer</c> (unset: <c>"glorot_uniform"</c>); names as <see cref="RecurrentLayerAttribute.KernelInitializer"/>.</summary>
    public string? KernelInitializer { get; set; }

    /// <summary>Keras <c>bias_initializer</c> (unset: <c>"zeros"</c>); names as <see cref="RecurrentLayerAttribute.KernelInitializer"/>, except <c>orthogonal</c> and <c>identity</c>.</summary>
    public string? BiasInitializer { get; set; }

    /// <summary>Keras <c>kernel_regularizer</c>; as <see cref="RecurrentLayerAttribute.KernelRegularizer"/>.</summary>
    public string? KernelRegularizer { get; set; }

    /// <summary>Keras <c>bias_regularizer</c>; as <see cref="RecurrentLayerAttribute.KernelRegularizer"/>.</summary>
    public string? BiasRegularizer { get; set; }
}

/// <summary>
/// Keras <c>RepeatVector(n)</c>: repeats each sample's vector <c>n</c> times, <c>[batch, features]</c> →
/// <c>[batch, n, features]</c>, so a many-to-one encoder can feed a one-to-many decoder
/// (<c>[Lstm(64)] [RepeatVector(10)] [Lstm(64, ReturnSequences = true)] [TimeDistributed] [Dense(…)]</c>).
/// The layers after it run at <c>n</c> steps, whatever the input's length. Its input must not have a time axis
/// (a recurrent layer without <c>ReturnSequences</c>, or a pooling or Flatten layer). No parameters; no mask comes out
/// of it (Keras: its input has no time axis to mask). Backward sums ∂output over the <c>n</c> steps.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class RepeatVectorAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="n">Repetition factor: the time steps of the output (Keras <c>n</c>), at least 1.</param>
    public RepeatVectorAttribute(int n) => N = n;

    /// <summary>Repetition factor: the time steps of the output.</summary>
    public int N { get; }
}

/// <summary>
/// Keras <c>GlobalAveragePooling1D()</c>: the mean over time of each feature, <c>[batch, steps, features]</c> →
/// <c>[batch, features]</c>. Mask-aware as in Keras: with a mask (from <c>Embedding(MaskZero)</c> or <c>Masking</c>)
/// it averages the unmasked steps only (a sample whose steps are all masked gives 0/0 = NaN, as in Keras), and the
/// mask ends here. No parameters. PyTorch: <c>x.mean(dim=1)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalAveragePooling1DAttribute : LayerAttribute
{
}

/// <summary>
/// Keras <c>GlobalMaxPooling1D()</c>: the maximum over time of each feature, <c>[batch, steps, features]</c> →
/// <c>[batch, features]</c>. As in Keras 3 it does not read a mask: the maximum is over every step (Keras 3 warns that
/// the mask is dropped; Keras 2 refused a mask here), and the mask ends here. Backward splits ∂output equally among the
/// steps that reach the maximum (TensorFlow's gradient of <c>reduce_max</c>). No parameters. PyTorch:
/// <c>x.amax(dim=1)</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class GlobalMaxPooling1DAttribute : LayerAttribute
{
}

/// <summary>
/// Keras <c>Flatten()</c> after a sequence: <c>[batch, steps, features]</c> → <c>[batch, steps·features]</c>, each
/// sample's steps one after another. The number of steps must be known when the model is compiled
/// (<c>[Sequential(TimeSteps = …)]</c>, or a <c>RepeatVector</c> above it); a mask ends here. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class FlattenAttribute : LayerAttribute
{
}

/// <summary>
/// Keras <c>Activation(activation)</c>: applies an activation to its input, element by element (softmax over each
/// step's or sample's features). Keeps the shape and, as Keras, the mask. No parameters.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class ActivationAttribute : LayerAttribute
{
    /// <summary>Creates the layer.</summary>
    /// <param name="activation">
    /// <c>"linear"</c>, <c>"tanh"</c>, <c>"sigmoid"</c>, <c>"relu"</c> or <c>"softmax"</c>: the names <see cref="DenseAttribute.Activation"/> takes.
    /// </param>
    public ActivationAttribute(string activation) => Activation = activation;

    /// <summary>The activation, as Keras names it.</summary>
    public string Activation { get; }
}
