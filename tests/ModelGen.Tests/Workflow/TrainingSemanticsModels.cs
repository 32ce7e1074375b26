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

/// <summary>
/// Issue 12, item 2: the model, SimpleRNN(1, linear) → Dense(1, sigmoid), whose weights can give the output a
/// logit of 20 (a saturated, confidently wrong sigmoid for target 0).
/// </summary>
[Sequential(TimeSteps = 1, Features = 1)]
[SimpleRnn(1, Activation = "linear")]
[Dense(1, Activation = "sigmoid")]
public partial class SaturatedSigmoidModel;

/// <summary>Issue 12, item 2: the same with a two-class softmax output.</summary>
[Sequential(TimeSteps = 1, Features = 1)]
[SimpleRnn(1, Activation = "linear")]
[Dense(2, Activation = "softmax")]
public partial class SaturatedSoftmaxModel;

/// <summary>Issue 12, item 2: a softmax per step, so the logits are turned batch-major.</summary>
[Sequential(TimeSteps = 3, Features = 2)]
[Gru(4, ReturnSequences = true)]
[TimeDistributed]
[Dense(3, Activation = "softmax")]
public partial class SequenceSoftmaxModel;

/// <summary>
/// Trial J: the three models above with the activation as a layer of its own, as Keras writes
/// <c>Dense(1)</c> + <c>Activation('sigmoid')</c>; Keras on TensorFlow takes the logits of either form alike.
/// </summary>
[Sequential(TimeSteps = 1, Features = 1)]
[SimpleRnn(1, Activation = "linear")]
[Dense(1)]
[Activation("sigmoid")]
public partial class SaturatedSigmoidLayerModel;

/// <summary>Trial J: <see cref="SaturatedSoftmaxModel"/> with an Activation layer.</summary>
[Sequential(TimeSteps = 1, Features = 1)]
[SimpleRnn(1, Activation = "linear")]
[Dense(2)]
[Activation("softmax")]
public partial class SaturatedSoftmaxLayerModel;

/// <summary>Trial J: <see cref="SequenceSoftmaxModel"/> with an Activation layer.</summary>
[Sequential(TimeSteps = 3, Features = 2)]
[Gru(4, ReturnSequences = true)]
[TimeDistributed]
[Dense(3)]
[Activation("softmax")]
public partial class SequenceSoftmaxLayerModel;
