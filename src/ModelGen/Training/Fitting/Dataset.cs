using System;
using System.Collections.Generic;
using System.Linq;
using System.Globalization;

namespace ModelGen;

/// <summary>Flat batch-major inputs and targets with their per-sample sizes, checked against the model.</summary>
internal readonly struct Dataset<TInput> where TInput : unmanaged
{
    public TInput[] Inputs { get; init; }
    public float[] Targets { get; init; }
    public int Offset { get; init; }
    public int Samples { get; init; }
    public int Steps { get; init; }
    public int InputWidth { get; init; }

    /// <summary>Output floats per sample.</summary>
    public int OutputWidth { get; init; }

    /// <summary>Target values per sample: the output width, or one class index per output row for a sparse loss.</summary>
    public int TargetWidth { get; init; }

    /// <summary>Output rows per sample: 1, or the steps of a sequence output.</summary>
    public int RowsPerSample { get; init; }

    /// <summary>One weight per output row of every sample (<c>[samples, rows per sample]</c>), or empty: unweighted.</summary>
    public float[] Weights { get; init; }

    /// <summary>The sample index (in <see cref="Inputs"/>) that <see cref="Weights"/> starts at; slices keep it.</summary>
    public int WeightOffset { get; init; }

    /// <summary>Checks <paramref name="x"/> and <paramref name="y"/> against the model; <paramref name="loss"/> decides the target shape (null: as the output).</summary>
    public static Dataset<TInput> Create(ISequentialModel<TInput> model, TInput[] x, float[]? y, int? timeSteps, string xName, string? yName, Loss? loss = null,
        IReadOnlyList<(Loss Loss, string Metric)>? metricTargets = null)
    {
        ArgumentNullException.ThrowIfNull(x, xName);
        if (yName is not null) ArgumentNullException.ThrowIfNull(y, yName); // targets are asked for (Fit, Evaluate, validation data): null is a mistake, found before any batch
        var shape = Shape(model, timeSteps, loss);
        var info = model.Info;
        int inputWidth = shape.InputWidth, steps = shape.Steps;
        if (x.Length == 0 || x.Length % inputWidth != 0)
            throw new ArgumentException(x.Length == 0
                ? $"{xName} is empty; it must be {shape.DescribeInputs()} with at least one sample ({inputWidth} values each)"
                : $"{xName} must be {shape.DescribeInputs()}, a multiple of {inputWidth} values, but holds {x.Length}", xName);
        int samples = x.Length / inputWidth;
        CheckOutputFits(samples, shape.OutputWidth, xName);
        int targetWidth = shape.TargetWidth, perRow = targetWidth / shape.RowsPerSample;
        if (y is not null && y.Length != samples * targetWidth)
        {
            string rows = info.OutputIsSequence ? $"{samples}, {shape.RowsPerSample}" : $"{samples}"; // a RepeatVector sets the output steps
            string yShape = perRow == info.OutputUnits ? $"[{rows}, {info.OutputUnits}]" : $"[{rows}] class indices ({loss!.Name})";
            // x's length alone gave the sample count: when y holds a whole number of samples, x may be the wrong one (trial Q).
            int ySamples = y.Length / targetWidth;
            string hint = y.Length % targetWidth == 0 && ySamples > 0 && x.Length % ySamples == 0
                ? $" ({yName} holds {ySamples} samples' targets: if {xName} holds {ySamples} samples, each has {x.Length / ySamples} values, not the {inputWidth} of {shape.DescribeInputs()})"
                : "";
            throw new ArgumentException($"{yName} must be {yShape} = {samples * targetWidth} floats for the {samples} samples in {xName}, but holds {y.Length}{hint}", yName);
        }
        if (x is int[] ids && info.TakesTokens && Kernels.Embedding.FirstOutside(ids, info.VocabularySize) is int bad and >= 0)
            throw InvalidToken(info, xName, bad, ids[bad], bad / steps, bad % steps, "Checked before any batch ran: nothing was changed");
        if (y is not null && loss?.FindInvalidTarget(y, info.OutputUnits) is (int at, float value))
            throw InvalidTarget(loss, info.OutputUnits, yName!, at, value, at / targetWidth, at % targetWidth / perRow, shape.RowsPerSample);
        if (y is not null)
            foreach (var (metricLoss, metric) in metricTargets ?? [])
                if (metricLoss.FindInvalidTarget(y, info.OutputUnits) is (int m, float refused))
                    throw InvalidTarget(metricLoss, info.OutputUnits, yName!, m, refused, m / targetWidth, m % targetWidth / perRow, shape.RowsPerSample,
                        $"The compiled metric '{metric}' reads it so. Checked before any batch ran: nothing was changed");
        return shape with { Inputs = x, Targets = y ?? Array.Empty<float>(), Samples = samples };
    }

    /// <summary>
    /// Fit's check before any batch: NaN or ∞ in the float inputs, or in the targets, of the samples it trains on, which would
    /// stop training at the batch holding them with the batches before it applied. Targets are not checked where the output
    /// is a sequence that a step mask may cover (a Masking or Embedding layer): a masked step's target is never read.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is NaN or ∞; the message says where (sample, step, feature).</exception>
    public void CheckFinite(ModelInfo info, string xName, string yName)
    {
        if (Inputs is float[] xs && FirstNonFinite(xs.AsSpan(Offset * InputWidth, Samples * InputWidth)) is int atX and >= 0)
        {
            int index = Offset * InputWidth + atX, perStep = InputWidth / Steps;
            throw new ArgumentOutOfRangeException(xName, xs[index], string.Create(CultureInfo.InvariantCulture,
                $"{xName}[{index}] (sample {index / InputWidth}, step {index % InputWidth / perStep}, feature {index % perStep}) is {Show(xs[index])}: Fit trains on finite inputs (NaN or ∞ makes the loss non-finite). Checked before any batch ran: nothing was changed"));
        }
        bool maySkipTargets = info.OutputIsSequence && info.Layers.Any(l => l.Type is "Masking" or "Embedding");
        if (maySkipTargets || Targets.Length == 0) return;
        if (FirstNonFinite(Targets.AsSpan(Offset * TargetWidth, Samples * TargetWidth)) is int atY and >= 0)
        {
            int index = Offset * TargetWidth + atY, perRow = TargetWidth / RowsPerSample;
            string where = RowsPerSample > 1 ? $"sample {index / TargetWidth}, output step {index % TargetWidth / perRow}" : $"sample {index / TargetWidth}";
            throw new ArgumentOutOfRangeException(yName, Targets[index], string.Create(CultureInfo.InvariantCulture,
                $"{yName}[{index}] ({where}) is {Show(Targets[index])}: Fit trains on finite targets (NaN or ∞ makes the loss non-finite). Checked before any batch ran: nothing was changed"));
        }
    }

    private static string Show(float value) => float.IsNaN(value) ? "NaN" : value > 0 ? "∞" : "-∞";

    // The index of the first NaN or ∞, or −1 (the vectorised test first: the data are nearly always finite).
    private static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        if (System.Numerics.Tensors.TensorPrimitives.IsFiniteAll(values)) return -1;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i])) return i;
        return -1;
    }

    /// <summary>The error for a token id outside the vocabulary: where it is in the caller's data, what it is, what was expected.</summary>
    internal static ArgumentOutOfRangeException InvalidToken(ModelInfo info, string where, int index, int id, int sample, int step, string outcome)
        => new(where, id, string.Create(CultureInfo.InvariantCulture,
            $"{where}{(index >= 0 ? $"[{index}]" : "")} (sample {sample}, step {step}) is {id}, but Embedding '{info.Layers[0].Name}' takes token ids in [0, {info.VocabularySize - 1}]. {outcome}"));

    /// <summary>
    /// The error for a target <paramref name="loss"/> cannot take: where it is in the caller's data (the sample, and the
    /// output step of a sequence), what it is and what was expected.
    /// </summary>
    /// <param name="loss">The loss the target is for.</param>
    /// <param name="width">Output units per row.</param>
    /// <param name="yName">Name of the targets.</param>
    /// <param name="index">The value's index in the caller's array, or −1 where there is none (a data source).</param>
    /// <param name="value">The target.</param>
    /// <param name="sample">Its sample, as the caller counts them.</param>
    /// <param name="row">Its output step within the sample.</param>
    /// <param name="rowsPerSample">Output rows per sample (1 unless the output is a sequence).</param>
    /// <param name="outcome">What became of the call, the sentence that ends the message.</param>
    internal static ArgumentOutOfRangeException InvalidTarget(Loss loss, int width, string yName, int index, float value, int sample, int row, int rowsPerSample,
        string outcome = "Checked before any batch ran: nothing was changed")
    {
        string where = rowsPerSample > 1 ? $"sample {sample}, output step {row}" : $"sample {sample}";
        return new ArgumentOutOfRangeException(yName, value, string.Create(CultureInfo.InvariantCulture,
            $"{yName}{(index >= 0 ? $"[{index}]" : "")} ({where}) is {value}, which is not a valid target: {loss.ValidTargets(width)}. {outcome}"));
    }

    /// <summary>
    /// The per-sample sizes of <paramref name="model"/>'s data, with no samples: the steps, input, output and target widths
    /// (<paramref name="loss"/> decides the target shape; null: as the output).
    /// </summary>
    public static Dataset<TInput> Shape(ISequentialModel<TInput> model, int? timeSteps, Loss? loss)
    {
        var info = model.Info;
        int steps = info.TimeSteps ?? timeSteps
            ?? throw new ArgumentException($"model '{info.Name}' accepts any sequence length: pass timeSteps so the samples can be told apart", nameof(timeSteps));
        if (timeSteps is int positive && positive <= 0)
            throw new ArgumentOutOfRangeException(nameof(timeSteps), positive, $"timeSteps must be ≥ 1 (steps per sample of model '{info.Name}'); got {positive}");
        if (info.TimeSteps is int declared && timeSteps is int given && given != declared)
            throw new ArgumentException($"model '{info.Name}' was declared with TimeSteps = {declared}, but timeSteps = {given} was passed", nameof(timeSteps));
        int perStep = info.TakesTokens ? 1 : info.InputFeatures;
        if ((long)steps * perStep > Array.MaxLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"timeSteps = {steps} gives each sample of model '{info.Name}' {(long)steps * perStep:N0} input values, more than one .NET array holds ({Array.MaxLength:N0}): use shorter sequences"), nameof(timeSteps));
        int outputWidth = model.OutputLength(1, steps); // throws InvalidOperationException past one array's length
        int rowsPerSample = outputWidth / info.OutputUnits;
        int perRow = loss?.TargetsPerRow(info.OutputUnits) ?? info.OutputUnits;
        return new Dataset<TInput>
        {
            Inputs = Array.Empty<TInput>(), Targets = Array.Empty<float>(), Steps = steps, InputWidth = steps * perStep,
            OutputWidth = outputWidth, TargetWidth = rowsPerSample * perRow, RowsPerSample = rowsPerSample, Weights = Array.Empty<float>(),
            TakesTokens = info.TakesTokens,
        };
    }

    /// <summary>True when the inputs are token ids (<c>[samples, steps]</c>), false for features (<c>[samples, steps, features]</c>).</summary>
    public bool TakesTokens { get; init; }

    /// <summary>The inputs' shape in words, e.g. <c>[samples, 8] token ids</c> or <c>[samples, 4, 2]</c>.</summary>
    public string DescribeInputs()
        => TakesTokens ? $"[samples, {Steps}] token ids" : $"[samples, {Steps}, {InputWidth / Steps}]";

    /// <summary>Throws when the outputs of <paramref name="samples"/> samples would not fit in one array.</summary>
    public static void CheckOutputFits(int samples, int outputWidth, string xName)
    {
        if ((long)samples * outputWidth > Array.MaxLength)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"{xName} holds {samples} samples whose outputs ({outputWidth} floats each, {(long)samples * outputWidth} in all) exceed the {Array.MaxLength} floats one array holds: pass fewer samples per call"), xName);
    }

    public Dataset<TInput> Slice(int start, int count) => this with { Offset = Offset + start, Samples = count };

    /// <summary>
    /// The same data weighted as Keras weights it: <paramref name="sampleWeight"/> per sample (<c>[samples]</c>, spread
    /// over the steps of a sequence output) or per output step (<c>[samples, steps]</c>, Keras's "temporal" weights), or
    /// <paramref name="classWeight"/>, the weight of each row's class (its class index, the argmax of a one-hot row, or
    /// the rounded target of a single unit). At most one of the two; neither leaves the data unweighted.
    /// </summary>
    public Dataset<TInput> Weighted(float[]? sampleWeight, IReadOnlyDictionary<int, float>? classWeight, string weightName, string classWeightName)
    {
        CheckOneWeighting(sampleWeight, classWeight, weightName, classWeightName);
        if (sampleWeight is null && classWeight is null) return this;
        int rows = Samples * RowsPerSample;
        var weights = new float[rows];
        if (sampleWeight is not null)
        {
            bool perSample = sampleWeight.Length == Samples, perRow = sampleWeight.Length == rows;
            if (!perSample && !perRow)
                throw new ArgumentException(RowsPerSample == 1
                    ? $"{weightName} must be [samples] = {Samples} weights, one per sample, but holds {sampleWeight.Length}"
                    : $"{weightName} must be [samples] = {Samples} weights (one per sample) or [samples, steps] = {rows} (one per output step, Keras's temporal weights), but holds {sampleWeight.Length}", weightName);
            for (int i = 0; i < sampleWeight.Length; i++) CheckWeight(sampleWeight[i], weightName, $"{weightName}[{i}]");
            for (int r = 0; r < rows; r++) weights[r] = perRow ? sampleWeight[r] : sampleWeight[r / RowsPerSample];
        }
        else
        {
            foreach (var (c, w) in classWeight!) CheckWeight(w, classWeightName, $"{classWeightName}[{c}]");
            int perRow = TargetWidth / RowsPerSample;
            var targets = Targets.AsSpan(Offset * TargetWidth, Samples * TargetWidth);
            for (int r = 0; r < rows; r++)
            {
                var t = targets.Slice(r * perRow, perRow);
                int c = perRow == 1 ? (int)MathF.Round(t[0], MidpointRounding.ToEven) : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(t);
                weights[r] = classWeight.TryGetValue(c, out float w) ? w : 1f;
            }
        }
        // The weights cover this slice's samples only: they start at its offset.
        return this with { Weights = weights, WeightOffset = Offset };
    }

    /// <summary>Keras refuses sample and class weights together: so does ModelGen.</summary>
    public static void CheckOneWeighting(float[]? sampleWeight, IReadOnlyDictionary<int, float>? classWeight, string weightName, string classWeightName)
    {
        if (sampleWeight is not null && classWeight is not null)
            throw new ArgumentException($"pass either {weightName} or {classWeightName}, not both (Keras: \"You cannot `class_weight` and `sample_weight` at the same time\")", classWeightName);
    }

    private static void CheckWeight(float w, string parameter, string what)
    {
        if (!float.IsFinite(w) || w < 0)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{what} is {w}; weights must be finite and ≥ 0"), parameter);
    }
}

