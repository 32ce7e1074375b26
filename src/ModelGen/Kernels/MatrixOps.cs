using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>Small layout and reduction helpers the generated code calls with constant sizes.</summary>
public static class MatrixOps
{
    /// <summary>Writes <c>dst[c×r] = src[r×c]ᵀ</c>.</summary>
    /// <param name="rows">Rows of <paramref name="src"/>.</param>
    /// <param name="columns">Columns of <paramref name="src"/>.</param>
    /// <param name="src">The <c>[rows, columns]</c> matrix, row-major.</param>
    /// <param name="dst">Receives the <c>[columns, rows]</c> transpose, row-major.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> or <paramref name="columns"/> is negative.</exception>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>rows·columns</c> floats.</exception>
    public static void Transpose(int rows, int columns, ReadOnlySpan<float> src, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (src.Length < (long)rows * columns || dst.Length < (long)rows * columns)
            throw new ArgumentException($"transpose of [{rows}×{columns}] needs {(long)rows * columns} floats; source has {src.Length}, destination {dst.Length}");
        ref float from = ref MemoryMarshal.GetReference(src);
        ref float to = ref MemoryMarshal.GetReference(dst);
        // In tiles of TransposeTile × TransposeTile, so that the tile's source rows and destination rows stay in L1: row
        // by row, each source row wrote one float into each of `columns` destination lines, which for a recurrent
        // kernel (196 × 784, every backward pass) missed L1 on nearly every write. Within a tile, 8 × 8 blocks go
        // through registers where AVX's 256-bit vectors are accelerated (x64; elsewhere the tile is copied one float
        // at a time). Each element is copied, so any order gives the same result.
        for (int r0 = 0; r0 < rows; r0 += TransposeTile)
        {
            int r1 = Math.Min(rows, r0 + TransposeTile);
            for (int c0 = 0; c0 < columns; c0 += TransposeTile)
            {
                int c1 = Math.Min(columns, c0 + TransposeTile);
                int r = r0;
                if (Avx.IsSupported && Vector256.IsHardwareAccelerated)
                {
                    for (; r + 8 <= r1; r += 8)
                    {
                        int c = c0;
                        for (; c + 8 <= c1; c += 8) Transpose8x8(ref Unsafe.Add(ref from, (nint)r * columns + c), columns, ref Unsafe.Add(ref to, (nint)c * rows + r), rows);
                        TransposeScalar(ref from, rows, columns, ref to, r, r + 8, c, c1); // the block row's last columns
                    }
                }
                TransposeScalar(ref from, rows, columns, ref to, r, r1, c0, c1); // the tile's last rows, or all of it
            }
        }
    }

    // dst[c, r] = src[r, c] for rows [r0, r1) and columns [c0, c1) of a [rows, columns] src, one float at a time.
    private static void TransposeScalar(ref float src, int rows, int columns, ref float dst, int r0, int r1, int c0, int c1)
    {
        for (int r = r0; r < r1; r++)
            for (int c = c0; c < c1; c++) Unsafe.Add(ref dst, (nint)c * rows + r) = Unsafe.Add(ref src, (nint)r * columns + c);
    }

    // Rows and columns of a transpose's tile: 32 × 32 floats is 4 KiB read and 4 KiB written.
    private const int TransposeTile = 32;

