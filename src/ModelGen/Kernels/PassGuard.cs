using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ModelGen.Kernels;

/// <summary>
/// Detects concurrent use of one generated model instance: its <c>Forward</c> and <c>Backward</c> run on the
/// instance's own workspace, so two at once would corrupt each other's results. Each pass enters the guard and leaves
/// it when done; a second pass entering meanwhile gets an <see cref="InvalidOperationException"/> instead of wrong
/// numbers. Used by generated code (a mutable struct field of the model); nothing is allocated.
/// </summary>
public struct PassGuard
{
    private int _busy;

    /// <summary>True while a pass runs on the instance.</summary>
    public readonly bool IsBusy => Volatile.Read(ref Unsafe.AsRef(in _busy)) != 0;

    /// <summary>Enters a pass.</summary>
    /// <param name="model">The model class's name, for the message.</param>
    /// <exception cref="InvalidOperationException">Another pass is running on the same instance.</exception>
    public void Enter(string model)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new InvalidOperationException(
                $"model '{model}': Forward or Backward is already running on this instance in another thread, and one instance runs one pass at a time. "
                + "Use one instance per thread, or CreateWorker() for passes in parallel (Predict and Evaluate do so themselves, "
                + "except on a model with a stateful layer or a state set with Set…InitialState: that state is this instance's, so call them from one thread at a time).");
    }

    /// <summary>Leaves the pass entered with <see cref="Enter"/>.</summary>
    public void Exit() => Volatile.Write(ref _busy, 0);
}

/// <summary>
/// Selects the constructor a generated model's <c>CreateWorker()</c> uses: the worker shares the model's parameters
/// instead of initialising its own. Not meant to be used directly.
/// </summary>
public readonly struct WorkerMarker
{
}
