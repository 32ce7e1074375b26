using Microsoft.CodeAnalysis;

namespace ModelGen.Generators.Diagnostics;

/// <summary>Every diagnostic ModelGen reports. Messages name the layer and say what would fix it.</summary>
internal static class DiagnosticDescriptors
{
    private const string Category = "ModelGen";

    private static DiagnosticDescriptor Error(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Error, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor NotPartial = Error("MG0001",
        "Model class must be partial",
        "Model class '{0}' must be declared 'partial' so ModelGen can add the generated forward and backward passes: write 'partial class {0}'");

    public static readonly DiagnosticDescriptor NoLayers = Error("MG0002",
        "Model has no layers",
        "Model '{0}' declares no layers: add layer attributes after [Sequential], e.g. [SimpleRnn(10)] and [Dense(1)]");

    public static readonly DiagnosticDescriptor NoInput = Error("MG0003",
        "Model has no input",
        "Model '{0}' has no input: set [Sequential(Features = n)] for float inputs of n features per step, or make an [Embedding] the first layer for token ids");

    public static readonly DiagnosticDescriptor NotPositive = Error("MG0004",
        "Size must be positive",
        "{0} of {1} must be positive, but is {2}: {3}");

    public static readonly DiagnosticDescriptor NeedsSequence = Error("MG0005",
        "Recurrent layer needs a sequence",
        "{0} layer '{1}' needs a sequence, but '{2}' {3}");

    public static readonly DiagnosticDescriptor EmbeddingNotFirst = Error("MG0006",
        "Embedding must be the first layer",
        "Embedding '{0}' is layer {1}, but an Embedding takes token ids and must be the first layer: move it to the top");

    public static readonly DiagnosticDescriptor SoftmaxOnRecurrent = Error("MG0007",
        "Softmax on a recurrent layer",
        "{0} layer '{1}' cannot use activation 'softmax' (Keras allows it only on Dense): use 'tanh' here and add [Dense(n, Activation = \"softmax\")] after it");

    public static readonly DiagnosticDescriptor LayersSplit = Error("MG0008",
        "Layers split across partial declarations",
        "Model '{0}' has layer attributes on more than one partial declaration, so their order is undefined: put all layer attributes on the declaration that carries [Sequential]");

    public static readonly DiagnosticDescriptor UnknownActivation = Error("MG0009",
        "Unknown or unsupported activation",
        "{0} layer '{1}' {2}: use one of {3}");

    public static readonly DiagnosticDescriptor FeaturesWithEmbedding = Error("MG0010",
        "Features set on a model that starts with an Embedding",
        "Model '{0}' sets Features = {1}, but its first layer is an Embedding, which takes token ids: remove Features from [Sequential]");

    public static readonly DiagnosticDescriptor DuplicateName = Error("MG0011",
        "Duplicate layer name",
        "Layer name '{0}' is used by more than one layer of model '{1}': give each layer its own Name");

    public static readonly DiagnosticDescriptor GenericModel = Error("MG0012",
        "Model class cannot take the generated part",
        "Model class '{0}' {1}: a model class must be a plain partial class, not generic, static, abstract or file-local, without a primary constructor, outside generic types");

    public static readonly DiagnosticDescriptor ContainingTypeNotPartial = Error("MG0013",
        "Containing type must be partial",
        "Model class '{0}' is nested in '{1}', which must also be declared 'partial'");

    public static readonly DiagnosticDescriptor InvalidName = Error("MG0014",
        "Invalid layer name",
        "Layer name '{0}' is not usable: start with an ASCII letter or '_' and use at most 200 ASCII letters, digits, '_', '-' or '.' (a Keras-style name such as 'encoder' or 'lstm_2')");

    public static readonly DiagnosticDescriptor TooLarge = Error("MG0015",
        "Model too large",
        "Model '{0}' would hold {1} parameters up to {3} '{4}', more than the {2} one float array can hold: make the layer smaller");

    public static readonly DiagnosticDescriptor WrapperTarget = Error("MG0016",
        "Wrapper has nothing it can wrap",
        "{0} '{1}' wraps the layer written right after it, which must be {2}, but {3}: put [{0}] directly above the layer it wraps");

    public static readonly DiagnosticDescriptor UnknownMergeMode = Error("MG0017",
        "Unknown merge mode",
        "Bidirectional '{0}' has unknown MergeMode '{1}': use 'concat', 'sum', 'mul' or 'ave'");

    public static readonly DiagnosticDescriptor RateOutOfRange = Error("MG0018",
        "Dropout rate out of range",
        "{0} of {1} is {2}, but a dropout rate must be at least 0 and less than 1, and as a float32 either 0 or a normal number (at least 1.2e-38): it is the fraction of values dropped during training");

    public static readonly DiagnosticDescriptor TwoMasks = Error("MG0019",
        "More than one mask",
        "Model '{0}' computes its time-step mask in '{1}' and again in '{2}': keep one mask source, Embedding(MaskZero = true) or one Masking layer");

    public static readonly DiagnosticDescriptor GoBackwardsInBidirectional = Error("MG0020",
        "GoBackwards inside Bidirectional",
        "{0} layer '{1}' sets GoBackwards inside Bidirectional '{2}', which already runs a reversed copy of it: remove GoBackwards");

    public static readonly DiagnosticDescriptor NotFinite = Error("MG0021",
        "Value is not a finite float",
        "{0} of {1} is {2}, which is not a finite float (the model computes in float32, up to ±3.4e38): {3}");

    public static readonly DiagnosticDescriptor ClassNameIsMember = Error("MG0022",
        "Model class named like a generated member",
        "Model class '{0}' has the name of a member ModelGen generates for it ({1}), which C# does not allow: rename the class, e.g. '{0}Model'");

    public static readonly DiagnosticDescriptor MemberCollision = Error("MG0027",
        "Model class has a member the generated part has",
        "Model class '{0}' {1}: {2}");

    public static readonly DiagnosticDescriptor NotAClass = Error("MG0023",
        "Model must be a class",
        "[Sequential] makes a model of a class, but '{0}' is declared as a {1}: declare it as 'partial class {0}'");

    public static readonly DiagnosticDescriptor LayersWithoutSequential = Error("MG0024",
        "Layer attributes without [Sequential]",
        "'{0}' has layer attributes but no [Sequential], so no model is generated from them: add [Sequential(...)] above the layers");

    public static readonly DiagnosticDescriptor RepeatVectorAfterSequence = Error("MG0025",
        "RepeatVector needs one vector per sample",
        "RepeatVector '{0}' repeats one vector per sample, but {1} gives a sequence [batch, steps, features]: end the sequence first (a recurrent layer without ReturnSequences, GlobalAveragePooling1D, GlobalMaxPooling1D or Flatten)");

    public static readonly DiagnosticDescriptor FlattenWithoutSteps = Error("MG0026",
        "Flatten needs a known number of steps",
        "Flatten '{0}' needs the number of time steps when the model is compiled, but model '{1}' accepts sequences of any length: set [Sequential(TimeSteps = n)], put a RepeatVector above it, or use GlobalAveragePooling1D or GlobalMaxPooling1D, which take any length");

    public static readonly DiagnosticDescriptor UnknownInitializer = Error("MG0030",
        "Unknown or invalid initializer",
        "{0} layer '{1}': {2} = \"{3}\" cannot be used ({4}): write a Keras initializer, one of {5}");

    public static readonly DiagnosticDescriptor UnknownRegularizer = Error("MG0031",
        "Unknown or invalid regularizer",
        "{0} layer '{1}': {2} = \"{3}\" cannot be used ({4}): write a Keras regularizer, one of {5}");

    private static DiagnosticDescriptor Info(string id, string title, string message)
        => new(id, title, message, Category, DiagnosticSeverity.Info, isEnabledByDefault: true);

    public static readonly DiagnosticDescriptor SampleTooLarge = Error("MG0034",
        "Sample too large",
        "{0} would give each sample {1} values ({2}), more than the {3} one float array holds, so no pass could run: {4}");

    public static readonly DiagnosticDescriptor GpuCpuOnly = Info("MG0032",
        "Model runs on the CPU only",
        "Model '{0}' runs on the CPU only: layer {1} ({2}) has no GPU rendering, so To(device) throws NotSupportedException; the other layer kinds run on a ModelGen.Gpu device");

    public static readonly DiagnosticDescriptor GpuScheme = Info("MG0033",
        "Recurrent layer runs a per-step GPU scheme",
        "Model '{0}': layer '{1}' ({2}) cannot keep its recurrent weights on chip on a ModelGen.Gpu device, so it runs {3}");

    public static readonly DiagnosticDescriptor InternalError = Error("MG0999",
        "ModelGen internal error",
        "ModelGen failed while handling '{0}' ({1}); no code was generated for it. Please report this with the model declaration.");
}
