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
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="vocabulary">Rows of the table.</param>
    /// <param name="width">Floats per row (the embedding dimension).</param>
    /// <param name="tokens">Token ids <c>[batch, steps]</c>.</param>
    /// <param name="table">The embedding table <c>[vocabulary, width]</c>.</param>
    /// <param name="output">The gathered rows <c>[steps, batch, width]</c>.</param>
    /// <param name="layer">The layer's name, for the message of a bad id.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or the width is 0, or a token id is outside <c>[0, vocabulary)</c>.</exception>
    public static void Gather(int batch, int steps, int vocabulary, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> table, Span<float> output, string layer)
    {
        Check(batch, steps, vocabulary, width, tokens, table.Length, output.Length, nameof(output));
        Validate(batch, steps, vocabulary, tokens, layer);
        ref float source = ref MemoryMarshal.GetReference(table);
        ref float destination = ref MemoryMarshal.GetReference(output);
        ref int ids = ref MemoryMarshal.GetReference(tokens);
        // The ids are in range (checked above), so the copies below index without further checks. Common widths
        // get a loop of their own, one or two vector moves per token.
        if (width == 8) GatherRows<Width8>(batch, steps, ref ids, ref source, ref destination);
        else if (width == 16) GatherRows<Width16>(batch, steps, ref ids, ref source, ref destination);
        else
        {
            // A large gather (a folded projection's rows, 784 floats a token in W3) is shared between threads by steps.
            int parts = SharedPass.Parts((long)batch * steps * width, steps);
            if (parts > 1)
            {
                var job = new GatherJob { Batch = batch, Steps = steps, Width = width, Tokens = tokens, Table = table, Output = output };
                RowParallel.RunPass(ref job, steps, parts);
            }
            else GatherSteps(0, steps, batch, steps, width, ref ids, ref source, ref destination);
        }
    }

    /// <summary>
    /// One step's rows of a gather, for samples [<paramref name="first"/>, <paramref name="last"/>):
    /// <c>output[b, :] = table[ids[b, t], :]</c>, <paramref name="output"/> being that step's block <c>[batch, width]</c> of a
    /// time-major <c>[steps, batch, width]</c> buffer. A recurrent layer into which an Embedding is folded calls it from its
    /// time loop, for the rows it computes and on the thread that computes them: each row is written just before the step's
    /// product reads it, in that core's cache, rather than by a gather of every step beforehand (split between threads by
    /// steps, so half of each thread's rows came from the other core's cache). The same values either way.
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="t">The step, in [0, steps).</param>
    /// <param name="first">First sample, ≥ 0.</param>
    /// <param name="last">One past the last sample, ≤ <paramref name="batch"/>.</param>
    /// <param name="width">Floats per row.</param>
    /// <param name="ids">Row ids <c>[batch, steps]</c> (batch-major), checked by the caller (<see cref="Validate"/>).</param>
    /// <param name="table">The rows <c>[rows, width]</c>.</param>
    /// <param name="output">Step t's block <c>[batch, width]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="ids"/> holds fewer than <c>batch · steps</c> ids, or <paramref name="output"/> fewer than <c>last · width</c> floats.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The step, samples or width are out of range, or an id's row lies outside <paramref name="table"/>.</exception>
    public static void GatherStep(int batch, int steps, int t, int first, int last, int width, ReadOnlySpan<int> ids, ReadOnlySpan<float> table, Span<float> output)
    {
        if ((uint)t >= (uint)steps || first < 0 || first > last || last > batch || width < 1)
            throw new ArgumentOutOfRangeException(nameof(t), $"expected a step in [0, {steps}), samples within [0, {batch}] and a width ≥ 1; got step {t}, samples [{first}, {last}), width {width}");
        if (ids.Length < (long)batch * steps) throw new ArgumentException($"expected {(long)batch * steps} row ids, got {ids.Length}", nameof(ids));
        if (output.Length < (long)last * width) throw new ArgumentException($"expected at least {(long)last * width} floats for samples [{first}, {last}) of {width}, got {output.Length}", nameof(output));
        for (int b = first; b < last; b++)
        {
            int id = ids[b * steps + t];
            long offset = (long)id * width;
            if (offset < 0 || offset + width > table.Length)
                throw new ArgumentOutOfRangeException(nameof(ids), id, $"row id {id} of sample {b}, step {t} is outside the table's {table.Length / width} rows");
            table.Slice((int)offset, width).CopyTo(output.Slice(b * width, width));
        }
    }

    // Steps [from, to) of a gather of rows of any width.
    private static void GatherSteps(int from, int to, int batch, int steps, int width, ref int ids, ref float source, ref float destination)
    {
        for (int t = from; t < to; t++)
        {
            for (int b = 0; b < batch; b++)
                MatrixOps.CopyFloats(ref Unsafe.Add(ref source, Unsafe.Add(ref ids, b * steps + t) * width), ref Unsafe.Add(ref destination, (t * batch + b) * width), width);
        }
    }

    // Steps [first, last) of Gather, on one of the threads that share it.
    internal ref struct GatherJob : IRowJob
    {
        public int Batch, Steps, Width;
        public ReadOnlySpan<int> Tokens;
        public ReadOnlySpan<float> Table;
        public Span<float> Output;

        public readonly void Rows(int first, int last) =>
            GatherSteps(first, last, Batch, Steps, Width, ref MemoryMarshal.GetReference(Tokens), ref MemoryMarshal.GetReference(Table), ref MemoryMarshal.GetReference(Output));
    }

    /// <summary>Throws unless every token id lies in <c>[0, vocabulary)</c>, naming the first sample, step and value outside it.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="vocabulary">The number of valid ids.</param>
    /// <param name="tokens">Token ids <c>[batch, steps]</c>.</param>
    /// <param name="layer">The layer's name, for the message.</param>
    /// <exception cref="ArgumentException"><paramref name="tokens"/> holds fewer than <c>batch · steps</c> ids.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a token id is outside <c>[0, vocabulary)</c>.</exception>
    public static void Validate(int batch, int steps, int vocabulary, ReadOnlySpan<int> tokens, string layer)
    {
        long rows = Sizes(batch, steps, 1).Rows;
        if (tokens.Length < rows) throw new ArgumentException($"expected {rows} token ids, got {tokens.Length}", nameof(tokens));
        int k = FirstOutside(tokens.Slice(0, (int)rows), vocabulary);
        if (k >= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens[k],
                $"Embedding '{layer}' takes token ids in [0, {vocabulary - 1}], but sample {k / steps}, step {k % steps} holds {tokens[k]}.");
        }
    }

    // The position of the first id outside [0, vocabulary), or -1. One unsigned comparison catches negative ids too;
    // the scalar search runs only when a vector holds a bad one.
    internal static int FirstOutside(ReadOnlySpan<int> tokens, int vocabulary)
    {
        var ids = MemoryMarshal.Cast<int, uint>(tokens);
        int i = 0;
        bool bad = false;
        if (Vector256.IsHardwareAccelerated)
        {
            var limit = Vector256.Create((uint)vocabulary);
            for (; i + 8 <= ids.Length && !bad; i += 8) bad = Vector256.GreaterThanOrEqualAny(Vector256.Create(ids.Slice(i, 8)), limit);
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            var limit = Vector128.Create((uint)vocabulary);
            for (; i + 4 <= ids.Length && !bad; i += 4) bad = Vector128.GreaterThanOrEqualAny(Vector128.Create(ids.Slice(i, 4)), limit);
        }
        for (; i < ids.Length && !bad; i++) bad = ids[i] >= (uint)vocabulary;
        if (!bad) return -1;
        for (int k = 0; k < ids.Length; k++)
            if (ids[k] >= (uint)vocabulary) return k;
        return -1;
    }

    private interface IWidth
    {
        static abstract void Copy(ref float from, ref float to);
        static abstract int Width { get; }
    }

    // to += from over one row of `width` floats (the fixed widths ignore it); set: to = 0 + from, the bits of adding
    // to a cleared row (−0 becomes +0), without reading it. Callers pass set as a constant, folded once inlined.
    private interface IRowAdd
    {
        static abstract void Add(ref float from, ref float to, int width, bool set);
    }

    private struct AnyWidth : IRowAdd
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ref float from, ref float to, int width, bool set) => Embedding.Add(ref from, ref to, width, set);
    }

    private struct Width8 : IWidth, IRowAdd
    {
        public static int Width => 8;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(ref float from, ref float to)
        {
            if (Vector256.IsHardwareAccelerated) Vector256.LoadUnsafe(ref from).StoreUnsafe(ref to);
            else
            {
                Vector128.LoadUnsafe(ref from).StoreUnsafe(ref to);
                Vector128.LoadUnsafe(ref from, 4).StoreUnsafe(ref to, 4);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ref float from, ref float to, int width, bool set)
        {
            if (Vector256.IsHardwareAccelerated) ((set ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref to)) + Vector256.LoadUnsafe(ref from)).StoreUnsafe(ref to);
            else
            {
                ((set ? Vector128<float>.Zero : Vector128.LoadUnsafe(ref to)) + Vector128.LoadUnsafe(ref from)).StoreUnsafe(ref to);
                ((set ? Vector128<float>.Zero : Vector128.LoadUnsafe(ref to, 4)) + Vector128.LoadUnsafe(ref from, 4)).StoreUnsafe(ref to, 4);
            }
        }
    }

    private struct Width16 : IWidth, IRowAdd
    {
        public static int Width => 16;
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Copy(ref float from, ref float to)
        {
            if (Wide.IsAccelerated) Vector512.LoadUnsafe(ref from).StoreUnsafe(ref to);
            else
            {
                Width8.Copy(ref from, ref to);
                Width8.Copy(ref Unsafe.Add(ref from, 8), ref Unsafe.Add(ref to, 8));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Add(ref float from, ref float to, int width, bool set)
        {
            if (Wide.IsAccelerated) ((set ? Vector512<float>.Zero : Vector512.LoadUnsafe(ref to)) + Vector512.LoadUnsafe(ref from)).StoreUnsafe(ref to);
            else
            {
                Width8.Add(ref from, ref to, 8, set);
                Width8.Add(ref Unsafe.Add(ref from, 8), ref Unsafe.Add(ref to, 8), 8, set);
            }
        }
    }

    // Time-major output written in order (each sample's ids are read with a stride of `steps`). The other order,
    // ids in order and rows written `batch` rows apart, measured 7× slower: the strided stores collide in cache sets.
    private static void GatherRows<TWidth>(int batch, int steps, ref int ids, ref float source, ref float destination) where TWidth : struct, IWidth
    {
        for (int t = 0; t < steps; t++)
        {
            ref float row = ref Unsafe.Add(ref destination, t * batch * TWidth.Width);
            for (int b = 0; b < batch; b++)
                TWidth.Copy(ref Unsafe.Add(ref source, Unsafe.Add(ref ids, b * steps + t) * TWidth.Width), ref Unsafe.Add(ref row, b * TWidth.Width));
        }
    }

    /// <summary>Adds <c>grad[t, b, :]</c> to row <c>token[b, t]</c> of <paramref name="tableGradient"/>, after checking every id.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="width">Floats per row.</param>
    /// <param name="tokens">Token ids <c>[batch, steps]</c>.</param>
    /// <param name="grad">The gradient of the gathered rows <c>[steps, batch, width]</c>.</param>
    /// <param name="tableGradient">The table's gradient <c>[vocabulary, width]</c>, added to.</param>
    /// <exception cref="ArgumentException"><paramref name="grad"/> is shorter than its shape needs.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or the width is 0, or a token id is outside the table (checked before anything is added).</exception>
    /// <remarks>
    /// A gradient of at least a million floats in rows of other than 8 or 16 may be shared between
    /// <see cref="Threading.IntraOpThreads"/> threads by ranges of the table's rows (as
    /// <see cref="RowParallel"/>'s passes are); each row of the table adds its tokens' rows in the same order on any
    /// number of threads, so the result is the same bits.
    /// </remarks>
    public static void ScatterAdd(int batch, int steps, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> grad, Span<float> tableGradient)
    {
        var (rows, floats) = Sizes(batch, steps, width);
        if (grad.Length < floats) throw new ArgumentException($"the gradient needs {floats} floats, has {grad.Length}", nameof(grad));
        int vocabulary = tableGradient.Length / width;
        if (tokens.Length < rows) throw new ArgumentException($"expected {rows} token ids, got {tokens.Length}", nameof(tokens));
        // Every id first, so that a bad one leaves the gradient as it was.
        if (FirstOutside(tokens.Slice(0, (int)rows), vocabulary) is var k and >= 0)
            throw new ArgumentOutOfRangeException(nameof(tokens), tokens[k], $"token id {tokens[k]} is outside [0, {vocabulary - 1}]");
        Scatter(batch, steps, width, tokens, grad, tableGradient, vocabulary, overwrite: false);
    }

    // ScatterAdd and ScatterDistinct once their ids are checked, into the first `words` rows of the table.
    private static void Scatter(int batch, int steps, int width, ReadOnlySpan<int> tokens, ReadOnlySpan<float> grad, Span<float> table, int words, bool overwrite)
    {
        ref int ids = ref MemoryMarshal.GetReference(tokens);
        ref float source = ref MemoryMarshal.GetReference(grad);
        ref float destination = ref MemoryMarshal.GetReference(table);
        // Rows of 8 or 16 (a SimpleRNN(8)'s folded projection, Embedding(…, 16)) are one or two vectors, added with no
        // loop over the row.
        if (width == 8) ScatterRows<Width8>(batch, steps, 8, ref ids, ref source, ref destination, 0, words, overwrite);
        else if (width == 16) ScatterRows<Width16>(batch, steps, 16, ref ids, ref source, ref destination, 0, words, overwrite);
        else
        {
            // A large scatter (a folded projection's gradient, 784 floats a token in W3) is shared between threads by
            // ranges of the table's rows: each thread adds the tokens of its own words, in the order one thread would.
            int parts = SharedPass.Parts((long)batch * steps * width, words);
            if (parts > 1)
            {
                var job = new ScatterJob { Batch = batch, Steps = steps, Width = width, Overwrite = overwrite, Tokens = tokens, Grad = grad, TableGradient = table };
                RowParallel.RunPass(ref job, words, parts);
            }
            else ScatterRows<AnyWidth>(batch, steps, width, ref ids, ref source, ref destination, 0, words, overwrite);
        }
    }

    // Adds each gradient row whose token lies in [first, last) to that token's row of the table (every token, on one
    // thread; a thread's own words, where several share the pass). overwrite (ScatterDistinct): the ids are positions
    // of distinct words numbered in the order this loop meets them, so the first token of each of [first, last) is met
    // in turn; it sets the row (0 + its gradient, the bits of adding to a cleared row) instead of adding, and the rows
    // need no clearing beforehand.
    private static void ScatterRows<TAdd>(int batch, int steps, int width, ref int ids, ref float source, ref float destination, int first, int last, bool overwrite) where TAdd : struct, IRowAdd
    {
        uint words = (uint)(last - first);
        int next = overwrite ? first : -1; // the next word whose first token comes (ids are ≥ 0: none when adding)
        // Time-major gradient read in order (the other order's strided reads collide in cache sets).
        for (int t = 0; t < steps; t++)
        {
            ref float row = ref Unsafe.Add(ref source, t * batch * width);
            for (int b = 0; b < batch; b++)
            {
                int id = Unsafe.Add(ref ids, b * steps + t);
                if ((uint)(id - first) >= words) continue;
                ref float from = ref Unsafe.Add(ref row, b * width);
                ref float to = ref Unsafe.Add(ref destination, id * width);
                if (id == next)
                {
                    TAdd.Add(ref from, ref to, width, set: true);
                    next++;
                }
                else TAdd.Add(ref from, ref to, width, set: false);
            }
        }
    }

    // The table's rows [first, last) of ScatterAdd (or ScatterDistinct, Overwrite), on one of the threads that share
    // it: the tokens of those words.
    internal ref struct ScatterJob : IRowJob
    {
        public int Batch, Steps, Width;
        public bool Overwrite;
        public ReadOnlySpan<int> Tokens;
        public ReadOnlySpan<float> Grad;
        public Span<float> TableGradient;

        public readonly void Rows(int first, int last) =>
            ScatterRows<AnyWidth>(Batch, Steps, Width, ref MemoryMarshal.GetReference(Tokens), ref MemoryMarshal.GetReference(Grad),
                ref MemoryMarshal.GetReference(TableGradient), first, last, Overwrite);
    }

    /// <summary>
    /// The sum of the gradient rows of each distinct word of a batch: row <c>j</c> of <paramref name="sums"/> becomes
    /// <c>Σ grad[t, b, :]</c> over the tokens with <c>index[b, t] = j</c>, added step by step (t, then b) as
    /// <see cref="ScatterAdd"/> adds them. Every row <c>[0, count)</c> is written, so <paramref name="sums"/> needs no
    /// clearing: the result is the same bits as clearing it and calling <see cref="ScatterAdd"/> with
    /// <paramref name="index"/> as the ids, without the pass that clears it or reading the rows back. The fold of an
    /// Embedding over a batch's own words uses it for <c>S</c>, whose products give the kernel's and the embeddings'
    /// gradients. PyTorch's counterpart is <c>torch.zeros(count, width).index_add_(0, index, grad)</c>, TensorFlow's
    /// <c>tf.math.unsorted_segment_sum(grad, index, count)</c>, here without the zeros.
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="width">Floats per row.</param>
    /// <param name="index">Each token's distinct word <c>[batch, steps]</c>, numbered in order of first appearance step by
    /// step, as <see cref="Distinct(int, int, ReadOnlySpan{int}, int, Span{int}, Span{int}, Span{int})"/> numbers them.</param>
    /// <param name="count">The number of distinct words: every one of <c>[0, count)</c> appears in <paramref name="index"/>.</param>
    /// <param name="grad">The gradient of the gathered rows <c>[steps, batch, width]</c>.</param>
    /// <param name="sums">Receives <c>[count, width]</c>; floats past them are left as they are.</param>
    /// <exception cref="ArgumentException">A buffer is shorter than its shape needs, or <paramref name="index"/> does not
    /// number the words in order of first appearance step by step from 0 to <c>count − 1</c> (checked before anything is
    /// written; the message names the first token out of order).</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or <paramref name="count"/> is negative, or the width is 0.</exception>
    /// <remarks>
    /// A gradient of at least a million floats in rows of other than 8 or 16 may be shared between
    /// <see cref="Threading.IntraOpThreads"/> threads by ranges of the words, as in <see cref="ScatterAdd"/>, with the
    /// same bits on any number of threads.
    /// </remarks>
    public static void ScatterDistinct(int batch, int steps, int width, ReadOnlySpan<int> index, int count, ReadOnlySpan<float> grad, Span<float> sums)
    {
        var (rows, floats) = Sizes(batch, steps, width);
        if (count < 0) throw new ArgumentOutOfRangeException(nameof(count), count, "the number of distinct words must be ≥ 0");
        if (index.Length < rows) throw new ArgumentException($"expected {rows} word positions, got {index.Length}", nameof(index));
        if (grad.Length < floats) throw new ArgumentException($"the gradient needs {floats} floats, has {grad.Length}", nameof(grad));
        if (sums.Length < (long)count * width) throw new ArgumentException($"the sums need {count} rows of {width} floats, {(long)count * width}, have {sums.Length}", nameof(sums));
        // The numbering first: a row of a word whose first token came out of order would be added to, not set.
        int next = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int j = index[b * steps + t];
                if (j == next && next < count) next++;
                else if ((uint)j >= (uint)next)
                    throw new ArgumentException($"the word positions must number {count} distinct words in order of first appearance step by step; token [{b}, {t}] has {j} where {(count == 0 ? "none" : $"at most {Math.Min(next, count - 1)}")} can come", nameof(index));
            }
        }
        if (next != count) throw new ArgumentException($"the word positions number {next} distinct words, not {count}", nameof(index));
        Scatter(batch, steps, width, index, grad, sums, count, overwrite: true);
    }

    /// <summary>
    /// The distinct ids of a batch, in order of first appearance: <c>words[j]</c> is the j-th distinct id and
    /// <c>index[i] = j</c> where <c>tokens[i] = words[j]</c>, so the tokens read through <c>index</c> a table of the
    /// distinct words' rows (as <see cref="Gather"/> and <see cref="ScatterAdd"/> read a table of every word). The
    /// overload with a batch and steps numbers them in the order <see cref="ScatterDistinct"/> needs.
    /// </summary>
    /// <param name="tokens">Token ids, any layout; every id must lie in <c>[0, vocabulary)</c> (see <see cref="Validate"/>).</param>
    /// <param name="vocabulary">The number of valid ids.</param>
    /// <param name="slots">Scratch of <paramref name="vocabulary"/> ints, all zero on entry, and again on return.</param>
    /// <param name="words">Receives the distinct ids; at least as long as <paramref name="tokens"/>.</param>
    /// <param name="index">Receives each token's position in <paramref name="words"/>; as long as <paramref name="tokens"/>.</param>
    /// <returns>The number of distinct ids.</returns>
    /// <exception cref="ArgumentException">A buffer is shorter than needed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside <c>[0, vocabulary)</c> (<paramref name="slots"/> is zero again).</exception>
    public static int Distinct(ReadOnlySpan<int> tokens, int vocabulary, Span<int> slots, Span<int> words, Span<int> index)
        => Distinct(1, tokens.Length, tokens, vocabulary, slots, words, index);

    /// <summary>
    /// The distinct ids of a batch <c>[batch, steps]</c>, in order of first appearance step by step (every sample's
    /// step 0, then step 1, …): <c>words[j]</c> is the j-th distinct id and <c>index[b·steps + t] = j</c> where
    /// <c>tokens[b·steps + t] = words[j]</c>. This is the order in which <see cref="ScatterDistinct"/> meets the words, so
    /// it can set each word's row of sums at its first token instead of clearing them all first.
    /// </summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps per sample.</param>
    /// <param name="tokens">Token ids <c>[batch, steps]</c>, each in <c>[0, vocabulary)</c>.</param>
    /// <param name="vocabulary">The number of valid ids.</param>
    /// <param name="slots">Scratch of <paramref name="vocabulary"/> ints, all zero on entry, and again on return.</param>
    /// <param name="words">Receives the distinct ids; at least <c>batch · steps</c> long.</param>
    /// <param name="index">Receives each token's position in <paramref name="words"/> <c>[batch, steps]</c>.</param>
    /// <returns>The number of distinct ids.</returns>
    /// <exception cref="ArgumentException">A buffer is shorter than needed.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size or the vocabulary is negative, or an id is outside
    /// <c>[0, vocabulary)</c> (<paramref name="slots"/> is zero again).</exception>
    public static int Distinct(int batch, int steps, ReadOnlySpan<int> tokens, int vocabulary, Span<int> slots, Span<int> words, Span<int> index)
    {
        long rows = Sizes(batch, steps, 1).Rows;
        if (vocabulary < 0) throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, "the vocabulary must be ≥ 0");
        if (tokens.Length < rows) throw new ArgumentException($"expected {rows} token ids, got {tokens.Length}", nameof(tokens));
        if (slots.Length < vocabulary) throw new ArgumentException($"the slots need {vocabulary} ints, have {slots.Length}", nameof(slots));
        if (words.Length < rows || index.Length < rows)
            throw new ArgumentException($"words and index need {rows} ints, have {words.Length} and {index.Length}", words.Length < rows ? nameof(words) : nameof(index));
        int count = 0;
        for (int t = 0; t < steps; t++)
        {
            for (int b = 0; b < batch; b++)
            {
                int i = b * steps + t, id = tokens[i];
                if ((uint)id >= (uint)vocabulary)
                {
                    for (int j = 0; j < count; j++) slots[words[j]] = 0; // leave the scratch as it was given
                    throw new ArgumentOutOfRangeException(nameof(tokens), id, $"token id {id} is outside [0, {vocabulary - 1}]");
                }
                int slot = slots[id]; // position + 1; 0: not seen yet
                if (slot == 0)
                {
                    words[count] = id;
                    slot = slots[id] = ++count;
                }
                index[i] = slot - 1;
            }
        }
        for (int j = 0; j < count; j++) slots[words[j]] = 0;
        return count;
    }

    /// <summary>Copies row <c>words[j]</c> of <paramref name="table"/> to row j of <paramref name="output"/>, for every j.</summary>
    /// <param name="words">Row ids, each in <c>[0, table.Length / width)</c>.</param>
    /// <param name="table">The table <c>[rows, width]</c>.</param>
    /// <param name="width">Floats per row.</param>
    /// <param name="output"><c>[words.Length, width]</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <c>words.Length · width</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width is 0 or negative, or an id is outside the table.</exception>
    public static void GatherRows(ReadOnlySpan<int> words, ReadOnlySpan<float> table, int width, Span<float> output)
    {
        long floats = Sizes(words.Length, 1, width).Floats;
        if (output.Length < floats) throw new ArgumentException($"the output needs {floats} floats, has {output.Length}", nameof(output));
        int tableRows = table.Length / width;
        for (int j = 0; j < words.Length; j++)
        {
            // The id against the table's rows, not its offset against the length: a large id's offset could wrap into range.
            if ((uint)words[j] >= (uint)tableRows) throw new ArgumentOutOfRangeException(nameof(words), words[j], $"row id {words[j]} is outside the table's {tableRows} rows");
            table.Slice(words[j] * width, width).CopyTo(output.Slice(j * width, width));
        }
    }

    /// <summary>Adds row j of <paramref name="rows"/> to row <c>words[j]</c> of <paramref name="tableGradient"/>, for every j.</summary>
    /// <param name="words">Row ids, each in <c>[0, tableGradient.Length / width)</c>.</param>
    /// <param name="rows"><c>[words.Length, width]</c>.</param>
    /// <param name="width">Floats per row.</param>
    /// <param name="tableGradient">The table's gradient <c>[rows, width]</c>, added to.</param>
    /// <exception cref="ArgumentException"><paramref name="rows"/> is shorter than <c>words.Length · width</c>.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The width is 0 or negative, or an id is outside the table (checked before anything is added).</exception>
    public static void ScatterAddRows(ReadOnlySpan<int> words, ReadOnlySpan<float> rows, int width, Span<float> tableGradient)
    {
        long floats = Sizes(words.Length, 1, width).Floats;
        if (rows.Length < floats) throw new ArgumentException($"the rows need {floats} floats, have {rows.Length}", nameof(rows));
        int tableRows = tableGradient.Length / width;
        // Every id first, so that a bad one leaves the gradient as it was.
        if (FirstOutside(words, tableRows) is var bad and >= 0)
            throw new ArgumentOutOfRangeException(nameof(words), words[bad], $"row id {words[bad]} is outside the table's {tableRows} rows");
        for (int j = 0; j < words.Length; j++)
        {
            var to = tableGradient.Slice(words[j] * width, width);
            Add(ref MemoryMarshal.GetReference(rows.Slice(j * width, width)), ref MemoryMarshal.GetReference(to), width, set: false);
        }
    }

    private static void Check(int batch, int steps, int vocabulary, int width, ReadOnlySpan<int> tokens, int tableLength, int outputLength, string name)
    {
        var (rows, floats) = Sizes(batch, steps, width);
        if (vocabulary < 0) throw new ArgumentOutOfRangeException(nameof(vocabulary), vocabulary, "the vocabulary must be ≥ 0");
        if (tokens.Length < rows) throw new ArgumentException($"expected {rows} token ids, got {tokens.Length}", nameof(tokens));
        if (tableLength < (long)vocabulary * width) throw new ArgumentException($"the table needs {(long)vocabulary * width} floats, has {tableLength}", nameof(tableLength));
        if (outputLength < floats) throw new ArgumentException($"the output needs {floats} floats, has {outputLength}", name);
    }

    // batch ≥ 0, steps ≥ 0 and width ≥ 1, else ArgumentOutOfRangeException; the rows (batch·steps) and floats of a
    // [steps, batch, width] block in long, which no size can wrap around (a wrapped int product let a short buffer pass
    // the length checks, and the unchecked loops read past it).
    private static (long Rows, long Floats) Sizes(int batch, int steps, int width)
    {
        if (batch < 0 || steps < 0 || width < 1)
        {
            throw new ArgumentOutOfRangeException(batch < 0 ? nameof(batch) : steps < 0 ? nameof(steps) : nameof(width),
                $"sizes must be batch ≥ 0, steps ≥ 0 and width ≥ 1, got batch={batch}, steps={steps}, width={width}");
        }
        long rows = (long)batch * steps;
        return (rows, rows * width);
    }

    // to += from over `width` floats; set: to = 0 + from, without reading to (a constant once inlined).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(ref float from, ref float to, int width, bool set)
    {
        int i = 0;
        if (Wide.IsAccelerated)
        {
            for (; i + 16 <= width; i += 16) ((set ? Vector512<float>.Zero : Vector512.LoadUnsafe(ref to, (nuint)i)) + Vector512.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= width; i += 8) ((set ? Vector256<float>.Zero : Vector256.LoadUnsafe(ref to, (nuint)i)) + Vector256.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i + 4 <= width; i += 4) ((set ? Vector128<float>.Zero : Vector128.LoadUnsafe(ref to, (nuint)i)) + Vector128.LoadUnsafe(ref from, (nuint)i)).StoreUnsafe(ref to, (nuint)i);
        }
        for (; i < width; i++) Unsafe.Add(ref to, i) = (set ? 0f : Unsafe.Add(ref to, i)) + Unsafe.Add(ref from, i);
    }
}
