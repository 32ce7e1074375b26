using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Checking;

/// <summary>
/// Checks a parsed declaration against every rule a model must meet and infers its shapes: each layer's
/// input and output width, whether it carries a time axis, parameter views at fixed offsets (Keras layout
/// and counts) and the shared cell shape it runs on. Every problem found becomes a diagnostic; the model
/// is emitted only when there are none. This is the walk over the layers; each layer's own options are checked by
/// <see cref="LayerRules"/>, names come from <see cref="Naming"/> and parameter views from <see cref="ParameterLayout"/>.
/// </summary>
internal static class ModelChecker
{
    public static CheckResult Check(ModelSpec spec)
    {
        var diagnostics = ImmutableArray.CreateBuilder<DiagnosticInfo>();
        var at = spec.SequentialLocation ?? spec.ClassLocation;
        string model = spec.ClassName;

        if (spec.ParseFailure is { } failure)
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InternalError, at, spec.FullName, "reading the declaration: " + failure));
            return new CheckResult(null, diagnostics.ToImmutable().ToEquatableArray());
        }

        if (spec.HasBindingErrors)
            return new CheckResult(null, diagnostics.ToImmutable().ToEquatableArray()); // the compiler's error at the argument says it

        if (spec.TypeKeyword != "class")
        {
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotAClass, at, model, spec.TypeKeyword));
            return new CheckResult(null, diagnostics.ToImmutable().ToEquatableArray());
        }
        if (!spec.IsPartial) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPartial, at, model));
        if (spec.IsGeneric) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericModel, at, model, "is generic"));
        if (spec.IsStatic) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericModel, at, model, "is static"));
        if (spec.ShapeProblem is { } shape) diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.GenericModel, at, model, shape));
        if (spec.BaseModel is { } baseModel)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, at, model, $"derives from model class '{baseModel}', whose generated members it would hide",
                "a model class cannot derive from another; share code through a base class without [Sequential], or hold the other model as a field"));
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
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, spec.AtSequential("TimeSteps") ?? at, "TimeSteps", $"model '{model}'", Text(steps), "omit TimeSteps to accept sequences of any length"));
        if (spec.Features is int f && f <= 0)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, spec.AtSequential("Features") ?? at, "Features", $"model '{model}'", Text(f), "set the number of features per time step"));

        bool startsWithEmbedding = spec.Layers[0].Kind == LayerKind.Embedding;
        if (startsWithEmbedding && spec.Features is int given)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FeaturesWithEmbedding, spec.AtSequential("Features") ?? at, model, Text(given)));
        if (!startsWithEmbedding && spec.Features is null)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NoInput, at, model));
        // A sample whose input no array holds (TimeSteps × Features past Array.MaxLength) can never be passed; then no layer
        // after it is named for the same size (MG0034 once, at the first place past the limit).
        bool sampleTooLarge = false;
        if (spec.TimeSteps is int declaredSteps and > 0)
        {
            int perStep = spec.Features is int fs and > 0 ? fs : 1;
            long inputValues = (long)declaredSteps * perStep;
            if (inputValues > ParameterLayout.MaxParameters)
            {
                sampleTooLarge = true;
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SampleTooLarge, at, $"The input of model '{model}'", Text(inputValues),
                    $"{Text(declaredSteps)} steps × {Text(perStep)} {(startsWithEmbedding ? "token id" : "features")}", Text(ParameterLayout.MaxParameters), "use fewer TimeSteps"));
            }
        }

        var names = Naming.AssignNames(spec, diagnostics);

        var layers = ImmutableArray.CreateBuilder<CheckedLayer>();
        var identifiers = new HashSet<string>();
        int width = spec.Features ?? 0;
        bool sequence = true;
        // The layer nearest above that ended the sequence (a recurrent layer returning its last step, a pooling layer,
        // Flatten): the one MG0005 names, with advice for its kind.
        string previous = "the input";
        LayerKind previousKind = LayerKind.Dense;
        string? maskSource = null;
        bool maskActive = false;
        // The steps fixed by the nearest RepeatVector above (its n); null: the input's.
        int? fixedSteps = null;
        // The name of the layer above (the wrapper's for a wrapped layer); null before the first.
        string? above = null;
        int offset = 0;
        bool parametersTooLarge = false; // one MG0015, at the first layer past the limit (the next ones' counts would leave it out)
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var outer = spec.Layers[i];
            var where = outer.Location ?? at;
            string outerName = names[i];

            // A wrapper applies to the layer written right after it.
            LayerSpec? wrapper = null;
            if (LayerKinds.Of(outer.Kind).IsWrapper)
            {
                wrapper = outer;
                bool bidirectional = outer.Kind == LayerKind.Bidirectional;
                string expected = bidirectional ? "SimpleRnn, Lstm or Gru" : "Dense";
                var inner = i + 1 < spec.Layers.Count ? spec.Layers[i + 1] : null;
                bool fits = inner is not null && (bidirectional ? LayerKinds.Of(inner.Kind).IsRecurrent : inner.Kind == LayerKind.Dense);
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
            var info = LayerKinds.Of(layer.Kind);
            var rules = LayerRules.Check(layer, wrapper, i, name, innerName, where, diagnostics);
            var weights = WeightOptions.Read(layer, name, where, diagnostics);
            bool ok = rules.Ok;
            bool recurrent = info.IsRecurrent;

            bool needsSequence = info.NeedsSequence || wrapper?.Kind == LayerKind.TimeDistributed;
            if (needsSequence && !sequence)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NeedsSequence, where, kindText, name, previous, SequenceEndedBy(previousKind, previous, name, layer.Kind)));
                ok = false;
            }

            if (info.StartsSequence)
            {
                if (sequence)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.RepeatVectorAfterSequence, where, name, above is null ? "the input" : $"'{above}'"));
                    ok = false;
                }
                if (options.Repeats <= 0)
                {
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.NotPositive, layer.At("n", where), "n", $"RepeatVector '{name}'", Text(options.Repeats), "pass the number of time steps to repeat the vector for"));
                    ok = false;
                }
            }
            int? layerSteps = info.StartsSequence ? options.Repeats : fixedSteps;
            if (layer.Kind == LayerKind.Flatten && (layerSteps ?? spec.TimeSteps) is null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.FlattenWithoutSteps, where, name, model));
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

            bool passesWidth = info.KeepsWidth;
            int inputs = layer.Kind == LayerKind.Embedding ? layer.InputDim : width;
            int units = passesWidth ? width
                : layer.Kind == LayerKind.Flatten ? (int)System.Math.Min(int.MaxValue, (long)(layerSteps ?? spec.TimeSteps ?? 0) * width)
                : layer.Units;
            bool outputSequence = recurrent ? layer.ReturnSequences : info.EndsSequence ? false : info.StartsSequence || sequence;
            bool twoDirections = wrapper?.Kind == LayerKind.Bidirectional;
            int outputWidth = twoDirections && rules.Merge == MergeMode.Concat ? 2 * units : units;
            bool twoBiases = layer.Kind == LayerKind.Gru && layer.ResetAfter;
            // Each sample's output sequence must fit in one array: n × width after a RepeatVector, TimeSteps × width for a
            // declared length (any length: checked at run time). Flatten and a layer ending the sequence only carry on or
            // shrink a size checked here or at the input; a layer's own width is MG0015's (its parameters).
            if (ok && !sampleTooLarge && outputSequence && (layerSteps ?? spec.TimeSteps) is int knownSteps && (long)knownSteps * outputWidth > ParameterLayout.MaxParameters)
            {
                sampleTooLarge = true; // the layers after it only carry its size on: one diagnostic, at the first
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SampleTooLarge, where, $"{kindText} '{Naming.Shorten(name)}'", Text((long)knownSteps * outputWidth),
                    $"{Text(knownSteps)} steps × {Text(outputWidth)}", Text(ParameterLayout.MaxParameters),
                    info.StartsSequence ? "repeat the vector for fewer steps" : layerSteps is not null ? "use a smaller RepeatVector n or fewer units" : "use fewer TimeSteps or fewer units"));
                ok = false;
            }
            if (ok)
            {
                decimal count = (twoDirections ? 2 : 1) * ParameterLayout.KerasCount(layer.Kind, inputs, units, twoBiases, options.UseBias);
                if (offset + count > ParameterLayout.MaxParameters)
                {
                    // A layer past the limit adds nothing to offset, so a later layer's total would omit it (and its width,
                    // carried on, makes the next layer huge too): only the first is named, as MG0034 does.
                    if (!parametersTooLarge)
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.TooLarge, where, model, (offset + count).ToString(CultureInfo.InvariantCulture),
                            Text(ParameterLayout.MaxParameters), kindText, Naming.Shorten(name)));
                    parametersTooLarge = true;
                    ok = false;
                }
            }
            if (ok && diagnostics.Count == 0)
            {
                var cell = new CellShape(layer.Kind, inputs, units, rules.Activation, twoBiases)
                {
                    RecurrentActivation = layer.Kind is LayerKind.Lstm or LayerKind.Gru ? rules.GateActivation : Activation.Sigmoid,
                    UseBias = options.UseBias,
                };
                string identifier = Naming.UniqueIdentifier(name, identifiers);
                var views = new List<ParamView>();
                var directions = ImmutableArray.CreateBuilder<RecurrentDirection>();
                if (twoDirections)
                {
                    foreach (var (prefix, keras, reversed) in new[] { ("Forward", "forward_" + innerName, false), ("Backward", "backward_" + innerName, true) })
                    {
                        var own = ParameterLayout.Views(cell, offset + views.Sum(v => v.Length), prefix, keras + "/").Select(weights.Apply).ToList();
                        directions.Add(new RecurrentDirection(identifier + prefix, keras, reversed, own.ToEquatableArray()));
                        views.AddRange(own);
                    }
                }
                else
                {
                    views.AddRange(ParameterLayout.Views(cell, offset, "", "").Select(weights.Apply));
                    if (recurrent) directions.Add(new RecurrentDirection(identifier, name, options.GoBackwards, views.ToEquatableArray()));
                }
                int count = views.Sum(v => v.Length);
                layers.Add(new CheckedLayer(layers.Count, layer.Kind, name, identifier, inputs, outputWidth,
                    sequence, outputSequence, count, views.ToEquatableArray(), cell)
                {
                    Wrapper = wrapper?.Kind,
                    Merge = rules.Merge,
                    Directions = directions.ToImmutable().ToEquatableArray(),
                    ReturnState = recurrent && options.ReturnState,
                    Stateful = recurrent && options.Stateful,
                    Dropout = recurrent ? (float)options.Dropout : 0,
                    Rate = info.IsDropoutLayer ? (float)options.Rate : 0,
                    RecurrentDropout = recurrent ? (float)options.RecurrentDropout : 0,
                    MaskIn = maskActive && layer.Kind != LayerKind.Masking,
                    MaskZero = layer.Kind == LayerKind.Embedding && options.MaskZero,
                    MaskValue = layer.Kind == LayerKind.Masking ? (float)options.MaskValue : 0,
                    Steps = layerSteps,
                    Trainable = options.Trainable && wrapper?.Options.Trainable != false,
                });
                offset += count;
            }
            fixedSteps = layerSteps;
            above = name;
            if (producesMask) maskActive = true;
            if (!outputSequence) maskActive = false;
            width = outputWidth;
            if (sequence && !outputSequence) (previous, previousKind) = (name, layer.Kind);
            sequence = outputSequence;
        }

        var layerIdentifiers = layers.Select(l => l.Identifier).Concat(layers.SelectMany(l => l.Directions.Select(d => d.Identifier))).ToList();
        if (Naming.MemberNamed(model, layerIdentifiers) is { } member)
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.ClassNameIsMember, spec.ClassLocation ?? at, model, member == model ? $"'{member}'" : member));
        // The user's own members, and those it inherits, may not share a name with the generated part's (CS0102, CS0111,
        // CS0108 in generated code otherwise). A base model class is reported once above.
        foreach (var own in spec.DeclaredMembers.Where(m => Naming.IsGeneratedMember(m, layerIdentifiers)))
            diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, at, model, $"declares '{own}', a member ModelGen generates for the model", "rename it in the class"));
        if (spec.BaseModel is null)
            foreach (var inherited in spec.InheritedMembers.Where(m => Naming.IsGeneratedMember(m.Name, layerIdentifiers)))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.MemberCollision, at, model, $"inherits '{inherited.Name}' from '{inherited.DeclaredIn}', a member ModelGen generates for the model", "rename it in that class"));

        var result = diagnostics.Count == 0
            ? new CheckedModel(spec.Type,
                spec.TimeSteps, startsWithEmbedding ? 0 : spec.Features!.Value, startsWithEmbedding ? spec.Layers[0].InputDim : 0,
                layers.ToImmutable().ToEquatableArray(), offset) { OutputMasked = maskActive && sequence, DeclaresConstructors = spec.DeclaresConstructors }
            : null;
        return new CheckResult(result, diagnostics.ToImmutable().ToEquatableArray());
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>MG0005's account of what ended the sequence, and what to do: by the kind of the layer that ended it.</summary>
    private static string SequenceEndedBy(LayerKind ender, string enderName, string layerName, LayerKind kind)
    {
        if (LayerKinds.Of(ender).IsRecurrent)
            return $"returns only its last step: set ReturnSequences = true on '{enderName}'"
                + (kind == LayerKind.Flatten ? " (or leave the Flatten out: Keras's Flatten of one vector per sample changes nothing)" : "");
        string what = ender == LayerKind.Flatten ? "flattens the steps" : "pools the steps";
        string advice = kind == LayerKind.Flatten
            ? "leave the Flatten out (Keras's Flatten of one vector per sample changes nothing)"
            : $"put '{layerName}' above '{enderName}'";
        return $"{what} into one vector per sample ([batch, features], no steps left): {advice}";
    }
}
