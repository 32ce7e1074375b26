using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// Keras <c>TerminateOnNaN</c>: stops training quietly when a batch loss is NaN or infinite. Without it,
/// <c>Fit</c> throws an <see cref="System.ArithmeticException"/> naming the epoch, batch and value. Either way the batch
/// whose loss is not finite is never applied (the loss is checked before <c>Backward</c>), so the model keeps the
/// parameters and optimizer state it had after the previous batch, bit for bit.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The batch at which training stopped, or −1.</summary>
    public int StoppedAtBatch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
    {
        if (logs.TryGetValue("loss", out float loss) && !float.IsFinite(loss))
        {
            StoppedAtBatch = batch;
            Context.StopTraining = true;
        }
    }
}
