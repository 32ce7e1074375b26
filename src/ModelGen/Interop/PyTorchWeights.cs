using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ModelGen.Interop;

/// <summary>
/// Loads a PyTorch <c>state_dict</c> saved as safetensors (<c>safetensors.torch.save_file(model.state_dict(), …)</c>)
/// into a generated model, and writes one that PyTorch loads with <c>load_state_dict(strict=True)</c>.
/// </summary>
/// <remarks>
/// <para>Counterparts: Embedding ↔ <c>nn.Embedding</c> (<c>weight [vocabulary, dims]</c>); Dense / TimeDistributed ↔
/// <c>nn.Linear</c> (<c>weight [out, in]</c>, the kernel transposed; <c>bias [out]</c>); SimpleRnn ↔ <c>nn.RNN</c>
/// (tanh or relu), Lstm ↔ <c>nn.LSTM</c>, Gru (<c>ResetAfter = true</c>) ↔ <c>nn.GRU</c>, with
/// <c>weight_ih_l{k} [G·H, in]</c>, <c>weight_hh_l{k} [G·H, H]</c>, <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c>
/// (<c>bias=False</c> ↔ <c>UseBias = false</c>); Bidirectional ↔ <c>bidirectional=True</c>, the backward copy's
/// weights suffixed <c>_reverse</c>. Gate blocks are reordered (GRU: PyTorch r, z, n ↔ Keras z, r, h; LSTM's
/// i, f, g, o is Keras's order). SimpleRNN and LSTM have one Keras bias: import adds PyTorch's two biases, export
/// writes the bias as <c>bias_ih</c> and zeros as <c>bias_hh</c> (the same function). A GRU has Keras's two
/// biases, which are PyTorch's two. Layers without weights (Masking, Dropout) have no PyTorch tensors.</para>
/// <para>Module names come from <see cref="PyTorchNameMap"/>: by default a layer's own name and PyTorch layer 0.</para>
/// <para>Tensors may be F32, or F16, BF16 or F64 (converted to float32). Every tensor's name, shape and dtype is
/// checked first, and every mismatch is reported in one <see cref="WeightImportException"/>; the model is changed
/// only when all of them fit.</para>
/// </remarks>
public static class PyTorchWeights
{
    /// <summary>Loads a safetensors <c>state_dict</c> file into <paramref name="model"/>.</summary>
    /// <param name="model">The generated model whose <see cref="ISequentialModel.Parameters"/> receive the weights.</param>
    /// <param name="path">A <c>.safetensors</c> file.</param>
    /// <param name="names">Module names of the layers; null maps every layer to a module of its own name.</param>
    /// <param name="strict">As PyTorch's <c>strict</c>: tensors that no layer reads are errors. With false they are ignored.</param>
    /// <exception cref="InvalidDataException">The file is not valid safetensors.</exception>
    /// <exception cref="WeightImportException">Missing, unexpected or misshaped tensors (all of them listed).</exception>
    /// <exception cref="InvalidOperationException">The layer attributes on the model class cannot be matched to its layers (they are read for what the weights do not show: a GRU's form, the activations).</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void LoadPyTorchWeights(this ISequentialModel model, string path, PyTorchNameMap? names = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        Load(model, SafeTensorFile.Read(path), names, strict, $"'{path}'");
    }

    /// <summary>Loads a safetensors <c>state_dict</c> from the rest of <paramref name="stream"/>.</summary>
    /// <inheritdoc cref="LoadPyTorchWeights(ISequentialModel, string, PyTorchNameMap?, bool)"/>
    public static void LoadPyTorchWeights(this ISequentialModel model, Stream stream, PyTorchNameMap? names = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        Load(model, SafeTensorFile.Read(stream), names, strict, "the stream");
    }

    /// <summary>Loads the tensors of an already-read safetensors file.</summary>
    /// <inheritdoc cref="LoadPyTorchWeights(ISequentialModel, string, PyTorchNameMap?, bool)"/>
    public static void LoadPyTorchWeights(this ISequentialModel model, SafeTensorFile file, PyTorchNameMap? names = null, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(file);
        Load(model, file, names, strict, "the state_dict");
    }

    /// <summary>Writes the model's weights as a PyTorch <c>state_dict</c> in safetensors (atomically).</summary>
    /// <exception cref="NotSupportedException">A layer with no PyTorch counterpart (a GRU with <c>ResetAfter = false</c>, a
    /// SimpleRnn whose activation is not tanh or relu).</exception>
    /// <param name="model">The model whose current weights are written (PyTorch layout: kernels transposed, LSTM/GRU gates
    /// in PyTorch's order, Keras's single LSTM bias as <c>bias_ih</c> with a zero <c>bias_hh</c>).</param>
    /// <param name="path">The <c>.safetensors</c> file to write, replaced if it exists; <c>torch</c> reads it with <c>safetensors.torch.load_file</c>.</param>
    /// <param name="names">Which PyTorch module each layer goes to; null uses each layer's own name.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="InvalidOperationException">The layer attributes on the model class cannot be matched to its layers (they are read for what the weights do not show: a GRU's form, the activations).</exception>
    public static void SavePyTorchWeights(this ISequentialModel model, string path, PyTorchNameMap? names = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, SafeTensorFile.ToBytes(ToPyTorchTensors(model, names), TorchMetadata));
    }

    /// <summary>Writes the model's weights as a PyTorch <c>state_dict</c> in safetensors to <paramref name="stream"/>.</summary>
    /// <inheritdoc cref="SavePyTorchWeights(ISequentialModel, string, PyTorchNameMap?)"/>
    public static void SavePyTorchWeights(this ISequentialModel model, Stream stream, PyTorchNameMap? names = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(SafeTensorFile.ToBytes(ToPyTorchTensors(model, names), TorchMetadata));
    }

    /// <summary>The model's weights as PyTorch tensors (names, shapes and layouts of the equivalent modules).</summary>
    /// <inheritdoc cref="SavePyTorchWeights(ISequentialModel, string, PyTorchNameMap?)"/>
    public static IReadOnlyList<SafeTensor> ToPyTorchTensors(this ISequentialModel model, PyTorchNameMap? names = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var groups = Plan(model, names ?? new PyTorchNameMap(), out var problems, out _);
        if (problems.Count > 0)
            throw new NotSupportedException($"'{model.Info.Name}' cannot be written as a PyTorch state_dict: {string.Join("; ", problems)}");
        var tensors = new List<SafeTensor>();
        DeviceSync.Pull(model);
        foreach (var g in groups)
        {
            var values = g.Export(model.Parameters);
            for (int i = 0; i < g.Entries.Length; i++)
                tensors.Add(SafeTensor.FromSingles(g.Entries[i].Key, values[i], g.Entries[i].Shape));
        }
        return tensors;
    }

    // What to do about a tensor no layer reads: nn.LSTM(proj_size=…) has no Keras or ModelGen counterpart; a key with no
    // module prefix comes from a module saved on its own (a bare nn.LSTM's state_dict), which Map(layer, "") reads; a
    // module named like the layer inside a Bidirectional is the whole bidirectional layer, which the wrapper's name maps.
    private static string UnexpectedHint(ModelInfo info, string key)
    {
        if (System.Text.RegularExpressions.Regex.IsMatch(key, @"(^|\.)weight_hr_l\d+(_reverse)?$"))
            return "an LSTM with proj_size, whose projection Keras's and ModelGen's LSTM do not have: export the model without it";
        int dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
            return "pass strict: false to ignore it; a key without a module prefix, as a module saved on its own (a bare nn.RNN's, nn.LSTM's or nn.GRU's state_dict) has, is read with new PyTorchNameMap().Map(layer, \"\")";
        string module = key[..dot];
        foreach (var layer in info.Layers)
            if (layer.Type == "Bidirectional" && layer.Parameters.Any(p => p.Name.StartsWith("forward_" + module + "/", StringComparison.Ordinal)))
                return $"'{module}' is the name of the layer inside Bidirectional '{layer.Name}'; a bidirectional nn.LSTM/nn.GRU is one module, which ModelGen names after the wrapper, as Keras names the layer: name the wrapper, [Bidirectional(Name = \"{module}\")], or map it with new PyTorchNameMap().Map(\"{layer.Name}\", \"{module}\")";
        return "pass strict: false to ignore it, or map its module with a PyTorchNameMap";
    }

    // A layer whose tensors are all missing while the file holds the same names and shapes under another module (or as
    // another layer of a multi-layer module: _l0 read as _lK): the module is named otherwise than the layer (trial S: a
    // module named 'encoder'; a Name written on the Dense inside TimeDistributed, which names no ModelGen layer).
    private static IEnumerable<string> RenameHints(ModelInfo info, List<Entry> all, List<Entry> missing, List<SafeTensor> unread)
    {
        static string Module(string key) => key.IndexOf('.', StringComparison.Ordinal) is int dot and >= 0 ? key[..dot] : "";
        static string Suffix(string key) => key.IndexOf('.', StringComparison.Ordinal) is int dot and >= 0 ? key[(dot + 1)..] : key;
        var candidates = unread.GroupBy(t => Module(t.Name)).Where(g => g.Key.Length > 0)
            .Select(g => (Module: g.Key, Tensors: g.ToDictionary(t => Suffix(t.Name), t => t.Shape, StringComparer.Ordinal))).ToList();
        foreach (var wanted in missing.GroupBy(e => Module(e.Key)))
        {
            string layer = wanted.Key;
            if (!info.Layers.Any(l => l.Name == layer)) continue; // mapped already: the map, not the name, is what to change
            if (all.Count(e => Module(e.Key) == layer) != wanted.Count()) continue; // some of its tensors were found under its name
            foreach (var (module, tensors) in candidates)
            {
                int? found = null;
                for (int k = 0; k < 8 && found is null; k++)
                {
                    bool every = wanted.All(e =>
                    {
                        string suffix = Suffix(e.Key);
                        string asLayerK = k == 0 ? suffix : System.Text.RegularExpressions.Regex.Replace(suffix, @"_l0(_reverse)?$", m => $"_l{k}{m.Groups[1].Value}");
                        return (k == 0 || asLayerK != suffix) && tensors.TryGetValue(asLayerK, out var shape) && shape.SequenceEqual(e.Shape);
                    });
                    if (every) found = k;
                }
                if (found is not int torchLayer) continue;
                yield return torchLayer == 0
                    ? $"layer '{layer}' reads module '{layer}', and the file holds the same tensors, of the same shapes, under module '{module}': map it, new PyTorchNameMap().Map(\"{layer}\", \"{module}\"), or name the layer '{module}' (a wrapped layer through its wrapper, e.g. [TimeDistributed(Name = \"{module}\")] or [Bidirectional(Name = \"{module}\")]: a Name on the layer inside names no ModelGen layer)"
                    : $"layer '{layer}' reads module '{layer}', and the file holds the same tensors, of the same shapes, as layer {torchLayer} of module '{module}' (…_l{torchLayer}): map it, new PyTorchNameMap().Map(\"{layer}\", \"{module}\", torchLayer: {torchLayer})";
                break;
            }
        }
    }

    private static readonly Dictionary<string, string> TorchMetadata = new() { ["format"] = "pt" };

    private static void Load(ISequentialModel model, SafeTensorFile file, PyTorchNameMap? names, bool strict, string source)
    {
        Workers.ThrowIfTrainingElsewhere(model, "LoadPyTorchWeights");
        var groups = Plan(model, names ?? new PyTorchNameMap(), out var problems, out var refused);
        var used = new HashSet<string>(StringComparer.Ordinal);
        var missing = new List<Entry>();
        foreach (var g in groups)
        {
            foreach (var e in g.Entries)
            {
                if (!file.TryGetTensor(e.Key, out var t))
                {
                    problems.Add($"'{e.Key}' is missing: {e.Role} needs it, {Shape(e.Shape)}");
                    missing.Add(e);
                    continue;
                }
                used.Add(e.Key);
                if (!t.IsFloatingPoint)
                    problems.Add($"'{e.Key}' is {SafeTensorFile.DTypeName(t.DType)}; {e.Role} needs a floating-point tensor (F32, F16, BF16 or F64)");
                if (!t.Shape.SequenceEqual(e.Shape))
                    problems.Add($"'{e.Key}' is {t.ShapeText}; {e.Role} needs {Shape(e.Shape)}");
            }
        }
        var unread = file.Tensors.Where(t => !used.Contains(t.Name) && !refused.Contains(t.Name)).ToList();
        if (strict)
            foreach (var t in unread)
                problems.Add($"'{t.Name}' {t.ShapeText} is unexpected: no layer of '{model.Info.Name}' reads it ({UnexpectedHint(model.Info, t.Name)})");
        if (missing.Count > 0) problems.AddRange(RenameHints(model.Info, [.. groups.SelectMany(g => g.Entries)], missing, unread));
        if (problems.Count > 0) throw new WeightImportException(model.Info.Name, source, problems);

        DeviceSync.Pull(model); // parameters the file does not hold keep the device's values
        var parameters = (float[])model.Parameters.Clone();
        foreach (var g in groups)
            g.Import(g.Entries.Select(e => file[e.Key].ToSingles()).ToArray(), parameters);
        parameters.CopyTo(model.Parameters, 0);
        DeviceSync.Push(model);
    }

    private static string Shape(long[] shape) => "[" + string.Join(", ", shape) + "]";

    /// <summary>One PyTorch tensor a layer reads or writes.</summary>
    private sealed record Entry(string Key, long[] Shape, string Role);

    /// <summary>The tensors of one layer (or direction) and how they map onto ModelGen's parameters.</summary>
    private sealed record Group(Entry[] Entries, Action<float[][], float[]> Import, Func<float[], float[][]> Export);

    // refused: the tensors that layers which cannot be exchanged with PyTorch would have read. The reasons name those
    // layers; a load does not list their tensors again as unexpected.
    private static List<Group> Plan(ISequentialModel model, PyTorchNameMap names, out List<string> problems, out HashSet<string> refused)
    {
        problems = [];
        refused = new HashSet<string>(StringComparer.Ordinal);
        var info = model.Info;
        // What the weights do not show is read from the declaration: a GRU's form (ResetAfter) when it has no bias,
        // and a SimpleRNN's activation (nn.RNN has only tanh and relu). A declaration that cannot be read is refused,
        // not skipped: without it these checks could not be made.
        var declared = ModelDeclaration.Read(model);
        var resetBefore = declared.Where(l => l.Core is GruAttribute { ResetAfter: false }).Select(l => l.Info.Name).ToHashSet();
        var rnnActivation = declared.Where(l => l.Core is SimpleRnnAttribute { Activation: not ("tanh" or "relu") })
            .ToDictionary(l => l.Info.Name, l => ((SimpleRnnAttribute)l.Core).Activation);
        // nn.LSTM and nn.GRU have tanh only.
        var gatedActivation = declared.Where(l => l.Core is GatedLayerAttribute { Activation: not "tanh" })
            .ToDictionary(l => l.Info.Name, l => ((GatedLayerAttribute)l.Core).Activation);
        // Their gates are sigmoid only.
        var gateActivation = declared.Where(l => l.Core is GatedLayerAttribute { RecurrentActivation: not "sigmoid" })
            .ToDictionary(l => l.Info.Name, l => ((GatedLayerAttribute)l.Core).RecurrentActivation);
        var groups = new List<Group>();
        var layerNames = info.Layers.Select(l => l.Name).ToHashSet(StringComparer.Ordinal);
        foreach (string mapped in names.Layers.Where(n => !layerNames.Contains(n)))
            problems.Add($"the name map names layer '{mapped}', which '{info.Name}' does not have (its layers: {string.Join(", ", layerNames)})");

        foreach (var layer in info.Layers)
        {
            var w = LayerWeights.Read(layer);
            var (module, torchLayer) = names.Resolve(layer.Name);
            string prefix = module.Length == 0 ? "" : module + "."; // "": a module saved on its own (bare nn.LSTM)
            switch (w.Kind)
            {
                case WeightKind.Embedding:
                    groups.Add(EmbeddingGroup(w, prefix));
                    break;
                case WeightKind.Dense:
                    groups.Add(DenseGroup(w, prefix));
                    break;
                case WeightKind.Recurrent:
                    // Every reason a layer cannot be held by PyTorch is listed, not only the first.
                    int known = problems.Count;
                    if (w.Gates == 3 && !w.TwoBiases && (w.Directions[0].Bias is not null || resetBefore.Contains(layer.Name)))
                        problems.Add($"{w.Describe()} is a GRU with ResetAfter = false, which has no PyTorch counterpart (nn.GRU applies the reset gate after the recurrent product, Keras reset_after=True); declare it [Gru(…, ResetAfter = true)]");
                    if (rnnActivation.TryGetValue(layer.Name, out string? activation))
                        problems.Add($"{w.Describe()} uses activation '{activation}', which nn.RNN does not have (its nonlinearity is 'tanh' or 'relu')");
                    if (gatedActivation.TryGetValue(layer.Name, out string? candidate))
                        problems.Add($"{w.Describe()} uses activation '{candidate}', which nn.LSTM and nn.GRU do not have (they compute tanh only); declare it with Activation = \"tanh\" to exchange weights with PyTorch");
                    if (gateActivation.TryGetValue(layer.Name, out string? gate))
                        problems.Add($"{w.Describe()} uses recurrent activation '{gate}', which nn.LSTM and nn.GRU do not have (their gates are sigmoid); declare it with RecurrentActivation = \"sigmoid\" to exchange weights with PyTorch");
                    if (problems.Count > known)
                    {
                        foreach (var d in w.Directions) refused.UnionWith(RecurrentGroup(w, d, prefix, torchLayer).Entries.Select(e => e.Key));
                        continue;
                    }
                    foreach (var d in w.Directions) groups.Add(RecurrentGroup(w, d, prefix, torchLayer));
                    break;
            }
        }
        foreach (var key in groups.SelectMany(g => g.Entries).GroupBy(e => e.Key).Where(k => k.Count() > 1))
            problems.Add($"'{key.Key}' is read by more than one layer ({string.Join("; ", key.Select(e => e.Role))}); give the layers different modules or PyTorch layer indices in the name map");
        return groups;
    }

    private static Group EmbeddingGroup(LayerWeights w, string prefix)
    {
        var view = w.Layer.Parameters[0];
        return new Group(
            [new Entry($"{prefix}weight", [view.Rows, view.Columns], $"{w.Describe()} embeddings (nn.Embedding.weight)")],
            (t, p) => t[0].CopyTo(p, view.Offset),
            p => [p.AsSpan(view.Offset, view.Length).ToArray()]);
    }

    private static Group DenseGroup(LayerWeights w, string prefix)
    {
        var kernel = w.Layer.Parameters[0];
        var bias = w.Layer.Parameters.Count > 1 ? w.Layer.Parameters[1] : null;
        var entries = new List<Entry> { new($"{prefix}weight", [w.Units, w.Inputs], $"{w.Describe()} kernel (nn.Linear.weight, [out, in])") };
        if (bias is not null) entries.Add(new($"{prefix}bias", [w.Units], $"{w.Describe()} bias"));
        return new Group(entries.ToArray(),
            (t, p) =>
            {
                GateLayout.Transpose(t[0], w.Units, w.Inputs, p.AsSpan(kernel.Offset, kernel.Length));
                if (bias is not null) t[1].CopyTo(p, bias.Offset);
            },
            p =>
            {
                var weight = new float[kernel.Length];
                GateLayout.Transpose(p.AsSpan(kernel.Offset, kernel.Length), w.Inputs, w.Units, weight);
                return bias is null ? [weight] : [weight, p.AsSpan(bias.Offset, bias.Length).ToArray()];
            });
    }

    private static Group RecurrentGroup(LayerWeights w, DirectionWeights d, string prefix, int torchLayer)
    {
        int h = w.Units, g = w.Gates, inputs = w.Inputs;
        var map = GateLayout.Torch(g);
        string suffix = $"_l{torchLayer}{(d.Backward ? "_reverse" : "")}";
        string role = w.Describe() + (w.Directions.Count == 2 ? (d.Backward ? ", backward copy" : ", forward copy") : "");
        var entries = new List<Entry>
        {
            new($"{prefix}weight_ih{suffix}", [g * h, inputs], $"{role}, kernel"),
            new($"{prefix}weight_hh{suffix}", [g * h, h], $"{role}, recurrent kernel"),
        };
        var bias = d.Bias;
        if (bias is not null)
        {
            entries.Add(new($"{prefix}bias_ih{suffix}", [g * h], $"{role}, input bias"));
            entries.Add(new($"{prefix}bias_hh{suffix}", [g * h], $"{role}, recurrent bias"));
        }
        return new Group(entries.ToArray(),
            (t, p) =>
            {
                GateLayout.GateMajorToKeras(t[0], inputs, h, map, p.AsSpan(d.Kernel.Offset, d.Kernel.Length));
                GateLayout.GateMajorToKeras(t[1], h, h, map, p.AsSpan(d.RecurrentKernel.Offset, d.RecurrentKernel.Length));
                if (bias is null) return;
                var target = p.AsSpan(bias.Offset, bias.Length);
                if (w.TwoBiases)
                {
                    GateLayout.OtherToKeras(t[2], h, map, target[..(g * h)]);
                    GateLayout.OtherToKeras(t[3], h, map, target[(g * h)..]);
                }
                else
                {
                    var sum = new float[g * h];
                    for (int i = 0; i < sum.Length; i++) sum[i] = t[2][i] + t[3][i];
                    GateLayout.OtherToKeras(sum, h, map, target);
                }
            },
            p =>
            {
                var ih = new float[g * h * inputs];
                var hh = new float[g * h * h];
                GateLayout.KerasToGateMajor(p.AsSpan(d.Kernel.Offset, d.Kernel.Length), inputs, h, map, ih);
                GateLayout.KerasToGateMajor(p.AsSpan(d.RecurrentKernel.Offset, d.RecurrentKernel.Length), h, h, map, hh);
                if (bias is null) return [ih, hh];
                var source = p.AsSpan(bias.Offset, bias.Length);
                var bIh = new float[g * h];
                var bHh = new float[g * h];
                GateLayout.KerasToOther(source[..(g * h)], h, map, bIh);
                if (w.TwoBiases) GateLayout.KerasToOther(source[(g * h)..], h, map, bHh);
                return [ih, hh, bIh, bHh];
            });
    }
}
