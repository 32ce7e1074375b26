using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;

namespace ModelGen.Kernels;

/// <summary>
/// The threads that take parts of a large <see cref="Gemm"/> product, of a recurrent layer's time loop split by
/// sample rows or of Adam's and AdamW's update split by chunks (<see cref="RowParallel"/>), and of a large memory-bound
/// pass (<see cref="SharedPass"/>). One job runs at a time: the caller
/// publishes it, runs part 0, then runs any part whose worker has not claimed it yet (a worker still waking up
/// costs nothing that way), and spins until the claimed parts are done. A product that finds the workers busy
/// (another thread's model) runs alone on its caller instead of waiting.
/// </summary>
/// <remarks>
/// The operands are pinned by the caller for the whole product and passed as pointers; the job lives in static
/// fields, so handing out work allocates nothing. Workers spin for <see cref="SpinMicroseconds"/> after each
/// product, to cover the element-wise work between two products of a recurrent step, then sleep on a monitor.
/// Waking a sleeping worker can take hundreds of µs on a virtual machine (its idle virtual CPU has to be scheduled
/// again), so the caller never waits for a wake-up: it takes a part no worker has claimed yet, and it wakes
/// sleeping workers only for a product with at least <see cref="RunToWake"/> others of its run before it, each starting
/// within <see cref="SpinMicroseconds"/> of the end of the one before (a recurrent layer's per-step products), for a product of at least
/// <see cref="WakeWork"/> multiply-adds, and for a row job (a whole time loop, an optimizer's update). A small isolated product, such as a
/// GRU(30)'s input projection, a pair, such as its dU and dW, or three, such as an LSTM layer's dU, dW and dx, runs on the caller alone.
/// Measured on the 2-vCPU benchmark machine: waking a worker for that one product made a GRU pass 10–50 % slower,
/// and a spinning worker slowed the caller beside it.
/// </remarks>
internal static unsafe class ProductWorkers
{
    private const long SpinMicroseconds = 200;

    // A product that starts within SpinMicroseconds of the end of the previous one is part of a run (the per-step products of a
    // recurrent layer); one with at least RunToWake products of its run before it wakes sleeping workers, an isolated
    // one or the second or third of a short run does not. Waking them for the second of a pair (a layer's dU then dW, 30 × 90 × 3200
    // each in W6) made that product slower on the 2-vCPU benchmark machine than running it on the caller alone (a
    // median 467–546 µs against 412–423 µs in four runs; 398–414 µs on one thread), and W6's two-thread training step
    // 0.93–0.98× its one-thread time.
    // The window is the workers' spin: a worker woken for a run stays awake for its next product only if that product
    // comes within it, so a run is products that close; further apart, every product of a "run" would pay a wake-up of
    // its own. With a window of 500 µs, with AVX-512 on a Zen 5 (2 vCPUs), some products of W2's and W6's steps (their
    // layers' projections and weight gradients, 8.6–11.5 M multiply-adds, with fast 512-bit work between them) counted
    // as runs, 0.5–1.5 a step woke the workers, each for one product: two threads made W2's
    // training step 0.83× and W6's 0.80× their one-thread speed (--thread-ratio), where at 256 bits they shared nothing;
    // with this window they share nothing at any width (1.00×). From the fourth product, not the third: at 128 bits an
    // LSTM(30) or GRU(30) layer's dU, dW and dx (n = 30 is two panels or more at that width, so dx is split too) come back to back and then no
    // product for a millisecond, and waking the workers for the third made W6's training step 0.94× and W2's 0.96× on
    // two threads (1.00× from the fourth). A recurrent layer's per-step products are hundreds in a row, and W3's shared
    // jobs per step did not change (about 10).
    private const int RunToWake = 3;

    // A product of at least this many multiply-adds (about a millisecond on one core) wakes sleeping workers even when
    // isolated: an LSTM(196)'s input projection over a batch of 64 × 28 steps (180 M) ran on the caller alone, a
    // third of the pass, while a wake-up costs at most a few hundred µs.
    private const long WakeWork = 1L << 25;

    // The spin (and run window) in Stopwatch ticks.
    private static readonly long SpinTicks = SpinMicroseconds * Stopwatch.Frequency / 1_000_000;

    private static readonly object Busy = new();
    private static readonly object Sleep = new();
    private static Thread[] _threads = [];

    // The current job: part `part` of `_parts` is `_job(_state, part, _parts)`.
    private static delegate*<void*, int, int, void> _job;
    private static void* _state;
    private static int _parts;
    private static int _generation, _pending, _sleepers;
    private static int[] _claims = []; // per part: 0 free, 1 taken (by its worker or by the caller)
    private static long _lastProduct; // Stopwatch timestamp of the last job's end: a run is measured between jobs
    private static int _runBefore; // jobs of the current run before this one, up to RunToWake (0: isolated)