/// <summary>What <see cref="Batch{TInput}.TrainStep"/> applied.</summary>
internal enum StepResult
{
    /// <summary>Backward and the optimizer step ran.</summary>
    Applied,

    /// <summary>The loss was NaN or ±∞: neither backward nor the step ran.</summary>
    NonFiniteLoss,

    /// <summary>The loss was finite but a gradient was not: the step did not run.</summary>
    NonFiniteGradient,
}

/// <summary>One batch's buffers, allocated once per Fit/Evaluate and reused for every step.</summary>
internal sealed class Batch<TInput> where TInput : unmanaged
{
    private readonly ISequentialModel<TInput> _model;
    private readonly int _inputWidth;
    private readonly int _outputWidth;
    private readonly int _targetWidth;
    private readonly int _rowsPerSample, _outputUnits;
    private readonly int _steps;
    private readonly TInput[] _x;
    private readonly float[] _y;
    private readonly float[] _output;
    private readonly float[] _gradient;
    private readonly float[] _weights;
    private readonly bool _weighted;
    private float[] _maskedOutput = Array.Empty<float>(), _maskedTargets = Array.Empty<float>(), _maskedGradient = Array.Empty<float>(), _maskedWeights = Array.Empty<float>(), _maskedLossInput = Array.Empty<float>();
    private readonly ILogitOutput? _logitOutput;
    private readonly IDeviceEngine? _engine;
    private byte[] _deviceMask = Array.Empty<byte>();
    private bool _deviceOutputPending;
    private Loss? _fusedFor, _fused;
    private int _count;
    private int _rows;
    private bool _masked;

