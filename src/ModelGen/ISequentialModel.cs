using System;

namespace ModelGen;

/// <summary>
/// What the runtime (training loop, optimizers, weight files) sees of every generated model.
/// Generated models implement <see cref="ISequentialModel{TInput}"/>; nothing here uses reflection.
/// </summary>
public interface ISequentialModel
{
    /// <summary>Layer table, shapes and parameter layout, fixed at compile time.</summary>
    ModelInfo Info { get; }

    /// <summary>All trainable parameters, one flat buffer; layers are views at fixed offsets (Keras layout).</summary>
    float[] Parameters { get; }

    /// <summary>Gradients, same layout as <see cref="Parameters"/>. <see cref="Backward"/> adds to them.</summary>
    float[] Gradients { get; }

    /// <summary>Number of floats <c>Forward</c> writes for a batch (<c>batch·units</c>, or <c>batch·steps·units</c> for sequences).</summary>
    int OutputLength(int batchSize, int timeSteps);

    /// <summary>
    /// The mask over output rows of the last forward pass, batch-major <c>[batch, steps]</c> (1 = a real step,
    /// 0 = padding), when the output is a sequence that carries a mask from Embedding(MaskZero) or Masking; empty
    /// otherwise. Fit and Evaluate leave masked rows out of losses and metrics, as Keras does.
    /// </summary>
    ReadOnlySpan<byte> OutputMask => default;

    /// <summary>
    /// Back-propagation through time for the last forward pass. Adds the gradient of every parameter to
    /// <see cref="Gradients"/> (as PyTorch accumulates <c>.grad</c>) and, when <paramref name="inputGradient"/>
    /// is not empty and the model takes float inputs, writes the gradient of the input, batch-major like the input.
    /// </summary>
    /// <param name="outputGradient">∂loss/∂output, shaped like the last forward pass's output.</param>
    /// <param name="inputGradient">Empty, or a buffer shaped like the last input.</param>
    void Backward(ReadOnlySpan<float> outputGradient, Span<float> inputGradient);
}

/// <summary>A generated model fed inputs of type <typeparamref name="TInput"/>: <c>float</c> features, or <c>int</c> token ids.</summary>
/// <typeparam name="TInput"><c>float</c> for <c>[batch, steps, features]</c> inputs; <c>int</c> for token ids <c>[batch, steps]</c>.</typeparam>
public interface ISequentialModel<TInput> : ISequentialModel where TInput : unmanaged
{
    /// <summary>
    /// Runs the model on a batch. <paramref name="input"/> is batch-major (<c>[batch, steps, features]</c>, or
    /// <c>[batch, steps]</c> token ids); <paramref name="output"/> receives <see cref="ISequentialModel.OutputLength"/> floats.
    /// Allocation-free once the workspace has grown to this batch size and length.
    /// </summary>
    void Forward(ReadOnlySpan<TInput> input, int batchSize, int timeSteps, Span<float> output, bool training = false);
}
