namespace ModelGen.Gpu.Tests.Training;

// Generated models trained on the device by TrainingGeneratedTests (tiny: every simulated GPU thread is an OS thread).

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(4)]
[Dense(3, Activation = "softmax")]
public partial class TrainLstmSoftmaxModel;

[Sequential(TimeSteps = 4, Features = 2)]
[Masking]
[Gru(3, ReturnSequences = true)]
[Dense(2)]
public partial class TrainMaskedGruSequenceModel;

[Sequential(TimeSteps = 3, Features = 2)]
[SimpleRnn(3, Trainable = false)]
[Dense(2, Activation = "sigmoid", KernelRegularizer = "l1_l2(l1=0.01, l2=0.02)", BiasRegularizer = "l2(0.01)")]
public partial class TrainFrozenRegularizedModel;

[Sequential(TimeSteps = 4)]
[Embedding(7, 3)]
[Lstm(3, KernelRegularizer = "l2(0.01)")]
[Dense(2)]
public partial class TrainEmbeddingModel;
