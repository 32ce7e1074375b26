using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Shared.Attributes;

namespace ModelGen.Generators.Layers;

/// <summary>Every layer attribute ModelGen knows. A new kind is added here and in <see cref="LayerKinds.Of"/> first.</summary>
internal enum LayerKind
{
    Embedding, SimpleRnn, Lstm, Gru, Dense, Masking, Dropout, SpatialDropout1D, Bidirectional, TimeDistributed,
    RepeatVector, GlobalAveragePooling1D, GlobalMaxPooling1D, Flatten, Activation,
}

/// <summary>The layer kinds computed by a generated cell (one per distinct shape), whose math lives in <c>Cells/</c>.</summary>
internal enum CellKind { SimpleRnn, Lstm, Gru, Dense }

/// <summary>The facts about one layer kind that every stage reads: one row of <see cref="LayerKinds"/>.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="AttributeClass">The runtime attribute's class name, e.g. <c>LstmAttribute</c> (taken with nameof).</param>
/// <param name="KerasClass">Keras's class name, e.g. <c>LSTM</c> (Summary(), messages, generated comments).</param>
/// <param name="DefaultName">Keras's default layer name before numbering, e.g. <c>lstm</c>, <c>lstm_1</c>.</param>
/// <param name="Gates">Gate blocks per unit in the weights: 4 (LSTM), 3 (GRU), 1 otherwise.</param>
/// <param name="IsRecurrent">Runs over time with a state (SimpleRNN, LSTM, GRU).</param>
/// <param name="HasUnits">Takes a units (or output dimension) argument.</param>
/// <param name="KeepsWidth">Its output has its input's width (masking and dropout layers).</param>
/// <param name="IsWrapper">Wraps the layer written right after it.</param>
/// <param name="DefaultActivation">The activation when none is written (from the attribute's own default), or null when the kind has none.</param>
/// <param name="Cell">The generated cell that computes it, or null for a layer the runtime's kernels compute.</param>
/// <param name="Kernel">For a layer without a cell: what computes it, in words for the generated header; null for a layer with a cell.</param>
internal sealed record LayerKindInfo(
    LayerKind Kind,
    string AttributeClass,
    string KerasClass,
    string DefaultName,
    int Gates,
    bool IsRecurrent,
    bool HasUnits,
    bool KeepsWidth,
    bool IsWrapper,
    string? DefaultActivation,
    CellKind? Cell,
    string? Kernel)
{
    /// <summary>The attribute as users write it, e.g. <c>Lstm</c>.</summary>
    public string AttributeName => AttributeClass.Substring(0, AttributeClass.Length - "Attribute".Length);

    /// <summary>Computed by a generated cell class (one per distinct shape); the other kinds use runtime kernels.</summary>
    public bool HasCell => Cell is not null;

    /// <summary>Needs a sequence (a time axis) as its input.</summary>
    public bool NeedsSequence => IsRecurrent || EndsSequence || Kind is LayerKind.Masking or LayerKind.SpatialDropout1D;

    /// <summary>Takes a sequence and gives one vector per sample (the pooling layers, Flatten): the time axis and any mask end here.</summary>
    public bool EndsSequence => Kind is LayerKind.GlobalAveragePooling1D or LayerKind.GlobalMaxPooling1D or LayerKind.Flatten;

    /// <summary>Takes one vector per sample and gives a sequence of a fixed length of its own (RepeatVector).</summary>
    public bool StartsSequence => Kind is LayerKind.RepeatVector;

    /// <summary>Draws a dropout mask of its own rate (the Dropout layers; recurrent layers have dropout options instead).</summary>
    public bool IsDropoutLayer => Kind is LayerKind.Dropout or LayerKind.SpatialDropout1D;
}

