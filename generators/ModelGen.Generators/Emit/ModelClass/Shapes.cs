using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.ModelClass;

/// <summary>Shapes and layers in words, for generated comments, docs and messages.</summary>
internal static class Shapes
{
    public static string Steps(CheckedModel m) => m.TimeSteps?.ToString() ?? "steps";

    public static string Input(CheckedModel m)
        => m.TakesTokens ? $"[batch, {Steps(m)}] token ids in [0, {m.VocabularySize})" : $"[batch, {Steps(m)}, {m.InputFeatures}] floats";

    /// <summary>A shape in words; <paramref name="steps"/> is the layer's own length (after a RepeatVector), null for the input's.</summary>
    public static string Of(CheckedModel m, bool sequence, int width, int? steps = null)
        => sequence ? $"[batch, {steps?.ToString() ?? Steps(m)}, {width}]" : $"[batch, {width}]";

    /// <summary>The layer's output shape as Keras's <c>summary()</c> prints it: <c>(None, 10, 64)</c>, <c>(None, 64)</c>.</summary>
    public static string Keras(CheckedModel m, CheckedLayer l)
        => l.OutputIsSequence ? $"(None, {(l.Steps ?? m.TimeSteps)?.ToString() ?? "None"}, {l.OutputWidth})" : $"(None, {l.OutputWidth})";

    /// <summary>The model's output shape in words.</summary>
    public static string Output(CheckedModel m) => Of(m, m.Output.OutputIsSequence, m.Output.OutputWidth, m.Output.Steps);

    /// <summary>The model in one line: <c>LSTM(30) → Dense(1), 3,871 parameters</c>.</summary>
    public static string Describe(CheckedModel m)
        => string.Join(" → ", m.Layers.Select(l => l.Info.KeepsWidth ? l.KerasType : $"{l.KerasType}({l.OutputWidth})"))
            + $", {m.ParameterCount} parameters";

    /// <summary>The layer as Keras code, with its options: <c>LSTM(30, sequences, dropout=0.2)</c>.</summary>
    public static string LayerText(CheckedLayer l)
    {
        string Num(float v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        var options = new List<string>();
        int units = l.Cell.Units;
        if (l.Kind == LayerKind.SimpleRnn || (l.Kind is LayerKind.Lstm or LayerKind.Gru && l.Cell.Activation != Activation.Tanh))
            options.Add(l.Cell.Activation.ToString().ToLowerInvariant());
        if (l.Kind == LayerKind.Gru) options.Add($"reset_after={(l.Cell.ResetAfter ? "True" : "False")}");
        if (l.Cell.RecurrentActivation == Activation.HardSigmoid) options.Add("hard_sigmoid");
        if (l.IsRecurrent)
        {
            if (l.OutputIsSequence) options.Add("sequences");
            if (l.Directions.Count == 1 && l.Directions[0].Reversed) options.Add("backwards");
            if (l.Stateful) options.Add("stateful");
            if (l.ReturnState) options.Add("state");
            if (l.Dropout > 0) options.Add($"dropout={Num(l.Dropout)}");
            if (l.RecurrentDropout > 0) options.Add($"recurrent_dropout={Num(l.RecurrentDropout)}");
            if (l.MaskIn) options.Add("masked");
        }
        if (!l.Cell.UseBias && l.Info.HasCell) options.Add("no bias");
        if (l.Parameters.Any(p => p.Regularizer is not null)) options.Add("regularized");
        if (!l.Trainable) options.Add("trainable=False");
        string Args(string first) => string.Join(", ", new[] { first }.Concat(options));
        string keras = l.Info.KerasClass;
        string inner = l.Kind switch
        {
            LayerKind.Embedding => $"{keras}({Args($"{l.Inputs}, {l.OutputWidth}{(l.MaskZero ? ", mask_zero" : "")}")})",
            LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru => $"{keras}({Args(units.ToString())})",
            LayerKind.Masking => $"{keras}({Num(l.MaskValue)})",
            LayerKind.Dropout or LayerKind.SpatialDropout1D => $"{keras}({Num(l.Rate)})",
            LayerKind.Dense => $"{keras}({Args(l.OutputWidth + ", " + l.Cell.Activation.ToString().ToLowerInvariant())})",
            LayerKind.Bidirectional or LayerKind.TimeDistributed or LayerKind.GlobalAveragePooling1D or LayerKind.GlobalMaxPooling1D
                or LayerKind.Flatten => keras,
            LayerKind.RepeatVector => $"{keras}({l.Steps})",
            LayerKind.Activation => $"{keras}('{Checking.LayerRules.KerasName(l.Cell.Activation)}'{(l.MaskIn ? ", masked" : "")})",
        };
        if (l.Wrapper is not { } wrapper) return inner;
        return wrapper switch
        {
            LayerKind.Bidirectional => $"Bidirectional({inner}, {l.Merge.ToString().ToLowerInvariant()})",
            LayerKind.TimeDistributed => $"TimeDistributed({inner})",
            LayerKind.Embedding or LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru or LayerKind.Dense or LayerKind.Masking
                or LayerKind.Dropout or LayerKind.SpatialDropout1D or LayerKind.RepeatVector or LayerKind.GlobalAveragePooling1D
                or LayerKind.GlobalMaxPooling1D or LayerKind.Flatten or LayerKind.Activation => throw new System.InvalidOperationException($"{wrapper} wraps nothing"),
        };
    }
}
