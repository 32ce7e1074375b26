using System.Collections.Immutable;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Checking;

/// <summary>
/// A layer's weight options once read: initializers and regularizers per weight (kernel, recurrent kernel, bias; an
/// Embedding's embeddings count as its kernel) and LSTM's <c>unit_forget_bias</c>. They change no cell code, so they live
/// on the parameter views (what the generated metadata carries), not in the cell shape.
/// </summary>
internal sealed record WeightOptions(
    InitializerChoice? Kernel, InitializerChoice? Recurrent, InitializerChoice? Bias,
    (float L1, float L2)? KernelRegularizer, (float L1, float L2)? RecurrentRegularizer, (float L1, float L2)? BiasRegularizer,
    bool UnitForgetBias)
{
    /// <summary>Keras's defaults: no initializer written, no regularizer, <c>unit_forget_bias=True</c>.</summary>
    public static readonly WeightOptions Default = new(null, null, null, null, null, null, true);

    /// <summary>
    /// Reads <paramref name="layer"/>'s options; each one that Keras would refuse adds MG0030 or MG0031 to
    /// <paramref name="diagnostics"/> and reads as its default.
    /// </summary>
    public static WeightOptions Read(LayerSpec layer, string name, LocationInfo? where, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
    {
        var o = layer.Options;
        bool embedding = layer.Kind == LayerKind.Embedding;
        // A GRU with reset_after keeps its two biases as a [2, 3·units] matrix; every other bias is 1-D.
        bool vectorBias = !(layer.Kind == LayerKind.Gru && layer.ResetAfter);

        InitializerChoice? Init(string? text, string option, bool vector)
        {
            if (text is null) return null;
            var choice = KerasCalls.Initializer(text, vector, out string? error);
            if (choice is null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownInitializer, layer.At(option, where), layer.AttributeName, name, option, text, error!, KerasCalls.InitializerNames));
            return choice;
        }
        (float, float)? Regularizer(string? text, string option)
        {
            if (text is null) return null;
            var factors = KerasCalls.Regularizer(text, out string? error);
            if (factors is null)
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.UnknownRegularizer, layer.At(option, where), layer.AttributeName, name, option, text, error!, KerasCalls.RegularizerNames));
            return factors;
        }

        return new WeightOptions(
            Init(o.KernelInitializer, embedding ? "EmbeddingsInitializer" : "KernelInitializer", vector: false),
            Init(o.RecurrentInitializer, "RecurrentInitializer", vector: false),
            Init(o.BiasInitializer, "BiasInitializer", vectorBias),
            Regularizer(o.KernelRegularizer, embedding ? "EmbeddingsRegularizer" : "KernelRegularizer"),
            Regularizer(o.RecurrentRegularizer, "RecurrentRegularizer"),
            Regularizer(o.BiasRegularizer, "BiasRegularizer"),
            o.UnitForgetBias);
    }

    /// <summary><paramref name="view"/> with the initializer and regularizer written for its weight (by its Keras name).</summary>
    public ParamView Apply(ParamView view)
    {
        string keras = view.KerasName.Substring(view.KerasName.LastIndexOf('/') + 1);
        var (init, regularizer) = keras switch
        {
            "recurrent_kernel" => (Recurrent, RecurrentRegularizer),
            "bias" => (Bias, BiasRegularizer),
            _ => (Kernel, KernelRegularizer), // kernel, embeddings
        };
        if (view.Init == InitKind.UnitForgetBias)
        {
            // LSTM: Keras's bias initializer (zeros unless written), with ones in the forget gate unless unit_forget_bias=False.
            var kind = init?.Kind ?? InitKind.Zeros;
            view = kind == InitKind.Zeros && UnitForgetBias
                ? view
                : view with { Init = kind, InitArguments = (init?.Arguments ?? []).ToEquatableArray(), UnitForgetBias = UnitForgetBias };
        }
        else if (init is not null)
            view = view with { Init = init.Kind, InitArguments = init.Arguments.ToEquatableArray() };
        return regularizer is null ? view : view with { Regularizer = regularizer };
    }
}
