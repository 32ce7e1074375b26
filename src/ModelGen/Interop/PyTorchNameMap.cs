using System;
using System.Collections.Generic;
using System.Linq;

namespace ModelGen.Interop;

/// <summary>
/// Which PyTorch module holds each ModelGen layer's weights. Unmapped layers use their own name as the module name
/// and PyTorch layer 0: a layer named <c>lstm</c> reads <c>lstm.weight_ih_l0</c>, a Dense named <c>dense</c> reads
/// <c>dense.weight</c>. Stacked ModelGen layers that one multi-layer <c>nn.LSTM(num_layers=2)</c> holds map to the
/// same module with layer indices 0, 1, …
/// </summary>
/// <example>
/// <code>
/// var names = new PyTorchNameMap()
///     .Map("embedding", "embedding")
///     .Map("lstm", "rnn", torchLayer: 0)
///     .Map("lstm_1", "rnn", torchLayer: 1)
///     .Map("dense", "fc");
/// model.LoadPyTorchWeights("model.safetensors", names);
/// </code>
/// </example>
public sealed class PyTorchNameMap
{
    private readonly Dictionary<string, (string Module, int TorchLayer)> _map = new(StringComparer.Ordinal);

    /// <summary>
    /// Maps ModelGen layer <paramref name="layer"/> to PyTorch module <paramref name="module"/> (its
    /// <c>state_dict</c> prefix, e.g. <c>encoder.rnn</c>) and, for recurrent modules, layer <paramref name="torchLayer"/>
    /// (the <c>_l{k}</c> suffix).
    /// </summary>
    /// <returns>This map, for chaining.</returns>
    /// <exception cref="ArgumentException">An empty layer name, a module that is no state_dict prefix (<c>"rnn."</c>,
    /// blanks), a negative layer index, or a layer mapped twice.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    /// <param name="layer">The ModelGen layer name (Keras-style, e.g. <c>lstm_1</c>; see <see cref="ModelInfo.Layers"/>).</param>
    /// <param name="module">The PyTorch module path, the <c>state_dict</c> key prefix before the last dot; empty for a
    /// module saved on its own, whose keys have no prefix (<c>torch.save(nn.LSTM(…).state_dict())</c>:
    /// <c>weight_ih_l0</c>, …).</param>
    /// <param name="torchLayer">The layer index inside a multi-layer <c>nn.RNN</c>/<c>nn.LSTM</c>/<c>nn.GRU</c> (0 for single-layer modules and <c>nn.Linear</c>).</param>
    public PyTorchNameMap Map(string layer, string module, int torchLayer = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(layer);
        ArgumentNullException.ThrowIfNull(module);
        if (module.Length > 0 && (module[0] == '.' || module[^1] == '.' || module.Contains("..", StringComparison.Ordinal) || module.Any(char.IsWhiteSpace)))
            throw new ArgumentException($"module '{module}' is not a state_dict prefix: dotted names (encoder.rnn) without a leading or trailing dot or blanks, or \"\" for keys without one", nameof(module));
        ArgumentOutOfRangeException.ThrowIfNegative(torchLayer);
        if (!_map.TryAdd(layer, (module, torchLayer)))
            throw new ArgumentException($"layer '{layer}' is mapped twice", nameof(layer));
        return this;
    }

    /// <summary>The ModelGen layer names mapped explicitly.</summary>
    public IEnumerable<string> Layers => _map.Keys;

    /// <summary>The module and PyTorch layer index of <paramref name="layer"/>: the explicit mapping, or its own name and 0.</summary>
    /// <param name="layer">The ModelGen layer name.</param>
    /// <returns>The PyTorch module path and layer index the layer's tensors are read from or written to.</returns>
    public (string Module, int TorchLayer) Resolve(string layer) =>
        _map.TryGetValue(layer, out var m) ? m : (layer, 0);
}