    public Batch(ISequentialModel<TInput> model, Dataset<TInput> data, int capacity)
        : this(model, data, capacity, data.Weights.Length > 0)
    {
    }

    /// <summary>Buffers for batches of up to <paramref name="capacity"/> samples of <paramref name="data"/>'s shape, with row weights when <paramref name="weighted"/>.</summary>
    public Batch(ISequentialModel<TInput> model, Dataset<TInput> data, int capacity, bool weighted)
    {
        _model = model;
        _logitOutput = model as ILogitOutput;
        _engine = DeviceSync.Engine(model);
        _inputWidth = data.InputWidth;
        _outputWidth = data.OutputWidth;
        _targetWidth = data.TargetWidth;
        _rowsPerSample = data.RowsPerSample;
        _outputUnits = model.Info.OutputUnits;
        _steps = data.Steps;
        _x = new TInput[capacity * _inputWidth];
        _y = new float[capacity * _targetWidth];
        _output = new float[capacity * _outputWidth];
        _gradient = new float[capacity * _outputWidth];
        _weighted = weighted;
        _weights = _weighted ? new float[capacity * data.RowsPerSample] : Array.Empty<float>();
    }

    /// <summary>The output rows the last step's loss used: every row, or only the unmasked ones.</summary>
    public int Rows => DeviceOutput()._rows;

