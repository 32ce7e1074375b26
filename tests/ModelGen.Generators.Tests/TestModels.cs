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

    /// <summary>
    /// The unrolled SimpleRNN steps' other shapes: 16 units (U read from L1 below 512 bits) returning every step, and 8
    /// linear units (no activation pass, so no activation methods).
    /// </summary>
    public const string UnrolledSimpleRnnModel = Header + """
        [Sequential(TimeSteps = 6, Features = 3)]
        [SimpleRnn(16, ReturnSequences = true)]
        [SimpleRnn(8, Activation = "linear")]
        [Dense(1)]
        public partial class UnrolledSimpleRnnModel;
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

    /// <summary>Masked input, stacked Bidirectional layers (concat, then sum) with dropout, tagging every step.</summary>
    public const string BidirectionalModel = Header + """
        [Sequential(TimeSteps = 12, Features = 3)]
        [Masking(-1.0)]
        [Bidirectional]
        [Lstm(8, ReturnSequences = true, Dropout = 0.25)]
        [Bidirectional(MergeMode = "sum")]
        [Gru(5, ReturnSequences = true, RecurrentDropout = 0.1)]
        [TimeDistributed]
        [Dense(4, Activation = "softmax")]
        public partial class BidirectionalModel;
        """;

    /// <summary>Padded token ids: Embedding(MaskZero), SpatialDropout1D, a stateful LSTM that returns its state, Dropout.</summary>
    public const string MaskedModel = Header + """
        [Sequential]
        [Embedding(50, 6, MaskZero = true)]
        [SpatialDropout1D(0.2)]
        [Lstm(7, Stateful = true, ReturnState = true, RecurrentActivation = "hard_sigmoid")]
        [Dropout(0.5)]
        [Dense(1, Activation = "sigmoid", UseBias = false)]
        public partial class MaskedModel;
        """;

    /// <summary>
    /// Encoder–decoder of any input length: LSTM → RepeatVector(6) → LSTM(sequences, state) → TimeDistributed(Dense):
    /// the decoder and the output run at 6 steps whatever the input's length.
    /// </summary>
    public const string EncoderDecoderModel = Header + """
        [Sequential(Features = 3)]
        [Lstm(16)]
        [RepeatVector(6)]
        [Lstm(16, ReturnSequences = true, ReturnState = true)]
        [TimeDistributed]
        [Dense(4, Activation = "softmax")]
        public partial class EncoderDecoderModel;
        """;

    /// <summary>
    /// The layers around recurrent ones: Activation (keeping the mask), masked GlobalAveragePooling1D, RepeatVector,
    /// Flatten, GlobalMaxPooling1D, and an output Activation layer (its logits: ILogitOutput).
    /// </summary>
    public const string SequenceLayersModel = Header + """
        [Sequential(TimeSteps = 6)]
        [Embedding(20, 4, MaskZero = true)]
        [Activation("tanh")]
        [Gru(5, ReturnSequences = true)]
        [GlobalAveragePooling1D]
        [RepeatVector(3)]
        [SimpleRnn(4, ReturnSequences = true)]
        [Flatten]
        [RepeatVector(2)]
        [GlobalMaxPooling1D]
        [Dense(2)]
        [Activation("softmax")]
        public partial class SequenceLayersModel;
        """;

    /// <summary>Issue 15's layer options: a frozen Embedding, regularizers, declared initializers, a relu LSTM.</summary>
    public const string FrozenRegularizedModel = Header + """
        [Sequential(TimeSteps = 6)]
        [Embedding(20, 8, Trainable = false, EmbeddingsRegularizer = "l2(1.0)")]
        [Lstm(7, Activation = "relu", KernelInitializer = "he_normal", BiasInitializer = "constant(0.1)", KernelRegularizer = "l2(0.01)", RecurrentRegularizer = "l1(0.001)", BiasRegularizer = "l1_l2(l1=0.002, l2=0.003)", ReturnSequences = true)]
        [Gru(5, RecurrentInitializer = "identity", KernelRegularizer = "l1")]
        [Dense(2, KernelInitializer = "random_normal(stddev=0.1)", KernelRegularizer = "l2", BiasRegularizer = "L1L2(0.01, 0.02)")]
        public partial class FrozenRegularizedModel;
        """;

    public static readonly string[] All =
        [SimpleRnnModel, LstmModel, GruModel, GruResetBeforeModel, EmbeddingModel, DenseSoftmaxModel, StackedModel, BidirectionalModel, MaskedModel,
            EncoderDecoderModel, SequenceLayersModel, FrozenRegularizedModel];
}
