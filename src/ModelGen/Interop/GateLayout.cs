using System;

namespace ModelGen.Interop;

/// <summary>
/// Moves recurrent weights between ModelGen's Keras layout (kernel <c>[inputs, gates·units]</c>, gate blocks in
/// Keras order) and the gate-major layout of PyTorch and ONNX (<c>[gates·units, inputs]</c>, gate blocks in that
/// framework's order). A gate map lists, for each Keras gate block, the block of the other layout that holds it.
/// </summary>
internal static class GateLayout
{
    /// <summary>Keras LSTM i, f, c, o ← PyTorch i, f, g, o (the same order).</summary>
    public static readonly int[] TorchLstm = [0, 1, 2, 3];

    /// <summary>Keras GRU z, r, h ← PyTorch r, z, n.</summary>
    public static readonly int[] TorchGru = [1, 0, 2];

    /// <summary>Keras LSTM i, f, c, o ← ONNX i, o, f, c.</summary>
    public static readonly int[] OnnxLstm = [0, 2, 3, 1];

    /// <summary>Keras GRU z, r, h ← ONNX z, r, h (the same order).</summary>
    public static readonly int[] OnnxGru = [0, 1, 2];

    /// <summary>One gate (SimpleRNN / nn.RNN / ONNX RNN).</summary>
    public static readonly int[] Single = [0];

    /// <summary>The PyTorch gate map for a cell with <paramref name="gates"/> gates (1, 3 or 4).</summary>
    public static int[] Torch(int gates) => gates switch { 1 => Single, 3 => TorchGru, 4 => TorchLstm, _ => throw new ArgumentOutOfRangeException(nameof(gates)) };

    /// <summary>The ONNX gate map for a cell with <paramref name="gates"/> gates (1, 3 or 4).</summary>
    public static int[] Onnx(int gates) => gates switch { 1 => Single, 3 => OnnxGru, 4 => OnnxLstm, _ => throw new ArgumentOutOfRangeException(nameof(gates)) };

    /// <summary>Keras kernel <c>[inputs, G·units]</c> → gate-major <c>[G·units, inputs]</c> in the other order.</summary>
    public static void KerasToGateMajor(ReadOnlySpan<float> keras, int inputs, int units, int[] map, Span<float> target) =>
        Copy(keras, target, inputs, units, map, toGateMajor: true);

    /// <summary>Gate-major <c>[G·units, inputs]</c> in the other order → Keras kernel <c>[inputs, G·units]</c>.</summary>
    public static void GateMajorToKeras(ReadOnlySpan<float> source, int inputs, int units, int[] map, Span<float> keras) =>
        Copy(source, keras, inputs, units, map, toGateMajor: false);

    private static void Copy(ReadOnlySpan<float> from, Span<float> to, int inputs, int units, int[] map, bool toGateMajor)
    {
        int gates = map.Length;
        for (int kg = 0; kg < gates; kg++)
            for (int u = 0; u < units; u++)
                for (int i = 0; i < inputs; i++)
                {
                    int keras = i * gates * units + kg * units + u;
                    int gateMajor = (map[kg] * units + u) * inputs + i;
                    if (toGateMajor) to[gateMajor] = from[keras];
                    else to[keras] = from[gateMajor];
                }
    }

    /// <summary>A bias vector of <c>G·units</c>: Keras order → the other order.</summary>
    public static void KerasToOther(ReadOnlySpan<float> keras, int units, int[] map, Span<float> target)
    {
        for (int kg = 0; kg < map.Length; kg++)
            keras.Slice(kg * units, units).CopyTo(target.Slice(map[kg] * units, units));
    }

    /// <summary>A bias vector of <c>G·units</c>: the other order → Keras order.</summary>
    public static void OtherToKeras(ReadOnlySpan<float> source, int units, int[] map, Span<float> keras)
    {
        for (int kg = 0; kg < map.Length; kg++)
            source.Slice(map[kg] * units, units).CopyTo(keras.Slice(kg * units, units));
    }

    /// <summary><c>[rows, columns]</c> → <c>[columns, rows]</c>.</summary>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> target)
    {
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                target[c * rows + r] = source[r * columns + c];
    }
}
