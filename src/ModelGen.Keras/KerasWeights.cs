using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Interop;
using PureHDF;

namespace ModelGen.Keras;

/// <summary>
/// Loads weights saved by Keras's <c>model.save_weights</c> into the equivalent ModelGen declaration: Keras 3
/// <c>.weights.h5</c> files and legacy Keras 2 <c>.h5</c> files. ModelGen keeps Keras's layouts and gate orders,
/// so weights are copied as they are; every dataset's presence, shape and dtype is checked first and every
/// mismatch is reported in one <see cref="WeightImportException"/>, leaving the model unchanged.
/// </summary>
/// <remarks>
/// <para>Keras 3 (<c>keras/src/saving/saving_lib.py</c>): weights are found where Keras 3 saves and loads them, not
/// by the layers' own names: each layer of the model, in order, is keyed by its class in snake case, counted per class
/// (<c>lstm</c>, <c>lstm_1</c>, <c>dense</c>, <c>global_average_pooling1d</c> …; Keras's comment: names "may vary
/// across two instances of the same model"), so a layer declared with a <c>Name</c> of its own still reads its
/// weights, and a file loads into any declaration of the same layers in the same order:
/// <c>layers/&lt;key&gt;/vars/i</c> (Embedding, Dense), <c>layers/&lt;key&gt;/cell/vars/i</c> (SimpleRNN, LSTM,
/// GRU), <c>…/forward_layer/cell/vars/i</c> and <c>…/backward_layer/cell/vars/i</c> (Bidirectional),
/// <c>…/layer/vars/i</c> (TimeDistributed). Datasets under <c>layers/</c> that no layer reads are errors.</para>
/// <para>Legacy Keras 2 (<c>hdf5_format.py</c>): as Keras's default <c>load_weights(by_name=False)</c>, the layers
/// that have weights are matched in order (root attribute <c>layer_names</c>, each layer's <c>weight_names</c>),
/// whatever their names. A whole model saved with <c>model.save("x.h5")</c> is read from its <c>model_weights</c>
/// group the same way (its architecture is not read: the declaration is the architecture).</para>
/// <para>HDF5 is read with PureHDF, which is why this lives in its own package: the core ModelGen package has no
/// HDF5 dependency and stays trimming- and NativeAOT-clean.</para>
/// </remarks>
public static class KerasWeights
{
    /// <summary>
    /// Loads a Keras weight file (<c>.weights.h5</c> or legacy <c>.h5</c>), or the weights of a Keras 3 <c>.keras</c>
    /// archive (<c>model.save("x.keras")</c>, Keras 3's default format: a zip whose <c>model.weights.h5</c> is read; its
    /// <c>config.json</c> is not, the declaration being the architecture), into <paramref name="model"/>.
    /// </summary>
    /// <param name="model">The generated model whose parameters receive the weights.</param>
    /// <param name="path">The file written by <c>model.save_weights</c>, or by Keras 3's <c>model.save</c>.</param>
    /// <exception cref="InvalidDataException">Neither an HDF5 file nor a <c>.keras</c> archive holding one, or neither of Keras's layouts.</exception>
    /// <exception cref="WeightImportException">Missing, unexpected or misshaped weights (all of them listed).</exception>
    /// <exception cref="FileNotFoundException">There is no file at <paramref name="path"/>.</exception>
    /// <exception cref="IOException"><paramref name="path"/> is a folder, or the file cannot be read.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (a callback of that run may call it).</exception>
    public static void LoadKerasWeights(this ISequentialModel model, string path)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath.CheckReadable(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"'{path}' does not exist", path);
        using var stream = File.OpenRead(path);
        Load(model, stream, $"'{path}'");
    }

    /// <summary>Loads a Keras weight file from <paramref name="stream"/> (which must be seekable).</summary>
    /// <inheritdoc cref="LoadKerasWeights(ISequentialModel, string)"/>
    public static void LoadKerasWeights(this ISequentialModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        Load(model, stream, "the stream");
    }

    // HDF5 files start with \x89 'H' 'D' 'F' \r \n \x1a \n (a user block would move it; Keras writes none).
    private static ReadOnlySpan<byte> Hdf5Signature => [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A];

    // A zip's local file header: 'P' 'K' 3 4. Keras 3's .keras archive is a zip.
    private static ReadOnlySpan<byte> ZipSignature => [0x50, 0x4B, 0x03, 0x04];

    // The weights inside a .keras archive (keras/src/saving/saving_lib.py: _VARS_FNAME + ".h5").
    private const string ArchiveWeights = "model.weights.h5";

    private static void Load(ISequentialModel model, Stream stream, string source)
    {
        Workers.ThrowIfTrainingElsewhere(model, "LoadKerasWeights");
        Span<byte> signature = stackalloc byte[8];
        long start = stream.Position;
        int read = stream.ReadAtLeast(signature, 8, throwOnEndOfStream: false);
        if (read >= 4 && signature[..4].SequenceEqual(ZipSignature))
        {
            stream.Position = start;
            using var weights = ArchiveEntry(stream, source);
            Load(model, weights, $"{source} ({ArchiveWeights} of the .keras archive)");
            return;
        }
        if (read != 8 || !signature.SequenceEqual(Hdf5Signature))
            throw new InvalidDataException($"{source} is not an HDF5 file (no HDF5 signature at its start) nor a Keras 3 .keras archive (a zip); expected a file written by Keras's model.save_weights, or by Keras 3's model.save");
        stream.Position = start;

        var problems = new List<string>();
        var values = new List<(ParameterInfo View, float[] Data)>();
        try
        {
            using var file = H5File.Open(stream, leaveOpen: true);
            if (file.LinkExists("layers"))
                ReadKeras3(model.Info, file, problems, values);
            else if (file.AttributeExists("layer_names") || file.AttributeExists("layer_names0")) // whole, or in chunks (see Names)
                ReadLegacy(model.Info, file, problems, values);
            else if (file.LinkExists("model_weights")) // a whole legacy model (model.save("x.h5")): its weights group
                ReadLegacy(model.Info, file.Group("model_weights"), problems, values);
            else
                throw new InvalidDataException($"{source} is HDF5 but neither a Keras 3 .weights.h5 (no 'layers' group) nor a legacy Keras .h5 weight or model file (no 'layer_names' attribute, no 'model_weights' group)");
        }
        catch (Exception e) when (e is not InvalidDataException and not WeightImportException)
        {
            throw new InvalidDataException($"{source} could not be read as HDF5: {e.Message}", e);
        }
        if (problems.Count > 0) throw new WeightImportException(model.Info.Name, source, problems);

        DeviceSync.Pull(model); // a model on a device: parameters the file does not hold keep the device's values
        var parameters = (float[])model.Parameters.Clone();
        foreach (var (view, data) in values) data.CopyTo(parameters, view.Offset);
        parameters.CopyTo(model.Parameters, 0);
        DeviceSync.Push(model);
    }

    // The archive's model.weights.h5 as a seekable copy in memory (PureHDF seeks; a zip entry's stream does not).
    private static MemoryStream ArchiveEntry(Stream stream, string source)
    {
        try
        {
            using var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Read, leaveOpen: true);
            var entry = zip.GetEntry(ArchiveWeights)
                ?? throw new InvalidDataException($"{source} is a zip but holds no {ArchiveWeights}; expected a .keras archive written by Keras 3's model.save (it holds {string.Join(", ", zip.Entries.Take(8).Select(e => e.FullName))})");
            var copy = new MemoryStream();
            using (var from = entry.Open()) from.CopyTo(copy);
            copy.Position = 0;
            return copy;
        }
        catch (Exception e) when (e is not InvalidDataException)
        {
            throw new InvalidDataException($"{source} starts as a zip (a .keras archive) but could not be read as one: {e.Message}", e);
        }
    }

    /// <summary>Keras's shape of a ModelGen parameter: vectors are 1-D, GRU's two biases [2, 3·units].</summary>
    private static ulong[] KerasShape(ParameterInfo p) =>
        p.Rows == 1 && p.Name.EndsWith("bias", StringComparison.Ordinal) ? [(ulong)p.Columns] : [(ulong)p.Rows, (ulong)p.Columns];

    private static string Shape(IEnumerable<ulong> dims) => "(" + string.Join(", ", dims) + (dims.Count() == 1 ? ",)" : ")");

    /// <summary>Reads <paramref name="dataset"/> into <paramref name="view"/>'s values after checking its dtype and shape.</summary>
    private static void Take(IH5Dataset dataset, string where, ParameterInfo view, string role, List<string> problems, List<(ParameterInfo, float[])> values)
    {
        var expected = KerasShape(view);
        var dims = dataset.Space.Dimensions;
        bool ok = true;
        if (dataset.Type.Class != H5DataTypeClass.FloatingPoint || dataset.Type.Size is not (4 or 8))
        {
            problems.Add($"'{where}' is {dataset.Type.Class} of {dataset.Type.Size} bytes; {role} needs float32 (or float64)");
            ok = false;
        }
        if (!dims.SequenceEqual(expected))
        {
            problems.Add($"'{where}' is {Shape(dims)}; {role} needs {Shape(expected)}{ResetAfterHint(view, dims, expected)}");
            ok = false;
        }
        if (!ok) return;
        float[] data = dataset.Type.Size == 4
            ? dataset.Read<float[]>()
            : Array.ConvertAll(dataset.Read<double[]>(), v => (float)v);
        values.Add((view, data));
    }

    // A GRU's bias is [2, 3·units] with Keras's reset_after=True (its default, ModelGen's ResetAfter = true) and
    // [3·units] with reset_after=False: a file of the other form says which one it is.
    private static string ResetAfterHint(ParameterInfo view, ulong[] dims, ulong[] expected)
    {
        if (!view.Name.EndsWith("bias", StringComparison.Ordinal)) return "";
        if (expected.Length == 2 && expected[0] == 2 && dims.Length == 1 && dims[0] == expected[1])
            return " (a GRU bias of one row is Keras's reset_after=False: declare the layer with ResetAfter = false)";
        if (expected.Length == 1 && dims.Length == 2 && dims[0] == 2 && dims[1] == expected[0])
            return " (a GRU bias of two rows is Keras's reset_after=True, its default: drop ResetAfter = false from the layer)";
        return "";
    }

    private static string Role(LayerInfo layer, ParameterInfo p) => $"layer '{layer.Name}' ({layer.Type}) {p.Name}";

    // The list `name` of `group`, whole or in chunks; empty where it has neither. Keras 2 splits a name list over HDF5's
    // 64 KB object-header limit into name0, name1 … (hdf5_format.py, save_attributes_to_hdf5_group;
    // load_attributes_from_hdf5_group reads them back in order): one list either way.
    private static string[] Names(IH5Object group, string name, string where)
    {
        if (group.AttributeExists(name)) return NamesOf(group.Attribute(name), where);
        var names = new List<string>();
        for (int chunk = 0; ; chunk++)
        {
            string key = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}{chunk}");
            if (!group.AttributeExists(key)) return [.. names];
            names.AddRange(NamesOf(group.Attribute(key), $"{where} (chunk {chunk})"));
        }
    }

    /// <summary>
    /// A string-list attribute (<c>layer_names</c>, <c>weight_names</c>). h5py stores an empty Python list as an empty
    /// float64 array, which Keras 2 writes for every layer without weights (Dropout, Masking, pooling …): empty is empty
    /// whatever its type.
    /// </summary>
    private static string[] NamesOf(IH5Attribute attribute, string where)
    {
        if (attribute.Space.Dimensions.Aggregate(1UL, (a, d) => a * d) == 0) return [];
        if (attribute.Type.Class != H5DataTypeClass.String && attribute.Type.Class != H5DataTypeClass.VariableLength)
            throw new InvalidDataException($"{where} is {attribute.Type.Class}; a legacy Keras file stores names there as strings");
        return attribute.Read<string[]>();
    }

    /// <summary>
    /// Each layer's key in a Keras 3 weight file: its Keras class in snake case (Keras's <c>naming.to_snake_case</c>),
    /// with <c>_1</c>, <c>_2</c> … for the second, third … layer of the same class, counted over every layer in order.
    /// </summary>
    internal static string[] Keras3Keys(ModelInfo info)
    {
        var used = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new string[info.Layers.Count];
        for (int i = 0; i < keys.Length; i++)
        {
            string name = SnakeCase(info.Layers[i].Type);
            int n = used[name] = used.TryGetValue(name, out int before) ? before + 1 : 0;
            keys[i] = n == 0 ? name : $"{name}_{n}";
        }
        return keys;
    }

    /// <summary>Keras's <c>to_snake_case</c>: <c>SimpleRNN</c> → <c>simple_rnn</c>, <c>GlobalAveragePooling1D</c> → <c>global_average_pooling1d</c>.</summary>
    internal static string SnakeCase(string name)
    {
        name = System.Text.RegularExpressions.Regex.Replace(name, @"\W+", "");
        name = System.Text.RegularExpressions.Regex.Replace(name, "(.)([A-Z][a-z]+)", "$1_$2");
        name = System.Text.RegularExpressions.Regex.Replace(name, "([a-z])([A-Z])", "$1_$2");
        return name.ToLowerInvariant();
    }

    private static void ReadKeras3(ModelInfo info, PureHDF.VOL.Native.NativeFile file, List<string> problems, List<(ParameterInfo, float[])> values)
    {
        var expected = new HashSet<string>(StringComparer.Ordinal);
        var keys = Keras3Keys(info);
        for (int l = 0; l < info.Layers.Count; l++)
        {
            var layer = info.Layers[l];
            if (layer.Parameters.Count == 0) continue;
            var w = LayerWeights.Read(layer);
            string root = $"layers/{keys[l]}";
            var paths = new List<(string Path, ParameterInfo View)>();
            switch (w.Kind)
            {
                case WeightKind.Embedding:
                case WeightKind.Dense:
                    string owner = layer.Type == "TimeDistributed" ? root + "/layer" : root;
                    for (int i = 0; i < layer.Parameters.Count; i++) paths.Add(($"{owner}/vars/{i}", layer.Parameters[i]));
                    break;
                case WeightKind.Recurrent:
                    foreach (var d in w.Directions)
                    {
                        string cell = w.Directions.Count == 2 ? $"{root}/{(d.Backward ? "backward_layer" : "forward_layer")}/cell" : $"{root}/cell";
                        var views = d.Bias is null ? new[] { d.Kernel, d.RecurrentKernel } : [d.Kernel, d.RecurrentKernel, d.Bias];
                        for (int i = 0; i < views.Length; i++) paths.Add(($"{cell}/vars/{i}", views[i]));
                    }
                    break;
            }
            foreach (var (path, view) in paths)
            {
                expected.Add(path);
                if (!file.LinkExists(path))
                {
                    problems.Add($"'{path}' is missing: {Role(layer, view)} needs it, {Shape(KerasShape(view))}");
                    continue;
                }
                Take(file.Dataset(path), path, view, Role(layer, view), problems, values);
            }
        }
        foreach (string path in Datasets(file.Group("layers"), "layers").Where(p => !expected.Contains(p)))
            problems.Add($"'{path}' is unexpected: no layer of '{info.Name}' reads it (Keras 3 keys layers by class and position: this model's layers are {string.Join(", ", info.Layers.Select((l, i) => l.Name == keys[i] ? l.Name : $"{l.Name} as '{keys[i]}'"))})");
    }

    private static IEnumerable<string> Datasets(IH5Group group, string path)
    {
        foreach (var child in group.Children())
        {
            string childPath = $"{path}/{child.Name}";
            if (child is IH5Group g)
                foreach (var p in Datasets(g, childPath)) yield return p;
            else if (child is IH5Dataset)
                yield return childPath;
        }
    }

    private static void ReadLegacy(ModelInfo info, IH5Group file, List<string> problems, List<(ParameterInfo, float[])> values)
    {
        var fileLayers = new List<(string Name, string[] Weights)>();
        foreach (string name in Names(file, "layer_names", "the attribute layer_names"))
        {
            if (!file.LinkExists(name))
            {
                problems.Add($"layer_names lists '{name}', but the file has no group of that name");
                continue;
            }
            var group = file.Group(name);
            string[] weights = Names(group, "weight_names", $"layer '{name}''s weight_names");
            if (weights.Length > 0) fileLayers.Add((name, weights));
        }
        var modelLayers = info.Layers.Where(l => l.Parameters.Count > 0).ToList();
        if (fileLayers.Count != modelLayers.Count)
            problems.Add($"the file has {fileLayers.Count} layers with weights ({string.Join(", ", fileLayers.Select(l => l.Name))}), but '{info.Name}' has {modelLayers.Count} ({string.Join(", ", modelLayers.Select(l => l.Name))}); legacy files are matched layer by layer, in order");
        for (int i = 0; i < Math.Min(fileLayers.Count, modelLayers.Count); i++)
        {
            var (name, weights) = fileLayers[i];
            var layer = modelLayers[i];
            if (weights.Length != layer.Parameters.Count)
            {
                problems.Add($"file layer '{name}' has {weights.Length} weights ({string.Join(", ", weights)}), but layer '{layer.Name}' ({layer.Type}) has {layer.Parameters.Count} ({string.Join(", ", layer.Parameters.Select(p => p.Name))})");
                continue;
            }
            var group = file.Group(name);
            for (int k = 0; k < weights.Length; k++)
            {
                string where = $"{name}/{weights[k]}";
                if (!group.LinkExists(weights[k]))
                {
                    problems.Add($"'{where}' is listed in weight_names but missing");
                    continue;
                }
                Take(group.Dataset(weights[k]), where, layer.Parameters[k], Role(layer, layer.Parameters[k]), problems, values);
            }
        }
    }
}
