using System;
using System.Runtime.CompilerServices;
using ModelGen.Gpu.Training;

namespace ModelGen.Gpu;

/// <summary>
/// The runtime's view of a model on a <see cref="GpuDevice"/> (<see cref="IDeviceEngine"/>): <c>Fit</c>, <c>Evaluate</c>
/// and <c>Predict</c> hand it whole batches; it keeps the host parameters in step with the device's.
/// </summary>
/// <remarks>
/// <para>
/// A training step runs on the device from the upload of the batch to the optimizer update: forward (training mode), the
/// loss and its gradient per output row (masked rows left out, sample or class weights applied, from the output logits
/// when the loss pairs with the output activation, as the host loop decides), the regularization penalty and gradients,
/// backward, the finite checks, frozen layers, clipping (<c>clipnorm</c>, <c>global_clipnorm</c>, <c>clipvalue</c>) and the
/// update of SGD (momentum, nesterov), Adam, AdamW (AMSGrad) or RMSprop (momentum, centered), with the optimizer state on
/// the device. The host learns two things at the end of the batch, in one read of a few floats: the batch loss and
/// whether the step was applied (a non-finite loss or gradient skips the update on the device, so the parameters and
/// optimizer state stay as they were, as on the host). The outputs come back only when a metric reads them: metrics are
/// computed on the host from that copy. Other optimizers (Adagrad, Nadam, custom ones) and custom losses throw
/// <see cref="NotSupportedException"/> when <c>Fit</c> starts.
/// </para>
/// <para>
/// Engines are cheap: the buffers and the optimizer's device state belong to the runner (every engine over one runner
/// shares them) and live until <see cref="Release"/> or until the device is disposed. Calls are serialised, one batch at
/// a time per runner.
/// </para>
/// </remarks>
/// <typeparam name="TInput"><c>float</c> or <c>int</c> (token ids).</typeparam>
public sealed class GpuEngine<TInput> : IDeviceEngine where TInput : unmanaged
{
    private static readonly ConditionalWeakTable<GpuRunner<TInput>, DeviceTrainer<TInput>> Trainers = new();

    /// <summary>Wraps <paramref name="runner"/>.</summary>
    /// <param name="runner">The model's passes on the device.</param>
    /// <exception cref="ArgumentNullException"><paramref name="runner"/> is null.</exception>
    public GpuEngine(GpuRunner<TInput> runner)
    {
        ArgumentNullException.ThrowIfNull(runner);
        Runner = runner;
    }

    /// <summary>The model's passes on the device.</summary>
    public GpuRunner<TInput> Runner { get; }

    private DeviceTrainer<TInput> Trainer => Trainers.GetValue(Runner, static r => new DeviceTrainer<TInput>(r));

    /// <inheritdoc/>
    public string DeviceName => Runner.Device.ToString();

    /// <inheritdoc/>
    public void PullParameters() => Trainer.PullParameters();

    /// <inheritdoc/>
    public void PushParameters() => Trainer.PushParameters();

    /// <inheritdoc/>
    public void CheckTraining(Optimizer optimizer, Loss loss) => DeviceTrainer<TInput>.CheckTraining(optimizer, loss);

    /// <inheritdoc/>
    public float TrainBatch<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Optimizer optimizer, Loss loss, bool fromOutputLogits, out DeviceStepResult result) where T : unmanaged
        => Trainer.TrainBatch(x, y, rowWeights, batch, steps, optimizer, loss, fromOutputLogits, out result);

    /// <inheritdoc/>
    public float EvaluateBatch<T>(ReadOnlySpan<T> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Loss loss, bool fromOutputLogits) where T : unmanaged
        => Trainer.EvaluateBatch(x, y, rowWeights, batch, steps, loss, fromOutputLogits);

    /// <inheritdoc/>
    public void PredictBatch<T>(ReadOnlySpan<T> x, int batch, int steps, Span<float> output) where T : unmanaged
        => Trainer.PredictBatch(x, batch, steps, output);

    /// <inheritdoc/>
    public bool ReadOutput(Span<float> output, Span<byte> mask) => Trainer.ReadOutput(output, mask);

    /// <summary>
    /// Frees the training buffers of <see cref="Runner"/> on the device; the optimizer state it holds is copied to the
    /// host optimizer first, so training can go on on the CPU (or on another device) from the same state. Call it before
    /// disposing the runner (a model's <c>To(null)</c> does).
    /// </summary>
    /// <exception cref="InvalidOperationException">A <c>Fit</c> is training the model (its batches run on these buffers);
    /// nothing is released then.</exception>
    public void Release()
    {
        Workers.ThrowIfTraining(Runner.Model, "Moving off the device (To)");
        if (Trainers.TryGetValue(Runner, out var trainer))
        {
            Trainers.Remove(Runner);
            trainer.Dispose();
        }
    }
}
