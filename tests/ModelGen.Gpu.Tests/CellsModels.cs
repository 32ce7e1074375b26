using ModelGen;

namespace ModelGen.Gpu.Tests.CellModels;

// Small models declared only so the generator emits both the CPU and the GPU cell of each shape the cell tests compare.

[Sequential(Features = 3)]
[Lstm(5, ReturnSequences = true)]
[Lstm(4, Activation = "relu", RecurrentActivation = "hard_sigmoid")]
[Dense(4)]
internal sealed partial class CellsLstmModel;

[Sequential(Features = 3)]
[Gru(5, ReturnSequences = true)]
[Gru(5, ResetAfter = false)]
[Dense(4, Activation = "softmax")]
internal sealed partial class CellsGruModel;

[Sequential(Features = 3)]
[Gru(4, ResetAfter = false, RecurrentActivation = "hard_sigmoid", Activation = "relu", ReturnSequences = true)]
[SimpleRnn(5, ReturnSequences = true)]
[SimpleRnn(4, Activation = "relu")]
[Dense(3, Activation = "sigmoid")]
internal sealed partial class CellsSimpleModel;

[Sequential(Features = 3)]
[Lstm(56)]
[Dense(2, Activation = "tanh")]
internal sealed partial class CellsPerStepModel;

[Sequential(Features = 3)]
[Gru(64)]
[Dense(2, Activation = "relu")]
internal sealed partial class CellsPerStepGruModel;

[Sequential(Features = 3)]
[Gru(64, ResetAfter = false, ReturnSequences = true)]
[SimpleRnn(128)]
[Dense(2)]
internal sealed partial class CellsPerStepMixedModel;
