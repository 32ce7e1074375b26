using System;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// The memory a model needs, told up front: what its parameters, gradients, optimizer state and workspace take, and a
/// budget that makes a pass whose workspace would exceed it fail before anything is allocated.
/// </summary>
public static class Memory
{
    private static long? s_budget = ReadBudget();

    /// <summary>
    /// The most bytes one model's workspace may take (the arrays a forward and backward pass keep, which grow with batch
    /// size × steps); null for no limit. Read once from <c>MODELGEN_WORKSPACE_BUDGET</c> (bytes) when set. A pass that
    /// would need more throws <see cref="InvalidOperationException"/> with the figure, before allocating, and leaves the
    /// model as it was. The budget is checked when a workspace grows: a model that already holds a larger one from earlier
    /// passes keeps it, and passes that fit in it run (they allocate nothing); a new instance starts from none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A budget that is not positive.</exception>
    public static long? WorkspaceBudget
    {
        get => s_budget;
        set
        {
            if (value is <= 0) throw new ArgumentOutOfRangeException(nameof(value), value, "a workspace budget must be positive bytes, or null for none");
            s_budget = value;
        }
    }

    private static long? ReadBudget()
        => long.TryParse(Environment.GetEnvironmentVariable("MODELGEN_WORKSPACE_BUDGET"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long b) && b > 0 ? b : null;

    /// <summary>
    /// Checks, before a workspace grows, that it fits: no single array over .NET's limit and the total within
    /// <see cref="WorkspaceBudget"/>. Called by generated code.
    /// </summary>
    /// <param name="model">The model class's name.</param>
    /// <param name="batchSize">Samples per pass.</param>
    /// <param name="timeSteps">Steps per sample.</param>
    /// <param name="bytes">The workspace the pass needs, in bytes.</param>
    /// <param name="largest">Elements of its largest array.</param>
    /// <exception cref="InvalidOperationException">The workspace would not fit.</exception>
    public static void CheckWorkspace(string model, int batchSize, int timeSteps, long bytes, long largest)
    {
        if (largest > Array.MaxLength)
            throw new InvalidOperationException(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"model '{model}': a pass of {batchSize} samples × {timeSteps} steps needs an array of {largest:N0} elements, more than one .NET array holds ({Array.MaxLength:N0}): {Advice(batchSize)}"));
        if (s_budget is long budget && bytes > budget)
            throw new InvalidOperationException(
                $"model '{model}': a pass of {batchSize} samples × {timeSteps} steps needs {Format(bytes)} of workspace, more than the budget of {Format(budget)} (ModelGen.Memory.WorkspaceBudget): {Advice(batchSize)}, or raise the budget");
    }

    // What makes a pass smaller: fewer samples, unless it has one already; then only its length (the input's, or a
    // RepeatVector's n, which sets the steps after it) or the layers' sizes.
    private static string Advice(int batchSize) => batchSize > 1
        ? "use smaller batches or shorter sequences"
        : "even one sample is too large: use shorter sequences, a smaller RepeatVector n or fewer units";

