using System;

namespace ModelGen.Kernels;

/// <summary>
/// The memory-bound passes a training step runs over a whole sequence between its products (a bias gradient's
/// column sums, an embedding's gather and scatter-add): large ones are shared between the product workers, by blocks
/// of <see cref="Block"/> columns (sums), time steps (gathers) or ranges of the table's rows (scatter-adds; of the
/// distinct words for <see cref="Embedding.ScatterDistinct"/>). Each
/// element is computed in the same order as on one thread (a column's sum keeps its order of rows, a row of the table
/// its order of tokens), so a split changes no bit.
/// </summary>
/// <remarks>
/// Measured on the 2-vCPU Zen 3 benchmark machine (W3's training step, LSTM(196) over 64 × 28 tokens, two threads,
/// an instrumented copy timing the caller outside shared jobs): the three passes took 1.6–1.9 ms of each step on the
/// caller alone while the worker waited for the next product, and 1.0–1.25 ms shared (caller's part and wait), of a
/// step of 24–32 ms on that busy host.
/// </remarks>
internal static class SharedPass
{
    /// <summary>
    /// Passes over at least this many floats (4 MB) are shared: W3's 1,792 × 784 gate gradients (1.4 M floats, a few
    /// hundred µs on one core). An LSTM(30)'s 3,200 × 120 are not (their step hands a worker little else, and a pass
    /// of tens of µs gains less than the hand-over can cost on a virtual machine).
    /// </summary>
    internal const long ParallelFloats = 1L << 20;

    /// <summary>Columns per block of a column split: a 64-byte line, so two threads write no line of a row in common where rows are aligned.</summary>
    internal const int Block = 16;

    // ParallelFloats, lowered by tests to split passes of every size.
    internal static long Threshold = ParallelFloats;

    /// <summary>Parts for a pass over <paramref name="floats"/> floats in <paramref name="units"/> splittable units: 1 below the threshold.</summary>
    internal static int Parts(long floats, int units) =>
        floats < Threshold ? 1 : Math.Max(1, Math.Min(Threading.IntraOpThreads, units));

    /// <summary>Blocks of <see cref="Block"/> columns in a row of <paramref name="columns"/>.</summary>
    internal static int Blocks(int columns) => (columns + Block - 1) / Block;

    /// <summary>Columns [from, to) of blocks [first, last) in a row of <paramref name="columns"/>.</summary>
    internal static (int From, int To) Columns(int first, int last, int columns) =>
        (Math.Min(columns, first * Block), Math.Min(columns, last * Block));
}
