using System;

namespace ModelGen.Tests.Summary
{
    [Sequential(TimeSteps = 100, Features = 500)]
    [SimpleRnn(8)]
    [Dense(1, Activation = "sigmoid")]
    public partial class OneHotRnn;

    [Sequential(TimeSteps = 100)]
    [Embedding(500, 16)]
    [SimpleRnn(8)]
    [Dense(1, Activation = "sigmoid")]
    public partial class EmbeddedRnn;

    [Sequential(Features = 2)]
    [Lstm(32)]
    public partial class Lstm32;

    [Sequential(Features = 2)]
    [Gru(30)]
    public partial class Gru30;

    [Sequential(Features = 2)]
    [Gru(30, ResetAfter = false)]
    public partial class Gru30ResetBefore;
}

namespace ModelGen.Tests
{
    using ModelGen.Tests.Summary;

    /// <summary>Parameter counts and the summary table match Keras's.</summary>
    public sealed class SummaryTests
    {
        [Fact]
        public void Counts_match_keras()
        {
            Assert.Equal(4_072, OneHotRnn.Metadata.Layers[0].ParameterCount);  // SimpleRNN(8) on 500 features
            Assert.Equal(9, OneHotRnn.Metadata.Layers[1].ParameterCount);      // Dense(1) on 8
            Assert.Equal(8_000, EmbeddedRnn.Metadata.Layers[0].ParameterCount); // Embedding(500, 16)
            Assert.Equal(200, EmbeddedRnn.Metadata.Layers[1].ParameterCount);   // SimpleRNN(8) on 16
            Assert.Equal(8_209, EmbeddedRnn.ParameterCount);
            Assert.Equal(EmbeddedRnn.ParameterCount, new EmbeddedRnn().Parameters.Length);
            Assert.Equal(4_480, Lstm32.ParameterCount);           // LSTM(32) on 2 features
            Assert.Equal(3_060, Gru30.ParameterCount);            // GRU(30) on 2, reset_after=True (two biases)
            Assert.Equal(2_970, Gru30ResetBefore.ParameterCount); // GRU(30) on 2, reset_after=False
        }

        [Fact]
        public void Summary_is_the_keras_table()
        {
            string summary = new EmbeddedRnn().Summary();
            string[] lines = summary.Split('\n');
            Assert.Equal("Model: \"EmbeddedRnn\"", lines[0]);
            Assert.Contains(lines, l => l.StartsWith("embedding (Embedding)", StringComparison.Ordinal) && l.Contains("(None, 100, 16)") && l.TrimEnd().EndsWith("8,000", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("simple_rnn (SimpleRNN)", StringComparison.Ordinal) && l.Contains("(None, 8)") && l.TrimEnd().EndsWith("200", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("dense (Dense)", StringComparison.Ordinal) && l.Contains("(None, 1)") && l.TrimEnd().EndsWith(" 9", StringComparison.Ordinal));
            Assert.Contains(" Total params: 8,209", lines);
        }
    }
}