    /// <summary>
    /// The output length of a pass, <c>batchSize · rowsPerSample · units</c>, or an exception when the sizes are not
    /// positive or no array holds it (counted without overflow). Called by generated code (<c>OutputLength</c>).
    /// </summary>
    /// <param name="model">The model class's name.</param>
    /// <param name="batchSize">Samples per pass, ≥ 1.</param>
    /// <param name="timeSteps">Steps per sample, ≥ 1.</param>
    /// <param name="rowsPerSample">Output rows per sample: 1, <paramref name="timeSteps"/> for a sequence output, or a RepeatVector's n.</param>
    /// <param name="units">Output units per row.</param>
    /// <returns>The length.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> or <paramref name="timeSteps"/> is not positive.</exception>
    /// <exception cref="InvalidOperationException">The length is more than one .NET array holds.</exception>
    public static int CheckOutput(string model, int batchSize, int timeSteps, int rowsPerSample, int units)
    {
        if (batchSize <= 0) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"model '{model}': batch size must be positive");
        if (timeSteps <= 0) throw new ArgumentOutOfRangeException(nameof(timeSteps), timeSteps, $"model '{model}': time steps must be positive");
        long rows = (long)batchSize * rowsPerSample; // both below 2³¹: no overflow
        if (rows > Array.MaxLength / units)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"model '{model}': a pass of {batchSize} samples × {timeSteps} steps gives {rows:N0} × {units} output values, more than one .NET array holds ({Array.MaxLength:N0}): {Advice(batchSize)}"));
        return (int)(rows * units);
    }

    /// <summary>
    /// What <paramref name="model"/> needs for passes of <paramref name="batchSize"/> samples × <paramref name="timeSteps"/>
    /// steps: its parameters and gradients, its optimizer's state (once compiled) and the workspace a pass keeps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    /// <param name="model">A generated model.</param>
    /// <param name="batchSize">Samples per pass.</param>
    /// <param name="timeSteps">Steps per sample.</param>
    /// <returns>The bytes, by part.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="NotSupportedException">The model was not generated by ModelGen (it does not report its workspace).</exception>
    public static MemoryEstimate Needed(ISequentialModel model, int batchSize, int timeSteps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeSteps);
        long parameters = (long)model.Parameters.Length * sizeof(float);
        long optimizer = (ModelTraining.TryGetOptimizer(model)?.SlotCount ?? 0) * parameters;
        return new MemoryEstimate(parameters, parameters, optimizer, model.WorkspaceBytes(batchSize, timeSteps));
    }

    /// <summary>
    /// Keras's <c>model.summary()</c> table followed by what the model needs in memory for passes of
    /// <paramref name="batchSize"/> samples × <paramref name="timeSteps"/> steps (see <see cref="Needed"/>).
    /// </summary>
    /// <param name="model">A generated model.</param>
    /// <param name="batchSize">Samples per pass.</param>
    /// <param name="timeSteps">Steps per sample.</param>
    /// <returns>The table and one line of memory figures, each line ending in <c>\n</c>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static string Summary(this ISequentialModel model, int batchSize, int timeSteps)
    {
        var needed = Needed(model, batchSize, timeSteps);
        return model.Info.Summary().TrimEnd('\n') + "\n"
            + $" Memory for {batchSize} samples × {timeSteps} steps: {needed}\n";
    }

    /// <summary>Adds an array of <paramref name="count"/> elements of <paramref name="size"/> bytes to a workspace's total (generated code).</summary>
    /// <param name="bytes">The running total in bytes, increased by <c>count · size</c>.</param>
    /// <param name="largest">The most elements of one array so far, raised to <paramref name="count"/> when larger.</param>
    /// <param name="count">Elements of the array.</param>
    /// <param name="size">Bytes per element.</param>
    public static void Add(ref long bytes, ref long largest, long count, int size)
    {
        bytes += count * size;
        if (count > largest) largest = count;
    }

    /// <summary>Bytes in words: <c>4.3 GB</c>, <c>15.9 KB</c> (powers of 1,024, as Keras's summary).</summary>
    /// <param name="bytes">A size in bytes.</param>
    /// <returns>The size with two decimals at most and a unit, in the invariant culture.</returns>
    public static string Format(long bytes)
    {
        string[] units = { "B", "KB", "MB", "GB", "TB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? $"{bytes} B" : value.ToString("0.##", CultureInfo.InvariantCulture) + " " + units[unit];
    }
}

/// <summary>What a model needs in memory for passes of a given batch size and length (<see cref="Memory.Needed"/>).</summary>
/// <param name="Parameters">Bytes of the parameters (float32).</param>
/// <param name="Gradients">Bytes of the gradients, the same layout.</param>
/// <param name="OptimizerState">Bytes of the optimizer's state (Adam: two moments per parameter; 0 before Compile).</param>
/// <param name="Workspace">Bytes of the workspace a pass of that batch size and length keeps.</param>
public sealed record MemoryEstimate(long Parameters, long Gradients, long OptimizerState, long Workspace)
{
    /// <summary>Everything together.</summary>
    public long Total => Parameters + Gradients + OptimizerState + Workspace;

    /// <inheritdoc/>
    public override string ToString()
        => $"parameters {Memory.Format(Parameters)}, gradients {Memory.Format(Gradients)}, optimizer state {Memory.Format(OptimizerState)}, workspace {Memory.Format(Workspace)}: {Memory.Format(Total)} in all";
}
