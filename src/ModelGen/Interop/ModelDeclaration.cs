using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Interop;

/// <summary>One layer of <see cref="ModelInfo.Layers"/> with the attribute that declared it (and, for Bidirectional and TimeDistributed, the wrapped one).</summary>
internal sealed record DeclaredLayer(LayerInfo Info, LayerAttribute Attribute, LayerAttribute? Inner)
{
    /// <summary>The attribute that holds the layer's own options: the wrapped layer's for a wrapper.</summary>
    public LayerAttribute Core => Inner ?? Attribute;
}

/// <summary>
/// The options <see cref="ModelInfo"/> does not carry (activations, merge mode, masking, <c>GoBackwards</c>), read
/// from the layer attributes on the model class and checked against <see cref="ModelInfo.Layers"/> one by one, so a
/// declaration that reflection reads differently from the generator is refused rather than misread.
/// </summary>
internal static class ModelDeclaration
{
    public static IReadOnlyList<DeclaredLayer> Read(ISequentialModel model)
    {
        var type = model.GetType();
        var attributes = Attribute.GetCustomAttributes(type, typeof(LayerAttribute), inherit: false).Cast<LayerAttribute>().ToList();
        var layers = model.Info.Layers;
        var result = new List<DeclaredLayer>();
        int a = 0;
        foreach (var layer in layers)
        {
            if (a >= attributes.Count) throw Mismatch(model, $"layer '{layer.Name}' ({layer.Type}) has no attribute left to match");
            var attribute = attributes[a++];
            LayerAttribute? inner = null;
            if (attribute is BidirectionalAttribute or TimeDistributedAttribute)
            {
                if (a >= attributes.Count) throw Mismatch(model, $"{attribute.GetType().Name} wraps nothing");
                inner = attributes[a++];
            }
            if (KerasType(attribute) != layer.Type || (attribute.Name is { } name && name != layer.Name))
                throw Mismatch(model, $"layer '{layer.Name}' ({layer.Type}) meets attribute {attribute.GetType().Name}{(attribute.Name is null ? "" : $" named '{attribute.Name}'")}");
            result.Add(new DeclaredLayer(layer, attribute, inner));
        }
        if (a != attributes.Count) throw Mismatch(model, $"{attributes.Count - a} layer attributes are left over");
        return result;
    }

    private static string KerasType(LayerAttribute attribute) => attribute switch
    {
        EmbeddingAttribute => "Embedding",
        MaskingAttribute => "Masking",
        DropoutAttribute => "Dropout",
        SpatialDropout1DAttribute => "SpatialDropout1D",
        BidirectionalAttribute => "Bidirectional",
        TimeDistributedAttribute => "TimeDistributed",
        SimpleRnnAttribute => "SimpleRNN",
        LstmAttribute => "LSTM",
        GruAttribute => "GRU",
        DenseAttribute => "Dense",
        RepeatVectorAttribute => "RepeatVector",
        GlobalAveragePooling1DAttribute => "GlobalAveragePooling1D",
        GlobalMaxPooling1DAttribute => "GlobalMaxPooling1D",
        FlattenAttribute => "Flatten",
        ActivationAttribute => "Activation",
        // Every layer kind has a case (ModelDeclarationTests reads a model of each); an unknown one cannot match a layer.
        _ => "unknown layer attribute " + attribute.GetType().Name,
    };

    private static InvalidOperationException Mismatch(ISequentialModel model, string detail) =>
        new($"the layer attributes on {model.GetType().FullName} do not read as the layers of '{model.Info.Name}' ({detail}); " +
            "this exporter reads them by reflection and needs them, in declaration order, on the model class");
}
