using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Checking;

/// <summary>What one layer's own options resolve to once checked.</summary>
internal sealed record CheckedOptions(bool Ok, Activation Activation, Activation GateActivation, MergeMode Merge);

/// <summary>
/// The rules one layer's own options must meet (sizes, activations, merge mode, rates), layer by layer. Rules that
/// cross layers (sequence flow, masks, total size) stay in <see cref="ModelChecker"/>.
/// </summary>
internal static class LayerRules
{
    private const string RecurrentActivations = "'tanh', 'relu', 'sigmoid' or 'linear'";
    private const string DenseActivations = "'linear', 'tanh', 'sigmoid', 'relu' or 'softmax'";

    /// <param name="layer">The layer (inside its wrapper, when wrapped).</param>
    /// <param name="wrapper">Its Bidirectional or TimeDistributed wrapper, or null.</param>
    /// <param name="index">Its position in the declaration.</param>
    /// <param name="name">The name messages use (the wrapper's when wrapped).</param>
    /// <param name="innerName">The layer's own name.</param>
    /// <param name="where">Where to report what concerns the layer as a whole (a value written in one of its
    /// arguments is reported at that argument).</param>
    /// <param name="diagnostics">Receives what is wrong.</param>
    public static CheckedOptions Check(LayerSpec layer, LayerSpec? wrapper, int index, string name, string innerName, LocationInfo? where,
        ImmutableArray<DiagnosticInfo>.Builder diagnostics)
    {
        var info = LayerKinds.Of(layer.Kind);
        var options = layer.Options;
        bool ok = true;
        void Report(DiagnosticInfo diagnostic) { diagnostics.Add(diagnostic); ok = false; }
        // The argument that holds a value, where it was written: the layer's own, or its wrapper's.
        LocationInfo? At(string key, LayerSpec? of = null) => (of ?? layer).At(key, where);

        if (layer.Kind == LayerKind.Embedding)
        {
            if (index > 0) Report(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNotFirst, where, name, Text(index)));
            if (layer.InputDim <= 0) Report(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, At("inputDim"), "inputDim", $"Embedding '{name}'", Text(layer.InputDim), "pass the vocabulary size (largest token id + 1)"));
        }
        if (info.HasUnits && layer.Units <= 0)
        {
            bool embedding = layer.Kind == LayerKind.Embedding;
            string key = embedding ? "outputDim" : "units";
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, At(key), key, $"{layer.AttributeName} '{name}'", Text(layer.Units),
                $"pass the number of {(embedding ? "dimensions per token" : "units")}"));
        }

        var activation = Activation.Linear;
        if (info.DefaultActivation is { } defaultActivation)
        {
            string text = layer.Activation ?? defaultActivation;
            var parsed = ParseActivation(text);
            // The Activation layer takes it as its constructor's argument, other layers as the Activation option.
            var written = At(layer.Kind == LayerKind.Activation ? "activation" : "Activation");
            if (parsed is null || parsed == Activation.HardSigmoid)
                Report(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, written, layer.AttributeName, name,
                    parsed is null ? $"has unknown activation '{text}'" : $"cannot use activation '{text}' (ModelGen has it only as the RecurrentActivation of Lstm and Gru, on their gates)",
                    (info.IsRecurrent ? RecurrentActivations : DenseActivations) + (text == "null" ? " (Keras's activation=None is 'linear')" : "")));
            else if (parsed == Activation.Softmax && info.IsRecurrent)
                Report(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOnRecurrent, written, layer.AttributeName, name));
            else activation = parsed.Value;
        }
        var gateActivation = Activation.Sigmoid;
        if (layer.Kind is LayerKind.Lstm or LayerKind.Gru && options.RecurrentActivation is { } gateText)
        {
            var parsed = ParseActivation(gateText);
            if (parsed is Activation.Sigmoid or Activation.HardSigmoid) gateActivation = parsed.Value;
            else Report(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, At("RecurrentActivation"), layer.AttributeName, name,
                parsed is null ? $"has unknown activation '{gateText}'" : $"cannot use '{gateText}' as RecurrentActivation (Keras accepts any activation on the gates; ModelGen's gate kernels take two)",
                "'sigmoid' or 'hard_sigmoid' (RecurrentActivation)"));
        }
        var merge = MergeMode.Concat;
        if (wrapper?.Kind == LayerKind.Bidirectional && wrapper.Options.MergeMode is { } mergeText)
        {
            var parsed = ParseMerge(mergeText);
            if (parsed is null) Report(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownMergeMode, At("MergeMode", wrapper), name, mergeText));
            else merge = parsed.Value;
        }
        if (wrapper?.Kind == LayerKind.Bidirectional && options.GoBackwards)
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.GoBackwardsInBidirectional, layer.At("GoBackwards", layer.Location ?? where), layer.AttributeName, innerName, name));

        if (layer.Kind == LayerKind.Masking && !IsFiniteFloat(options.MaskValue))
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.NotFinite, At("maskValue"), "maskValue", $"Masking '{name}'", options.MaskValue.ToString("R", CultureInfo.InvariantCulture),
                "pad with a finite value, e.g. 0.0 or -1.0"));

        // Rates: dropout options of recurrent layers, and the Dropout layers' own. The model computes in float32, so a
        // rate must also stay below 1 once rounded to a float.
        var rates = new List<(string What, double Rate)>();
        if (info.IsRecurrent) { rates.Add(("Dropout", options.Dropout)); rates.Add(("RecurrentDropout", options.RecurrentDropout)); }
        if (info.IsDropoutLayer) rates.Add(("rate", options.Rate));
        foreach (var (what, rate) in rates)
        {
            if (IsRate(rate)) continue;
            Report(DiagnosticInfo.Create(DiagnosticDescriptors.RateOutOfRange, At(what), what, $"{layer.AttributeName} '{name}'", rate.ToString("R", CultureInfo.InvariantCulture)));
        }
        return new CheckedOptions(ok, activation, gateActivation, merge);
    }

    private static MergeMode? ParseMerge(string text) => text switch
    {
        "concat" => MergeMode.Concat,
        "sum" => MergeMode.Sum,
        "mul" => MergeMode.Mul,
        "ave" => MergeMode.Ave,
        _ => null,
    };

    private static Activation? ParseActivation(string text) => text switch
    {
        "linear" => Activation.Linear,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "relu" => Activation.Relu,
        "softmax" => Activation.Softmax,
        "hard_sigmoid" => Activation.HardSigmoid,
        _ => null,
    };

    /// <summary>
    /// A dropout rate the float32 model can use: in [0, 1), still below 1 once rounded to a float, and 0 or a normal
    /// float (a rate that rounds to 0 or to a denormal would turn dropout on in one place and off in another).
    /// </summary>
    private static bool IsRate(double rate)
    {
        float f = (float)rate;
        return rate >= 0 && rate < 1 && f < 1f && (rate == 0 || f >= 1.17549435E-38f);
    }

    private static bool IsFiniteFloat(double value)
    {
        float f = (float)value;
        return !float.IsNaN(f) && !float.IsInfinity(f);
    }

    /// <summary>The activation as Keras names it, the inverse of the names read above.</summary>
    internal static string KerasName(Activation activation) => activation switch
    {
        Activation.Linear => "linear",
        Activation.Tanh => "tanh",
        Activation.Sigmoid => "sigmoid",
        Activation.Relu => "relu",
        Activation.Softmax => "softmax",
        Activation.HardSigmoid => "hard_sigmoid",
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
