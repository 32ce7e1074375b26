namespace ModelGen.Tests.Workflow;

/// <summary>The SequencePrediction sample's model.</summary>
[Sequential(TimeSteps = 4, Features = 1)]
[SimpleRnn(10)]
[Dense(1)]
public partial class SequenceModel;

/// <summary>A reduced adding problem: 30 steps instead of 100, smaller LSTMs.</summary>
[Sequential(TimeSteps = 30, Features = 2)]
[Lstm(16, ReturnSequences = true)]
[Lstm(16)]
[Dense(1)]
public partial class SmallAdditionModel;

[Sequential(TimeSteps = 3, Features = 2)]
[Gru(6)]
[Dense(3, Activation = "softmax")]
public partial class ClassifierModel;

/// <summary>A per-step classifier: one class index per step with sparse categorical cross-entropy.</summary>
[Sequential(TimeSteps = 6, Features = 2)]
[Gru(8, ReturnSequences = true)]
[TimeDistributed]
[Dense(3, Activation = "softmax")]
public partial class StepClassifierModel;

/// <summary>The last step's class, with sparse categorical cross-entropy.</summary>
[Sequential(TimeSteps = 6, Features = 2)]
[Gru(8)]
[Dense(3, Activation = "softmax")]
public partial class ClassifierLastStepModel;

/// <summary>Padded token sequences tagged per step: the output carries the mask.</summary>
[Sequential(TimeSteps = 8)]
[Embedding(20, 5, MaskZero = true)]
[Gru(6, ReturnSequences = true)]
[TimeDistributed]
[Dense(3, Activation = "softmax")]
public partial class MaskedTaggerModel;
