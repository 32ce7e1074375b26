using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>Embedding lookups: gather rows by token id, and scatter-add their gradients back.</summary>
public static class Embedding
{
    /// <summary>
    /// For tokens <c>[batch, steps]</c> (batch-major), writes <c>out[t, b, :] = table[token[b, t], :]</c> (time-major).
    /// Throws when a token id is outside <c>[0, vocabulary)</c>, naming the sample, step and value.
    /// </summary>
    public static void Gather(int batch, int steps, int vocabulary, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> table, Span<float> output, string layer)
    {
        Check(batch, steps, vocabulary, width, tokens, table.Length, output.Length, nameof(output));
        ref float source = ref MemoryMarshal.GetReference(table);
        ref float destination = ref MemoryMarshal.GetReference(output);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int id = tokens[b * steps + t];
                if ((uint)id >= (uint)vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(tokens), id,
                        $"Embedding '{layer}' takes token ids in [0, {vocabulary - 1}], but sample {b}, step {t} holds {id}.");
                Copy(ref Unsafe.Add(ref source, id * width), ref Unsafe.Add(ref destination, (t * batch + b) * width), width);
            }
        }
    }

    /// <summary>Adds <c>grad[t, b, :]</c> to row <c>token[b, t]</c> of <paramref name="tableGradient"/>; the ids were checked by <see cref="Gather"/>.</summary>
    public static void ScatterAdd(int batch, int steps, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> grad, Span<float> tableGradient)
    {
        if (grad.Length < batch * steps * width) throw new ArgumentException($"the gradient needs {batch * steps * width} floats, has {grad.Length}", nameof(grad));
        ref float source = ref MemoryMarshal.GetReference(grad);
        ref float destination = ref MemoryMarshal.GetReference(tableGradient);
        int vocabulary = tableGradient.Length / width;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int id = tokens[b * steps + t];
                if ((uint)id >= (uint)vocabulary) throw new ArgumentOutOfRangeException(nameof(tokens), id, $"token id {id} is outside [0, {vocabulary - 1}]");
                Add(ref Unsafe.Add(ref source, (t * batch + b) * width), ref Unsafe.Add(ref destination, id * width), width);
            }
        }
    }

    private static void Check(int batch, int steps, int vocabulary, int width, ReadOnlySpan<int> tokens, int tableLength, int outputLength, string name)
    {
        if (tokens.Length < batch * steps) throw new ArgumentException($"expected {batch * steps} token ids, got {tokens.Length}", nameof(tokens));
        if (tableLength < vocabulary * width) throw new ArgumentException($"the table needs {vocabulary * width} floats, has {tableLength}", nameof(tableLength));
        if (outputLength < batch * steps * width) throw new ArgumentException($"the output needs {batch * steps * width} floats, has {outputLength}", name);
    }

    // One row: whole vectors, then the rest.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Copy(ref float from, ref float to, int width)
    {
        int i = 0;
        for (; i + 8 <= width; i += 8) Vector256.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        for (; i < width; i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref float from, ref float to, int width)
    {
        int i = 0;
        for (; i + 8 <= width; i += 8) (Vector256.LoadUnsafe(ref to, (nuint)i) + Vector256.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        for (; i < width; i++) Unsafe.Add(ref to, i) += Unsafe.Add(ref from, i);
    }
}
