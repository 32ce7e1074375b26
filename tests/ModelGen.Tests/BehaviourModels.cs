namespace ModelGen.Tests.Behaviour;

[Sequential(Features = 2)]
[Lstm(12, ReturnSequences = true)]
[Gru(10)]
[Dense(1)]
public partial class OpenLengthModel;

[Sequential(TimeSteps = 10, Features = 3)]
[Lstm(32, ReturnSequences = true)]
[Gru(30, ResetAfter = false, ReturnSequences = true)]
[SimpleRnn(17)]
[Dense(4, Activation = "softmax")]
public partial class AllocationModel;

[Sequential(TimeSteps = 12)]
[Embedding(50, 8)]
[Gru(16)]
[Dense(1, Activation = "sigmoid")]
public partial class TokenModel;
