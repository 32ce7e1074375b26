using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ModelGen.Kernels;

/// <summary>
/// Work over the sample rows of a batch that a <see cref="RowParallel"/> call may share between threads: a generated
/// cell's time loop, which runs every step for its own rows (the samples of a batch are independent through the
/// recurrence), so the threads meet once per pass rather than once per step.
/// </summary>
/// <remarks>
/// Implemented by <c>ref struct</c>s that hold the cell's spans; <see cref="Rows"/> must compute each row exactly as
/// it would in the whole range (no sums across rows), so results do not depend on the split. The runtime's own
/// memory-bound passes use the same interface over other units (blocks of columns, steps, rows of a table).
/// </remarks>
public interface IRowJob
{
    /// <summary>Does the work of rows <paramref name="first"/> (inclusive) to <paramref name="last"/> (exclusive: one past the last row).</summary>
    /// <param name="first">First sample row, 0 ≤ first ≤ last.</param>
    /// <param name="last">One past the last sample row, ≤ the row count given to <see cref="RowParallel.Run{TJob}(ref TJob, int, int)"/>.</param>
    void Rows(int first, int last);
}

/// <summary>
/// Splits a job over sample rows between <see cref="Threading.IntraOpThreads"/> threads: contiguous row ranges, one
/// per thread, run on the workers that also take parts of large <see cref="Gemm"/> products (started once, no
/// allocation per call). A row job's ranges follow its threads' speeds measured on its earlier runs, so that they end
/// together; rows are independent, so the split changes no result. The PyTorch/TensorFlow counterpart is intra-op
/// parallelism over the batch.
/// </summary>
public static unsafe class RowParallel
{
    /// <summary>
    /// Jobs of fewer multiply-adds than this stay on the calling thread: a worker may need hundreds of µs to wake on
    /// a virtual machine, and each thread packs the recurrent kernel for its own rows' products, so only work of
    /// several milliseconds on one core is shared. (An LSTM(196) over 64 × 28 steps, 275 M, is split; the LSTM(30)
    /// and GRU(30) layers of 32 × 100 steps, 8.6–11.5 M, are not: their gain on two threads was not shown.)
    /// </summary>
    public const long ParallelWork = 1L << 24;

    /// <summary>
    /// How many parts a job of <paramref name="rows"/> rows and <paramref name="work"/> multiply-adds should run in:
    /// 1 below <see cref="ParallelWork"/> or when <see cref="Threading.IntraOpThreads"/> is 1, else the thread count
    /// capped at the rows.
    /// </summary>
    /// <param name="rows">Sample rows of the job (the batch), ≥ 0.</param>
    /// <param name="work">Multiply-adds of the whole job (e.g. steps · batch · units · gate width).</param>
    /// <returns>The part count for <see cref="Run{TJob}(ref TJob, int, int)"/>, ≥ 1.</returns>
    public static int Parts(int rows, long work)
        => work < Threshold ? 1 : Math.Max(1, Math.Min(Threading.IntraOpThreads, rows));

    // ParallelWork, lowered by tests to split models of every size.
    internal static long Threshold = ParallelWork;

    /// <summary>
    /// Runs <paramref name="job"/> over rows [0, <paramref name="rows"/>) in <paramref name="parts"/> contiguous
    /// ranges, part 0 on the calling thread, and returns when every range is done. The ranges start even and then
    /// follow the threads' measured speeds for this kind of job (<typeparamref name="TJob"/>). With one part, or when the
    /// workers are busy with another thread's job, the whole range runs on the caller.
    /// </summary>
    /// <typeparam name="TJob">The job, usually a <c>ref struct</c> over the cell's spans.</typeparam>
    /// <param name="job">The job, a local of the caller (it is reached by address while the parts run); its
    /// <see cref="IRowJob.Rows"/> may run on several threads at once, for disjoint ranges.</param>
    /// <param name="rows">Rows in all, ≥ 0.</param>
    /// <param name="parts">Ranges, from <see cref="Parts"/>; values below 1 count as 1, above <paramref name="rows"/> as rows.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative.</exception>
    public static void Run<TJob>(ref TJob job, int rows, int parts) where TJob : IRowJob, allows ref struct
        => Run(ref job, rows, parts, pass: false, rowBlock: 1);

