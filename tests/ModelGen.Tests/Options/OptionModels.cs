namespace ModelGen.Tests.Options;

// Models for the issue-4 options: Bidirectional, go_backwards, states, dropout, masking, TimeDistributed,
// hard_sigmoid gates and use_bias. Sizes are odd so the SIMD loops' scalar tails run.

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(7, GoBackwards = true, ReturnSequences = true)]
[Dense(2)]
public partial class GoBackwardsLstmModel;

[Sequential(TimeSteps = 5, Features = 3)]
[Bidirectional]
[Lstm(6, ReturnSequences = true)]
[Bidirectional(MergeMode = "sum")]
[Gru(5)]
[Dense(2)]
public partial class BidirectionalStackModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Bidirectional(MergeMode = "mul")]
[SimpleRnn(5, ReturnSequences = true)]
[Bidirectional(MergeMode = "ave")]
[Gru(4, ResetAfter = false)]
public partial class BidirectionalMulAveModel;

[Sequential(TimeSteps = 6, Features = 3)]
[Masking(0.0)]
[Bidirectional]
[Gru(5, ReturnSequences = true)]
[Lstm(4)]
[Dense(2)]
public partial class MaskedBidirectionalModel;

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(6, ReturnSequences = true, Dropout = 0.3, RecurrentDropout = 0.4)]
[SpatialDropout1D(0.3)]
[Gru(5, ReturnSequences = true, RecurrentDropout = 0.3, ResetAfter = false)]
[Bidirectional]
[Gru(4, ReturnSequences = true, RecurrentDropout = 0.3, Dropout = 0.2)]
[SimpleRnn(3, RecurrentDropout = 0.5)]
[Dropout(0.3)]
[Dense(2)]
public partial class DropoutModel;

/// <summary><see cref="DropoutModel"/> without its dropout: the same parameters, so inference must agree exactly.</summary>
[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(6, ReturnSequences = true)]
[Gru(5, ReturnSequences = true, ResetAfter = false)]
[Bidirectional]
[Gru(4, ReturnSequences = true)]
[SimpleRnn(3)]
[Dense(2)]
public partial class NoDropoutModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(5, UseBias = false, RecurrentActivation = "hard_sigmoid", ReturnSequences = true)]
[Gru(6, RecurrentActivation = "hard_sigmoid", UseBias = false, ReturnSequences = true)]
[Gru(4, ResetAfter = false, RecurrentActivation = "hard_sigmoid", ReturnSequences = true)]
[SimpleRnn(3, UseBias = false)]
[Dense(2, UseBias = false)]
public partial class HardSigmoidNoBiasModel;

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(6, GoBackwards = true, ReturnSequences = true, Dropout = 0.2)]
[TimeDistributed]
[Dense(3, Activation = "softmax")]
public partial class TimeDistributedModel;

[Sequential(TimeSteps = 8)]
[Embedding(12, 4, MaskZero = true)]
[Bidirectional]
[Lstm(5)]
[Dense(1, Activation = "sigmoid")]
public partial class MaskedTokenModel;

[Sequential(Features = 2)]
[Masking(0.0)]
[Gru(5, ReturnSequences = true)]
[SimpleRnn(4, GoBackwards = true)]
[Dense(1)]
public partial class MaskedFloatModel;

[Sequential(Features = 3)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
[Bidirectional]
[SimpleRnn(4, ReturnSequences = true, ReturnState = true)]
[Gru(3, ReturnState = true)]
public partial class InitialStateModel;

[Sequential(Features = 2)]
[Lstm(5, Stateful = true, ReturnSequences = true, ReturnState = true)]
public partial class StatefulLstmModel;

[Sequential(Features = 2)]
[Lstm(5, ReturnSequences = true)]
public partial class PlainLstmModel;

[Sequential(Features = 40)]
[Dropout(0.3)]
public partial class DropoutOnlyModel;

[Sequential(Features = 40)]
[SpatialDropout1D(0.5)]
public partial class SpatialDropoutOnlyModel;

[Sequential(Features = 128)]
[Bidirectional]
[Lstm(64)]
public partial class KerasBidirectionalModel;

/// <summary>SimpleRNN shapes with the unrolled step (8 and 16 units), behind a mask.</summary>
[Sequential(Features = 3)]
[Masking(0.0)]
[SimpleRnn(16, ReturnSequences = true)]
[SimpleRnn(8, Activation = "sigmoid", ReturnSequences = true)]
[SimpleRnn(8, Activation = "linear")]
public partial class UnrolledRnnModel;
