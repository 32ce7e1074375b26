using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Cells;

/// <summary>The kind of value a cell parameter takes.</summary>
internal enum SlotType
{
    /// <summary>A count (steps, batch, rows).</summary>
    Count,
    /// <summary>Floats the cell reads.</summary>
    Input,
    /// <summary>Floats the cell writes (or reads and writes).</summary>
    Output,
    /// <summary>A step mask, one byte per row: 1 real, 0 padding.</summary>
    Mask,
    /// <summary>Token ids.</summary>
    Tokens,
    /// <summary>A switch (<c>bool</c>), false when left out.</summary>
    Flag,
}

/// <summary>Where the caller takes a slot's value from.</summary>
internal enum SlotSource
{
    Steps, Batch, Rows, LayerInput, Kernel, RecurrentKernel, Bias, KernelGradient, RecurrentKernelGradient, BiasGradient,
    /// <summary>A tensor of the plan (<see cref="Slot.Tensor"/>).</summary>
    Tensor,
    InputGradient, Scratch, StepMask, RecurrentMask, MaskedStates, InitialStateGradient, InitialCellStateGradient,
    /// <summary>Token ids of a folded Embedding.</summary>
    Tokens,
    /// <summary>The folded Embedding's projected table [vocabulary, Units].</summary>
    TokenTable,
    /// <summary>
    /// Row ids [batch, steps] into <see cref="ProjectionTable"/>: a folded Embedding's token ids, or each token's place
    /// among a training batch's distinct words (<see cref="CellSignature.GathersRows"/>). CPU only.
    /// </summary>
    ProjectionIds,
    /// <summary>The rows of the input projection, E·W + b for each word [rows, Width], that <see cref="ProjectionIds"/> index. CPU only.</summary>
    ProjectionTable,
    /// <summary>Dense: where to keep the values before the activation (the output layer's logits; empty: not kept).</summary>
    Logits,
    /// <summary>Dense: Backward starts from ∂loss/∂logits, so the activation's slope is not applied (the output layer).</summary>
    FromLogits,
    /// <summary>LSTM: ∂loss/∂(final c), the starting ∂c of the backward pass (a layer that returns its state).</summary>
    FinalCellStateGradient,
    /// <summary>
    /// The pass starts from zeros (no initial state set or carried): block 0 of the states is all zeros, so a cell may
    /// leave out the products with h[-1], every term of which is zero. A hint: false is always correct. The CPU cells
    /// take it; the device cells leave it out (<c>GpuCellEmitter.DeviceSlots</c>).
    /// </summary>
    ZeroInitialState,
}

/// <summary>One parameter of a cell's Forward or Backward: declared once, rendered by the cell and bound by name at each call.</summary>
/// <param name="Name">The parameter name.</param>
/// <param name="Type">Its type.</param>
/// <param name="Source">What the caller passes.</param>
/// <param name="Tensor">For <see cref="SlotSource.Tensor"/>: the plan tensor passed.</param>
/// <param name="Optional">May be left out (defaults to empty).</param>
internal sealed record Slot(string Name, SlotType Type, SlotSource Source, TensorRole? Tensor = null, bool Optional = false);

/// <summary>
/// Each cell's Forward and Backward parameters as named slots, and the tensors its passes keep. Backend-neutral: the
/// CPU cells declare their methods from these slots and the model's passes bind them by name, and a GPU backend reads
/// the same lists.
/// </summary>
internal static class CellSignature
{
    /// <summary>
    /// Cells whose Forward can take token ids and a projected table [vocabulary, Units] in place of a gathered input
    /// projection: the unrolled SimpleRNN steps (8 or 16 units) load each token's row inside the step loop.
    /// </summary>
    public static bool ReadsTokens(CellShape cell) => UnrolledStep(cell);

    /// <summary>
    /// Cells whose Forward can take row ids and a table <c>[rows, Width]</c> (<see cref="SlotSource.ProjectionIds"/>,
    /// <see cref="SlotSource.ProjectionTable"/>) in place of a gathered input projection: the gated cells' time loop copies
    /// each step's rows of the table into its gates, for the sample rows it computes, on the thread that computes them.
    /// </summary>
    public static bool GathersRows(CellShape cell) => cell.Cell is CellKind.Lstm or CellKind.Gru;

    /// <summary>Small SimpleRNN shapes whose step is unrolled into straight-line SIMD code.</summary>
    public static bool UnrolledStep(CellShape cell) => cell.Cell == CellKind.SimpleRnn && cell.Units is 8 or 16;

    /// <summary>
    /// Where the cell's Forward keeps the input projection <c>x·W + b</c> of every step, which a caller may write itself
    /// (an Embedding folded into it): SimpleRNN in its states after block 0, gated cells in their gates. Null for Dense.
    /// </summary>
    public static TensorRole? InputProjection(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => TensorRole.States,
        CellKind.Lstm or CellKind.Gru => TensorRole.Gates,
        CellKind.Dense or null => null,
    };

