using System;

namespace ModelGen;

/// <summary>
/// A state set with a <c>Set…InitialState</c> method (Keras <c>initial_state</c>, PyTorch <c>h_0</c>/<c>c_0</c>) holds one
/// row per sample of a pass, as the raw <c>Forward</c> takes it. <c>Predict</c> and <c>Evaluate</c> then run all of x as
/// one pass, so that row i starts sample i whatever the batch size (Keras slices an <c>initial_state</c> input with x;
/// reusing the rows for every batch would start sample 32 from row 0). <c>Fit</c>, which shuffles samples into batches,
/// and the <see cref="DataSource{TInput}"/> overloads, which read x batch by batch, refuse it. A stateful layer's carried
/// state is not such a state: its batches carry it on (see <see cref="StatefulBatches"/>).
/// </summary>
internal static class SetInitialState
{
    /// <summary>The model holds a set initial state (not a stateful layer's carried one).</summary>
    public static bool IsHeld(ISequentialModel model) => model.HoldsInitialState && !model.Info.IsStateful;

    /// <summary>The batch size to run <paramref name="samples"/> with: all of them in one pass when a set state is held.</summary>
    public static int BatchSize(ISequentialModel model, int batchSize, int samples) => IsHeld(model) ? samples : batchSize;

    /// <summary>Throws before anything runs when <paramref name="what"/> cannot follow a set state's rows.</summary>
    /// <exception cref="InvalidOperationException">A set initial state is held.</exception>
    public static void Refuse(ISequentialModel model, string what, string why)
    {
        if (IsHeld(model))
            throw new InvalidOperationException(
                $"model '{model.Info.Name}' holds an initial state set with a Set…InitialState method, one row per sample of a pass; {what} {why}, " +
                "which such a state cannot follow. Call ResetStates() first, or run the passes with Forward (and Backward: …InitialStateGradient gives ∂loss/∂h_0)");
    }
}
