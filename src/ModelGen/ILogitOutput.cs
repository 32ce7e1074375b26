using System;

namespace ModelGen;

/// <summary>
/// Optional part of the model contract: a model whose output layer ends in <c>sigmoid</c> or <c>softmax</c> exposes the
/// values before that activation, so that Fit and Evaluate can compute a cross-entropy from the logits, as Keras on
/// TensorFlow does (it reads the logits under a <c>Sigmoid</c>/<c>Softmax</c> output and calls
/// <c>sigmoid_cross_entropy_with_logits</c> / <c>softmax_cross_entropy_with_logits</c>): exact where the probability
/// saturates (loss 20 and ∂loss/∂logit = 1 for a logit of 20 and target 0, where the clipped probability gives
/// 15.94 and gradient 0), and one pass cheaper. Every generated model whose output layer is a Dense, or an Activation
/// layer, implements it, whatever the activation.
/// </summary>
/// <remarks>
/// When a model implements this and is compiled with <see cref="BinaryCrossentropyLoss"/> on a <c>sigmoid</c> output,
/// or <see cref="CategoricalCrossentropyLoss"/> / <see cref="SparseCategoricalCrossentropyLoss"/> on a <c>softmax</c>
/// output (each with <c>fromLogits: false</c>), Fit and Evaluate take the loss and its gradient from
/// <see cref="OutputLogits"/> and call <see cref="BackwardFromLogits"/>; metrics and Predict still see the probabilities.
/// Any other pairing uses <see cref="ISequentialModel.Backward"/> as before.
/// </remarks>
public interface ILogitOutput
{
    /// <summary>The output layer's activation as Keras names it: <c>"sigmoid"</c>, <c>"softmax"</c>, <c>"linear"</c> ….</summary>
    string OutputActivation { get; }

    /// <summary>
    /// The output layer's values before its activation in the last forward pass, shaped like the output
    /// (<c>[batch, units]</c> or <c>[batch, steps, units]</c>, batch-major).
    /// </summary>
    ReadOnlySpan<float> OutputLogits { get; }

    /// <summary>
    /// As <see cref="ISequentialModel.Backward"/>, starting from ∂loss/∂logits instead of ∂loss/∂output: the output
    /// activation's derivative is not applied. Adds to <see cref="ISequentialModel.Gradients"/>.
    /// </summary>
    /// <param name="logitGradient">∂loss/∂logits, shaped like <see cref="OutputLogits"/>.</param>
    /// <param name="inputGradient">Empty, or a buffer shaped like the last input (float inputs only).</param>
    void BackwardFromLogits(ReadOnlySpan<float> logitGradient, Span<float> inputGradient);
}
