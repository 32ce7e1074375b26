using System;

namespace ModelGen.Gpu.Training;

/// <summary>Which device loss kernel computes a host <see cref="Loss"/>.</summary>
internal static class DeviceLoss
{
    /// <summary>The losses with a device kernel, as the error message names them.</summary>
    public const string Supported = "mean_squared_error, mean_absolute_error, huber_loss, binary_crossentropy, categorical_crossentropy and sparse_categorical_crossentropy (from probabilities or logits, with label smoothing)";

    /// <summary>The kernel kind of <paramref name="loss"/>.</summary>
    /// <exception cref="NotSupportedException">A loss without a device kernel (a user-defined subclass); the message names the supported ones.</exception>
    public static LossKind KindOf(Loss loss) => loss switch
    {
        MeanSquaredErrorLoss => LossKind.MeanSquaredError,
        MeanAbsoluteErrorLoss => LossKind.MeanAbsoluteError,
        HuberLoss => LossKind.Huber,
        BinaryCrossentropyLoss b => b.FromLogits ? LossKind.BinaryCrossentropyFromLogits : LossKind.BinaryCrossentropy,
        CategoricalCrossentropyLoss c => c.FromLogits ? LossKind.CategoricalCrossentropyFromLogits : LossKind.CategoricalCrossentropy,
        SparseCategoricalCrossentropyLoss s => s.FromLogits ? LossKind.SparseCategoricalCrossentropyFromLogits : LossKind.SparseCategoricalCrossentropy,
        null => throw new ArgumentNullException(nameof(loss)),
        _ => throw new NotSupportedException($"the loss {loss.GetType().Name} ('{loss.Name}') has no kernel on a GPU device; the device computes {Supported}. Move the model to the CPU (model.To(null)) to train with it"),
    };

    /// <summary>The loss kernel's one setting for <paramref name="loss"/>: Huber's delta, a cross-entropy's label smoothing, else 0.</summary>
    public static float ParameterOf(Loss loss) => loss switch
    {
        HuberLoss h => h.Delta,
        BinaryCrossentropyLoss b => b.LabelSmoothing,
        CategoricalCrossentropyLoss c => c.LabelSmoothing,
        _ => 0f,
    };

    /// <summary>The Keras name of a kind.</summary>
    public static string Name(LossKind kind) => kind switch
    {
        LossKind.MeanSquaredError => "mean_squared_error",
        LossKind.MeanAbsoluteError => "mean_absolute_error",
        LossKind.Huber => "huber_loss",
        LossKind.BinaryCrossentropy or LossKind.BinaryCrossentropyFromLogits => "binary_crossentropy",
        LossKind.CategoricalCrossentropy or LossKind.CategoricalCrossentropyFromLogits => "categorical_crossentropy",
        LossKind.SparseCategoricalCrossentropy or LossKind.SparseCategoricalCrossentropyFromLogits => "sparse_categorical_crossentropy",
        _ => kind.ToString(),
    };
}
