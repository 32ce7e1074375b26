using System;

namespace ModelGen;

/// <summary>
/// A model that can run its passes on another device (the ModelGen.Gpu package): the runtime's <c>Fit</c>,
/// <c>Evaluate</c> and <c>Predict</c> ask it for its <see cref="DeviceEngine"/> and, when there is one, hand it whole
/// batches instead of running the host passes. Generated models implement it when the project references ModelGen.Gpu.
/// </summary>
/// <remarks>
/// While a model is on a device its parameters live there: the runtime pulls them before it reads
/// <see cref="ISequentialModel.Parameters"/> (weight files, checkpoints, <c>EarlyStopping</c>, exports) and pushes them
/// after it writes them (loading, imports). Code of your own that reads or writes <c>Parameters</c> directly (a custom
/// callback) calls <c>DeviceEngine?.PullParameters()</c> before and <c>DeviceEngine?.PushParameters()</c> after.
/// </remarks>
public interface IDeviceHosted
{
    /// <summary>The engine of the device the model runs on; null while it runs on the CPU.</summary>
    IDeviceEngine? DeviceEngine { get; }
}

/// <summary>What a training step on a device did (the device twin of the host loop's check before Backward and before the optimizer step).</summary>
public enum DeviceStepResult
{
    /// <summary>Backward, clipping and the optimizer update ran.</summary>
    Applied,

    /// <summary>The loss (regularization included) was NaN or ±∞: the parameters and optimizer state were not changed.</summary>
    NonFiniteLoss,

    /// <summary>The loss was finite but a gradient was not: the parameters and optimizer state were not changed.</summary>
    NonFiniteGradient,
}

/// <summary>
/// What the runtime needs of a device a model runs on (implemented by ModelGen.Gpu's <c>GpuEngine</c>): the host copy
/// of the parameters kept in step with the device's, and whole batches of training, evaluation and prediction run on the
/// device. The loops in <c>ModelTraining</c> call these in place of the host passes when the model is
/// <see cref="IDeviceHosted"/> with a non-null engine; inside a batch nothing comes back to the host but the batch loss
/// and a status (one small read at the end of the batch), and the outputs only when a metric reads them.
/// </summary>
public interface IDeviceEngine
{
    /// <summary>The device in words, e.g. <c>CUDA: NVIDIA H200</c>.</summary>
    string DeviceName { get; }

    /// <summary>Copies the device's parameters into <see cref="ISequentialModel.Parameters"/>: before anything on the host reads them (saving, callbacks).</summary>
    void PullParameters();

    /// <summary>Copies <see cref="ISequentialModel.Parameters"/> to the device: after anything on the host wrote them (loading, setting weights).</summary>
    void PushParameters();

    /// <summary>
    /// Checks, before <c>Fit</c> changes anything, that the device can train with <paramref name="optimizer"/> and
    /// <paramref name="loss"/>.
    /// </summary>
    /// <param name="optimizer">The compiled optimizer.</param>
    /// <param name="loss">The compiled loss.</param>
    /// <exception cref="NotSupportedException">The device has no update for this optimizer or no kernel for this loss; the message names the supported ones.</exception>
    void CheckTraining(Optimizer optimizer, Loss loss);

    /// <summary>
    /// One training step on the device, as the host loop does it: upload the batch, forward (training mode), the loss and
    /// its gradient (masked rows left out, <paramref name="rowWeights"/> applied), the regularization penalty and
    /// gradients, Backward, the finite checks, frozen layers, clipping and the optimizer update. A non-finite loss or
    /// gradient leaves the parameters and the optimizer state as they were (see <paramref name="result"/>).
    /// </summary>
    /// <typeparam name="TInput"><c>float</c> features or <c>int</c> token ids, as the model takes.</typeparam>
    /// <param name="x">Inputs, batch-major <c>[batch, steps, features]</c> or <c>[batch, steps]</c>.</param>
    /// <param name="y">Targets, <c>[batch, units]</c>, <c>[batch, steps, units]</c>, or one class index per output row for a sparse loss.</param>
    /// <param name="rowWeights">Empty, or one weight per output row (<c>[batch]</c> or <c>[batch, steps]</c>).</param>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="optimizer">The optimizer; its iteration count advances when the step is applied.</param>
    /// <param name="loss">The loss to apply (the from-logits twin when <paramref name="fromOutputLogits"/>).</param>
    /// <param name="fromOutputLogits">The loss reads the output layer's logits and Backward starts from them (<see cref="ILogitOutput"/>'s pairing).</param>
    /// <param name="result">What was applied.</param>
    /// <returns>The batch loss, regularization included, as the host loop reports it.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A sparse target is not a class index of the output (the step is not applied).</exception>
    /// <exception cref="NotSupportedException">The optimizer or loss has no device kernel.</exception>
    float TrainBatch<TInput>(ReadOnlySpan<TInput> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Optimizer optimizer, Loss loss, bool fromOutputLogits, out DeviceStepResult result) where TInput : unmanaged;

