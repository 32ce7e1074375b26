using System;
using System.Runtime.InteropServices;

namespace ModelGen.Kernels;

/// <summary>
/// What a folded Embedding's projected table <c>P = E·W + b</c> was last computed from, so that inference can reuse
/// <c>P</c> while the parameters still hold those values: a bit-for-bit copy of <c>E</c>, <c>W</c> and <c>b</c> and
/// the array <c>P</c> was written into. Generated models keep one per fold; there is no PyTorch or Keras counterpart
/// (both multiply every token's embedding by <c>W</c> on every call).
/// </summary>
/// <remarks>
/// <para>
/// The parameters are a public array that anything may write (an optimizer, a weight file, the user), so nothing
/// announces a change: each inference call compares the parameters with the copy instead. That reads
/// <c>vocabulary × (dim + 1) + dim × width + width</c> floats once, where computing <c>P</c> takes
/// <c>vocabulary × dim × width</c> multiply-adds (W4's <c>[500 × 16]·[16 × 8]</c>: about 0.2 µs against 3–4 µs).
/// </para>
/// <para>
/// The comparison is of bits, not of values: <c>−0</c> and <c>+0</c> differ, and so do two NaNs of different
/// payloads, so a reused <c>P</c> is exactly the one the current parameters would give. A training pass computes
/// <c>P</c> without keeping a copy (its weights change at the optimizer's next step) and calls <see cref="Forget"/>.
/// Not thread-safe, like the model that owns it.
/// </para>
/// </remarks>
public sealed class FoldSource
{
    private float[] _copy = [];
    private float[]? _table;

    /// <summary>
    /// Whether <paramref name="table"/> holds <c>E·W + b</c> of exactly these <paramref name="embeddings"/>,
    /// <paramref name="kernel"/> and <paramref name="bias"/>: the same array was last written from parameters with
    /// the same bits, and nothing has been forgotten since.
    /// </summary>
    /// <param name="table">The array the projected table lives in, <c>[vocabulary, width]</c>.</param>
    /// <param name="embeddings">The Embedding's table <c>E</c>, <c>[vocabulary, dim]</c>.</param>
    /// <param name="kernel">The absorbing layer's input kernel <c>W</c>, <c>[dim, width]</c>.</param>
    /// <param name="bias">Its bias <c>b</c> (<c>[width]</c>; empty without one).</param>
    /// <returns>True when <paramref name="table"/> can be used as it is.</returns>
    public bool Matches(float[] table, ReadOnlySpan<float> embeddings, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias)
    {
        if (!ReferenceEquals(table, _table) || _copy.Length != embeddings.Length + kernel.Length + bias.Length) return false;
        var copy = MemoryMarshal.Cast<float, int>(_copy.AsSpan());
        return copy[..embeddings.Length].SequenceEqual(MemoryMarshal.Cast<float, int>(embeddings))
            && copy.Slice(embeddings.Length, kernel.Length).SequenceEqual(MemoryMarshal.Cast<float, int>(kernel))
            && copy[(embeddings.Length + kernel.Length)..].SequenceEqual(MemoryMarshal.Cast<float, int>(bias));
    }

    /// <summary>
    /// Records that <paramref name="table"/> now holds <c>E·W + b</c> of these parameters. Allocates the copy the
    /// first time (and when the sizes change), never after.
    /// </summary>
    /// <param name="table">The array just written, <c>[vocabulary, width]</c>.</param>
    /// <param name="embeddings">The <c>E</c> it was computed from.</param>
    /// <param name="kernel">The <c>W</c> it was computed from.</param>
    /// <param name="bias">The <c>b</c> it was computed from (empty without one).</param>
    public void Remember(float[] table, ReadOnlySpan<float> embeddings, ReadOnlySpan<float> kernel, ReadOnlySpan<float> bias)
    {
        ArgumentNullException.ThrowIfNull(table);
        int length = embeddings.Length + kernel.Length + bias.Length;
        _table = null; // not valid until the copy is whole
        if (_copy.Length != length) _copy = new float[length];
        embeddings.CopyTo(_copy);
        kernel.CopyTo(_copy.AsSpan(embeddings.Length));
        bias.CopyTo(_copy.AsSpan(embeddings.Length + kernel.Length));
        _table = table;
    }

    /// <summary>Records that the table no longer matches any copy (it was written from parameters not kept).</summary>
    public void Forget() => _table = null;
}