    // dst[j, i] = src[i, j] for an 8 × 8 block, rows `srcStride` and `dstStride` floats apart.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(ref float src, int srcStride, ref float dst, int dstStride)
    {
        var r0 = Vector256.LoadUnsafe(ref src);
        var r1 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, srcStride));
        var r2 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 2 * srcStride));
        var r3 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 3 * srcStride));
        var r4 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 4 * srcStride));
        var r5 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 5 * srcStride));
        var r6 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 6 * srcStride));
        var r7 = Vector256.LoadUnsafe(ref Unsafe.Add(ref src, 7 * srcStride));
        // Pairs of rows interleaved, then pairs of pairs, then the two 128-bit halves: the usual three rounds.
        var t0 = Avx.UnpackLow(r0, r1); var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3); var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5); var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7); var t7 = Avx.UnpackHigh(r6, r7);
        var s0 = Avx.Shuffle(t0, t2, 0x44); var s1 = Avx.Shuffle(t0, t2, 0xEE);
        var s2 = Avx.Shuffle(t1, t3, 0x44); var s3 = Avx.Shuffle(t1, t3, 0xEE);
        var s4 = Avx.Shuffle(t4, t6, 0x44); var s5 = Avx.Shuffle(t4, t6, 0xEE);
        var s6 = Avx.Shuffle(t5, t7, 0x44); var s7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Permute2x128(s0, s4, 0x20).StoreUnsafe(ref dst);
        Avx.Permute2x128(s1, s5, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, dstStride));
        Avx.Permute2x128(s2, s6, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 2 * dstStride));
        Avx.Permute2x128(s3, s7, 0x20).StoreUnsafe(ref Unsafe.Add(ref dst, 3 * dstStride));
        Avx.Permute2x128(s0, s4, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 4 * dstStride));
        Avx.Permute2x128(s1, s5, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 5 * dstStride));
        Avx.Permute2x128(s2, s6, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 6 * dstStride));
        Avx.Permute2x128(s3, s7, 0x31).StoreUnsafe(ref Unsafe.Add(ref dst, 7 * dstStride));
    }

    /// <summary>Copies <paramref name="row"/> into each of the <paramref name="rows"/> rows of <paramref name="dst"/>.</summary>
    /// <param name="rows">Rows to write.</param>
    /// <param name="row">The row (e.g. a bias), its length the width of <paramref name="dst"/>.</param>
    /// <param name="dst">The <c>[rows, row.Length]</c> matrix, overwritten.</param>
    /// <exception cref="ArgumentException"><paramref name="dst"/> holds fewer than <c>rows·row.Length</c> floats.</exception>
    public static void BroadcastRows(int rows, ReadOnlySpan<float> row, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        int width = row.Length;
        if (dst.Length < (long)rows * width)
            throw new ArgumentException($"broadcasting a row of {width} floats into {rows} rows needs {(long)rows * width} floats; the destination has {dst.Length}", nameof(dst));
        ref float from = ref MemoryMarshal.GetReference(row);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int r = 0; r < rows; r++) CopyFloats(ref from, ref Unsafe.Add(ref to, r * width), width);
    }

    /// <summary>Adds two rows element-wise and writes the sum into each row of <paramref name="dst"/>: the bias of PyTorch-style layers with two biases.</summary>
    /// <param name="rows">Rows to write.</param>
    /// <param name="first">The first row (e.g. PyTorch's <c>bias_ih</c>).</param>
    /// <param name="second">The second row, as long as <paramref name="first"/> (e.g. <c>bias_hh</c>).</param>
    /// <param name="dst">The <c>[rows, first.Length]</c> matrix, overwritten.</param>
    public static void BroadcastRows(int rows, ReadOnlySpan<float> first, ReadOnlySpan<float> second, Span<float> dst)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        if (rows == 0) return;
        var sum = dst.Slice(0, first.Length);
        TensorPrimitives.Add(first, second, sum);
        BroadcastRows(rows - 1, sum, dst.Slice(first.Length));
    }

    /// <summary><c>sums[j] += Σ_r m[r, j]</c> for an <c>[rows × sums.Length]</c> matrix: bias gradients.</summary>
    /// <param name="rows">Rows of <paramref name="m"/>, ≥ 0.</param>
    /// <param name="m">The <c>[rows, sums.Length]</c> matrix, row-major.</param>
    /// <param name="sums">The column sums are added to it.</param>
    /// <exception cref="ArgumentException"><paramref name="m"/> is shorter than <c>rows · sums.Length</c>.</exception>
    /// <remarks>
    /// Rows are added four at a time, <c>sums[j] += (m[r, j] + m[r+1, j]) + (m[r+2, j] + m[r+3, j])</c>, then any last
    /// rows one by one: the same order at every width and for every length of row. A row of up to four vectors is
    /// summed in registers (a SimpleRNN(8)'s bias over 6,400 rows waited on a call and a store per row before); a
    /// longer one goes through <paramref name="sums"/> in memory, a block of four rows per pass. A matrix of at least
    /// a million floats may be shared between <see cref="Threading.IntraOpThreads"/> threads by blocks of columns (as
    /// <see cref="RowParallel"/>'s passes are), each column summed in the same order,
    /// so the sums are the same bits on any number of threads.
    /// </remarks>
    public static void AddColumnSums(int rows, ReadOnlySpan<float> m, Span<float> sums)
    {
        int n = sums.Length;
        if (rows <= 0 || n == 0) return;
        if (m.Length < (long)rows * n) throw new ArgumentException($"the matrix needs {(long)rows * n} floats ({rows} rows of {n}), has {m.Length}", nameof(m));
        // A large matrix (a training step's gate gradients over every step) is split between threads by blocks of
        // columns: each column is summed in the same order of rows whichever thread takes it.
        int blocks = SharedPass.Blocks(n), parts = SharedPass.Parts((long)rows * n, blocks);
        if (parts > 1)
        {
            var job = new ColumnSumsJob { RowCount = rows, M = m, Sums = sums };
            RowParallel.RunPass(ref job, blocks, parts);
            return;
        }
        ColumnSums(rows, n, ref MemoryMarshal.GetReference(m), ref MemoryMarshal.GetReference(sums), 0, n);
    }

    // Blocks [first, last) of SharedPass.Block columns of AddColumnSums.
    internal ref struct ColumnSumsJob : IRowJob
    {
        public int RowCount;
        public ReadOnlySpan<float> M;
        public Span<float> Sums;

        public readonly void Rows(int first, int last)
        {
            var (from, to) = SharedPass.Columns(first, last, Sums.Length);
            ColumnSums(RowCount, Sums.Length, ref MemoryMarshal.GetReference(M), ref MemoryMarshal.GetReference(Sums), from, to);
        }
    }

    // Columns [from, to) of the column sums of a matrix of rows of n, the widest accelerated vectors first.
    private static void ColumnSums(int rows, int n, ref float a, ref float s, int from, int to)
    {
        int j = from;
        if (Wide.IsAccelerated && to - j >= 16) j = ColumnSums<Vec512, Vector512<float>>(rows, n, ref a, ref s, j, to);
        if (Vector256.IsHardwareAccelerated && to - j >= 8) j = ColumnSums<Vec256, Vector256<float>>(rows, n, ref a, ref s, j, to);
        if (Vector128.IsHardwareAccelerated && to - j >= 4) j = ColumnSums<Vec128, Vector128<float>>(rows, n, ref a, ref s, j, to);
        if (j < to) ColumnSums<VecScalar, float>(rows, n, ref a, ref s, j, to);
    }

    // Columns [j, j + whole vectors below `to`) of the column sums; returns the first column left.
    private static int ColumnSums<TOps, TV>(int rows, int n, ref float a, ref float s, int j, int to) where TOps : struct, IVectorOps<TV>
    {
        int lanes = TOps.Lanes, vectors = (to - j) / lanes, end = j + vectors * lanes, r4 = rows - rows % 4;
        if (vectors <= 4)
        {
            // In registers: each vector of columns is one accumulator over all rows.
            for (; j < end; j += lanes)
            {
                ref float col = ref Unsafe.Add(ref a, j);
                TV acc = TOps.Load(ref s, (nuint)j);
                int r = 0;
                for (; r < r4; r += 4) acc = TOps.Add(acc, FourRows<TOps, TV>(ref Unsafe.Add(ref col, (nint)r * n), n));
                for (; r < rows; r++) acc = TOps.Add(acc, TOps.Load(ref Unsafe.Add(ref col, (nint)r * n), 0));
                TOps.Store(acc, ref s, (nuint)j);
            }
            return end;
        }
        // Through memory, four rows per pass over the row: the matrix is read once, in order.
        int r0 = 0;
        for (; r0 < r4; r0 += 4)
        {
            ref float row = ref Unsafe.Add(ref a, (nint)r0 * n);
            for (int c = j; c < end; c += lanes)
                TOps.Store(TOps.Add(TOps.Load(ref s, (nuint)c), FourRows<TOps, TV>(ref Unsafe.Add(ref row, c), n)), ref s, (nuint)c);
        }
        for (; r0 < rows; r0++)
        {
            ref float row = ref Unsafe.Add(ref a, (nint)r0 * n);
            for (int c = j; c < end; c += lanes) TOps.Store(TOps.Add(TOps.Load(ref s, (nuint)c), TOps.Load(ref row, (nuint)c)), ref s, (nuint)c);
        }
        return end;
    }

    // (x[0] + x[n]) + (x[2n] + x[3n]), a vector at a time: one block of four rows of the column sums.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV FourRows<TOps, TV>(ref float x, int n) where TOps : struct, IVectorOps<TV>
        => TOps.Add(TOps.Add(TOps.Load(ref x, 0), TOps.Load(ref Unsafe.Add(ref x, n), 0)),
            TOps.Add(TOps.Load(ref Unsafe.Add(ref x, 2 * n), 0), TOps.Load(ref Unsafe.Add(ref x, 3 * n), 0)));

    /// <summary>Reorders <c>[batch, steps, width]</c> (batch-major, as users pass data) into <c>[steps, batch, width]</c> (time-major, as cells read it).</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step.</param>
    /// <param name="src">The <c>[batch, steps, width]</c> block.</param>
    /// <param name="dst">Receives the <c>[steps, batch, width]</c> block; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>batch·steps·width</c> floats.</exception>
    public static void BatchToTimeMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        CheckReorder(batch, steps, width, src.Length, dst.Length);
        ref float from = ref MemoryMarshal.GetReference(src);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < steps; t++)
                CopyFloats(ref Unsafe.Add(ref from, (b * steps + t) * width), ref Unsafe.Add(ref to, (t * batch + b) * width), width);
    }

    /// <summary>Reorders <c>[steps, batch, width]</c> into <c>[batch, steps, width]</c>.</summary>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Time steps.</param>
    /// <param name="width">Values per step.</param>
    /// <param name="src">The <c>[steps, batch, width]</c> block.</param>
    /// <param name="dst">Receives the <c>[batch, steps, width]</c> block; must not overlap <paramref name="src"/>.</param>
    /// <exception cref="ArgumentException">A buffer holds fewer than <c>batch·steps·width</c> floats.</exception>
    public static void TimeToBatchMajor(int batch, int steps, int width, ReadOnlySpan<float> src, Span<float> dst)
    {
        CheckReorder(batch, steps, width, src.Length, dst.Length);
        ref float from = ref MemoryMarshal.GetReference(src);
        ref float to = ref MemoryMarshal.GetReference(dst);
        for (int t = 0; t < steps; t++)
            for (int b = 0; b < batch; b++)
                CopyFloats(ref Unsafe.Add(ref from, (t * batch + b) * width), ref Unsafe.Add(ref to, (b * steps + t) * width), width);
    }

    private static void CheckReorder(int batch, int steps, int width, int sourceLength, int destinationLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(width);
        long needed = (long)batch * steps * width;
        if (sourceLength < needed || destinationLength < needed)
            throw new ArgumentException($"reordering [{batch}, {steps}, {width}] needs {needed} floats; source has {sourceLength}, destination {destinationLength}");
    }

    /// <summary>
    /// Copies <paramref name="count"/> floats with inline vector moves, widest accelerated first: the rows these
    /// helpers move are a few floats to a few hundred, where a call to <c>Memmove</c> per row cost more than the copy
    /// (4 % of an LSTM(30) model's inference went to reordering its 2-feature input one <c>CopyTo</c> per step).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void CopyFloats(ref float from, ref float to, int count)
    {
        int i = 0;
        if (Wide.IsAccelerated)
            for (; i + 16 <= count; i += 16) Vector512.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        if (Vector256.IsHardwareAccelerated)
            for (; i + 8 <= count; i += 8) Vector256.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        if (Vector128.IsHardwareAccelerated)
            for (; i + 4 <= count; i += 4) Vector128.LoadUnsafe(ref from, (nuint)i).StoreUnsafe(ref to, (nuint)i);
        for (; i < count; i++) Unsafe.Add(ref to, i) = Unsafe.Add(ref from, i);
    }

    /// <summary>Row-wise softmax of an <c>[rows × width]</c> matrix, in place.</summary>
    /// <param name="rows">Rows of <paramref name="m"/>.</param>
    /// <param name="width">Values per row (classes).</param>
    /// <param name="m">The <c>[rows, width]</c> logits, replaced by probabilities.</param>
    public static void SoftmaxRows(int rows, int width, Span<float> m)
    {
        for (int r = 0; r < rows; r++)
        {
            var row = m.Slice(r * width, width);
            TensorPrimitives.SoftMax(row, row);
        }
    }

    /// <summary>
    /// Gradient through a row-wise softmax: <c>dz = y ⊙ (dy − Σ dy⊙y)</c>, with <paramref name="y"/> the softmax output.
    /// </summary>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row (classes).</param>
    /// <param name="y">The softmax outputs <c>[rows, width]</c>.</param>
    /// <param name="dy">∂loss/∂y <c>[rows, width]</c>.</param>
    /// <param name="dz">Receives ∂loss/∂logits <c>[rows, width]</c>; may be <paramref name="dy"/> itself.</param>
    public static void SoftmaxBackwardRows(int rows, int width, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dz)
    {
        for (int r = 0; r < rows; r++)
        {
            var yr = y.Slice(r * width, width);
            var dyr = dy.Slice(r * width, width);
            var dzr = dz.Slice(r * width, width);
            float dot = TensorPrimitives.Dot(yr, dyr);
            TensorPrimitives.Subtract(dyr, dot, dzr);
            TensorPrimitives.Multiply(dzr, yr, dzr);
        }
    }
}
