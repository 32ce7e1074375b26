using System;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading;

namespace ModelGen;

/// <summary>
/// How the Keras workflow shares one model instance between threads. <c>Predict</c> and <c>Evaluate</c> run on
/// workers (<see cref="ISequentialModel{TInput}.CreateWorker"/>: the same parameters, a workspace of their own) rented
/// from a pool kept per model, so a model shared by a web service's requests answers every one correctly, and the pool
/// allocates nothing once it holds a worker per concurrent caller. <c>Fit</c> holds the model for the whole run: a
/// second <c>Fit</c> on the same instance at the same time throws.
/// </summary>
internal static class Workers
{
    private static readonly ConditionalWeakTable<ISequentialModel, ConcurrentBag<ISequentialModel>> Pools = new();
    private static readonly ConditionalWeakTable<ISequentialModel, StrongBox<int>> Training = new();
    private static readonly ConditionalWeakTable<ISequentialModel, DeviceGate> DeviceGates = new();

    /// <summary>The <c>Predict</c> and <c>Evaluate</c> calls running on a device-hosted model's device; its lock orders them against moves.</summary>
    internal sealed class DeviceGate
    {
        public int InFlight;
    }

    /// <summary>
    /// Holds <paramref name="model"/>'s device gate for a move (its <c>To</c>, or its device's <c>Dispose</c>): no
    /// <c>Predict</c> or <c>Evaluate</c> starts on the device until <see cref="EndMove"/>, on the same thread (the lock
    /// is re-entrant: a device's Dispose holds its models' gates while each moves back).
    /// </summary>
    /// <exception cref="InvalidOperationException">A <c>Predict</c> or <c>Evaluate</c> is running on the model's device on
    /// another thread, or <c>Fit</c> is training it: nothing is held then.</exception>
    public static DeviceGate BeginMove(ISequentialModel model, string what)
    {
        ThrowIfTraining(model, what);
        var gate = GateOf(model);
        System.Threading.Monitor.Enter(gate);
        if (Volatile.Read(ref gate.InFlight) > 0)
        {
            System.Threading.Monitor.Exit(gate);
            throw new InvalidOperationException(
                $"{what} on model '{model.Info.Name}' while a Predict or Evaluate runs on its device on another thread would free the buffers that call is using: move it when those calls have returned");
        }
        return gate;
    }

    /// <summary>Ends the hold <see cref="BeginMove"/> took.</summary>
    public static void EndMove(DeviceGate gate) => System.Threading.Monitor.Exit(gate);

    private static DeviceGate GateOf(ISequentialModel model) => DeviceGates.GetValue(model, static _ => new DeviceGate());

    /// <summary>
    /// A model to run inference on: a pooled worker, or the model itself when a pass must start from a state only it
    /// holds (a stateful layer, or an initial state set on it) or it cannot create workers.
    /// </summary>
    public static Lease<TInput> Rent<TInput>(ISequentialModel<TInput> model) where TInput : unmanaged
    {
        // A model on a device runs there itself (its engine serialises the calls); a CPU worker would read stale host
        // parameters. The call is counted on the model's device gate until the lease ends, so that a move (To) or the
        // device's Dispose from another thread is refused while it runs instead of freeing its buffers under it.
        // A model on the CPU takes no gate: a move that starts after this check finds no call counted, and this call
        // runs on the CPU with the host parameters, which the move leaves as they are.
        if (DeviceSync.Engine(model) is not null)
        {
            var gate = GateOf(model);
            lock (gate)
            {
                if (DeviceSync.Engine(model) is not null)
                {
                    gate.InFlight++;
                    return new Lease<TInput>(model, null, gate);
                }
            }
        }
        if (model.HoldsInitialState || model.Info.IsStateful) return new Lease<TInput>(model, null);
        var pool = Pools.GetValue(model, static _ => new ConcurrentBag<ISequentialModel>());
        if (pool.TryTake(out var pooled)) return new Lease<TInput>((ISequentialModel<TInput>)pooled, pool);
        try
        {
            return new Lease<TInput>(model.CreateWorker(), pool);
        }
        catch (NotSupportedException)
        {
            return new Lease<TInput>(model, null);
        }
    }

