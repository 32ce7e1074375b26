using System;
using System.Numerics.Tensors;

namespace ModelGen;

/// <summary>
/// A Keras weight regularizer (<c>keras.regularizers.L1L2</c>): the penalty <c>l1·Σ|w| + l2·Σw²</c> on one parameter
/// tensor, added to the loss, and its gradient <c>l1·sign(w) + 2·l2·w</c> added to the tensor's gradient. Declared on a
/// layer as text (<c>KernelRegularizer = "l2(0.01)"</c>); the generated <see cref="ParameterInfo.Regularizer"/> carries it.
/// </summary>
/// <param name="L1">The L1 factor, ≥ 0 (Keras <c>l1</c>).</param>
/// <param name="L2">The L2 factor, ≥ 0 (Keras <c>l2</c>).</param>
public sealed record Regularizer(float L1, float L2)
{
    /// <summary>Keras's penalty on <paramref name="weights"/>: <c>l1·Σ|w| + l2·Σw²</c>, summed in float32.</summary>
    /// <param name="weights">The tensor's values.</param>
    /// <returns>The penalty (a loss term).</returns>
    public float Penalty(ReadOnlySpan<float> weights)
    {
        float penalty = 0f;
        if (L1 != 0f) penalty += L1 * TensorPrimitives.SumOfMagnitudes(weights);
        if (L2 != 0f) penalty += L2 * TensorPrimitives.SumOfSquares(weights);
        return penalty;
    }

    /// <summary>Adds ∂penalty/∂w = <c>l1·sign(w) + 2·l2·w</c> to <paramref name="gradients"/> (sign(0) = 0, as TensorFlow's).</summary>
    /// <param name="weights">The tensor's values.</param>
    /// <param name="gradients">Its gradients, same length; added to.</param>
    /// <exception cref="ArgumentException">The lengths differ.</exception>
    public void AddGradient(ReadOnlySpan<float> weights, Span<float> gradients)
    {
        if (weights.Length != gradients.Length)
            throw new ArgumentException($"gradients have {gradients.Length} floats; expected {weights.Length} (one per weight)", nameof(gradients));
        float l1 = L1, twoL2 = 2f * L2;
        for (int i = 0; i < weights.Length; i++)
        {
            float w = weights[i];
            gradients[i] += l1 * (w > 0f ? 1f : w < 0f ? -1f : 0f) + twoL2 * w;
        }
    }
}

/// <summary>
/// The regularization term of a model: what Keras adds to the loss as <c>sum(model.losses)</c>. Fit and Evaluate add it
/// to every batch's loss (so the logged <c>loss</c> includes it, as Keras's does) and, in Fit, its gradient to the
/// gradients before the optimizer step. Frozen layers (<see cref="LayerInfo.Trainable"/> false) add nothing, as in Keras,
/// which regularizes <c>trainable_weights</c> only.
/// </summary>
public static class Regularization
{
    /// <summary>
    /// Keras <c>sum(model.losses)</c>: the penalty of every regularized parameter tensor of the trainable layers, at the
    /// current parameters; 0 when the model declares no regularizer.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The penalty, in the loss's units.</returns>
    public static float RegularizationLoss(this ISequentialModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        DeviceSync.Pull(model);
        return Penalty(model.Info, model.Parameters);
    }

    /// <summary>The penalty of <paramref name="parameters"/> laid out as <paramref name="info"/> says. Allocates nothing.</summary>
    internal static float Penalty(ModelInfo info, ReadOnlySpan<float> parameters)
    {
        float total = 0f;
        var layers = info.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (!layers[i].Trainable) continue;
            var tensors = layers[i].Parameters;
            for (int j = 0; j < tensors.Count; j++)
                if (tensors[j].Regularizer is { } r) total += r.Penalty(parameters.Slice(tensors[j].Offset, tensors[j].Length));
        }
        return total;
    }

    /// <summary>Adds the penalty's gradient to <paramref name="gradients"/>. Allocates nothing.</summary>
    internal static void AddGradients(ModelInfo info, ReadOnlySpan<float> parameters, Span<float> gradients)
    {
        var layers = info.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            if (!layers[i].Trainable) continue;
            var tensors = layers[i].Parameters;
            for (int j = 0; j < tensors.Count; j++)
            {
                var p = tensors[j];
                p.Regularizer?.AddGradient(parameters.Slice(p.Offset, p.Length), gradients.Slice(p.Offset, p.Length));
            }
        }
    }
}
