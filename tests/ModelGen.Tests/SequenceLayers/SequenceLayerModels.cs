namespace ModelGen.Tests.GradientCheck
{
    // Gradient-check models for the layers around recurrent ones (GradientCheckTests).

    [Sequential(TimeSteps = 5, Features = 3)]
    [Lstm(6)]
    [RepeatVector(4)]
    [Lstm(5, ReturnSequences = true)]
    [TimeDistributed]
    [Dense(3, Activation = "softmax")]
    public partial class RepeatEncoderDecoderModel;

    /// <summary>Any input length; the decoder (Bidirectional) and Flatten run at the RepeatVector's 3 steps.</summary>
    [Sequential(Features = 2)]
    [Gru(5)]
    [RepeatVector(3)]
    [Bidirectional]
    [SimpleRnn(4, ReturnSequences = true)]
    [Flatten]
    [Dense(2)]
    public partial class OpenRepeatModel;

    [Sequential(TimeSteps = 5, Features = 3)]
    [Lstm(6, ReturnSequences = true)]
    [GlobalAveragePooling1D]
    [Dense(2)]
    public partial class AveragePoolModel;

    [Sequential(TimeSteps = 5, Features = 3)]
    [Gru(7, ReturnSequences = true)]
    [GlobalMaxPooling1D]
    [Dense(2)]
    public partial class MaxPoolModel;

    [Sequential(TimeSteps = 4, Features = 3)]
    [SimpleRnn(5, ReturnSequences = true)]
    [Flatten]
    [Dense(3)]
    public partial class FlattenModel;

    /// <summary>Two RepeatVectors: 4 input steps, then 3, then 2 (max pooling over identical steps shares the gradient).</summary>
    [Sequential(TimeSteps = 4, Features = 3)]
    [Gru(5, ReturnSequences = true)]
    [GlobalAveragePooling1D]
    [RepeatVector(3)]
    [SimpleRnn(4, ReturnSequences = true)]
    [Flatten]
    [RepeatVector(2)]
    [GlobalMaxPooling1D]
    [Dense(2)]
    public partial class TwoRepeatsModel;

    /// <summary>Pooling and Flatten on the model's input itself (their input gradient is the model's).</summary>
    [Sequential(TimeSteps = 4, Features = 3)]
    [GlobalAveragePooling1D]
    [RepeatVector(2)]
    [Flatten]
    [Dense(2)]
    public partial class InputPoolModel;

    [Sequential(TimeSteps = 4, Features = 3)]
    [GlobalMaxPooling1D]
    [Dense(2)]
    public partial class InputMaxPoolModel;

    [Sequential(TimeSteps = 3, Features = 4)]
    [Dense(6)]
    [Activation("tanh")]
    [Gru(5, ReturnSequences = true)]
    [Activation("sigmoid")]
    [Dense(4)]
    [Activation("softmax")]
    public partial class ActivationStackModel;

    [Sequential(TimeSteps = 3, Features = 4)]
    [Lstm(6)]
    [Activation("relu")]
    [Dense(2)]
    [Activation("linear")]
    public partial class ReluActivationModel;

    /// <summary>Padded tokens: the average is over the unmasked steps only.</summary>
    [Sequential(TimeSteps = 5)]
    [Embedding(9, 3, MaskZero = true)]
    [Lstm(4, ReturnSequences = true)]
    [GlobalAveragePooling1D]
    [Dense(2)]
    public partial class MaskedAveragePoolModel;
}

namespace ModelGen.Tests.SequenceLayers
{
    // Keras's documented examples and hand-computed values.

    /// <summary>Keras's RepeatVector docstring: <c>Input(shape=(32,))</c> → <c>RepeatVector(3)</c> → <c>(None, 3, 32)</c>.</summary>
    [Sequential(Features = 2)]
    [Lstm(32)]
    [RepeatVector(3)]
    public partial class RepeatDocstringModel;

    /// <summary>The same LSTM without the RepeatVector, to compare values with.</summary>
    [Sequential(Features = 2)]
    [Lstm(32)]
    public partial class RepeatSourceModel;

    /// <summary>The encoder–decoder: LSTM(64) → RepeatVector(10) → LSTM(64, sequences) → TimeDistributed(Dense(3)).</summary>
    [Sequential(TimeSteps = 5, Features = 1)]
    [Lstm(64)]
    [RepeatVector(10)]
    [Lstm(64, ReturnSequences = true)]
    [TimeDistributed]
    [Dense(3, Activation = "softmax")]
    public partial class EncoderDecoder64;

    /// <summary>Keras's pooling docstrings: <c>x = np.random.rand(2, 3, 4)</c> → <c>(2, 4)</c>.</summary>
    [Sequential(TimeSteps = 3, Features = 4)]
    [GlobalAveragePooling1D]
    public partial class AveragePoolDocstring;

    [Sequential(TimeSteps = 3, Features = 4)]
    [GlobalMaxPooling1D]
    public partial class MaxPoolDocstring;

    [Sequential(Features = 2)]
    [Masking(0.0)]
    [GlobalAveragePooling1D]
    public partial class MaskedAverage;

    [Sequential(Features = 2)]
    [GlobalMaxPooling1D]
    public partial class MaxOfTwo;

    /// <summary>Keras's Flatten docstring: <c>Input(shape=(10, 64))</c> → <c>Flatten()</c> → <c>(None, 640)</c>.</summary>
    [Sequential(TimeSteps = 10, Features = 64)]
    [Flatten]
    public partial class FlattenDocstring;

    [Sequential(TimeSteps = 3, Features = 2)]
    [Flatten]
    public partial class FlattenSmall;

    /// <summary>Keras's Activation docstring: <c>Activation('relu')([-3.0, -1.0, 0.0, 2.0])</c> → <c>[0.0, 0.0, 0.0, 2.0]</c>.</summary>
    [Sequential(TimeSteps = 1, Features = 4)]
    [Activation("relu")]
    public partial class ReluDocstring;

    [Sequential(TimeSteps = 1, Features = 3)]
    [Activation("softmax")]
    public partial class SoftmaxLayer;

    /// <summary>Activation keeps the mask (Keras: <c>supports_masking = True</c>).</summary>
    [Sequential(TimeSteps = 3)]
    [Embedding(5, 2, MaskZero = true)]
    [Activation("tanh")]
    public partial class MaskedActivation;

    /// <summary>No mask comes out of a RepeatVector (its input has no time axis).</summary>
    [Sequential(TimeSteps = 3)]
    [Embedding(5, 2, MaskZero = true)]
    [Lstm(3)]
    [RepeatVector(2)]
    [Lstm(2, ReturnSequences = true)]
    public partial class MaskBeforeRepeat;

    /// <summary>A seq2seq toy for Fit: any input length, 4 output steps of 3 classes.</summary>
    [Sequential(Features = 3)]
    [Lstm(16)]
    [RepeatVector(4)]
    [Lstm(16, ReturnSequences = true)]
    [TimeDistributed]
    [Dense(3, Activation = "softmax")]
    public partial class TinySeq2Seq;
}
