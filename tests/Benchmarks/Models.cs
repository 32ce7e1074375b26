// The six workloads of the speed benchmarks, declared as a user would. Keras equivalents in the comments;
// torch_peer.py builds the same shapes in PyTorch.
using ModelGen;

namespace ModelGen.Benchmarks;

/// <summary>W1: SimpleRNN(10) + Dense(1) on 4 steps × 1 feature (the README's first model), batch 6.</summary>
[Sequential(TimeSteps = 4, Features = 1)]
[SimpleRnn(10)]
[Dense(1)]
public partial class W1Model;

/// <summary>W2: LSTM(30, return_sequences) + LSTM(30) + Dense(1) on 100 steps × 2 features, batch 32.</summary>
[Sequential(TimeSteps = 100, Features = 2)]
[Lstm(30, ReturnSequences = true)]
[Lstm(30)]
[Dense(1)]
public partial class W2Model;

/// <summary>W3: Embedding(2000, 128) + LSTM(196) + Dense(2, softmax) on 28 token ids, batch 64.</summary>
[Sequential(TimeSteps = 28)]
[Embedding(2000, 128)]
[Lstm(196)]
[Dense(2, Activation = "softmax")]
public partial class W3Model;

/// <summary>W4: Embedding(500, 16) + SimpleRNN(8) + Dense(1, sigmoid) on 100 token ids, batch 64.</summary>
[Sequential(TimeSteps = 100)]
[Embedding(500, 16)]
[SimpleRnn(8)]
[Dense(1, Activation = "sigmoid")]
public partial class W4Model;

/// <summary>W5: LSTM(32) + Dense(1) on 10 steps × 1 feature, batch 1 (one sample at a time).</summary>
[Sequential(TimeSteps = 10, Features = 1)]
[Lstm(32)]
[Dense(1)]
public partial class W5Model;

/// <summary>W6: GRU(30, return_sequences) + GRU(30) + Dense(1) on 100 steps × 2 features, batch 32.</summary>
[Sequential(TimeSteps = 100, Features = 2)]
[Gru(30, ReturnSequences = true)]
[Gru(30)]
[Dense(1)]
public partial class W6Model;