    /// <summary>
    /// Jobs handed to the workers since the process started (a job run whole on its caller does not count). Written
    /// under the job lock; the benchmarks' <c>--thread-ratio</c> reads it to tell a step that shares no work with
    /// other threads, and so runs the same code on one thread and on many, from one that does.
    /// </summary>
    internal static long SharedJobs;

    /// <summary>
    /// Stopwatch ticks the callers of shared jobs spent inside them (from publishing the job to its end); of those,
    /// <see cref="TakenTicks"/> running parts beyond part 0 that no worker had claimed yet (a worker still waking, or
    /// descheduled by the host), and <see cref="WaitTicks"/> waiting at the end for parts that workers had claimed and
    /// not yet finished (a worker that claimed late or ran slower than the caller's own part). Written by the caller under
    /// the job lock, a few timestamps a shared job; the benchmarks' <c>--thread-ratio</c> reads them to tell where a
    /// many-thread step's time goes on its calling thread.
    /// </summary>
    internal static long SharedTicks, TakenTicks, WaitTicks;
    private static Exception? _failure; // the first exception a worker's part threw in the current job

    // A product's operands, pinned by the caller for the whole product.
    private struct Product
    {
        public float* A, B, C, Bias; // Bias: the row C starts from (Gemm.MultiplyBias), or null
        public int M, N, K, Ai, Ap, Ldb, Ldc;
    }

    private static void ProductPart(void* state, int part, int parts)
    {
        var p = (Product*)state;
        Gemm.KernelPart(part, parts, p->M, p->N, p->K, ref Unsafe.AsRef<float>(p->A), p->Ai, p->Ap, ref Unsafe.AsRef<float>(p->B), p->Ldb, ref Unsafe.AsRef<float>(p->C), p->Ldc,
            ref Unsafe.AsRef<float>(p->Bias), p->Bias != null);
    }

    /// <summary>Runs the product in <paramref name="parts"/> parts; false (nothing done) when the workers are busy.</summary>
    /// <remarks>With <paramref name="hasBias"/>, C starts from the row <paramref name="bias"/> (<see cref="Gemm.MultiplyBias"/>).</remarks>
    public static bool TryRun(int parts, int m, int n, int k, ref float a, int ai, int ap, ref float b, int ldb, ref float c, int ldc, ref float bias, bool hasBias)
    {
        fixed (float* pa = &a, pb = &b, pc = &c, pbias = &bias)
        {
            var product = new Product { A = pa, B = pb, C = pc, Bias = hasBias ? pbias : null, M = m, N = n, K = k, Ai = ai, Ap = ap, Ldb = ldb, Ldc = ldc };
            return TryRun(parts, &ProductPart, &product, wakeAlways: (long)m * n * k >= WakeWork);
        }
    }