    /// <summary>Forward (inference mode) and the loss of one batch on the device, regularization penalty included.</summary>
    /// <typeparam name="TInput"><c>float</c> or <c>int</c>.</typeparam>
    /// <param name="x">Inputs, as for <see cref="TrainBatch{TInput}"/>.</param>
    /// <param name="y">Targets, as for <see cref="TrainBatch{TInput}"/>.</param>
    /// <param name="rowWeights">Empty, or one weight per output row.</param>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="loss">The loss (the from-logits twin when <paramref name="fromOutputLogits"/>).</param>
    /// <param name="fromOutputLogits">The loss reads the output layer's logits.</param>
    /// <returns>The batch loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A sparse target is not a class index of the output.</exception>
    /// <exception cref="NotSupportedException">The loss has no device kernel.</exception>
    float EvaluateBatch<TInput>(ReadOnlySpan<TInput> x, ReadOnlySpan<float> y, ReadOnlySpan<float> rowWeights, int batch, int steps,
        Loss loss, bool fromOutputLogits) where TInput : unmanaged;

    /// <summary>Forward (inference mode) of one batch on the device, the output copied into <paramref name="output"/>.</summary>
    /// <typeparam name="TInput"><c>float</c> or <c>int</c>.</typeparam>
    /// <param name="x">Inputs, batch-major.</param>
    /// <param name="batch">Samples.</param>
    /// <param name="steps">Steps per sample.</param>
    /// <param name="output">Receives the output, batch-major (<see cref="ISequentialModel.OutputLength"/> floats).</param>
    void PredictBatch<TInput>(ReadOnlySpan<TInput> x, int batch, int steps, Span<float> output) where TInput : unmanaged;

    /// <summary>
    /// Copies the output of the last pass (and its row mask, for a masked sequence output) to the host, for metrics.
    /// </summary>
    /// <param name="output">Receives the output of the last batch, batch-major.</param>
    /// <param name="mask">Receives one byte per output row (1 real, 0 padding) when the output is masked.</param>
    /// <returns>True when the output is masked (<paramref name="mask"/> was written).</returns>
    bool ReadOutput(Span<float> output, Span<byte> mask);
}

/// <summary>The host side of keeping a device-hosted model's parameters in step: pull before reading, push after writing.</summary>
internal static class DeviceSync
{
    /// <summary>The device engine of <paramref name="model"/>, or null while it runs on the CPU.</summary>
    public static IDeviceEngine? Engine(ISequentialModel model) => (model as IDeviceHosted)?.DeviceEngine;

    /// <summary>Copies the device's parameters to the host, when the model is on a device.</summary>
    public static void Pull(ISequentialModel model) => Engine(model)?.PullParameters();

    /// <summary>Copies the host's parameters to the device, when the model is on a device.</summary>
    public static void Push(ISequentialModel model) => Engine(model)?.PushParameters();

    /// <summary>Inference on one batch: on the model's device when it has one, else the host forward pass.</summary>
    public static void Predict<TInput>(ISequentialModel<TInput> model, ReadOnlySpan<TInput> input, int batch, int steps, Span<float> output)
        where TInput : unmanaged
    {
        if (Engine(model) is { } engine) engine.PredictBatch(input, batch, steps, output);
        else model.Forward(input, batch, steps, output);
    }
}
