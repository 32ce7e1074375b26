using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using ModelGen.Kernels;

namespace ModelGen.Benchmarks;

/// <summary>
/// The machine's own many-thread multiply-add rate against one thread's: a loop of fused multiply-adds on registers
/// (12 independent chains, no memory traffic) at the widest width .NET accelerates in this process, timed on one
/// thread and then on <c>threads</c> threads at once. <c>--thread-ratio</c> measures it before and after its rounds,
/// so that the report can tell a workload's many-thread ratio from what the host gave both threads at the time: on
/// this project's 2-vCPU virtual machine the same loop ran at 1.46–1.55× on two threads once and at 2.0× twenty
/// minutes later, with W3's two-thread ratio moving from 1.34× to 1.75× between two such moments (2026-12-02).
/// </summary>
internal static class FmaScaling
{
    private const long Iterations = 20_000_000; // ~40 ms per thread at 512 bits on a 3 GHz core (two multiply-adds a cycle); more without FMA

    /// <summary>
    /// Rate on <paramref name="threads"/> threads at once ÷ rate on one (above 1: more multiply-adds per second
    /// altogether; <paramref name="threads"/> is the most it can be). The best of <paramref name="tries"/> alternating
    /// measurements of each.
    /// </summary>
    public static double Measure(int threads, int tries = 5)
    {
        double one = double.MaxValue, many = double.MaxValue;
        Loop(Iterations / 10); // compiled before timing
        for (int t = 0; t < tries; t++)
        {
            long start = Stopwatch.GetTimestamp();
            Loop(Iterations);
            one = Math.Min(one, Clock.Seconds(start));
            many = Math.Min(many, OnThreads(threads));
        }
        // Each of the threads did one thread's work in `many` seconds.
        return threads * one / many;
    }

    private static double OnThreads(int threads)
    {
        using var go = new ManualResetEventSlim(false);
        using var ready = new CountdownEvent(threads);
        var workers = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            workers[i] = new Thread(() => { ready.Signal(); go.Wait(); Loop(Iterations); }) { IsBackground = true };
            workers[i].Start();
        }
        ready.Wait();
        long start = Stopwatch.GetTimestamp();
        go.Set();
        foreach (var w in workers) w.Join();
        return Clock.Seconds(start);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static float Loop(long n)
    {
        if (Vector512.IsHardwareAccelerated) return Loop<Vec512, Vector512<float>>(n);
        if (Vector256.IsHardwareAccelerated) return Loop<Vec256, Vector256<float>>(n);
        return Loop<Vec128, Vector128<float>>(n);
    }

    // Twelve chains: more than the multiply-add latency × pipes of current cores (4 × 2), so the loop is bound by
    // their throughput. The runtime's own vector operations (Kernels.IVectorOps, as Gemm's kernels use them): fused
    // where the CPU has FMA, a multiply and an add elsewhere (SSE).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Loop<TOps, TV>(long n) where TOps : struct, IVectorOps<TV>
    {
        TV x = TOps.Broadcast(0.5f), y = TOps.Broadcast(0.999f);
        TV a0 = x, a1 = TOps.Broadcast(0.1f), a2 = TOps.Broadcast(0.2f), a3 = TOps.Broadcast(0.3f), a4 = TOps.Broadcast(0.4f), a5 = TOps.Broadcast(0.6f);
        TV a6 = TOps.Broadcast(0.7f), a7 = TOps.Broadcast(0.8f), a8 = TOps.Broadcast(0.9f), a9 = TOps.Broadcast(1.1f), a10 = TOps.Broadcast(1.2f), a11 = TOps.Broadcast(1.3f);
        for (long i = 0; i < n; i++)
        {
            a0 = TOps.MultiplyAdd(a0, y, x); a1 = TOps.MultiplyAdd(a1, y, x); a2 = TOps.MultiplyAdd(a2, y, x);
            a3 = TOps.MultiplyAdd(a3, y, x); a4 = TOps.MultiplyAdd(a4, y, x); a5 = TOps.MultiplyAdd(a5, y, x);
            a6 = TOps.MultiplyAdd(a6, y, x); a7 = TOps.MultiplyAdd(a7, y, x); a8 = TOps.MultiplyAdd(a8, y, x);
            a9 = TOps.MultiplyAdd(a9, y, x); a10 = TOps.MultiplyAdd(a10, y, x); a11 = TOps.MultiplyAdd(a11, y, x);
        }
        var sum = TOps.Add(TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)), TOps.Add(TOps.Add(a4, a5), TOps.Add(a6, a7)));
        return TOps.Lane(TOps.Add(sum, TOps.Add(TOps.Add(a8, a9), TOps.Add(a10, a11))), 0);
    }
}
