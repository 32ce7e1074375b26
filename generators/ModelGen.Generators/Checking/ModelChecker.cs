using System.Collections.Generic;
using System.Globalization;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Checking;

/// <summary>
/// Checks a parsed declaration against every rule a model must meet and infers its shapes: each layer's
/// input and output width, whether it carries a time axis, parameter views at fixed offsets (Keras layout
/// and counts) and the shared cell shape it runs on. Every problem found becomes a diagnostic; the model
/// is emitted only when there are none.
/// </summary>
internal static class ModelChecker
{
    private const string RecurrentActivations = "'tanh', 'relu', 'sigmoid' or 'linear'";
    private const string DenseActivations = "'linear', 'tanh', 'sigmoid', 'relu' or 'softmax'";

    public static CheckResult Check(ModelSpec spec)
    {
        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        var at = spec.SequentialLocation ?? spec.ClassLocation;
        string model = spec.ClassName;

        if (!spec.IsPartial) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, at, model));
        if (spec.IsGeneric) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericModel, at, model, "generic"));
        if (spec.IsStatic) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericModel, at, model, "static"));
        foreach (var outer in spec.ContainingTypes)
            if (!outer.IsPartial) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ContainingTypeNotPartial, at, model, outer.Name));

        if (spec.Layers.Any(l => l.Declaration != 0))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.LayersSplit, spec.Layers.First(l => l.Declaration != 0).Location ?? at, model));

        if (spec.Layers.Count == 0)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoLayers, at, model));
            return new CheckResult(null, diagnostics.ToImmutable().ToEquatableArray());
        }

        if (spec.TimeSteps is int steps && steps <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, at, "TimeSteps", $"model '{model}'", Text(steps), "omit TimeSteps to accept sequences of any length"));
        if (spec.Features is int f && f <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, at, "Features", $"model '{model}'", Text(f), "set the number of features per time step"));

        bool startsWithEmbedding = spec.Layers[0].Kind == LayerKind.Embedding;
        if (startsWithEmbedding && spec.Features is int given)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FeaturesWithEmbedding, at, model, Text(given)));
        if (!startsWithEmbedding && spec.Features is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoInput, at, model));

        var names = AssignNames(spec, diagnostics);

        var layers = ImmutableArray.CreateBuilder<CheckedLayer>();
        var identifiers = new HashSet<string>();
        int width = spec.Features ?? 0;
        bool sequence = true;
        string previous = "the input";
        string? maskSource = null;
        bool maskActive = false;
        int offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var outer = spec.Layers[i];
            var where = outer.Location ?? at;
            string outerName = names[i];

            // A wrapper applies to the layer written right after it.
            LayerSpec? wrapper = null;
            if (outer.Kind is LayerKind.Bidirectional or LayerKind.TimeDistributed)
            {
                wrapper = outer;
                bool bidirectional = outer.Kind == LayerKind.Bidirectional;
                string expected = bidirectional ? "SimpleRnn, Lstm or Gru" : "Dense";
                var inner = i + 1 < spec.Layers.Count ? spec.Layers[i + 1] : null;
                bool fits = inner is not null && (bidirectional
                    ? inner.Kind is LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru
                    : inner.Kind == LayerKind.Dense);
                if (!fits)
                {
                    string found = inner is null ? "no layer follows it" : $"it is followed by {inner.AttributeName} '{names[i + 1]}'";
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.WrapperTarget, where, outer.AttributeName, outerName, expected, found));
                    continue;
                }
                i++;
            }

            var layer = spec.Layers[i];
            string name = wrapper is null ? names[i] : outerName;
            string innerName = names[i];
            string kindText = wrapper is null ? layer.AttributeName : $"{wrapper.AttributeName}({layer.AttributeName})";
            where = wrapper?.Location ?? layer.Location ?? at;
            var options = layer.Options;
            bool ok = true;

            if (layer.Kind == LayerKind.Embedding)
            {
                if (i > 0) { diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNotFirst, where, name, Text(i))); ok = false; }
                if (layer.InputDim <= 0) { diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, where, "inputDim", $"Embedding '{name}'", Text(layer.InputDim), "pass the vocabulary size (largest token id + 1)")); ok = false; }
            }
            bool hasUnits = layer.Kind is LayerKind.Embedding or LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru or LayerKind.Dense;
            if (hasUnits && layer.Units <= 0)
            {
                string what = layer.Kind == LayerKind.Embedding ? "outputDim" : "units";
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, where, what, $"{layer.AttributeName} '{name}'", Text(layer.Units), $"pass the number of {(layer.Kind == LayerKind.Embedding ? "dimensions per token" : "units")}"));
                ok = false;
            }

            var activation = Activation.Linear;
            bool recurrent = layer.Kind is LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru;
            if (layer.Kind is LayerKind.SimpleRnn or LayerKind.Dense)
            {
                string text = layer.Activation ?? (layer.Kind == LayerKind.SimpleRnn ? "tanh" : "linear");
                var parsed = ParseActivation(text);
                if (parsed is null || parsed == Activation.HardSigmoid)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, where, layer.AttributeName, name, text, recurrent ? RecurrentActivations : DenseActivations));
                    ok = false;
                }
                else if (parsed == Activation.Softmax && recurrent)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SoftmaxOnRecurrent, where, layer.AttributeName, name));
                    ok = false;
                }
                else activation = parsed.Value;
            }
            var gateActivation = Activation.Sigmoid;
            if (layer.Kind is LayerKind.Lstm or LayerKind.Gru && options.RecurrentActivation is { } gateText)
            {
                var parsed = ParseActivation(gateText);
                if (parsed is Activation.Sigmoid or Activation.HardSigmoid) gateActivation = parsed.Value;
                else
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownActivation, where, layer.AttributeName, name, gateText, "'sigmoid' or 'hard_sigmoid' (RecurrentActivation)"));
                    ok = false;
                }
            }
            var merge = MergeMode.Concat;
            if (wrapper?.Kind == LayerKind.Bidirectional && wrapper.Options.MergeMode is { } mergeText)
            {
                var parsed = ParseMerge(mergeText);
                if (parsed is null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownMergeMode, where, name, mergeText));
                    ok = false;
                }
                else merge = parsed.Value;
            }
            if (wrapper?.Kind == LayerKind.Bidirectional && options.GoBackwards)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GoBackwardsInBidirectional, layer.Location ?? where, layer.AttributeName, innerName, name));
                ok = false;
            }

            // Rates: dropout options of recurrent layers, and the Dropout layers' own.
            var rates = new List<(string What, double Rate)>();
            if (recurrent) { rates.Add(("Dropout", options.Dropout)); rates.Add(("RecurrentDropout", options.RecurrentDropout)); }
            if (layer.Kind is LayerKind.Dropout or LayerKind.SpatialDropout1D) rates.Add(("rate", options.Value));
            foreach (var (what, rate) in rates)
            {
                if (rate >= 0 && rate < 1) continue;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RateOutOfRange, where, what, $"{layer.AttributeName} '{name}'", rate.ToString("R", CultureInfo.InvariantCulture)));
                ok = false;
            }

            bool needsSequence = recurrent || layer.Kind is LayerKind.Masking or LayerKind.SpatialDropout1D || wrapper?.Kind == LayerKind.TimeDistributed;
            if (needsSequence && !sequence)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsSequence, where, kindText, name, previous));
                ok = false;
            }

            bool producesMask = layer.Kind == LayerKind.Masking || (layer.Kind == LayerKind.Embedding && options.MaskZero);
            if (producesMask)
            {
                if (maskSource is not null)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TwoMasks, where, model, maskSource, name));
                    ok = false;
                }
                maskSource ??= name;
            }

            bool passesWidth = layer.Kind is LayerKind.Masking or LayerKind.Dropout or LayerKind.SpatialDropout1D;
            int inputs = layer.Kind == LayerKind.Embedding ? layer.InputDim : width;
            int units = passesWidth ? width : layer.Units;
            bool outputSequence = recurrent ? layer.ReturnSequences : sequence;
            bool twoDirections = wrapper?.Kind == LayerKind.Bidirectional;
            int outputWidth = twoDirections && merge == MergeMode.Concat ? 2 * units : units;
            bool twoBiases = layer.Kind == LayerKind.Gru && layer.ResetAfter;
            if (ok)
            {
                int gates = layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
                long count64 = (twoDirections ? 2 : 1) * KerasCount(layer.Kind, inputs, units, gates, twoBiases, options.UseBias);
                if (count64 > MaxParameters || offset + count64 > MaxParameters)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, where, model, Text(offset + count64), Text(MaxParameters), kindText, name));
                    ok = false;
                }
            }
            if (ok && diagnostics.Count == 0)
            {
                var cell = new CellShape(layer.Kind, inputs, units, activation, twoBiases)
                {
                    RecurrentActivation = layer.Kind is LayerKind.Lstm or LayerKind.Gru ? gateActivation : Activation.Sigmoid,
                    UseBias = options.UseBias,
                };
                string identifier = UniqueIdentifier(name, identifiers);
                var views = new List<ParamView>();
                var directions = ImmutableArray.CreateBuilder<RecurrentDirection>();
                if (twoDirections)
                {
                    foreach (var (prefix, keras, reversed) in new[] { ("Forward", "forward_" + innerName, false), ("Backward", "backward_" + innerName, true) })
                    {
                        var own = Views(cell, offset + views.Sum(v => v.Length), prefix, keras + "/").ToList();
                        directions.Add(new RecurrentDirection(identifier + prefix, keras, reversed, own.ToEquatableArray()));
                        views.AddRange(own);
                    }
                }
                else
                {
                    views.AddRange(Views(cell, offset, "", ""));
                    if (recurrent) directions.Add(new RecurrentDirection(identifier, name, options.GoBackwards, views.ToEquatableArray()));
                }
                int count = views.Sum(v => v.Length);
                layers.Add(new CheckedLayer(layers.Count, layer.Kind, name, identifier, inputs, outputWidth,
                    sequence, outputSequence, count, views.ToEquatableArray(), cell)
                {
                    Wrapper = wrapper?.Kind,
                    Merge = merge,
                    Directions = directions.ToImmutable().ToEquatableArray(),
                    ReturnState = recurrent && options.ReturnState,
                    Stateful = recurrent && options.Stateful,
                    Dropout = (float)(recurrent ? options.Dropout : layer.Kind is LayerKind.Dropout or LayerKind.SpatialDropout1D ? options.Value : 0),
                    RecurrentDropout = recurrent ? (float)options.RecurrentDropout : 0,
                    MaskIn = maskActive && layer.Kind != LayerKind.Masking,
                    MaskZero = layer.Kind == LayerKind.Embedding && options.MaskZero,
                    MaskValue = layer.Kind == LayerKind.Masking ? (float)options.Value : 0,
                });
                offset += count;
            }
            if (producesMask) maskActive = true;
            if (!outputSequence) maskActive = false;
            width = outputWidth;
            sequence = outputSequence;
            previous = name;
        }

        var result = diagnostics.Count == 0
            ? new CheckedModel(new TypeTarget(spec.Namespace, spec.ContainingTypes, spec.ClassName, spec.Accessibility),
                spec.TimeSteps, startsWithEmbedding ? 0 : spec.Features!.Value, startsWithEmbedding ? spec.Layers[0].InputDim : 0,
                layers.ToImmutable().ToEquatableArray(), offset) { OutputMasked = maskActive && sequence }
            : null;
        return new CheckResult(result, diagnostics.ToImmutable().ToEquatableArray());
    }

    /// <summary>The most floats one .NET array holds (Array.MaxLength).</summary>
    private const long MaxParameters = 0x7FFFFFC7;

    /// <summary>Keras's parameter count, in 64 bits so that huge declarations are reported, not wrapped.</summary>
    private static long KerasCount(LayerKind kind, long inputs, long units, long gates, bool twoBiases, bool useBias) => kind switch
    {
        LayerKind.Embedding => inputs * units,
        LayerKind.Dense => inputs * units + (useBias ? units : 0),
        LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru => gates * units * (inputs + units) + (useBias ? (twoBiases ? 2 : 1) * gates * units : 0),
        _ => 0,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Parameter views in Keras order and layout, with Keras's default initializers. <paramref name="prefix"/>
    /// and <paramref name="kerasPrefix"/> name a Bidirectional copy (<c>ForwardKernel</c>, <c>forward_lstm/kernel</c>).
    /// </summary>
    private static IEnumerable<ParamView> Views(CellShape cell, int offset, string prefix, string kerasPrefix)
    {
        int gh = cell.Gates * cell.Units;
        switch (cell.Kind)
        {
            case LayerKind.Embedding:
                yield return new ParamView("embeddings", "Embeddings", offset, cell.Inputs, cell.Units, InitKind.Uniform005);
                yield break;
            case LayerKind.Dense:
                yield return new ParamView("kernel", "Kernel", offset, cell.Inputs, cell.Units, InitKind.GlorotUniform);
                if (cell.UseBias) yield return new ParamView("bias", "Bias", offset + cell.Inputs * cell.Units, 1, cell.Units, InitKind.Zeros);
                yield break;
            case LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru:
                yield return new ParamView(kerasPrefix + "kernel", prefix + "Kernel", offset, cell.Inputs, gh, InitKind.GlorotUniform);
                offset += cell.Inputs * gh;
                yield return new ParamView(kerasPrefix + "recurrent_kernel", prefix + "RecurrentKernel", offset, cell.Units, gh, InitKind.Orthogonal);
                offset += cell.Units * gh;
                if (cell.UseBias)
                    yield return new ParamView(kerasPrefix + "bias", prefix + "Bias", offset, cell.ResetAfter ? 2 : 1, gh,
                        cell.Kind == LayerKind.Lstm ? InitKind.UnitForgetBias : InitKind.Zeros);
                yield break;
        }
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

    /// <summary>Explicit names, checked; Keras default names (<c>lstm</c>, <c>lstm_1</c> …) for the rest.</summary>
    private static string[] AssignNames(ModelSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
    {
        var names = new string[spec.Layers.Count];
        var taken = new HashSet<string>();
        var reported = new HashSet<string>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            if (layer.Name is null) continue;
            names[i] = layer.Name;
            if (!IsValidName(layer.Name))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, layer.Location, layer.Name));
            else if (!taken.Add(layer.Name) && reported.Add(layer.Name))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateName, layer.Location, layer.Name, spec.ClassName));
        }
        var counters = new Dictionary<string, int>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (names[i] is not null) continue;
            string prefix = spec.Layers[i].Kind switch
            {
                LayerKind.Embedding => "embedding",
                LayerKind.SimpleRnn => "simple_rnn",
                LayerKind.Lstm => "lstm",
                LayerKind.Gru => "gru",
                LayerKind.Masking => "masking",
                LayerKind.Dropout => "dropout",
                LayerKind.SpatialDropout1D => "spatial_dropout1d",
                LayerKind.Bidirectional => "bidirectional",
                LayerKind.TimeDistributed => "time_distributed",
                _ => "dense",
            };
            counters.TryGetValue(prefix, out int n);
            string candidate;
            do { candidate = n == 0 ? prefix : prefix + "_" + n; n++; } while (!taken.Add(candidate));
            counters[prefix] = n;
            names[i] = candidate;
        }
        return names;
    }

    private static bool IsValidName(string name)
        => name.Length > 0 && (char.IsLetter(name[0]) || name[0] == '_') && name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.'));

    /// <summary>
    /// Every suffix the emitter appends to a layer identifier (properties, their gradients, workspace fields).
    /// Identifiers are chosen so that no two layers produce the same member, e.g. layers 'a' and 'a_recurrent'
    /// would both give <c>ARecurrentKernel</c>.
    /// </summary>
    private static readonly string[] MemberSuffixes = Expand(
        "Kernel", "RecurrentKernel", "Bias", "Embeddings", "KernelGradient", "RecurrentKernelGradient", "BiasGradient", "EmbeddingsGradient",
        "Output", "OutputGradient", "States", "Cells", "Gates", "TanhCells", "Recurrent", "ResetStates", "GateGradients", "RecurrentGradients", "Scratch",
        "FinalState", "FinalCellState", "InitialState", "InitialCellState", "InitialStateGradient", "InitialCellStateGradient", "InitialBatch",
        "DropoutMask", "DroppedInput", "Active", "DropoutActive", "RecurrentMask", "MaskedStates", "RecurrentDropoutActive", "Reversed", "ReversedMask", "InputGradient", "InitialUsed",
        "Projection", "ProjectionGradient", "KernelT");

    /// <summary>Each suffix as written and behind the Bidirectional copies' Forward and Backward.</summary>
    private static string[] Expand(params string[] suffixes)
        => suffixes.Concat(suffixes.Select(s => "Forward" + s)).Concat(suffixes.Select(s => "Backward" + s)).ToArray();

    /// <summary><c>simple_rnn_1</c> → <c>SimpleRnn1</c>; unique within the model, members included.</summary>
    private static string UniqueIdentifier(string name, HashSet<string> used)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        string baseName = sb.Length == 0 || char.IsDigit(sb[0]) ? "Layer" + sb : sb.ToString();
        string candidate = baseName;
        for (int n = 2; MemberSuffixes.Any(s => used.Contains(candidate + s)) || used.Contains("Set" + candidate + "InitialState"); n++) candidate = baseName + "_" + n.ToString(CultureInfo.InvariantCulture);
        foreach (var suffix in MemberSuffixes) used.Add(candidate + suffix);
        return candidate;
    }
}
