namespace ModelGen.Tests.GradientCheck;

// Small models, one per layer kind and option, plus stacks. Shapes are odd on purpose so the SIMD loops'
// scalar tails run (units 9, 11, 13 …) as well as whole vectors (units 8, 16).

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(9)]
[Dense(2)]
public partial class TanhRnnModel;

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(8, Activation = "relu")]
[Dense(2)]
public partial class ReluRnnModel;

[Sequential(TimeSteps = 4, Features = 2)]
[SimpleRnn(11, Activation = "sigmoid", ReturnSequences = true)]
public partial class SigmoidRnnModel;

[Sequential(TimeSteps = 4, Features = 2)]
[SimpleRnn(3, Activation = "linear")]
public partial class LinearRnnModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(11)]
public partial class LstmModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Gru(9)]
public partial class GruModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Gru(9, ResetAfter = false, ReturnSequences = true)]
public partial class GruResetBeforeModel;

[Sequential(TimeSteps = 3, Features = 5)]
[Dense(7, Activation = "tanh")]
[Dense(4, Activation = "sigmoid")]
[Dense(3, Activation = "softmax")]
public partial class DenseStackModel;

[Sequential(TimeSteps = 3, Features = 4)]
[Dense(9, Activation = "relu")]
[Lstm(5)]
public partial class ReluDenseModel;

[Sequential(TimeSteps = 6)]
[Embedding(13, 4)]
[Gru(5)]
[Dense(1, Activation = "sigmoid")]
public partial class EmbeddingModel;

[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(6, ReturnSequences = true)]
[Gru(5, ReturnSequences = true)]
[SimpleRnn(4, ReturnSequences = true)]
[Dense(3, Activation = "softmax")]
public partial class MixedStackModel;

[Sequential(Features = 2)]
[Gru(16, ResetAfter = false, ReturnSequences = true)]
[Lstm(16)]
[Dense(2)]
public partial class WideStackModel;

// Rows wider than one 512-bit vector, not a multiple of it: the fused loops' 512-bit path, its 256-bit remainder and
// its overlapped last vector (16 + 8 + scalar for 27 units; 16 + overlap for 19 and 21), in every recurrent form.
[Sequential(Features = 3)]
[Gru(19, ReturnSequences = true)]
[Gru(21, ResetAfter = false, ReturnSequences = true, RecurrentActivation = "hard_sigmoid")]
[Lstm(27)]
[Dense(2)]
public partial class WideRowModel;

// Final states in the loss (issue 12, item 6): two LSTM layers returning their states, the first its sequence and the
// second its last output into a head, so h_n of the second layer gets gradient through both paths; a Bidirectional
// GRU returning its last merged output and both directions' states; a masked LSTM whose last steps are padding, so
// h_n and c_n are carried through masked steps.
[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
[Lstm(6, ReturnState = true)]
[Dense(2)]
public partial class LstmFinalStatesModel;

[Sequential(Features = 3)]
[Bidirectional]
[Gru(5, ReturnState = true)]
public partial class BiGruFinalStatesModel;

[Sequential(TimeSteps = 5, Features = 2)]
[Masking]
[Lstm(4, ReturnSequences = true, ReturnState = true)]
[TimeDistributed]
[Dense(2)]
public partial class MaskedLstmFinalStatesModel;

// A SimpleRNN of 8 units (the unrolled step) reading backwards, returning its state.
[Sequential(TimeSteps = 5, Features = 2)]
[SimpleRnn(8, GoBackwards = true, ReturnState = true)]
[Dense(1)]
public partial class BackwardsRnnFinalStateModel;
