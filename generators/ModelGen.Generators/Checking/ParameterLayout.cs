using System.Collections.Generic;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Checking;

/// <summary>Keras's parameter layout: views by name in Keras order, their default initializers, and the counts.</summary>
internal static class ParameterLayout
{
    /// <summary>The most floats one .NET array holds (Array.MaxLength).</summary>
    public const long MaxParameters = 0x7FFFFFC7;

    /// <summary>Keras's parameter count, in <see cref="decimal"/> so that any declaration's count is reported, never wrapped.</summary>
    public static decimal KerasCount(LayerKind kind, decimal inputs, decimal units, bool twoBiases, bool useBias)
    {
        decimal gates = LayerKinds.Of(kind).Gates;
        return kind switch
        {
            LayerKind.Embedding => inputs * units,
            LayerKind.Dense => inputs * units + (useBias ? units : 0),
            LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru => gates * units * (inputs + units) + (useBias ? (twoBiases ? 2 : 1) * gates * units : 0),
            LayerKind.Masking or LayerKind.Dropout or LayerKind.SpatialDropout1D or LayerKind.Bidirectional or LayerKind.TimeDistributed
                or LayerKind.RepeatVector or LayerKind.GlobalAveragePooling1D or LayerKind.GlobalMaxPooling1D or LayerKind.Flatten or LayerKind.Activation => 0,
        };
    }

    /// <summary>
    /// Parameter views in Keras order and layout, with Keras's default initializers. <paramref name="prefix"/>
    /// and <paramref name="kerasPrefix"/> name a Bidirectional copy (<c>ForwardKernel</c>, <c>forward_lstm/kernel</c>).
    /// </summary>
    public static IEnumerable<ParamView> Views(CellShape cell, int offset, string prefix, string kerasPrefix) => cell.Kind switch
    {
        LayerKind.Embedding => new[] { new ParamView("embeddings", ParameterNames.Embeddings, offset, cell.Inputs, cell.Units, InitKind.Uniform005) },
        LayerKind.Dense => DenseViews(cell, offset),
        LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru => RecurrentViews(cell, offset, prefix, kerasPrefix),
        LayerKind.Masking or LayerKind.Dropout or LayerKind.SpatialDropout1D or LayerKind.Bidirectional or LayerKind.TimeDistributed
            or LayerKind.RepeatVector or LayerKind.GlobalAveragePooling1D or LayerKind.GlobalMaxPooling1D or LayerKind.Flatten
            or LayerKind.Activation => System.Array.Empty<ParamView>(),
    };

    private static IEnumerable<ParamView> DenseViews(CellShape cell, int offset)
    {
        yield return new ParamView("kernel", ParameterNames.Kernel, offset, cell.Inputs, cell.Units, InitKind.GlorotUniform);
        if (cell.UseBias) yield return new ParamView("bias", ParameterNames.Bias, offset + cell.Inputs * cell.Units, 1, cell.Units, InitKind.Zeros);
    }

    private static IEnumerable<ParamView> RecurrentViews(CellShape cell, int offset, string prefix, string kerasPrefix)
    {
        int gh = cell.Width;
        yield return new ParamView(kerasPrefix + "kernel", prefix + ParameterNames.Kernel, offset, cell.Inputs, gh, InitKind.GlorotUniform);
        offset += cell.Inputs * gh;
        yield return new ParamView(kerasPrefix + "recurrent_kernel", prefix + ParameterNames.RecurrentKernel, offset, cell.Units, gh, InitKind.Orthogonal);
        offset += cell.Units * gh;
        if (cell.UseBias)
            yield return new ParamView(kerasPrefix + "bias", prefix + ParameterNames.Bias, offset, cell.ResetAfter ? 2 : 1, gh,
                cell.Kind == LayerKind.Lstm ? InitKind.UnitForgetBias : InitKind.Zeros);
    }
}