/// <summary>
/// One row per layer kind: the single home of per-kind facts. Names and defaults come from the runtime's attribute
/// sources (compiled into the generator), so they cannot drift apart. Each switch on <see cref="LayerKind"/> in the
/// generator lists every kind with no discard arm, so a new kind is a compile error wherever it must be handled.
/// </summary>
internal static class LayerKinds
{
    private static readonly LayerKindInfo Embedding = new(LayerKind.Embedding, nameof(EmbeddingAttribute), "Embedding", "embedding",
        Gates: 1, IsRecurrent: false, HasUnits: true, KeepsWidth: false, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(gather)");
    private static readonly LayerKindInfo SimpleRnn = new(LayerKind.SimpleRnn, nameof(SimpleRnnAttribute), "SimpleRNN", "simple_rnn",
        Gates: 1, IsRecurrent: true, HasUnits: true, KeepsWidth: false, IsWrapper: false, DefaultActivation: new SimpleRnnAttribute(1).Activation,
        Cell: CellKind.SimpleRnn, Kernel: null);
    private static readonly LayerKindInfo Lstm = new(LayerKind.Lstm, nameof(LstmAttribute), "LSTM", "lstm",
        Gates: 4, IsRecurrent: true, HasUnits: true, KeepsWidth: false, IsWrapper: false, DefaultActivation: new LstmAttribute(1).Activation,
        Cell: CellKind.Lstm, Kernel: null);
    private static readonly LayerKindInfo Gru = new(LayerKind.Gru, nameof(GruAttribute), "GRU", "gru",
        Gates: 3, IsRecurrent: true, HasUnits: true, KeepsWidth: false, IsWrapper: false, DefaultActivation: new GruAttribute(1).Activation,
        Cell: CellKind.Gru, Kernel: null);
    private static readonly LayerKindInfo Dense = new(LayerKind.Dense, nameof(DenseAttribute), "Dense", "dense",
        Gates: 1, IsRecurrent: false, HasUnits: true, KeepsWidth: false, IsWrapper: false, DefaultActivation: new DenseAttribute(1).Activation,
        Cell: CellKind.Dense, Kernel: null);
    private static readonly LayerKindInfo Masking = new(LayerKind.Masking, nameof(MaskingAttribute), "Masking", "masking",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo Dropout = new(LayerKind.Dropout, nameof(DropoutAttribute), "Dropout", "dropout",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo SpatialDropout1D = new(LayerKind.SpatialDropout1D, nameof(SpatialDropout1DAttribute), "SpatialDropout1D", "spatial_dropout1d",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo Bidirectional = new(LayerKind.Bidirectional, nameof(BidirectionalAttribute), "Bidirectional", "bidirectional",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: false, IsWrapper: true, DefaultActivation: null,
        Cell: null, Kernel: "(wrapper)");
    private static readonly LayerKindInfo TimeDistributed = new(LayerKind.TimeDistributed, nameof(TimeDistributedAttribute), "TimeDistributed", "time_distributed",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: false, IsWrapper: true, DefaultActivation: null,
        Cell: null, Kernel: "(wrapper)");
    private static readonly LayerKindInfo RepeatVector = new(LayerKind.RepeatVector, nameof(RepeatVectorAttribute), "RepeatVector", "repeat_vector",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo GlobalAveragePooling1D = new(LayerKind.GlobalAveragePooling1D, nameof(GlobalAveragePooling1DAttribute), "GlobalAveragePooling1D", "global_average_pooling1d",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo GlobalMaxPooling1D = new(LayerKind.GlobalMaxPooling1D, nameof(GlobalMaxPooling1DAttribute), "GlobalMaxPooling1D", "global_max_pooling1d",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    private static readonly LayerKindInfo Flatten = new(LayerKind.Flatten, nameof(FlattenAttribute), "Flatten", "flatten",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: false, IsWrapper: false, DefaultActivation: null,
        Cell: null, Kernel: "(runtime kernel)");
    // The Activation layer's activation is its constructor's argument, so the parser always reads one; "linear" is never used.
    private static readonly LayerKindInfo Activation = new(LayerKind.Activation, nameof(ActivationAttribute), "Activation", "activation",
        Gates: 1, IsRecurrent: false, HasUnits: false, KeepsWidth: true, IsWrapper: false, DefaultActivation: "linear",
        Cell: null, Kernel: "(runtime kernel)");

    /// <summary>The row of <paramref name="kind"/>.</summary>
    public static LayerKindInfo Of(LayerKind kind) => kind switch
    {
        LayerKind.Embedding => Embedding,
        LayerKind.SimpleRnn => SimpleRnn,
        LayerKind.Lstm => Lstm,
        LayerKind.Gru => Gru,
        LayerKind.Dense => Dense,
        LayerKind.Masking => Masking,
        LayerKind.Dropout => Dropout,
        LayerKind.SpatialDropout1D => SpatialDropout1D,
        LayerKind.Bidirectional => Bidirectional,
        LayerKind.TimeDistributed => TimeDistributed,
        LayerKind.RepeatVector => RepeatVector,
        LayerKind.GlobalAveragePooling1D => GlobalAveragePooling1D,
        LayerKind.GlobalMaxPooling1D => GlobalMaxPooling1D,
        LayerKind.Flatten => Flatten,
        LayerKind.Activation => Activation,
    };

    /// <summary>Every row, in declaration order of <see cref="LayerKind"/>.</summary>
    public static IReadOnlyList<LayerKindInfo> All { get; } =
        ((LayerKind[])Enum.GetValues(typeof(LayerKind))).Select(Of).ToArray();

    /// <summary>The kind whose attribute class is <paramref name="attributeClass"/> (e.g. <c>LstmAttribute</c>).</summary>
    public static LayerKind? FromAttributeClass(string attributeClass)
        => All.FirstOrDefault(k => k.AttributeClass == attributeClass)?.Kind;
}
