using System;
using System.Globalization;
using System.Numerics.Tensors;

namespace ModelGen;

/// <summary>
/// A Keras loss: the mean over samples of a per-sample loss, and its gradient with respect to the model output.
/// </summary>
/// <remarks>
/// <para>
/// Outputs are read as a matrix <c>[samples, width]</c> with <c>width = output.Length / samples</c>. For a model whose
/// output is a sequence (<c>[batch, steps, units]</c>), pass <c>samples = batch·steps</c>: Keras averages the per-step
/// losses together with the per-sample ones (reduction <c>"sum_over_batch_size"</c>), which is the same mean over rows.
/// </para>
/// <para>
/// The value returned is what Keras reports for the batch; the gradient written is the exact derivative of that value,
/// ready for <see cref="ISequentialModel.Backward"/>. A NaN anywhere in the output gives a NaN loss: nothing is masked.
/// The built-in losses are safe to call from several threads at once and to share between models (as Keras's and
/// PyTorch's loss objects are): their scratch buffers are kept per thread, and calls are allocation-free once a thread's
/// buffer has grown to the largest batch. A loss of your own must be safe for concurrent calls too: <c>Evaluate</c> on a
/// model shared by several threads calls the compiled loss from each.
/// </para>
/// </remarks>
public abstract class Loss
{
    /// <summary>Keras's probability clip, <c>keras.backend.epsilon()</c>: probabilities are clipped to <c>[ε, 1 − ε]</c>.</summary>
    public const float Epsilon = 1e-7f;

    /// <summary>Names <see cref="FromName"/> accepts.</summary>
    public const string ValidNames =
        "mse, mean_squared_error, mae, mean_absolute_error, huber, huber_loss, binary_crossentropy, bce, categorical_crossentropy, sparse_categorical_crossentropy " +
        "(and Keras's class names: MeanSquaredError, MeanAbsoluteError, Huber, BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy)";

    /// <summary>Creates a loss with the given Keras name.</summary>
    /// <param name="name">Keras function name, e.g. <c>mean_squared_error</c>.</param>
    protected Loss(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        Name = name;
    }

    /// <summary>Keras function name of the loss (<c>mean_squared_error</c>, <c>binary_crossentropy</c> …).</summary>
    public string Name { get; }

    /// <summary>
    /// Computes the mean loss over <paramref name="samples"/> rows and, unless <paramref name="gradient"/> is empty,
    /// writes ∂(mean loss)/∂output into it.
    /// </summary>
    /// <param name="output">Model output, <c>[samples, width]</c> row-major.</param>
    /// <param name="target">Targets: same length as <paramref name="output"/>, or one class index per row for
    /// <see cref="SparseCategoricalCrossentropyLoss"/>.</param>
    /// <param name="samples">Rows: the batch size, or <c>batch·steps</c> for sequence outputs. 0 with empty spans (a batch
    /// whose every step is masked) gives 0, as Keras's <c>divide_no_nan</c> does.</param>
    /// <param name="gradient">Empty, or a buffer of <c>output.Length</c> floats that receives the gradient (overwritten).</param>
    /// <returns>The mean loss, as Keras reports it.</returns>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative, or 0 with a non-empty output; or a
    /// target the loss cannot read (a sparse label that is no class index, a cross-entropy target outside [0, 1]): the
    /// message names its index, row and value.</exception>
    public float Compute(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, Span<float> gradient)
        => Compute(output, target, samples, ReadOnlySpan<float>.Empty, gradient);

