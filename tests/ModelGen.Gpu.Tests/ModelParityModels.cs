namespace ModelGen.Gpu.Tests.Models;

// Tiny models covering every layer kind and option the GPU passes render (issue 11), each run on the CPU and on the
// CPU accelerator by the parity tests. Units and steps are small: every simulated GPU thread is an OS thread.

[Sequential(TimeSteps = 3, Features = 4)]
[Dense(5, Activation = "tanh")]
[Dense(3, Activation = "softmax")]
public partial class GpuDenseModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(5)]
[Dense(2)]
public partial class GpuLstmModel;

[Sequential(Features = 3)]
[Gru(4, ReturnSequences = true)]
[Dense(2, Activation = "sigmoid")]
public partial class GpuGruModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Gru(4, ResetAfter = false)]
public partial class GpuGruResetBeforeModel;

[Sequential(TimeSteps = 3, Features = 2)]
[SimpleRnn(3, ReturnSequences = true)]
[SimpleRnn(3, Activation = "relu", ReturnSequences = true)]
[SimpleRnn(3, Activation = "sigmoid", ReturnSequences = true)]
[SimpleRnn(2, Activation = "linear")]
public partial class GpuSimpleRnnModel;

[Sequential(TimeSteps = 5)]
[Embedding(7, 3, MaskZero = true)]
[Lstm(4, ReturnSequences = true)]
[Dense(2)]
public partial class GpuEmbeddingModel;

[Sequential(TimeSteps = 5, Features = 2)]
[Masking]
[Gru(3, ReturnSequences = true)]
[Gru(3)]
public partial class GpuMaskingModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Lstm(3, GoBackwards = true, ReturnSequences = true)]
[SimpleRnn(3, GoBackwards = true)]
public partial class GpuGoBackwardsModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Bidirectional]
[Lstm(3, ReturnSequences = true)]
[Bidirectional(MergeMode = "sum")]
[Gru(3, ReturnSequences = true)]
[Bidirectional(MergeMode = "mul")]
[SimpleRnn(3, ReturnSequences = true)]
[Bidirectional(MergeMode = "ave")]
[Lstm(2)]
public partial class GpuBidirectionalModel;

[Sequential(TimeSteps = 5, Features = 2)]
[Masking]
[Bidirectional]
[Lstm(3, ReturnSequences = true)]
[Bidirectional(MergeMode = "ave")]
[Gru(2)]
[Dense(2)]
public partial class GpuMaskedBidirectionalModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Lstm(3, ReturnSequences = true, ReturnState = true)]
[Gru(3, ReturnState = true)]
[Dense(2)]
public partial class GpuStatesModel;

[Sequential(TimeSteps = 3, Features = 2)]
[Lstm(3, Stateful = true, ReturnSequences = true)]
[SimpleRnn(2, Stateful = true)]
public partial class GpuStatefulModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Dropout(0.3)]
[Lstm(4, ReturnSequences = true, Dropout = 0.3, RecurrentDropout = 0.4)]
[SpatialDropout1D(0.3)]
[Gru(3, ReturnSequences = true, RecurrentDropout = 0.3, ResetAfter = false)]
[Bidirectional]
[SimpleRnn(2, Dropout = 0.2, RecurrentDropout = 0.5)]
[Dense(2)]
public partial class GpuDropoutModel;

[Sequential(TimeSteps = 3, Features = 2)]
[Lstm(2)]
[RepeatVector(2)]
public partial class GpuCpuOnlyModel;