    /// <summary>Where the cell's Backward leaves ∂loss/∂(input projection), for a caller that folded the projection in.</summary>
    public static TensorRole? InputProjectionGradient(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => TensorRole.OutputGradient,
        CellKind.Lstm or CellKind.Gru => TensorRole.GateGradients,
        CellKind.Dense or null => null,
    };

    /// <summary>The cell carries a cell state c beside h (LSTM): initial and final states come in pairs.</summary>
    public static bool HasCellState(CellShape cell) => SavedTensors(cell).Any(t => t.Role == TensorRole.Cells);

    /// <summary>The tensors a recurrent direction keeps besides its states (block 0 the initial state) and its scratch, in order, with their purpose.</summary>
    public static IReadOnlyList<(TensorRole Role, string Purpose)> SavedTensors(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => new[] { (TensorRole.OutputGradient, "∂loss/∂h per step") },
        CellKind.Lstm => new[]
        {
            (TensorRole.Cells, "c, block 0 the initial state"), (TensorRole.Gates, "activated gates i, f, c̃, o"), (TensorRole.TanhCells, "tanh(c)"),
            (TensorRole.OutputGradient, "∂loss/∂h per step"), (TensorRole.GateGradients, "∂loss/∂gate pre-activations"),
        },
        CellKind.Gru when cell.ResetAfter => new[]
        {
            (TensorRole.Gates, "activated gates z, r, ĥ"), (TensorRole.Recurrent, "h[t-1]·U + b_rec"), (TensorRole.OutputGradient, "∂loss/∂h per step"),
            (TensorRole.GateGradients, "∂loss/∂input pre-activations"), (TensorRole.RecurrentGradients, "∂loss/∂recurrent pre-activations"),
        },
        CellKind.Gru => new[]
        {
            (TensorRole.Gates, "activated gates z, r, ĥ"), (TensorRole.ResetStates, "r ⊙ h[t-1]"), (TensorRole.OutputGradient, "∂loss/∂h per step"),
            (TensorRole.GateGradients, "∂loss/∂input pre-activations"),
        },
        CellKind.Dense or null => System.Array.Empty<(TensorRole, string)>(),
    };

    private static Slot Count(string name, SlotSource source) => new(name, SlotType.Count, source);
    private static Slot In(string name, SlotSource source) => new(name, SlotType.Input, source);
    private static Slot Out(string name, SlotSource source) => new(name, SlotType.Output, source);
    private static Slot ReadTensor(string name, TensorRole role) => new(name, SlotType.Input, SlotSource.Tensor, role);
    private static Slot WriteTensor(string name, TensorRole role) => new(name, SlotType.Output, SlotSource.Tensor, role);

    private static readonly Slot[] Sizes = { Count("steps", SlotSource.Steps), Count("batch", SlotSource.Batch) };
    private static readonly Slot[] Weights = { In("x", SlotSource.LayerInput), In("kernel", SlotSource.Kernel), In("recurrentKernel", SlotSource.RecurrentKernel) };
    private static readonly Slot[] WeightGradients =
    {
        Out("dKernel", SlotSource.KernelGradient), Out("dRecurrentKernel", SlotSource.RecurrentKernelGradient), Out("dBias", SlotSource.BiasGradient),
        Out("dx", SlotSource.InputGradient), Out("scratch", SlotSource.Scratch),
    };

    /// <summary>A gated cell's folded-Embedding rows (<see cref="GathersRows"/>), after <see cref="ForwardOptions"/>.</summary>
    private static readonly Slot[] ProjectionRows =
    {
        new("rowIds", SlotType.Tokens, SlotSource.ProjectionIds, Optional: true), new("rowTable", SlotType.Input, SlotSource.ProjectionTable, Optional: true),
    };

    /// <summary>The last parameter of a recurrent cell's Forward and Backward: the initial state is zeros (<see cref="SlotSource.ZeroInitialState"/>).</summary>
    private static readonly Slot ZeroInitialState = new("zeroInitialState", SlotType.Flag, SlotSource.ZeroInitialState, Optional: true);

    /// <summary>Step mask and recurrent dropout (empty: not used): every recurrent cell's Forward has them, after its own tensors and before <see cref="ZeroInitialState"/>.</summary>
    private static readonly Slot[] ForwardOptions =
    {
        new("mask", SlotType.Mask, SlotSource.StepMask, Optional: true), new("recurrentMask", SlotType.Input, SlotSource.RecurrentMask, Optional: true),
        new("maskedStates", SlotType.Output, SlotSource.MaskedStates, Optional: true),
    };

    /// <summary>The same options in the backward pass, and the initial state's gradient.</summary>
    private static readonly Slot[] BackwardOptions =
    {
        new("mask", SlotType.Mask, SlotSource.StepMask, Optional: true), new("recurrentMask", SlotType.Input, SlotSource.RecurrentMask, Optional: true),
        new("maskedStates", SlotType.Input, SlotSource.MaskedStates, Optional: true), new("dInitial", SlotType.Output, SlotSource.InitialStateGradient, Optional: true),
    };

