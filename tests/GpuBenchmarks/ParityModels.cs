// One model per PyTorch fixture the parity mode reads (the same declarations as tests/ModelGen.Tests'
// TorchParityModels.cs for these fixtures; that file is not linked whole so that only these models get GPU kernels).
using ModelGen;

namespace ModelGen.GpuBenchmarks;

/// <summary>lstm_i3_h5_t7_b4.</summary>
[Sequential(TimeSteps = 7, Features = 3)]
[Lstm(5, ReturnSequences = true)]
public partial class PLstmI3H5;

/// <summary>lstm_i2_h9_t5_b3_l2.</summary>
[Sequential(TimeSteps = 5, Features = 2)]
[Lstm(9, ReturnSequences = true)]
[Lstm(9, ReturnSequences = true)]
public partial class PLstmI2H9L2;

/// <summary>lstm_i3_h17_t8_b5_head3.</summary>
[Sequential(TimeSteps = 8, Features = 3)]
[Lstm(17)]
[Dense(3)]
public partial class PLstmI3H17Head3;

/// <summary>gru_i3_h5_t7_b4.</summary>
[Sequential(TimeSteps = 7, Features = 3)]
[Gru(5, ReturnSequences = true)]
public partial class PGruI3H5;

/// <summary>gru_i4_h10_t6_b3_head2.</summary>
[Sequential(TimeSteps = 6, Features = 4)]
[Gru(10)]
[Dense(2)]
public partial class PGruI4H10Head2;

/// <summary>rnn_tanh_i3_h5_t7_b4.</summary>
[Sequential(TimeSteps = 7, Features = 3)]
[SimpleRnn(5, ReturnSequences = true)]
public partial class PRnnTanhI3H5;

/// <summary>rnn_relu_i3_h8_t6_b2_head1.</summary>
[Sequential(Features = 3)]
[SimpleRnn(8, Activation = "relu")]
[Dense(1)]
public partial class PRnnReluI3H8Head1;

/// <summary>lstm_i3_h5_t6_b3_bi.</summary>
[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(5, ReturnSequences = true)]
public partial class PBiLstmI3H5;

/// <summary>gru_i4_h7_t5_b2_bi.</summary>
[Sequential(Features = 4)]
[Bidirectional(MergeMode = "concat")]
[Gru(7, ReturnSequences = true)]
public partial class PBiGruI4H7;

/// <summary>lstm_i3_h7_t6_b3_head2_bi.</summary>
[Sequential(TimeSteps = 6, Features = 3)]
[Bidirectional]
[Lstm(7)]
[Dense(2)]
public partial class PBiLstmI3H7Head2;