    /// <summary>The last step's outputs the loss used, <c>[Rows, units]</c> (on a device: copied back when first read).</summary>
    public ReadOnlySpan<float> Output => DeviceOutput()._masked ? _maskedOutput.AsSpan(0, _rows * _model.Info.OutputUnits) : _output.AsSpan(0, _count * _outputWidth);

    /// <summary>The last step's targets the loss used, <c>[Rows, units]</c> (or one class index per row for a sparse loss).</summary>
    public ReadOnlySpan<float> Targets => DeviceOutput()._masked ? _maskedTargets.AsSpan(0, _rows * TargetsPerRow) : _y.AsSpan(0, _count * _targetWidth);

    /// <summary>The last step's row weights, one per row of <see cref="Output"/>; empty when the data is unweighted.</summary>
    public ReadOnlySpan<float> Weights => !_weighted ? default : DeviceOutput()._masked ? _maskedWeights.AsSpan(0, _rows) : _weights.AsSpan(0, _count * RowsPerSample);

    private ReadOnlySpan<float> AllWeights => _weighted ? _weights.AsSpan(0, _count * RowsPerSample) : default;

    /// <summary>
    /// On a device, the first read of the last step's output (by a metric) copies it and its mask back and gathers the
    /// real rows as the host loss does; without metrics nothing comes back. A no-op on the host.
    /// </summary>
    private Batch<TInput> DeviceOutput()
    {
        if (!_deviceOutputPending) return this;
        _deviceOutputPending = false;
        int allRows = _count * RowsPerSample;
        if (_deviceMask.Length < allRows) _deviceMask = new byte[_output.Length / _model.Info.OutputUnits];
        var output = _output.AsSpan(0, _count * _outputWidth);
        _masked = _engine!.ReadOutput(output, _deviceMask.AsSpan(0, allRows));
        _rows = _masked ? Gather(_deviceMask.AsSpan(0, allRows), output, output) : allRows;
        return this;
    }