    /// <summary>
    /// Runs <c>job(state, part, parts)</c> for every part, the caller taking part 0 and any part no worker has claimed;
    /// false (nothing done) when the workers are busy. A job that finds every worker asleep and has fewer than
    /// <see cref="RunToWake"/> jobs of its run before it (jobs each starting within <see cref="SpinMicroseconds"/> of the
    /// end of the one before) runs whole on the caller, <c>job(state, 0, 1)</c>, unless
    /// <paramref name="wakeAlways"/>: a job long enough to pay for waking a worker. A part that throws does not end
    /// the process: the caller still claims every part no worker has started and waits for those that have, then
    /// rethrows its own exception, or else the first one a worker's part threw.
    /// </summary>
    public static bool TryRun(int parts, delegate*<void*, int, int, void> job, void* state, bool wakeAlways)
    {
        // Busy is reentrant: a job that asked for workers inside one of its own parts would overwrite the running job.
        if (System.Threading.Monitor.IsEntered(Busy) || !System.Threading.Monitor.TryEnter(Busy)) return false;
        try
        {
            EnsureWorkers(parts - 1);
            long now = Stopwatch.GetTimestamp();
            _runBefore = now - _lastProduct < SpinTicks ? Math.Min(_runBefore + 1, RunToWake) : 0; // capped: a long run never wraps
            if (_runBefore < RunToWake && !wakeAlways && Volatile.Read(ref _sleepers) >= _threads.Length)
            {
                // Every worker asleep and fewer than RunToWake products just before this one: an isolated product
                // (an input projection), or a short run (a layer's dU and dW, and dx). Waking a worker would cost more than it
                // saves; run it here.
                job(state, 0, 1);
                _lastProduct = Stopwatch.GetTimestamp();
                return true;
            }
            SharedJobs++;
            long published = Stopwatch.GetTimestamp();
            _job = job;
            _state = state;
            _parts = parts;
            _failure = null;
            // The count before the claims: a worker still waking for the last job can claim a part of this one as soon as
            // its claim is reset, and its decrement must find the count set, or the caller would wait for it forever.
            Volatile.Write(ref _pending, parts - 1);
            for (int part = 1; part < parts; part++) Volatile.Write(ref _claims[part], 0); // after the fields: release
            Interlocked.Increment(ref _generation); // full fence: the job is visible before the new generation
            if (Volatile.Read(ref _sleepers) > 0)
            {
                lock (Sleep) System.Threading.Monitor.PulseAll(Sleep);
            }
            try
            {
                job(state, 0, parts);
                for (int part = 1; part < parts; part++)
                {
                    if (Interlocked.CompareExchange(ref _claims[part], 1, 0) != 0) continue; // its worker has it
                    long taken = Stopwatch.GetTimestamp();
                    try
                    {
                        job(state, part, parts);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref _pending);
                        TakenTicks += Stopwatch.GetTimestamp() - taken;
                    }
                }
            }
            finally
            {
                // Also when a part threw: no part may start once the caller has left (its state lives in the caller's
                // frame), so claim every part no worker has started, then wait for those that have, before the job
                // is cleared. A worker that started a part of an abandoned job would otherwise run it on a dead frame,
                // or count its part against the next job.
                for (int part = 1; part < parts; part++)
                    if (Interlocked.CompareExchange(ref _claims[part], 1, 0) == 0) Interlocked.Decrement(ref _pending);
                var spinner = new SpinWait();
                long waitFrom = Stopwatch.GetTimestamp();
                while (Volatile.Read(ref _pending) != 0) spinner.SpinOnce(sleep1Threshold: -1);
                _lastProduct = Stopwatch.GetTimestamp(); // a product right after a long job finds the workers spinning
                WaitTicks += _lastProduct - waitFrom;
                SharedTicks += _lastProduct - published;
                _job = null;
                _state = null;
            }
            // A part that threw on a worker is rethrown here, on the caller, with its own stack trace.
            if (Interlocked.Exchange(ref _failure, null) is { } failure) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            return true;
        }
        finally
        {
            System.Threading.Monitor.Exit(Busy);
        }
    }

    private static void EnsureWorkers(int count)
    {
        if (_threads.Length >= count) return;
        // Filled before it is published: a worker that read a fresh array of zeros could claim a part of no job.
        var claims = new int[count + 1];
        Array.Fill(claims, 1);
        Volatile.Write(ref _claims, claims);
        var threads = new Thread[count];
        Array.Copy(_threads, threads, _threads.Length);
        for (int i = _threads.Length; i < count; i++)
        {
            int index = i, generation = Volatile.Read(ref _generation); // before this product's: the worker takes its part
            threads[i] = new Thread(() => Work(index, generation)) { IsBackground = true, Name = $"ModelGen product worker {index + 1}" };
            threads[i].Start();
        }
        _threads = threads;
    }

    // Worker `index` takes part index + 1 of each product that has that many parts.
    private static void Work(int index, int seen)
    {
        while (true)
        {
            long idleSince = Stopwatch.GetTimestamp();
            int spins = 0;
            while (Volatile.Read(ref _generation) == seen)
            {
                if (++spins % 64 != 0 || Stopwatch.GetTimestamp() - idleSince < SpinTicks)
                {
                    Thread.SpinWait(8);
                    continue;
                }
                lock (Sleep)
                {
                    Interlocked.Increment(ref _sleepers); // full fence, then re-check: a caller that missed us sees us
                    while (Volatile.Read(ref _generation) == seen) System.Threading.Monitor.Wait(Sleep);
                    Interlocked.Decrement(ref _sleepers);
                }
            }
            // A worker that wakes late may find its part taken by the caller, or may claim the same part of a newer
            // product; either way the fields it reads after a successful claim belong to a product still running.
            seen = Volatile.Read(ref _generation);
            int[] claims = Volatile.Read(ref _claims);
            if (index + 1 < claims.Length && Interlocked.CompareExchange(ref claims[index + 1], 1, 0) == 0)
            {
                try
                {
                    _job(_state, index + 1, _parts);
                }
                catch (Exception e)
                {
                    // Not this thread's to handle (an exception here would end the process): the caller rethrows it.
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
                finally
                {
                    Interlocked.Decrement(ref _pending);
                }
            }
        }
    }
}