    private static List<Slot> Join(params IEnumerable<Slot>[] parts)
    {
        var all = new List<Slot>();
        foreach (var part in parts) all.AddRange(part);
        return all;
    }

    /// <summary>The cell's Forward parameters, in order.</summary>
    public static IReadOnlyList<Slot> Forward(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => Join(Sizes, Weights, new[] { In("bias", SlotSource.Bias), WriteTensor("h", TensorRole.States) }, ForwardOptions,
            ReadsTokens(cell)
                ? new[] { new Slot("tokens", SlotType.Tokens, SlotSource.Tokens, Optional: true), new Slot("table", SlotType.Input, SlotSource.TokenTable, Optional: true) }
                : System.Array.Empty<Slot>(), new[] { ZeroInitialState }),
        CellKind.Lstm => Join(Sizes, Weights, new[]
        {
            In("bias", SlotSource.Bias), WriteTensor("h", TensorRole.States), WriteTensor("c", TensorRole.Cells),
            WriteTensor("gates", TensorRole.Gates), WriteTensor("tanhC", TensorRole.TanhCells),
        }, ForwardOptions, ProjectionRows, new[] { ZeroInitialState }),
        CellKind.Gru => Join(Sizes, Weights, new[]
        {
            In("bias", SlotSource.Bias), WriteTensor("h", TensorRole.States), WriteTensor("gates", TensorRole.Gates),
            cell.ResetAfter ? WriteTensor("recurrent", TensorRole.Recurrent) : WriteTensor("resetState", TensorRole.ResetStates),
        }, ForwardOptions, ProjectionRows, new[] { ZeroInitialState }),
        CellKind.Dense => Join(new[]
        {
            Count("rows", SlotSource.Rows), In("x", SlotSource.LayerInput), In("kernel", SlotSource.Kernel), In("bias", SlotSource.Bias),
            WriteTensor("y", TensorRole.Output),
        }, cell.Activation == Activation.Linear
            ? System.Array.Empty<Slot>()
            : new[] { new Slot("logits", SlotType.Output, SlotSource.Logits, Optional: true) }),
        null => System.Array.Empty<Slot>(),
    };

    /// <summary>The cell's Backward parameters, in order.</summary>
    public static IReadOnlyList<Slot> Backward(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => Join(Sizes, Weights, new[] { ReadTensor("h", TensorRole.States), WriteTensor("dh", TensorRole.OutputGradient) },
            WeightGradients, BackwardOptions, new[] { ZeroInitialState }),
        CellKind.Lstm => Join(Sizes, Weights, new[]
        {
            ReadTensor("h", TensorRole.States), ReadTensor("c", TensorRole.Cells), ReadTensor("gates", TensorRole.Gates), ReadTensor("tanhC", TensorRole.TanhCells),
            WriteTensor("dh", TensorRole.OutputGradient), WriteTensor("dGates", TensorRole.GateGradients),
        }, WeightGradients, BackwardOptions, new[]
        {
            new Slot("dInitialCell", SlotType.Output, SlotSource.InitialCellStateGradient, Optional: true),
            new Slot("dFinalCell", SlotType.Input, SlotSource.FinalCellStateGradient, Optional: true), ZeroInitialState,
        }),
        CellKind.Gru when cell.ResetAfter => Join(Sizes, Weights, new[]
        {
            ReadTensor("h", TensorRole.States), ReadTensor("gates", TensorRole.Gates), ReadTensor("recurrent", TensorRole.Recurrent),
            WriteTensor("dh", TensorRole.OutputGradient), WriteTensor("dGates", TensorRole.GateGradients), WriteTensor("dRecurrent", TensorRole.RecurrentGradients),
        }, WeightGradients, BackwardOptions, new[] { ZeroInitialState }),
        CellKind.Gru => Join(Sizes, Weights, new[]
        {
            ReadTensor("h", TensorRole.States), ReadTensor("gates", TensorRole.Gates), ReadTensor("resetState", TensorRole.ResetStates),
            WriteTensor("dh", TensorRole.OutputGradient), WriteTensor("dGates", TensorRole.GateGradients),
        }, WeightGradients, BackwardOptions, new[] { ZeroInitialState }),
        CellKind.Dense => Join(new[]
        {
            Count("rows", SlotSource.Rows), In("x", SlotSource.LayerInput), In("kernel", SlotSource.Kernel), ReadTensor("y", TensorRole.Output),
            WriteTensor("dy", TensorRole.OutputGradient), Out("dKernel", SlotSource.KernelGradient), Out("dBias", SlotSource.BiasGradient),
            Out("dx", SlotSource.InputGradient), Out("scratch", SlotSource.Scratch),
        }, cell.Activation == Activation.Linear
            ? System.Array.Empty<Slot>()
            : new[] { new Slot("fromLogits", SlotType.Flag, SlotSource.FromLogits, Optional: true) }),
        null => System.Array.Empty<Slot>(),
    };
}
