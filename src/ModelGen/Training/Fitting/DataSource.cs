using System;

namespace ModelGen;

/// <summary>
/// Samples produced on demand, for data that does not fit in one array: the counterpart of PyTorch's map-style
/// <c>torch.utils.data.Dataset</c> (<c>__len__</c> and <c>__getitem__</c>) fed through a <c>DataLoader</c>, and of
/// Keras's <c>keras.utils.PyDataset</c>. <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> take a source where they take
/// arrays; the runtime owns the batch buffers (allocated once per call, reused for every batch), decides the order
/// (shuffled per epoch exactly as the array overloads shuffle, with the same <c>seed</c>), cuts the batches (the last
/// one partial, as with arrays) and asks the source for the samples of each batch by index.
/// </summary>
/// <remarks>
/// <para>A subclass implements <see cref="Count"/> and <see cref="Read"/>; it may override <see cref="ReadBatch"/> to
/// read a whole batch at once (e.g. one file read for consecutive indices), <see cref="Validate"/> to check its sample
/// sizes against the model before anything is trained, and <see cref="OnEpochEnd"/> (Keras's <c>on_epoch_end</c>).</para>
/// <para>With <see cref="Prefetch"/> (the default) the runtime reads batch <c>i + 1</c> on a background thread while the
/// model trains on batch <c>i</c> (PyTorch <c>DataLoader(num_workers=1)</c>, Keras <c>PyDataset(workers=1)</c>): reads
/// come from that one thread, one call at a time, never two at once (a source passed as both training and validation
/// data of one <c>Fit</c> is never read twice at once either; one instance given to calls running at the same time on
/// several threads is, so give each its own). An exception a read throws surfaces on the thread
/// that called <c>Fit</c>/<c>Evaluate</c>/<c>Predict</c> as a <see cref="DataSourceException"/> naming the batch and its
/// samples, with the original as <see cref="Exception.InnerException"/>; the background thread ends with the call
/// (early stopping, an exception or cancellation included).</para>
/// <para>Every sample has the model's fixed shape: inputs <c>[steps, features]</c> floats or <c>[steps]</c> token ids,
/// targets <c>[units]</c>, or <c>[steps, units]</c> for a sequence output (one class index per output row for a sparse
/// loss). Ready-made sources: <see cref="ArraySource{TInput}"/> (arrays in memory, PyTorch's <c>TensorDataset</c>) and
/// <see cref="RecordFileSource{TInput}"/> (a binary file of fixed-length records read on demand).</para>
/// </remarks>
/// <typeparam name="TInput"><c>float</c> for feature inputs, <c>int</c> for token ids: the model's input type.</typeparam>
public abstract class DataSource<TInput> where TInput : unmanaged
{
    /// <summary>Number of samples (PyTorch <c>__len__</c>; Keras's <c>__len__</c> counts batches instead). At least 1.</summary>
    public abstract int Count { get; }

    /// <summary>
    /// True when <see cref="Read"/> writes sample weights (Keras <c>sample_weight</c>): then <c>Fit</c> and <c>Evaluate</c>
    /// weight the loss and the weighted metrics as the array overloads' <c>sampleWeight</c> does. False by default.
    /// </summary>
    public virtual bool HasSampleWeights => false;

    /// <summary>
    /// True (the default) to read the next batch on a background thread while the model works on the current one;
    /// false to read each batch on the calling thread when it is needed (worth it only when reading costs nothing,
    /// as for <see cref="ArraySource{TInput}"/>).
    /// </summary>
    public virtual bool Prefetch => true;

    /// <summary>
    /// Writes sample <paramref name="index"/> into the runtime's buffers (PyTorch <c>__getitem__</c>).
    /// </summary>
    /// <param name="index">The sample, in <c>[0, Count)</c>.</param>
    /// <param name="input">The sample's inputs, <c>[steps, features]</c> floats or <c>[steps]</c> token ids, batch-major within the sample.</param>
    /// <param name="target">The sample's targets, <c>[units]</c> or <c>[steps, units]</c> (one class index per output row for
    /// a sparse loss); empty when the caller needs none (<c>Predict</c>): then write nothing.</param>
    /// <param name="weight">The sample's weights, one per output row (<c>[1]</c>, or <c>[steps]</c> for a sequence output:
    /// write the same value everywhere for a per-sample weight); empty unless <see cref="HasSampleWeights"/>.</param>
    /// <remarks>Called from one thread at a time (the prefetching thread when <see cref="Prefetch"/> is true). Values are
    /// read as they are: NaN or ∞ in a batch stops <c>Fit</c> with an <see cref="ArithmeticException"/> naming the samples.
    /// Write every value of each span given (the buffers are reused from batch to batch): a value left unwritten fails the
    /// batch with a <see cref="DataSourceException"/> naming it, before any of the batch is applied.</remarks>
    public abstract void Read(int index, Span<TInput> input, Span<float> target, Span<float> weight);

