using System;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// A stateful layer (Keras <c>stateful=True</c>) carries sample <c>i</c>'s final state into sample <c>i</c> of the next
/// batch, so every batch until <c>ResetStates()</c> must have the same size. Fit, Evaluate and Predict check this before
/// the first forward pass, instead of failing at the last, partial batch with the weights already changed.
/// </summary>
internal static class StatefulBatches
{
    /// <summary>
    /// Throws when <paramref name="model"/> has a stateful layer and the data sets, cut into batches of
    /// <paramref name="batchSize"/> (or fewer when a set is smaller), would not all give batches of one size.
    /// </summary>
    /// <exception cref="ArgumentException">The batch sizes would differ; the message names the sets and sizes.</exception>
    public static void Check(ISequentialModel model, int batchSize, params ReadOnlySpan<(string What, int Samples)> sets)
    {
        if (!model.Info.IsStateful) return;
        const string Rule = "a stateful layer needs the same batch size until ResetStates()";
        int first = 0;
        foreach (var (what, samples) in sets)
        {
            int size = Math.Min(batchSize, samples), last = samples % size;
            if (last != 0)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"model '{model.Info.Name}': the {what} data has {samples} samples, so batches of {size} end with a batch of {last}, but {Rule}: pass a batch size that divides {samples} (Keras: \"In a stateful network, you should only pass inputs with a number of samples that can be divided by the batch size\")"),
                    nameof(batchSize));
            if (first != 0 && size != first)
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"model '{model.Info.Name}': the {sets[0].What} data runs in batches of {first} and the {what} data in batches of {size}, but {Rule}: give both a number of samples that batches of {batchSize} divide"),
                    nameof(batchSize));
            first = size;
        }
    }
}