    /// <summary>Throws NotSupportedException before training when the model is on a device that cannot train with this optimizer and loss.</summary>
    public void CheckDevice(Optimizer optimizer, Loss loss) => _engine?.CheckTraining(optimizer, loss);

    /// <summary>Samples in the last batch loaded.</summary>
    public int Count => _count;

    private int RowsPerSample => _outputWidth / _model.Info.OutputUnits;

    private int TargetsPerRow => _targetWidth / RowsPerSample;

    /// <summary>Gathers the samples at <paramref name="indices"/>.</summary>
    public void Load(Dataset<TInput> data, ReadOnlySpan<int> indices)
    {
        for (int i = 0; i < indices.Length; i++)
        {
            int s = data.Offset + indices[i];
            data.Inputs.AsSpan(s * _inputWidth, _inputWidth).CopyTo(_x.AsSpan(i * _inputWidth));
            data.Targets.AsSpan(s * _targetWidth, _targetWidth).CopyTo(_y.AsSpan(i * _targetWidth));
            if (_weighted) data.Weights.AsSpan((s - data.WeightOffset) * RowsPerSample, RowsPerSample).CopyTo(_weights.AsSpan(i * RowsPerSample));
        }
        _count = indices.Length;
    }

    /// <summary>Gathers samples [start, start+count) in order.</summary>
    public void LoadRange(Dataset<TInput> data, int start, int count)
    {
        int s = data.Offset + start;
        data.Inputs.AsSpan(s * _inputWidth, count * _inputWidth).CopyTo(_x);
        data.Targets.AsSpan(s * _targetWidth, count * _targetWidth).CopyTo(_y);
        if (_weighted) data.Weights.AsSpan((s - data.WeightOffset) * RowsPerSample, count * RowsPerSample).CopyTo(_weights);
        _count = count;
    }

    /// <summary>Copies <paramref name="count"/> samples already gathered batch-major (inputs, targets, and row weights when weighted).</summary>
    public void Load(ReadOnlySpan<TInput> x, ReadOnlySpan<float> y, ReadOnlySpan<float> weights, int count)
    {
        x.Slice(0, count * _inputWidth).CopyTo(_x);
        y.Slice(0, count * _targetWidth).CopyTo(_y);
        if (_weighted) weights.Slice(0, count * RowsPerSample).CopyTo(_weights);
        _count = count;
    }

