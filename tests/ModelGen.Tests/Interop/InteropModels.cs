using ModelGen;

namespace ModelGen.Tests.Interop;

// The ModelGen counterparts of the modules in tests/fixtures/make_interop_fixtures.py (same sizes, 5 steps).

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(6)]
public partial class TorchRnnTanh;

[Sequential(TimeSteps = 5, Features = 4)]
[SimpleRnn(5, Activation = "relu", ReturnSequences = true)]
[SimpleRnn(5, Activation = "relu")]
[Dense(2)]
public partial class TorchRnnReluStacked;

// Layer names equal to the PyTorch module names: no name map needed.
[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(7, Name = "rnn")]
[Dense(2, Name = "fc")]
public partial class TorchLstm;

[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(6, ReturnSequences = true)]
[Lstm(6)]
[Dense(1)]
public partial class TorchLstmStacked;

[Sequential(TimeSteps = 5, Features = 3)]
[Bidirectional]
[Lstm(5, ReturnSequences = true)]
[Bidirectional]
[Lstm(5)]
[Dense(3)]
public partial class TorchLstmBidirectionalStacked;

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(4, UseBias = false)]
[Dense(2, UseBias = false)]
public partial class TorchLstmNoBias;

[Sequential(TimeSteps = 5, Features = 4)]
[Gru(6, Name = "rnn")]
[Dense(1, Name = "fc")]
public partial class TorchGru;

[Sequential(TimeSteps = 5, Features = 3)]
[Bidirectional]
[Gru(5, ReturnSequences = true)]
[Bidirectional]
[Gru(5, ReturnSequences = true)]
[TimeDistributed]
[Dense(4)]
public partial class TorchGruBidirectionalSteps;

[Sequential(TimeSteps = 5)]
[Embedding(20, 6)]
[Lstm(8)]
[Dense(2)]
public partial class TorchEmbeddingLstm;

[Sequential(TimeSteps = 5)]
[Embedding(15, 5)]
[Bidirectional]
[Gru(4)]
[Dense(3)]
public partial class TorchEmbeddingGruBidirectional;

[Sequential(TimeSteps = 5)]
[Embedding(12, 4)]
[SimpleRnn(6, ReturnSequences = true)]
[Dense(3)]
public partial class TorchEmbeddingRnnSteps;

// A GRU with the reset gate before the recurrent product: no PyTorch counterpart.
[Sequential(TimeSteps = 5, Features = 4)]
[Gru(6, ResetAfter = false, Name = "rnn")]
[Dense(1, Name = "fc")]
public partial class GruResetBefore;

// A GRU without bias in the Cho et al. form: its weights look like a PyTorch GRU's, its declaration says otherwise.
[Sequential(TimeSteps = 5, Features = 4)]
[Gru(6, ResetAfter = false, UseBias = false)]
public partial class GruResetBeforeNoBias;

// Layers without weights around a recurrent layer PyTorch cannot hold: the declaration is still read, so the refusal stands.

[Sequential(TimeSteps = 6, Features = 2)]
[Lstm(4, Activation = "relu", ReturnSequences = true)]
[GlobalMaxPooling1D]
[Dense(1)]
public partial class ReluLstmPooled;

[Sequential(TimeSteps = 6, Features = 2)]
[SimpleRnn(3, Activation = "sigmoid", ReturnSequences = true)]
[Flatten]
[Activation("tanh")]
[Dense(1)]
public partial class SigmoidRnnFlattened;

/// <summary><see cref="ReluLstmPooled"/> with tanh: the same tensors, which PyTorch can hold.</summary>
[Sequential(TimeSteps = 6, Features = 2)]
[Lstm(4, ReturnSequences = true)]
[GlobalMaxPooling1D]
[Dense(1)]
public partial class ReluLstmPooledTwin;

/// <summary><see cref="TorchEmbeddingLstm"/> with names of its own and a Dropout: Keras 3 files key layers by class and position, not by name.</summary>
[Sequential(TimeSteps = 5)]
[Embedding(20, 6, Name = "tokens")]
[Dropout(0.1)]
[Lstm(8, Name = "encoder")]
[Dense(2, Name = "head")]
public partial class TorchEmbeddingLstmRenamed;

[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(3, ReturnSequences = true, Name = "first")]
[Lstm(3, Name = "second")]
[Dense(1)]
public partial class OnnxLstmStackedKeys;

// TorchGruBidirectionalSteps with reset_after=False GRUs: the same kernels, a bias of one row ([3·units]).
[Sequential(TimeSteps = 5, Features = 3)]
[Bidirectional]
[Gru(5, ReturnSequences = true, ResetAfter = false)]
[Bidirectional]
[Gru(5, ReturnSequences = true, ResetAfter = false)]
[TimeDistributed]
[Dense(4)]
public partial class GruBidirectionalStepsResetBefore;
