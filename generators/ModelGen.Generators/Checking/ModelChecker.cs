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
        int offset = 0;
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            var where = layer.Location ?? at;
            string name = names[i];
            bool ok = true;

            if (layer.Kind == LayerKind.Embedding)
            {
                if (i > 0) { diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.EmbeddingNotFirst, where, name, Text(i))); ok = false; }
                if (layer.InputDim <= 0) { diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, where, "inputDim", $"Embedding '{name}'", Text(layer.InputDim), "pass the vocabulary size (largest token id + 1)")); ok = false; }
            }
            if (layer.Units <= 0)
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
                if (parsed is null)
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

            if (recurrent && !sequence)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsSequence, where, layer.AttributeName, name, previous));
                ok = false;
            }

            int inputs = layer.Kind == LayerKind.Embedding ? layer.InputDim : width;
            bool outputSequence = recurrent ? layer.ReturnSequences : sequence;
            if (ok)
            {
                int gates = layer.Kind switch { LayerKind.Lstm => 4, LayerKind.Gru => 3, _ => 1 };
                long count64 = KerasCount(layer.Kind, inputs, layer.Units, gates, layer.Kind == LayerKind.Gru && layer.ResetAfter);
                if (count64 > MaxParameters || offset + count64 > MaxParameters)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, where, model, Text(offset + count64), Text(MaxParameters), layer.AttributeName, name));
                    ok = false;
                }
            }
            if (ok && diagnostics.Count == 0)
            {
                var cell = new CellShape(layer.Kind, inputs, layer.Units, activation, layer.Kind == LayerKind.Gru && layer.ResetAfter);
                var views = Views(cell, offset);
                int count = views.Sum(v => v.Length);
                layers.Add(new CheckedLayer(i, layer.Kind, name, UniqueIdentifier(name, identifiers), inputs, layer.Units,
                    sequence, outputSequence, count, views.ToEquatableArray(), cell));
                offset += count;
            }
            width = layer.Units;
            sequence = outputSequence;
            previous = name;
        }

        var result = diagnostics.Count == 0
            ? new CheckedModel(new TypeTarget(spec.Namespace, spec.ContainingTypes, spec.ClassName, spec.Accessibility),
                spec.TimeSteps, startsWithEmbedding ? 0 : spec.Features!.Value, startsWithEmbedding ? spec.Layers[0].InputDim : 0,
                layers.ToImmutable().ToEquatableArray(), offset)
            : null;
        return new CheckResult(result, diagnostics.ToImmutable().ToEquatableArray());
    }

    /// <summary>The most floats one .NET array holds (Array.MaxLength).</summary>
    private const long MaxParameters = 0x7FFFFFC7;

    /// <summary>Keras's parameter count, in 64 bits so that huge declarations are reported, not wrapped.</summary>
    private static long KerasCount(LayerKind kind, long inputs, long units, long gates, bool twoBiases) => kind switch
    {
        LayerKind.Embedding => inputs * units,
        LayerKind.Dense => inputs * units + units,
        _ => gates * units * (inputs + units) + (twoBiases ? 2 : 1) * gates * units,
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Parameter views in Keras order and layout, with Keras's default initializers.</summary>
    private static IEnumerable<ParamView> Views(CellShape cell, int offset)
    {
        int gh = cell.Gates * cell.Units;
        switch (cell.Kind)
        {
            case LayerKind.Embedding:
                yield return new ParamView("embeddings", "Embeddings", offset, cell.Inputs, cell.Units, InitKind.Uniform005);
                yield break;
            case LayerKind.Dense:
                yield return new ParamView("kernel", "Kernel", offset, cell.Inputs, cell.Units, InitKind.GlorotUniform);
                yield return new ParamView("bias", "Bias", offset + cell.Inputs * cell.Units, 1, cell.Units, InitKind.Zeros);
                yield break;
            default:
                yield return new ParamView("kernel", "Kernel", offset, cell.Inputs, gh, InitKind.GlorotUniform);
                offset += cell.Inputs * gh;
                yield return new ParamView("recurrent_kernel", "RecurrentKernel", offset, cell.Units, gh, InitKind.Orthogonal);
                offset += cell.Units * gh;
                yield return new ParamView("bias", "Bias", offset, cell.ResetAfter ? 2 : 1, gh,
                    cell.Kind == LayerKind.Lstm ? InitKind.UnitForgetBias : InitKind.Zeros);
                yield break;
        }
    }

    private static Activation? ParseActivation(string text) => text switch
    {
        "linear" => Activation.Linear,
        "tanh" => Activation.Tanh,
        "sigmoid" => Activation.Sigmoid,
        "relu" => Activation.Relu,
        "softmax" => Activation.Softmax,
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
    private static readonly string[] MemberSuffixes =
    {
        "Kernel", "RecurrentKernel", "Bias", "Embeddings", "KernelGradient", "RecurrentKernelGradient", "BiasGradient", "EmbeddingsGradient",
        "Output", "OutputGradient", "States", "Cells", "Gates", "TanhCells", "Recurrent", "ResetStates", "GateGradients", "RecurrentGradients", "Scratch",
    };

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
        for (int n = 2; MemberSuffixes.Any(s => used.Contains(candidate + s)); n++) candidate = baseName + "_" + n.ToString(CultureInfo.InvariantCulture);
        foreach (var suffix in MemberSuffixes) used.Add(candidate + suffix);
        return candidate;
    }
}