    /// <summary>
    /// Keras's weighted loss with reduction <c>"sum_over_batch_size"</c>: <c>Σ_r w_r·loss_r / samples</c>, the weighted sum
    /// of the per-row losses divided by the number of rows (not by the sum of the weights), and, unless
    /// <paramref name="gradient"/> is empty, its derivative with respect to the output. Empty weights give
    /// <see cref="Compute(ReadOnlySpan{float}, ReadOnlySpan{float}, int, Span{float})"/>'s unweighted mean.
    /// </summary>
    /// <remarks>
    /// For a masked sequence output pass only the real rows (<c>samples</c> = the number of real steps): Keras scales the
    /// mask by <c>total / valid</c>, which makes the divisor the number of real rows. Rows of weight 0 get gradient 0.
    /// </remarks>
    /// <param name="output">Model output, <c>[samples, width]</c> row-major.</param>
    /// <param name="target">Targets, as for the unweighted overload.</param>
    /// <param name="samples">Rows; 0 with empty spans gives 0.</param>
    /// <param name="weights">Empty, or one weight per row, <c>[samples]</c> (Keras's <c>sample_weight</c>, already expanded
    /// to rows: per sample, per step, or from <c>class_weight</c>).</param>
    /// <param name="gradient">Empty, or a buffer of <c>output.Length</c> floats that receives the gradient (overwritten).</param>
    /// <returns>The weighted loss, as Keras reports it.</returns>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="samples"/> is negative, or 0 with a non-empty output; or a
    /// target the loss cannot read (a sparse label that is no class index, a cross-entropy target outside [0, 1]): the
    /// message names its index, row and value.</exception>
    public float Compute(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, ReadOnlySpan<float> weights, Span<float> gradient)
    {
        if (samples == 0 && output.IsEmpty && target.IsEmpty && weights.IsEmpty)
            return 0f; // no real rows: Keras divides the zero sum with divide_no_nan
        int width = RowWidth(output, samples);
        int expectedTarget = TargetLength(samples, width);
        if (target.Length != expectedTarget)
            throw new ArgumentException($"{Name}: target has {target.Length} values; expected {expectedTarget} ({TargetShapeText(samples, width)})", nameof(target));
        if (!gradient.IsEmpty && gradient.Length != output.Length)
            throw new ArgumentException($"{Name}: gradient buffer has {gradient.Length} floats; expected {output.Length} (same as output) or none", nameof(gradient));
        // Once for the whole call (a weighted call reaches ComputeCore row by row), so the row named is the caller's.
        if (FindInvalidTarget(target, width) is (int at, float value))
            throw new ArgumentOutOfRangeException(nameof(target), value, string.Create(CultureInfo.InvariantCulture,
                $"{Name}: target [{at}] (row {at / TargetsPerRow(width)}) is {value}; {ValidTargets(width)}"));
        if (weights.IsEmpty) return ComputeCore(output, target, samples, width, gradient);
        if (weights.Length != samples)
            throw new ArgumentException($"{Name}: {weights.Length} weights for {samples} rows; expected one weight per row or none", nameof(weights));
        return ComputeWeightedCore(output, target, samples, width, weights, gradient);
    }