    /// <summary>
    /// Forward, loss, backward and one optimizer step; returns the batch's mean loss and what was applied. The loss is
    /// known before <c>Backward</c>: a non-finite loss skips backward and the step (<see cref="StepResult.NonFiniteLoss"/>),
    /// and a non-finite gradient skips the step (<see cref="StepResult.NonFiniteGradient"/>), so the parameters and the
    /// optimizer state stay as they were, bit for bit.
    /// </summary>
    public float TrainStep(Optimizer optimizer, Loss loss, out StepResult result)
    {
        if (_engine is not null)
        {
            var fusedLoss = Fused(loss);
            float batchLoss = _engine.TrainBatch<TInput>(_x.AsSpan(0, _count * _inputWidth), _y.AsSpan(0, _count * _targetWidth), AllWeights,
                _count, _steps, optimizer, fusedLoss ?? loss, fusedLoss is not null, out var applied);
            _deviceOutputPending = true;
            result = (StepResult)applied;
            return batchLoss;
        }
        var output = _output.AsSpan(0, _count * _outputWidth);
        var gradient = _gradient.AsSpan(0, output.Length);
        _model.Forward(_x.AsSpan(0, _count * _inputWidth), _count, _steps, output, training: true);
        var fused = Fused(loss);
        float value = fused is null
            ? ComputeLoss(loss, output, output, gradient)
            : ComputeLoss(fused, _logitOutput!.OutputLogits, output, gradient);
        value += Regularization.Penalty(_model.Info, _model.Parameters); // Keras: loss + sum(model.losses)
        if (!float.IsFinite(value))
        {
            result = StepResult.NonFiniteLoss;
            return value;
        }
        Array.Clear(_model.Gradients);
        if (fused is null) _model.Backward(gradient, default);
        else _logitOutput!.BackwardFromLogits(gradient, default);
        Regularization.AddGradients(_model.Info, _model.Parameters, _model.Gradients);
        if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(_model.Gradients))
        {
            result = StepResult.NonFiniteGradient;
            return value;
        }
        optimizer.Step(_model.Parameters, _model.Gradients, _model.Info);
        result = StepResult.Applied;
        return value;
    }

    /// <summary>
    /// Throws when a token id of the loaded batch is outside the vocabulary or a target cannot be one of
    /// <paramref name="loss"/>'s (a class index out of range), naming the sample by its index in the caller's data;
    /// called before the batch runs, so it is not applied.
    /// </summary>
    /// <param name="loss">The compiled loss.</param>
    /// <param name="indices">The batch's samples as indices into the caller's data, or empty: they are consecutive from <paramref name="first"/>.</param>
    /// <param name="first">Added to each index (the first sample's index when <paramref name="indices"/> is empty).</param>
    /// <param name="xName">Name of the inputs.</param>
    /// <param name="yName">Name of the targets.</param>
    /// <param name="metricTargets">The losses compiled metrics read targets through, with their names (checked as the loss's;
    /// each reads targets shaped as the loss's).</param>
    public void CheckData(Loss loss, ReadOnlySpan<int> indices, int first, string xName, string yName, IReadOnlyList<(Loss Loss, string Metric)>? metricTargets = null)
    {
        if (_x is int[] ids && _model.Info.TakesTokens && Kernels.Embedding.FirstOutside(ids.AsSpan(0, _count * _inputWidth), _model.Info.VocabularySize) is int bad and >= 0)
        {
            int p = bad / _inputWidth;
            throw Dataset<TInput>.InvalidToken(_model.Info, xName, -1, ids[bad], first + (indices.IsEmpty ? p : indices[p]), bad % _inputWidth, "This batch was not applied");
        }
        if (_targetWidth == 0) return;
        CheckTargets(loss, indices, first, yName, "This batch was not applied");
        foreach (var (metricLoss, metric) in metricTargets ?? [])
            CheckTargets(metricLoss, indices, first, yName, $"The compiled metric '{metric}' reads it so. This batch was not applied");
    }

    // Throws for the loaded batch's first target `rule` cannot take, naming its sample in the source.
    private void CheckTargets(Loss rule, ReadOnlySpan<int> indices, int first, string yName, string outcome)
    {
        if (rule.FindInvalidTarget(_y.AsSpan(0, _count * _targetWidth), _outputUnits) is not (int at, float value)) return;
        int perRow = _targetWidth / _rowsPerSample;
        int position = at / _targetWidth, offset = at % _targetWidth;
        int sample = first + (indices.IsEmpty ? position : indices[position]);
        throw Dataset<TInput>.InvalidTarget(rule, _outputUnits, yName, -1, value, sample, offset / perRow, _rowsPerSample, outcome);
    }

    /// <summary>
    /// The samples of the loaded batch whose inputs (float features) or targets hold NaN or ±∞ (or, when both are finite,
    /// whose outputs are not: an all-padding sample under masked average pooling), as indices into the
    /// data set given to Fit, e.g. <c>"x holds NaN or ∞ in samples 5, 9; y in sample 12"</c>; null when there are none.
    /// </summary>
    /// <param name="sampleIndex">Maps a position in the batch to the sample's index in the caller's arrays.</param>
    /// <param name="xName">Name of the inputs.</param>
    /// <param name="yName">Name of the targets.</param>
    public string? DescribeNonFiniteRows(Func<int, int> sampleIndex, string xName, string yName)
    {
        const int Shown = 10;
        var badX = new List<int>();
        var badY = new List<int>();
        // Under a step mask only the real rows' targets are read: a NaN at a masked step is no cause (trial R).
        var mask = _engine is null ? _model.OutputMask : default;
        int perRow = _targetWidth / RowsPerSample;
        bool masked = mask.Length == _count * RowsPerSample;
        for (int i = 0; i < _count; i++)
        {
            if (_x is float[] floats && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(floats.AsSpan(i * _inputWidth, _inputWidth)))
                badX.Add(sampleIndex(i));
            bool badTarget = false;
            for (int r = 0; r < RowsPerSample && !badTarget; r++)
                badTarget = (!masked || mask[i * RowsPerSample + r] != 0)
                    && !System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(_y.AsSpan(i * _targetWidth + r * perRow, perRow));
            if (badTarget) badY.Add(sampleIndex(i));
        }
        static string Rows(List<int> rows)
        {
            rows.Sort();
            string shown = string.Join(", ", rows.GetRange(0, Math.Min(rows.Count, Shown)));
            return (rows.Count == 1 ? "sample " : "samples ") + shown + (rows.Count > Shown ? $" … ({rows.Count} in all)" : "");
        }
        if (badX.Count == 0 && badY.Count == 0)
        {
            // Finite data, yet non-finite outputs: name those samples (the model's host outputs; a device keeps its own).
            if (_engine is not null) return null;
            var badOutput = new List<int>();
            for (int i = 0; i < _count; i++)
                if (!System.Numerics.Tensors.TensorPrimitives.IsFiniteAll<float>(_output.AsSpan(i * _outputWidth, _outputWidth)))
                    badOutput.Add(sampleIndex(i));
            if (badOutput.Count == 0) return null;
            bool averaged = _model.Info.Layers.Any(l => l.Type == "GlobalAveragePooling1D");
            return $"the model's output is NaN or ∞ for {Rows(badOutput)}, whose inputs and targets are finite" + (averaged
                ? " (a sample whose steps are all masked padding, such as an empty text, averages nothing under GlobalAveragePooling1D: 0/0, as in Keras; give it a real step or leave it out)"
                : "");
        }
        var parts = new List<string>(2);
        if (badX.Count > 0) parts.Add($"{xName} holds NaN or ∞ in {Rows(badX)}");
        if (badY.Count > 0) parts.Add($"{yName} holds NaN or ∞ in {Rows(badY)}");
        return string.Join("; ", parts);
    }

    /// <summary>Forward and loss only; returns the batch's mean loss.</summary>
    public float EvaluateStep(Loss loss)
    {
        if (_engine is not null)
        {
            var fusedLoss = Fused(loss);
            float batchLoss = _engine.EvaluateBatch<TInput>(_x.AsSpan(0, _count * _inputWidth), _y.AsSpan(0, _count * _targetWidth), AllWeights,
                _count, _steps, fusedLoss ?? loss, fusedLoss is not null);
            _deviceOutputPending = true;
            return batchLoss;
        }
        var output = _output.AsSpan(0, _count * _outputWidth);
        _model.Forward(_x.AsSpan(0, _count * _inputWidth), _count, _steps, output);
        var fused = Fused(loss);
        float value = fused is null ? ComputeLoss(loss, output, output, default) : ComputeLoss(fused, _logitOutput!.OutputLogits, output, default);
        return value + Regularization.Penalty(_model.Info, _model.Parameters); // Keras evaluates loss + sum(model.losses) too
    }

    /// <summary>
    /// The from-logits twin of <paramref name="loss"/> when the model exposes its logits (<see cref="ILogitOutput"/>) and
    /// the loss is the cross-entropy of its output activation; null otherwise. Made once per loss.
    /// </summary>
    private Loss? Fused(Loss loss)
    {
        if (_logitOutput is null) return null;
        if (!ReferenceEquals(loss, _fusedFor))
        {
            _fusedFor = loss;
            _fused = loss.FusedWith(_logitOutput.OutputActivation);
        }
        return _fused;
    }

    /// <summary>
    /// The loss of the last forward pass, computed on <paramref name="lossInput"/> (the output, or the logits when the
    /// loss is fused with the output activation); metrics read <paramref name="output"/>. When the output carries a step
    /// mask, the unmasked rows are gathered and the loss is their (weighted) mean (Keras's masked mean over valid
    /// steps); masked rows get zero gradient. A batch with no real row has loss 0 and zero gradient, as in Keras.
    /// </summary>
    private float ComputeLoss(Loss loss, ReadOnlySpan<float> lossInput, ReadOnlySpan<float> output, Span<float> gradient)
    {
        var mask = _model.OutputMask;
        int allRows = _count * RowsPerSample;
        _masked = !mask.IsEmpty;
        if (lossInput.Length != output.Length)
            throw new InvalidOperationException($"model '{_model.Info.Name}' reported {lossInput.Length} output logits for {output.Length} outputs");
        if (!_masked)
        {
            _rows = allRows;
            return loss.Compute(lossInput, _y.AsSpan(0, _count * _targetWidth), allRows, Weights, gradient);
        }
        if (mask.Length != allRows)
            throw new InvalidOperationException($"model '{_model.Info.Name}' reported an output mask of {mask.Length} rows for {allRows} output rows");
        bool separate = lossInput != output;
        int units = _model.Info.OutputUnits;
        int valid = Gather(mask, lossInput, output);
        _rows = valid;
        if (valid == 0)
        {
            gradient.Clear();
            return 0f; // Keras divides an all-masked batch's zero sum with divide_no_nan
        }
        var compactGradient = gradient.IsEmpty ? default : _maskedGradient.AsSpan(0, valid * units);
        var compactInput = (separate ? _maskedLossInput : _maskedOutput).AsSpan(0, valid * units);
        float value = loss.Compute(compactInput, _maskedTargets.AsSpan(0, valid * TargetsPerRow), valid, Weights, compactGradient);
        if (!gradient.IsEmpty)
        {
            for (int r = 0, j = 0; r < allRows; r++)
            {
                var row = gradient.Slice(r * units, units);
                if (mask[r] == 0) row.Clear();
                else compactGradient.Slice(j++ * units, units).CopyTo(row);
            }
        }
        return value;
    }

    /// <summary>
    /// Gathers the unmasked rows of <paramref name="output"/> (and of <paramref name="lossInput"/> when it is another
    /// span), their targets and weights into the masked buffers; returns how many there are and marks the batch masked.
    /// </summary>
    private int Gather(ReadOnlySpan<byte> mask, ReadOnlySpan<float> lossInput, ReadOnlySpan<float> output)
    {
        int allRows = mask.Length;
        _masked = true;
        bool separate = lossInput != output;
        int units = _model.Info.OutputUnits, perRow = TargetsPerRow;
        if (_maskedOutput.Length < allRows * units || separate && _maskedLossInput.Length < allRows * units)
        {
            int capacity = _output.Length / units; // rows of the largest batch
            _maskedOutput = new float[capacity * units];
            _maskedGradient = new float[capacity * units];
            _maskedTargets = new float[capacity * perRow];
            if (_weighted) _maskedWeights = new float[capacity];
            if (separate) _maskedLossInput = new float[capacity * units];
        }
        int valid = 0;
        for (int r = 0; r < allRows; r++)
        {
            if (mask[r] == 0) continue;
            output.Slice(r * units, units).CopyTo(_maskedOutput.AsSpan(valid * units));
            if (separate) lossInput.Slice(r * units, units).CopyTo(_maskedLossInput.AsSpan(valid * units));
            _y.AsSpan(r * perRow, perRow).CopyTo(_maskedTargets.AsSpan(valid * perRow));
            if (_weighted) _maskedWeights[valid] = _weights[r];
            valid++;
        }
        return valid;
    }
}
