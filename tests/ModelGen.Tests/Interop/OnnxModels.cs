using ModelGen;

namespace ModelGen.Tests.Interop;

// Declarations exported to ONNX and run in ONNX Runtime: every layer kind and option the exporter handles.

[Sequential(TimeSteps = 6, Features = 3)]
[SimpleRnn(5)]
[Dense(2)]
public partial class OnnxRnnTanh;

[Sequential(TimeSteps = 6, Features = 3)]
[SimpleRnn(5, Activation = "relu", ReturnSequences = true)]
[SimpleRnn(4, Activation = "linear", ReturnSequences = true)]
[SimpleRnn(3, Activation = "sigmoid")]
[Dense(2, Activation = "tanh")]
public partial class OnnxRnnActivations;

/// <summary>Keras activation= on LSTM and GRU: ONNX's g and h activations (linear as Affine(1, 0)), with hard_sigmoid gates too.</summary>
[Sequential(TimeSteps = 6, Features = 3)]
[Lstm(5, Activation = "relu", ReturnSequences = true)]
[Lstm(4, Activation = "linear", ReturnSequences = true)]
[Bidirectional]
[Gru(4, Activation = "sigmoid", RecurrentActivation = "hard_sigmoid", ReturnSequences = true)]
[Gru(3, Activation = "relu", ResetAfter = false)]
[Dense(2)]
public partial class OnnxGatedActivations;

[Sequential(TimeSteps = 7, Features = 4)]
[Lstm(6, ReturnSequences = true)]
[Lstm(5, RecurrentActivation = "hard_sigmoid")]
[Dense(3, Activation = "softmax")]
public partial class OnnxLstmStacked;

[Sequential(TimeSteps = 6, Features = 3)]
[Gru(5, ReturnSequences = true)]
[Gru(4, ResetAfter = false)]
[Dense(1, Activation = "sigmoid")]
public partial class OnnxGruBothForms;

[Sequential(TimeSteps = 5, Features = 3)]
[Gru(4, ResetAfter = false, UseBias = false, ReturnSequences = true)]
[Gru(4, UseBias = false, RecurrentActivation = "hard_sigmoid")]
[Dense(2, UseBias = false)]
public partial class OnnxGruNoBias;

[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(4, ReturnSequences = true)]
[Bidirectional(MergeMode = "sum")]
[Gru(5, ReturnSequences = true)]
[Bidirectional(MergeMode = "mul")]
[SimpleRnn(3, ReturnSequences = true)]
[Bidirectional(MergeMode = "ave")]
[Lstm(3, RecurrentActivation = "hard_sigmoid")]
[Dense(2)]
public partial class OnnxBidirectionalMerges;

[Sequential(TimeSteps = 6, Features = 2)]
[Lstm(4, GoBackwards = true, ReturnSequences = true)]
[Gru(3, GoBackwards = true)]
[Dense(1)]
public partial class OnnxGoBackwards;

[Sequential(Features = 3)]
[Dropout(0.3)]
[Lstm(5, ReturnSequences = true, Dropout = 0.2, RecurrentDropout = 0.2)]
[SpatialDropout1D(0.1)]
[TimeDistributed]
[Dense(4, Activation = "softmax")]
public partial class OnnxAnyLengthSteps;

[Sequential(TimeSteps = 8)]
[Embedding(30, 5)]
[Lstm(6)]
[Dense(4, Activation = "relu")]
public partial class OnnxEmbedding;

[Sequential(TimeSteps = 8)]
[Embedding(30, 5, MaskZero = true)]
[Lstm(6, ReturnSequences = true)]
[Gru(4)]
[Dense(2)]
public partial class OnnxEmbeddingMasked;

[Sequential(TimeSteps = 8)]
[Embedding(25, 4, MaskZero = true)]
[Bidirectional]
[Gru(5, ReturnSequences = true)]
[Bidirectional(MergeMode = "sum")]
[SimpleRnn(3, ReturnSequences = true)]
[TimeDistributed]
[Dense(3, Activation = "softmax")]
public partial class OnnxMaskedBidirectionalSteps;

[Sequential(TimeSteps = 7)]
[Embedding(25, 4, MaskZero = true)]
[Bidirectional(MergeMode = "concat")]
[Lstm(3)]
[Dense(1)]
public partial class OnnxMaskedBidirectionalLast;

[Sequential(TimeSteps = 7, Features = 3)]
[Masking(-1.0)]
[Lstm(5, ReturnSequences = true)]
[Dense(2)]
public partial class OnnxMaskingSteps;

[Sequential(TimeSteps = 7, Features = 3)]
[Masking(0.0)]
[Gru(4, ResetAfter = false)]
[Dense(2)]
public partial class OnnxMaskingLast;

[Sequential(TimeSteps = 6)]
[Embedding(20, 4, MaskZero = true)]
[Lstm(3, GoBackwards = true)]
[Dense(1)]
public partial class OnnxMaskedGoBackwards;

// A GoBackwards layer returning its sequence (in its reading order, as Keras) under a mask, and a layer after it.
[Sequential(TimeSteps = 7)]
[Embedding(20, 4, MaskZero = true)]
[Gru(3, GoBackwards = true, ReturnSequences = true)]
[Lstm(2)]
[Dense(1)]
public partial class OnnxMaskedGoBackwardsSteps;

// The layers without weights around the recurrent ones: pooling, Flatten, RepeatVector, Activation.

[Sequential(TimeSteps = 6, Features = 2)]
[Gru(4, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class OnnxAveragePooled;

/// <summary>GlobalAveragePooling1D under a mask averages the unmasked steps only (Keras).</summary>
[Sequential(TimeSteps = 8)]
[Embedding(20, 4, MaskZero = true)]
[Lstm(3, ReturnSequences = true)]
[GlobalAveragePooling1D]
[Dense(2)]
public partial class OnnxAveragePooledMasked;

[Sequential(TimeSteps = 6, Features = 2)]
[Lstm(4, ReturnSequences = true)]
[GlobalMaxPooling1D]
[Activation("tanh")]
[Dense(1)]
public partial class OnnxMaxPooled;

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(3, ReturnSequences = true)]
[Flatten]
[Dense(2)]
[Activation("sigmoid")]
public partial class OnnxFlattened;

/// <summary>An encoder-decoder: the output has RepeatVector's 3 steps, not the input's 6.</summary>
[Sequential(TimeSteps = 6, Features = 2)]
[Lstm(4)]
[RepeatVector(3)]
[Lstm(4, ReturnSequences = true)]
[TimeDistributed]
[Dense(3)]
[Activation("softmax")]
public partial class OnnxRepeated;

/// <summary>A stateful layer: exported as its first pass after ResetStates (every ONNX call starts from zeros).</summary>
[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(4, Stateful = true)]
[Dense(1)]
public partial class OnnxStateful;
