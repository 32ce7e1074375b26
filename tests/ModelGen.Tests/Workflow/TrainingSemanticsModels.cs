namespace ModelGen.Tests.Workflow;

/// <summary>Issue 12, item 1: a tag per step under Embedding(mask_zero), so a sample of padding only has no real row.</summary>
[Sequential(TimeSteps = 3)]
[Embedding(5, 2, MaskZero = true)]
[Lstm(3, ReturnSequences = true)]
[TimeDistributed]
[Dense(1, Activation = "sigmoid")]
public partial class PaddedStepModel;

/// <summary>Issue 12, item 3: a stateful layer, so every batch until ResetStates() must have one size.</summary>
[Sequential(TimeSteps = 4, Features = 2)]
[Lstm(4, Stateful = true)]
[Dense(1)]
public partial class StatefulRegressionModel;