    /// <summary>Holds <paramref name="model"/> for one <c>Fit</c>.</summary>
    /// <exception cref="InvalidOperationException">Another <c>Fit</c> runs on the same instance.</exception>
    public static TrainingHold Train(ISequentialModel model)
    {
        var flag = Training.GetValue(model, static _ => new StrongBox<int>());
        // The flag holds the training thread's id (never 0), so that the run's own callbacks may still save and load.
        if (Interlocked.CompareExchange(ref flag.Value, Environment.CurrentManagedThreadId, 0) != 0)
            throw new InvalidOperationException(
                $"model '{model.Info.Name}' is already being trained by Fit on another thread: one instance trains in one Fit at a time (train separate instances, or wait for the first Fit)");
        return new TrainingHold(flag);
    }

    /// <summary>
    /// Refuses <paramref name="what"/> from a thread other than the one a running <c>Fit</c> trains
    /// <paramref name="model"/> on: it would read or change the parameters or the configuration mid-step (a torn save, a
    /// load overwritten by the next step, an optimizer swapped between batches). The run's own callbacks, on its thread,
    /// may.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread.</exception>
    public static void ThrowIfTrainingElsewhere(ISequentialModel model, string what)
    {
        if (TrainingThread(model) is int owner and not 0 && owner != Environment.CurrentManagedThreadId)
            throw new InvalidOperationException(
                $"{what} on model '{model.Info.Name}' while Fit trains it on another thread would meet the parameters mid-step: wait for Fit to return, stop it from a callback (Context.StopTraining), or do it from a callback of the run");
    }

    // The thread a running Fit trains the model on; 0 when none does.
    private static int TrainingThread(ISequentialModel model)
        => Training.TryGetValue(model, out var flag) ? Volatile.Read(ref flag.Value) : 0;

    /// <summary>
    /// Refuses <paramref name="what"/> while a <c>Fit</c> trains <paramref name="model"/>, from any thread, its own
    /// callbacks included: moving the model to or from a device mid-run would leave the run's batches on buffers that
    /// are gone.
    /// </summary>
    /// <exception cref="InvalidOperationException">Fit is training the model.</exception>
    public static void ThrowIfTraining(ISequentialModel model, string what)
    {
        if (TrainingThread(model) != 0)
            throw new InvalidOperationException(
                $"{what} on model '{model.Info.Name}' while Fit trains it would pull its buffers from under the run: move it before Fit or after it returns (stop it from a callback with Context.StopTraining)");
    }

    /// <summary>A rented model; returns a worker to its pool when disposed.</summary>
    public readonly struct Lease<TInput> : IDisposable where TInput : unmanaged
    {
        private readonly ConcurrentBag<ISequentialModel>? _pool;
        private readonly DeviceGate? _gate;

        internal Lease(ISequentialModel<TInput> model, ConcurrentBag<ISequentialModel>? pool, DeviceGate? gate = null)
        {
            Model = model;
            _pool = pool;
            _gate = gate;
        }

        /// <summary>The model to run passes on.</summary>
        public ISequentialModel<TInput> Model { get; }

        public void Dispose()
        {
            _pool?.Add(Model);
            if (_gate is not null) Interlocked.Decrement(ref _gate.InFlight);
        }
    }

    /// <summary>The hold of one <c>Fit</c> on its model, released when disposed.</summary>
    public readonly struct TrainingHold : IDisposable
    {
        private readonly StrongBox<int> _flag;

        internal TrainingHold(StrongBox<int> flag) => _flag = flag;

        public void Dispose() => Volatile.Write(ref _flag.Value, 0);
    }
}