    /// <summary>
    /// The weighted loss after the lengths have been checked: <c>Σ_r w_r·loss_r / samples</c> and its gradient. The default
    /// evaluates <see cref="ComputeCore"/> one row at a time, which is exact for every loss that is a mean of per-row
    /// losses (all Keras losses are); override it for speed.
    /// </summary>
    /// <param name="output">Model output, <c>[samples, width]</c>.</param>
    /// <param name="target">Targets.</param>
    /// <param name="samples">Rows (positive).</param>
    /// <param name="width">Values per row.</param>
    /// <param name="weights">One weight per row.</param>
    /// <param name="gradient">Empty, or the gradient buffer to overwrite.</param>
    /// <returns>The weighted loss.</returns>
    protected virtual float ComputeWeightedCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, ReadOnlySpan<float> weights, Span<float> gradient)
    {
        int perRow = TargetLength(1, width);
        double total = 0;
        for (int r = 0; r < samples; r++)
        {
            var rowGradient = gradient.IsEmpty ? Span<float>.Empty : gradient.Slice(r * width, width);
            float w = weights[r];
            if (w == 0f)
            {
                rowGradient.Clear();
                continue;
            }
            total += (double)w * ComputeCore(output.Slice(r * width, width), target.Slice(r * perRow, perRow), 1, width, rowGradient);
            if (!rowGradient.IsEmpty) TensorPrimitives.Multiply(rowGradient, w / samples, rowGradient);
        }
        return (float)(total / samples);
    }

    /// <summary>
    /// Computes the loss after the lengths have been checked: <paramref name="output"/> is <c>[samples, width]</c>,
    /// <paramref name="target"/> has <see cref="TargetLength"/> values, and <paramref name="gradient"/> is empty or as long as the output.
    /// </summary>
    /// <param name="output">Model output, <c>[samples, width]</c>.</param>
    /// <param name="target">Targets.</param>
    /// <param name="samples">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="gradient">Empty, or the gradient buffer to overwrite.</param>
    /// <returns>The mean loss.</returns>
    protected abstract float ComputeCore(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples, int width, Span<float> gradient);

    /// <summary>Number of target values expected for a <c>[samples, width]</c> output: <c>samples·width</c> unless overridden.</summary>
    /// <param name="samples">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <returns>Expected target length.</returns>
    protected virtual int TargetLength(int samples, int width) => samples * width;

    /// <summary>
    /// The from-logits form of this loss when it can be fused with an output <paramref name="activation"/>
    /// (<see cref="ILogitOutput"/>): a probability cross-entropy paired with the activation that makes its probabilities,
    /// <c>sigmoid</c> for binary, <c>softmax</c> for categorical and sparse categorical. Null for every other pairing.
    /// </summary>
    internal virtual Loss? FusedWith(string activation) => null;

    /// <summary>Target values per output row of <paramref name="width"/> values: the width, or 1 for a sparse loss.</summary>
    internal int TargetsPerRow(int width) => TargetLength(1, width);

    /// <summary>
    /// The first target value this loss cannot take (its index in <paramref name="targets"/> and the value), or null when
    /// every one fits: checked over the whole of <c>y</c> before training or evaluation starts, so a bad label fails
    /// before any batch is applied and names its place in the caller's array.
    /// </summary>
    /// <param name="targets">Targets of whole samples, <see cref="TargetsPerRow"/> per output row.</param>
    /// <param name="width">Output units per row.</param>
    internal virtual (int Index, float Value)? FindInvalidTarget(ReadOnlySpan<float> targets, int width) => null;

    /// <summary>What a target of this loss must be, for the message of <see cref="FindInvalidTarget"/>.</summary>
    /// <param name="width">Output units per row.</param>
    internal virtual string ValidTargets(int width) => "";

    private string TargetShapeText(int samples, int width) => TargetLength(samples, width) == samples * width
        ? $"same as output, [{samples} × {width}]"
        : $"one class index per row, {samples} rows";

    /// <summary>Checks that <paramref name="output"/> splits into <paramref name="samples"/> equal, non-empty rows, and returns the row width.</summary>
    /// <param name="output">Model output.</param>
    /// <param name="samples">Rows.</param>
    /// <returns><c>output.Length / samples</c>.</returns>
    internal static int RowWidth(ReadOnlySpan<float> output, int samples)
    {
        if (samples <= 0)
            throw new ArgumentOutOfRangeException(nameof(samples), samples, samples == 0
                ? $"0 samples, but the output holds {output.Length} values (0 samples takes empty spans)"
                : "samples must not be negative");
        if (output.IsEmpty || output.Length % samples != 0)
            throw new ArgumentException($"output has {output.Length} values, which is not a whole number (at least 1) of values per row for {samples} samples", nameof(output));
        return output.Length / samples;
    }

    /// <summary>Keras <c>"mse"</c> / <c>MeanSquaredError</c>: per sample, the mean over the last axis of <c>(output − target)²</c>.</summary>
    /// <returns>A new loss.</returns>
    public static Loss MeanSquaredError() => new MeanSquaredErrorLoss();

    /// <summary>Keras <c>"mae"</c> / <c>MeanAbsoluteError</c>: per sample, the mean over the last axis of <c>|output − target|</c>.</summary>
    /// <returns>A new loss.</returns>
    public static Loss MeanAbsoluteError() => new MeanAbsoluteErrorLoss();

    /// <summary>
    /// Keras <c>"huber"</c> / <c>Huber(delta)</c> (PyTorch's <c>HuberLoss(delta=…)</c> with its mean): per sample, the
    /// mean over the last axis of <c>d²/2</c> where <c>|d| ≤ delta</c> and <c>delta·|d| − delta²/2</c> beyond, <c>d = output − target</c>.
    /// </summary>
    /// <param name="delta">Where the loss turns from quadratic to linear: positive and finite (Keras's default 1).</param>
    /// <returns>A new loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is not positive and finite.</exception>
    public static Loss Huber(float delta = 1f) => new HuberLoss(delta);

    /// <summary>Keras <c>"binary_crossentropy"</c> / <c>BinaryCrossentropy(from_logits, label_smoothing)</c>.</summary>
    /// <param name="fromLogits">True when the output is a logit rather than a probability.</param>
    /// <param name="labelSmoothing">Keras <c>label_smoothing</c> in [0, 1]: targets read as <c>t·(1 − s) + s/2</c>.</param>
    /// <returns>A new loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    public static Loss BinaryCrossentropy(bool fromLogits = false, float labelSmoothing = 0f) => new BinaryCrossentropyLoss(fromLogits, labelSmoothing);

    /// <summary>Keras <c>"categorical_crossentropy"</c> / <c>CategoricalCrossentropy(from_logits, label_smoothing)</c>; one-hot targets.</summary>
    /// <param name="fromLogits">True when the output is logits rather than probabilities.</param>
    /// <param name="labelSmoothing">Keras <c>label_smoothing</c> in [0, 1] (PyTorch's <c>CrossEntropyLoss(label_smoothing)</c>):
    /// targets read as <c>t·(1 − s) + s/classes</c>.</param>
    /// <returns>A new loss.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="labelSmoothing"/> is not in [0, 1].</exception>
    public static Loss CategoricalCrossentropy(bool fromLogits = false, float labelSmoothing = 0f) => new CategoricalCrossentropyLoss(fromLogits, labelSmoothing);

    /// <summary>Keras <c>"sparse_categorical_crossentropy"</c>; targets are class indices stored as floats, one per row.</summary>
    /// <param name="fromLogits">True when the output is logits rather than probabilities.</param>
    /// <returns>A new loss.</returns>
    public static Loss SparseCategoricalCrossentropy(bool fromLogits = false) => new SparseCategoricalCrossentropyLoss(fromLogits);

    /// <summary>
    /// The loss a Keras string names, as in <c>model.compile(loss="mse")</c>: <c>mse</c>, <c>mean_squared_error</c>,
    /// <c>mae</c>, <c>mean_absolute_error</c>, <c>huber</c> (delta 1), <c>binary_crossentropy</c>, <c>categorical_crossentropy</c>,
    /// <c>sparse_categorical_crossentropy</c> (crossentropies on probabilities, as the Keras strings are), and the aliases
    /// and class names Keras 3's <c>keras.losses.get</c> takes (<c>"MSE"</c>, <c>"bce"</c>, <c>"Huber"</c>,
    /// <c>"BinaryCrossentropy"</c> …, each with its defaults).
    /// </summary>
    /// <param name="name">Keras loss name.</param>
    /// <returns>A new loss.</returns>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the valid names.</exception>
    public static Loss FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name switch
        {
            // Keras 3's names: the functions, their aliases and the class names keras.losses.get also takes.
            "mse" or "MSE" or "mean_squared_error" or "MeanSquaredError" => new MeanSquaredErrorLoss(),
            "mae" or "MAE" or "mean_absolute_error" or "MeanAbsoluteError" => new MeanAbsoluteErrorLoss(),
            "huber" or "huber_loss" or "Huber" => new HuberLoss(),
            "binary_crossentropy" or "bce" or "BCE" or "BinaryCrossentropy" => new BinaryCrossentropyLoss(false),
            "categorical_crossentropy" or "CategoricalCrossentropy" => new CategoricalCrossentropyLoss(false),
            "sparse_categorical_crossentropy" or "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropyLoss(false),
            _ => throw new ArgumentException($"Unknown loss '{name}'. Valid names: {ValidNames}.", nameof(name)),
        };
    }
}
