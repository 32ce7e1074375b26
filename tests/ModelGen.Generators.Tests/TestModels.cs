namespace ModelGen.Generators.Tests;

/// <summary>Model declarations shared by the snapshot, caching and culture tests: one per layer kind, and a stack.</summary>
internal static class TestModels
{
    private const string Header = """
        using ModelGen;

        namespace Demo;

        """;

    /// <summary>The sample's model: SimpleRNN(10, tanh) → Dense(1).</summary>
    public const string SimpleRnnModel = Header + """
        [Sequential(TimeSteps = 4, Features = 1)]
        [SimpleRnn(10)]
        [Dense(1)]
        public partial class SimpleRnnModel;
        """;

    /// <summary>LSTM with open TimeSteps; 12 units give a vector loop and a scalar tail.</summary>
    public const string LstmModel = Header + """
        [Sequential(Features = 2)]
        [Lstm(12)]
        [Dense(1)]
        public partial class LstmModel;
        """;

    public const string GruModel = Header + """
        [Sequential(TimeSteps = 6, Features = 3)]
        [Gru(9)]
        [Dense(2, Activation = "tanh")]
        public partial class GruModel;
        """;

    public const string GruResetBeforeModel = Header + """
        [Sequential(Features = 3)]
        [Gru(9, ResetAfter = false)]
        [Dense(1, Activation = "relu")]
        public partial class GruResetBeforeModel;
        """;

    public const string EmbeddingModel = Header + """
        [Sequential(TimeSteps = 8)]
        [Embedding(500, 16)]
        [SimpleRnn(8)]
        [Dense(1, Activation = "sigmoid")]
        public partial class EmbeddingModel;
        """;

    /// <summary>Dense layers only, applied to every time step; softmax output.</summary>
    public const string DenseSoftmaxModel = Header + """
        [Sequential(Features = 4)]
        [Dense(8, Activation = "relu")]
        [Dense(3, Activation = "softmax")]
        public partial class DenseSoftmaxModel;
        """;

    public const string StackedModel = Header + """
        [Sequential(Features = 2)]
        [Lstm(30, ReturnSequences = true)]
        [Lstm(30)]
        [Dense(1)]
        public partial class StackedModel;
        """;

    public static readonly string[] All =
        [SimpleRnnModel, LstmModel, GruModel, GruResetBeforeModel, EmbeddingModel, DenseSoftmaxModel, StackedModel];
}
