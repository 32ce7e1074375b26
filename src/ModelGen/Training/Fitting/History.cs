using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// What <c>Fit</c> returns, as Keras's <c>History</c>: one value per epoch for the loss, every metric, and
/// their <c>val_</c> twins when there is validation data.
/// </summary>
public sealed class History
{
    private readonly Dictionary<string, List<float>> _values = new();

    /// <summary>Epoch numbers (0-based, as Keras's <c>history.epoch</c>).</summary>
    public List<int> Epochs { get; } = new();

    /// <summary>Per-epoch values by name: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c> … (Keras's <c>history.history</c>).</summary>
    public IReadOnlyDictionary<string, List<float>> Values => _values;

    /// <summary>The values recorded under <paramref name="name"/>.</summary>
    /// <param name="name">A logged name: <c>loss</c>, a metric, or a <c>val_</c> twin.</param>
    /// <returns>One value per epoch, in epoch order.</returns>
    /// <exception cref="KeyNotFoundException">Nothing was logged under <paramref name="name"/>; the message lists what was.</exception>
    public IReadOnlyList<float> this[string name] => _values.TryGetValue(name, out var list)
        ? list
        : throw new KeyNotFoundException($"history has no '{name}'; it has: {string.Join(", ", _values.Keys)}");

    internal void Add(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        Epochs.Add(epoch);
        foreach (var (name, value) in logs)
        {
            if (!_values.TryGetValue(name, out var list)) _values[name] = list = new List<float>();
            list.Add(value);
        }
    }
}