    /// <summary>
    /// As <see cref="Run{TJob}(ref TJob, int, int)"/>, for a job whose rows go through products in tiles of
    /// <paramref name="rowBlock"/> rows (<see cref="Gemm.RowBlock"/> of its per-step product): each part but the first
    /// starts on the multiple of it nearest to where the split would put it, keeping at least one block a part, so that
    /// no part ends in a partial tile that its neighbour's rows would have filled (a tile costs the same with one row as
    /// with eight). The split changes no result, only which thread computes a row.
    /// </summary>
    /// <remarks>
    /// Why: the split follows the threads' measured speeds (see the class remarks), and on a noisy host those drift by a
    /// few percent, which at 64 rows moved a boundary off a tile: W3's LSTM(196) time loop on two threads, 8-row tiles,
    /// took 2.36 ms with its learnt 31/33-row split against 2.17–2.23 ms split 32/32 (Zen 5, 2 vCPUs, medians of
    /// alternating rounds), as fast as two plain threads each running a half.
    /// </remarks>
    /// <typeparam name="TJob">The job, usually a <c>ref struct</c> over the cell's spans.</typeparam>
    /// <param name="job">The job, as in <see cref="Run{TJob}(ref TJob, int, int)"/>.</param>
    /// <param name="rows">Rows in all, ≥ 0.</param>
    /// <param name="parts">Ranges, from <see cref="Parts"/>.</param>
    /// <param name="rowBlock">Rows of the products' tiles, ≥ 1 (1: any row may start a part).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rows"/> is negative or <paramref name="rowBlock"/> is below 1.</exception>
    public static void Run<TJob>(ref TJob job, int rows, int parts, int rowBlock) where TJob : IRowJob, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rowBlock, 1);
        Run(ref job, rows, parts, pass: false, rowBlock);
    }

    /// <summary>
    /// A memory-bound pass (<see cref="SharedPass"/>): as <see cref="Run{TJob}(ref TJob, int, int)"/>, but run whole
    /// on the caller when every worker sleeps, unless it is the fourth or later job of a run (<c>ProductWorkers</c>):
    /// a fraction of a millisecond is worth sharing with workers still spinning after a product, not worth waking one
    /// for, which can take longer on a virtual machine. The passes' docs refer here for when they are shared.
    /// </summary>
    /// <remarks>
    /// Unlike a row job, a pass runs outside any <c>Gemm.BeginReuse</c> scope: it has no products, and a new scope would
    /// make a time loop that asked for the pass (and so runs it on its own thread) pack its recurrent kernel again.
    /// </remarks>
    internal static void RunPass<TJob>(ref TJob job, int rows, int parts) where TJob : IRowJob, allows ref struct
        => Run(ref job, rows, parts, pass: true, rowBlock: 1);

    // A row job wakes sleeping workers and runs in a reuse scope; a pass does neither.
    private static void Run<TJob>(ref TJob job, int rows, int parts, bool pass, int rowBlock) where TJob : IRowJob, allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        parts = Math.Min(parts, rows);
        if (parts < 2)
        {
            Rows(ref job, 0, rows, pass);
            return;
        }
        // Where each part starts: a row job's parts follow its threads' measured speeds (Balance), a pass splits evenly.
        // Taken once here, so that every part of this job reads the same split while another call may update it.
        int* starts = stackalloc int[parts + 1];
        long* ends = stackalloc long[parts]; // zeroed, as every stackalloc here (no SkipLocalsInit)
        int* ranOn = stackalloc int[parts];
        if (pass) EvenStarts(starts, rows, parts);
        else Balance<TJob>.Starts(starts, rows, parts);
        AlignStarts(starts, rows, parts, rowBlock);
        var state = new State { Job = Unsafe.AsPointer(ref job), Rows = rows, Pass = pass, Starts = starts, Ends = ends, RanOn = ranOn };
        long start = System.Diagnostics.Stopwatch.GetTimestamp();
        if (!ProductWorkers.TryRun(parts, &Part<TJob>, &state, wakeAlways: !pass))
        {
            Rows(ref job, 0, rows, pass);
            return;
        }
        // A job that ProductWorkers ran whole on the caller left every part's end and thread at 0: Learn skips it.
        if (!pass) Balance<TJob>.Learn(starts, ends, ranOn, parts, start, Environment.CurrentManagedThreadId);
    }

    private static void EvenStarts(int* starts, int rows, int parts)
    {
        for (int p = 0; p <= parts; p++) starts[p] = (int)((long)rows * p / parts);
    }

    // Moves each inner start to the nearest multiple of rowBlock, each part keeping at least one block (when the rows
    // hold one a part; otherwise the starts stay as they are). Starts stay ordered and the last part ends at rows.
    internal static void AlignStarts(int* starts, int rows, int parts, int rowBlock)
    {
        if (rowBlock <= 1 || rows < (long)parts * rowBlock) return;
        for (int p = 1; p < parts; p++)
        {
            int nearest = (int)((starts[p] + (long)rowBlock / 2) / rowBlock * rowBlock);
            starts[p] = Math.Clamp(nearest, starts[p - 1] + rowBlock, rows - (parts - p) * rowBlock);
        }
    }

    /// <summary>
    /// The split of one kind of row job (one <typeparamref name="TJob"/>: a cell's forward time loop, its backward one,
    /// Adam's update) between its threads, learnt from the job's earlier shared runs so that the parts end together.
    /// </summary>
    /// <remarks>
    /// Even at first. After each shared run in which every part ran on its own thread (part 0 on the caller, part p on
    /// worker p), each part's share moves a quarter of the way towards its rows per tick from the job's start to the
    /// part's end, as a share of all parts' (a worker that starts late or runs slower gets fewer rows), within half and
    /// one and a half times an even share. Measured on the 2-vCPU benchmark machine: a worker's part of W3's row jobs
    /// ran 0.3–6.7 % longer than the caller's on as many rows, following the thread rather than the rows, and the caller
    /// spent 8–13 % of its two-thread time waiting for it. Rows are independent (<see cref="IRowJob"/>), so the split
    /// changes no result. Shared by the threads that run this kind of job: each split reads every share once, so a
    /// concurrent update can only skew it, never lose or repeat a row.
    /// </remarks>
    internal static class Balance<TJob> where TJob : allows ref struct
    {
        private const int Scale = 1 << 16;
        private static int[] _shares = [];

        public static void Starts(int* starts, int rows, int parts)
        {
            int[] shares = Volatile.Read(ref _shares);
            if (shares.Length != parts)
            {
                EvenStarts(starts, rows, parts);
                return;
            }
            // One reading of each share (another thread may be updating them): the starts are then ordered and end at rows.
            Span<int> read = stackalloc int[parts];
            long total = 0;
            for (int p = 0; p < parts; p++) total += read[p] = Math.Max(1, Volatile.Read(ref shares[p]));
            long cum = 0;
            for (int p = 0; p < parts; p++)
            {
                starts[p] = (int)(rows * cum / total);
                cum += read[p];
            }
            starts[parts] = rows;
        }

        public static void Learn(int* starts, long* ends, int* ranOn, int parts, long start, int caller)
        {
            // Speeds in rows per tick from the job's start: a part run by another thread than its own, or not run as a
            // part at all (its end and thread still 0), says nothing.
            Span<double> speed = stackalloc double[parts];
            double sum = 0;
            for (int p = 0; p < parts; p++)
            {
                int rows = starts[p + 1] - starts[p];
                long ticks = ends[p] - start;
                if (rows <= 0 || ticks <= 0 || (p == 0) != (ranOn[p] == caller)) return;
                speed[p] = rows / (double)ticks;
                sum += speed[p];
            }
            int[] shares = Volatile.Read(ref _shares);
            if (shares.Length != parts)
            {
                // Once per kind of job and part count: the only allocation, at its first shared run.
                shares = new int[parts];
                Array.Fill(shares, Scale / parts);
                Volatile.Write(ref _shares, shares);
            }
            double even = Scale / (double)parts;
            for (int p = 0; p < parts; p++)
            {
                double target = Scale * speed[p] / sum;
                double moved = shares[p] + (target - shares[p]) / 4;
                Volatile.Write(ref shares[p], (int)Math.Clamp(moved, even / 2, even * 3 / 2));
            }
        }
    }

    // Rows [from, to) of a job. A row job's products reuse their packed B from step to step (Gemm.BeginReuse): it
    // multiplies by the same recurrent kernel at every step, which does not change while the job runs. A pass has no
    // products, and runs outside any scope.
    private static void Rows<TJob>(ref TJob job, int from, int to, bool pass) where TJob : IRowJob, allows ref struct
    {
        if (pass)
        {
            job.Rows(from, to);
            return;
        }
        Gemm.BeginReuse();
        try
        {
            job.Rows(from, to);
        }
        finally
        {
            Gemm.EndReuse();
        }
    }

    private struct State
    {
        public void* Job;
        public int Rows;
        public bool Pass; // a memory-bound pass: no reuse scope
        public int* Starts; // part p: rows [Starts[p], Starts[p + 1])
        public long* Ends; // per part: the Stopwatch timestamp at its end (0 until it has run as a part)
        public int* RanOn; // per part: the managed thread id that ran it (0 until then)
    }

    // Part `part` of `parts`: rows [Starts[part], Starts[part + 1]), or all rows when run whole (parts = 1).
    private static void Part<TJob>(void* state, int part, int parts) where TJob : IRowJob, allows ref struct
    {
        var s = (State*)state;
        if (parts == 1)
        {
            Rows(ref Unsafe.AsRef<TJob>(s->Job), 0, s->Rows, s->Pass);
            return;
        }
        int from = s->Starts[part], to = s->Starts[part + 1];
        if (from < to) Rows(ref Unsafe.AsRef<TJob>(s->Job), from, to, s->Pass);
        s->RanOn[part] = Environment.CurrentManagedThreadId;
        s->Ends[part] = System.Diagnostics.Stopwatch.GetTimestamp();
    }
}
