namespace ModelGen.Tests.Options;

// Models for Keras's activation= on LSTM and GRU (issue 15). Unit counts 5 (scalar tails), 9 (one 256-bit vector and a
// tail) and 19 (a 512-bit vector, a 256-bit one and a tail) so every width of the fused loops runs.

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(19, Activation = "relu", ReturnSequences = true)]
[Lstm(5, Activation = "linear", ReturnSequences = true)]
[Lstm(9, Activation = "sigmoid")]
[Dense(2)]
public partial class ActivatedLstmModel;

[Sequential(TimeSteps = 5, Features = 3)]
[Gru(19, Activation = "relu", ReturnSequences = true)]
[Gru(5, Activation = "sigmoid", ResetAfter = false, ReturnSequences = true)]
[Gru(9, Activation = "linear", RecurrentActivation = "hard_sigmoid", ResetAfter = false, ReturnSequences = true)]
[Bidirectional]
[Gru(4, Activation = "relu", UseBias = false)]
[Dense(2)]
public partial class ActivatedGruModel;

/// <summary>One relu LSTM and one relu GRU, small enough for a reference written out in doubles.</summary>
[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(9, Activation = "relu", ReturnSequences = true)]
[Gru(5, Activation = "relu", ReturnSequences = true)]
[Gru(3, Activation = "sigmoid", ResetAfter = false)]
public partial class ReluReferenceModel;

/// <summary>The default written out: the same cells as <see cref="DefaultTanhModel"/>.</summary>
[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(6, Activation = "tanh", ReturnSequences = true)]
[Gru(4, Activation = "tanh")]
public partial class ExplicitTanhModel;

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(6, ReturnSequences = true)]
[Gru(4)]
public partial class DefaultTanhModel;

/// <summary>Keras's time-series staple: <c>LSTM(50, activation='relu')</c> then <c>Dense(1)</c>.</summary>
[Sequential(TimeSteps = 3, Features = 1)]
[Lstm(50, Activation = "relu")]
[Dense(1)]
public partial class KerasReluLstmModel;
