using System;
using System.Runtime.InteropServices;

namespace ModelGen;

/// <summary>
/// Loads a pretrained embedding matrix (GloVe, word2vec, fastText rows looked up per token id) into a model's Embedding
/// layer, as Keras users do with <c>Embedding(..., weights=[matrix], trainable=False)</c> or
/// <c>layer.set_weights([matrix])</c>. Declare the layer <c>[Embedding(inputDim, outputDim, Trainable = false)]</c> to keep
/// it frozen through <c>Fit</c>.
/// </summary>
public static class EmbeddingWeights
{
    /// <summary>Copies <paramref name="matrix"/> into the Embedding layer's <c>embeddings</c>: row <c>i</c> is token id <c>i</c>'s vector.</summary>
    /// <param name="model">The model.</param>
    /// <param name="matrix">The vectors, <c>[inputDim, outputDim]</c> (vocabulary size × embedding size), as the layer declares them.</param>
    /// <param name="layerName">The Embedding layer's name; null for the model's Embedding (a Sequential model has at most one, first).</param>
    /// <exception cref="ArgumentException">The model has no such Embedding layer, the matrix's shape is not the layer's (the
    /// message gives both shapes), or it holds NaN or ±∞ (a word a pretrained file lacks, filled with NaN: the message
    /// names its row and column). The parameters are unchanged then.</exception>
    public static void SetEmbeddings(this ISequentialModel model, float[,] matrix, string? layerName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(matrix);
        var view = Find(model, layerName);
        if (matrix.GetLength(0) != view.Rows || matrix.GetLength(1) != view.Columns)
            throw new ArgumentException($"embedding matrix is [{matrix.GetLength(0)}, {matrix.GetLength(1)}]; layer '{LayerName(model, layerName)}' of '{model.Info.Name}' needs [{view.Rows}, {view.Columns}] (inputDim, outputDim)", nameof(matrix));
        var values = MemoryMarshal.CreateReadOnlySpan(ref matrix[0, 0], matrix.Length);
        CheckFinite(values, view.Columns, nameof(matrix));
        DeviceSync.Pull(model); // the other parameters keep the device's values
        values.CopyTo(model.Parameters.AsSpan(view.Offset, view.Length));
        DeviceSync.Push(model);
    }

    /// <summary>Copies a flat, row-major <c>[inputDim, outputDim]</c> matrix into the Embedding layer's <c>embeddings</c>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="matrix">The vectors, row-major: token id <c>i</c>'s vector at <c>[i·outputDim, (i + 1)·outputDim)</c>.</param>
    /// <param name="inputDim">Rows of <paramref name="matrix"/> (vocabulary size), checked against the layer.</param>
    /// <param name="outputDim">Columns of <paramref name="matrix"/> (embedding size), checked against the layer.</param>
    /// <param name="layerName">The Embedding layer's name; null for the model's Embedding.</param>
    /// <exception cref="ArgumentException">No such layer, the shape or length does not match, or a value is NaN or ±∞; the
    /// parameters are unchanged then.</exception>
    public static void SetEmbeddings(this ISequentialModel model, ReadOnlySpan<float> matrix, int inputDim, int outputDim, string? layerName = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var view = Find(model, layerName);
        if (inputDim != view.Rows || outputDim != view.Columns)
            throw new ArgumentException($"embedding matrix is [{inputDim}, {outputDim}]; layer '{LayerName(model, layerName)}' of '{model.Info.Name}' needs [{view.Rows}, {view.Columns}] (inputDim, outputDim)", nameof(matrix));
        if (matrix.Length != view.Length)
            throw new ArgumentException($"embedding matrix holds {matrix.Length} floats; [{inputDim}, {outputDim}] is {view.Length}", nameof(matrix));
        CheckFinite(matrix, view.Columns, nameof(matrix));
        DeviceSync.Pull(model);
        matrix.CopyTo(model.Parameters.AsSpan(view.Offset, view.Length));
        DeviceSync.Push(model);
    }

    // Keras's set_weights takes NaN silently, and every later pass that reads the row gives NaN; refused here.
    private static void CheckFinite(ReadOnlySpan<float> matrix, int columns, string parameter)
    {
        int at = NonFinite.IndexIn(matrix);
        if (at < 0) return;
        throw new ArgumentException(System.FormattableString.Invariant(
            $"embedding matrix holds {matrix[at]} at row {at / columns} (token id), column {at % columns}; every value must be a finite number (fill missing words with zeros or random vectors)"), parameter);
    }

    private static ParameterInfo Find(ISequentialModel model, string? layerName)
    {
        foreach (var layer in model.Info.Layers)
        {
            if (layer.Type != "Embedding" || (layerName is not null && layer.Name != layerName)) continue;
            return layer.Parameters[0];
        }
        throw new ArgumentException(layerName is null
            ? $"model '{model.Info.Name}' has no Embedding layer"
            : $"model '{model.Info.Name}' has no Embedding layer named '{layerName}'", nameof(layerName));
    }

    private static string LayerName(ISequentialModel model, string? layerName)
        => layerName ?? Array.Find([.. model.Info.Layers], l => l.Type == "Embedding")!.Name;
}