    /// <summary>
    /// Writes the samples at <paramref name="indices"/> one after another (PyTorch <c>__getitems__</c>). The default calls
    /// <see cref="Read"/> for each; override it to read a batch at once.
    /// </summary>
    /// <param name="indices">The samples of the batch, in batch order (shuffled or consecutive).</param>
    /// <param name="inputs">Batch inputs, <c>[batch, steps, features]</c> or <c>[batch, steps]</c>: sample <c>i</c> at <c>i · inputs.Length / batch</c>.</param>
    /// <param name="targets">Batch targets, <c>[batch, …]</c> as for <see cref="Read"/>; empty when none are needed.</param>
    /// <param name="weights">Batch weights, <c>[batch, rows]</c>; empty unless <see cref="HasSampleWeights"/>.</param>
    /// <remarks>Every value of each span must be written, as for <see cref="Read"/>.</remarks>
    public virtual void ReadBatch(ReadOnlySpan<int> indices, Span<TInput> inputs, Span<float> targets, Span<float> weights)
    {
        int n = indices.Length;
        if (n == 0) return;
        int inputWidth = inputs.Length / n, targetWidth = targets.Length / n, weightWidth = weights.Length / n;
        for (int i = 0; i < n; i++)
        {
            ReadingIndex = indices[i]; // left set when Read throws, so the error can name the sample
            Read(indices[i], inputs.Slice(i * inputWidth, inputWidth), targets.Slice(i * targetWidth, targetWidth), weights.Slice(i * weightWidth, weightWidth));
        }
        ReadingIndex = -1;
    }

    /// <summary>The sample the default <see cref="ReadBatch"/> is reading (after a throw: the one whose <see cref="Read"/> threw); −1 otherwise.</summary>
    internal int ReadingIndex { get; set; } = -1;

    /// <summary>
    /// Checks that this source's samples have the sizes the model needs; called on the caller's thread before the first
    /// batch, so a mismatch fails before anything is trained. The default accepts any sizes.
    /// </summary>
    /// <param name="shape">The values one sample has: inputs, targets (0 for <c>Predict</c>) and weights (0 when unweighted).</param>
    /// <exception cref="ArgumentException">Override to throw when the sizes do not match this source's data; say what was
    /// expected and what the source holds.</exception>
    protected internal virtual void Validate(SampleShape shape) { }

    /// <summary>
    /// Called after every complete epoch of <c>Fit</c>, on the caller's thread, when no read is in progress (Keras
    /// <c>PyDataset.on_epoch_end</c>): e.g. to switch to the next shard of a corpus. The default does nothing.
    /// </summary>
    public virtual void OnEpochEnd() { }

    /// <summary>
    /// Throws unless a source holding <paramref name="inputLength"/> input values, <paramref name="targetLength"/> targets
    /// (null: none) and <paramref name="weightLength"/> weights per sample (1 per sample, or one per output row) serves
    /// <paramref name="shape"/>.
    /// </summary>
    internal static void CheckSizes(string source, int inputLength, int? targetLength, int weightLength, SampleShape shape)
    {
        if (inputLength != shape.InputLength)
            throw new ArgumentException($"{source} holds {inputLength} input values per sample, but the model takes {shape.InputLength} ({shape.Steps} steps)", nameof(shape));
        if (shape.TargetLength > 0 && targetLength is null)
            throw new ArgumentException($"{source} has no targets, but {shape.TargetLength} per sample are needed", nameof(shape));
        if (shape.TargetLength > 0 && targetLength != shape.TargetLength)
            throw new ArgumentException($"{source} holds {targetLength} targets per sample, but the model and loss need {shape.TargetLength}", nameof(shape));
        if (shape.WeightLength > 0 && weightLength != 1 && weightLength != shape.WeightLength)
            throw new ArgumentException($"{source} holds {weightLength} weights per sample, but the model needs 1 (per sample) or {shape.WeightLength} (one per output step)", nameof(shape));
    }
}

/// <summary>The sizes of one sample that a <see cref="DataSource{TInput}"/> is asked for.</summary>
/// <param name="Steps">Time steps per sample.</param>
/// <param name="InputLength">Input values per sample: <c>steps · features</c> floats, or <c>steps</c> token ids.</param>
/// <param name="TargetLength">Target values per sample: the output width (<c>units</c>, or <c>steps · units</c> for a
/// sequence output), or one class index per output row for a sparse loss; 0 when no targets are needed (<c>Predict</c>).</param>
/// <param name="WeightLength">Weights per sample: one per output row (1, or <c>steps</c> for a sequence output); 0 when
/// the source has no sample weights.</param>
public readonly record struct SampleShape(int Steps, int InputLength, int TargetLength, int WeightLength);

/// <summary>
/// A <see cref="DataSource{TInput}"/> failed while producing a batch: its message names the source, the call, the batch
/// and its first samples; <see cref="Exception.InnerException"/> is what the source threw. Nothing of that batch was
/// applied to the model.
/// </summary>
public sealed class DataSourceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What failed and where.</param>
    /// <param name="innerException">What the source threw.</param>
    public DataSourceException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">What failed and where.</param>
    public DataSourceException(string message) : base(message) { }

    /// <summary>Creates the exception with a generic message.</summary>
    public DataSourceException() : base("a data source failed while producing a batch") { }
}
