namespace ModelGen.Tests.Parity;

// One model per PyTorch fixture (tests/fixtures/make_torch_fixtures.py). Recurrent layers return sequences
// unless a Linear head follows, matching the PyTorch module's output. Some declare their length and some
// leave it open, so both paths are compared.

[Sequential(TimeSteps = 7, Features = 3)]
[SimpleRnn(5, ReturnSequences = true)]
public partial class RnnTanhI3H5;

[Sequential(Features = 4)]
[SimpleRnn(6, Activation = "relu", ReturnSequences = true)]
public partial class RnnReluI4H6;

[Sequential(TimeSteps = 5, Features = 2)]
[SimpleRnn(9, ReturnSequences = true)]
[SimpleRnn(9, ReturnSequences = true)]
public partial class RnnTanhI2H9L2;

[Sequential(Features = 3)]
[SimpleRnn(8, Activation = "relu")]
[Dense(1)]
public partial class RnnReluI3H8Head1;

[Sequential(TimeSteps = 7, Features = 3)]
[Lstm(5, ReturnSequences = true)]
public partial class LstmI3H5;

[Sequential(Features = 1)]
[Lstm(13, ReturnSequences = true)]
public partial class LstmI1H13;

[Sequential(TimeSteps = 4, Features = 8)]
[Lstm(24, ReturnSequences = true)]
public partial class LstmI8H24;

[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(9, ReturnSequences = true)]
[Lstm(9, ReturnSequences = true)]
public partial class LstmI2H9L2;

[Sequential(TimeSteps = 8, Features = 3)]
[Lstm(17)]
[Dense(3)]
public partial class LstmI3H17Head3;

[Sequential(TimeSteps = 7, Features = 3)]
[Gru(5, ReturnSequences = true)]
public partial class GruI3H5;

[Sequential(Features = 7)]
[Gru(11, ReturnSequences = true)]
public partial class GruI7H11;

[Sequential(TimeSteps = 4, Features = 5)]
[Gru(7, ReturnSequences = true)]
[Gru(7, ReturnSequences = true)]
public partial class GruI5H7L2;

[Sequential(TimeSteps = 6, Features = 4)]
[Gru(10)]
[Dense(2)]
public partial class GruI4H10Head2;
