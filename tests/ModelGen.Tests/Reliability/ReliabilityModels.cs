namespace ModelGen.Tests.Reliability;

/// <summary>A model of 960,000+ parameters (a 3.8 MB weight file): big enough that a save takes a while and allocations show.</summary>
[Sequential(TimeSteps = 2)]
[Embedding(60_000, 16)]
[SimpleRnn(2)]
[Dense(1)]
public partial class StreamedModel;

/// <summary>One token in, 100,000 outputs out: a few thousand samples already need more floats than one array holds.</summary>
[Sequential(TimeSteps = 1)]
[Embedding(10, 4)]
[SimpleRnn(4, ReturnSequences = true)]
[TimeDistributed]
[Dense(100_000)]
public partial class WideOutputModel;
