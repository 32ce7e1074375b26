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

// Bidirectional (concat) is PyTorch's bidirectional=True: the forward copy's weights are PyTorch's "_l0", the
// backward copy's "_l0_reverse". Stacked, the second layer reads both halves (2H features), as PyTorch's
// num_layers = 2 does.

[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(5, ReturnSequences = true)]
public partial class BiLstmI3H5;

[Sequential(Features = 4)]
[Bidirectional(MergeMode = "concat")]
[Gru(7, ReturnSequences = true)]
public partial class BiGruI4H7;

[Sequential(TimeSteps = 5, Features = 3)]
[Bidirectional]
[SimpleRnn(9, ReturnSequences = true)]
public partial class BiRnnTanhI3H9;

[Sequential(TimeSteps = 4, Features = 2)]
[Bidirectional]
[Lstm(7, ReturnSequences = true)]
[Bidirectional]
[Lstm(7, ReturnSequences = true)]
public partial class BiLstmI2H7L2;

[Sequential(Features = 3)]
[Bidirectional]
[Gru(7, ReturnSequences = true)]
[Bidirectional]
[Gru(7, ReturnSequences = true)]
public partial class BiGruI3H7L2;

// Without ReturnSequences the layer returns (forward h at the last step, backward h after reading back to the
// first step), which the fixture takes from PyTorch's output as (out[:, -1, :H], out[:, 0, H:]).
[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(7)]
[Dense(2)]
public partial class BiLstmI3H7Head2;

// GoBackwards: PyTorch runs the same module on x.flip(1); the output stays in that reversed order.

[Sequential(TimeSteps = 7, Features = 3)]
[Lstm(5, GoBackwards = true, ReturnSequences = true)]
public partial class LstmI3H5Backwards;

[Sequential(Features = 4)]
[Gru(7, GoBackwards = true, ReturnSequences = true)]
public partial class GruI4H7Backwards;

[Sequential(TimeSteps = 6, Features = 2)]
[SimpleRnn(9, GoBackwards = true, ReturnSequences = true)]
public partial class RnnTanhI2H9Backwards;

// Initial states (PyTorch h_0, c_0) and returned final states (h_n, c_n).

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(7, ReturnSequences = true, ReturnState = true)]
public partial class LstmI3H7States;

[Sequential(Features = 4)]
[Gru(9, ReturnSequences = true, ReturnState = true)]
public partial class GruI4H9States;

[Sequential(TimeSteps = 4, Features = 2)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
public partial class LstmI2H5L2States;

[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
public partial class BiLstmI3H5States;

[Sequential(Features = 3)]
[Bidirectional]
[Gru(7, ReturnSequences = true, ReturnState = true)]
public partial class BiGruI3H7States;

// Final states in the loss (loss = Σ y ⊙ R + Σ h_n ⊙ S + Σ c_n ⊙ S_c): every layer and direction returns its state.

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
[Lstm(5, ReturnSequences = true, ReturnState = true)]
public partial class LstmI3H5L2FinalStates;

[Sequential(Features = 3)]
[Bidirectional]
[Gru(6, ReturnSequences = true, ReturnState = true)]
[Bidirectional]
[Gru(6, ReturnSequences = true, ReturnState = true)]
public partial class BiGruI3H6L2FinalStates;

[Sequential(TimeSteps = 5, Features = 2)]
[Bidirectional]
[Lstm(6, ReturnState = true)]
[Dense(2)]
public partial class BiLstmI2H6Head2FinalStates;

// Row widths that reach every shape of the generated element-wise loops at each vector width, and the unrolled
// SimpleRNN step (8 and 16 units) with an odd batch: CI runs these at 512, 256 and 128 bits.

[Sequential(TimeSteps = 5, Features = 3)]
[Lstm(4, ReturnSequences = true)]
public partial class LstmI3H4;

[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(13, ReturnSequences = true)]
public partial class LstmI2H13;

[Sequential(TimeSteps = 4, Features = 3)]
[Lstm(36, ReturnSequences = true)]
public partial class LstmI3H36;

[Sequential(TimeSteps = 5, Features = 3)]
[Gru(13, ReturnSequences = true)]
public partial class GruI3H13;

[Sequential(TimeSteps = 4, Features = 3)]
[Gru(20, ReturnSequences = true)]
public partial class GruI3H20;

// Above 64 units the GRU's forward runs z, r and ĥ row by row in one loop; at most 64, z and r of every row first.
[Sequential(TimeSteps = 3, Features = 2)]
[Gru(67, ReturnSequences = true)]
public partial class GruI2H67;

[Sequential(TimeSteps = 6, Features = 2)]
[SimpleRnn(8, ReturnSequences = true)]
public partial class RnnTanhI2H8;

[Sequential(TimeSteps = 5, Features = 3)]
[SimpleRnn(16, ReturnSequences = true)]
public partial class RnnTanhI3H16;
