using System;

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
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int id = tokens[b * steps + t];
                if ((uint)id >= (uint)vocabulary)
                    throw new ArgumentOutOfRangeException(nameof(tokens), id,
                        $"Embedding '{layer}' takes token ids in [0, {vocabulary - 1}], but sample {b}, step {t} holds {id}.");
                table.Slice(id * width, width).CopyTo(output.Slice((t * batch + b) * width, width));
            }
        }
    }

    /// <summary>Adds <c>grad[t, b, :]</c> to row <c>token[b, t]</c> of <paramref name="tableGradient"/>.</summary>
    public static void ScatterAdd(int batch, int steps, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> grad, Span<float> tableGradient)
    {
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                var dst = tableGradient.Slice(tokens[b * steps + t] * width, width);
                System.Numerics.Tensors.TensorPrimitives.Add(dst, grad.Slice((t * batch + b) * width, width), dst);
            }
        }
    }
}
