using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>How a recurrent GPU cell runs its time loop.</summary>
internal enum GpuSchemeKind
{
    /// <summary>One launch per layer per sequence: U in shared memory, the batch split across independent groups, only group barriers between steps.</summary>
    OnChip,
    /// <summary>One launch per step: U read from global memory (L2), the state handed from launch to launch through global memory.</summary>
    PerStep,
    /// <summary>No recurrence (Dense): products and an element-wise kernel.</summary>
    Rows,
}

/// <summary>
/// The one place that decides, from a cell's shape alone (at compile time), how its GPU kernels run, and says why: the
/// generated file's header states it, and the model-level emitter reports it as an info diagnostic.
/// </summary>
/// <param name="Kind">The scheme.</param>
/// <param name="SamplesPerGroup">Samples each group (thread block) runs; the grid has ⌈batch / this⌉ groups.</param>
/// <param name="Reason">The decision in words.</param>
internal sealed record GpuScheme(GpuSchemeKind Kind, int SamplesPerGroup, string Reason)
{
    /// <summary>Shared memory per group without the driver opt-in (ILGPU 1.5.3 never opts in; see GPU.md B3).</summary>
    public const int SharedMemoryBytes = 48 * 1024;

    /// <summary>Above this many terms an inner product is a counted loop instead of unrolled statements.</summary>
    public const int UnrollLimit = 128;

    /// <summary>
    /// Floats of shared memory the step buffers of the busier kernel take besides U, as the kernels allocate them: forward
    /// the state double buffer (and GRU reset-before's r ⊙ h[t-1]); backward on chip the gradient double buffer (and GRU
    /// reset-before's carry); backward one launch per step reads the gradients from global memory (carry only).
    /// </summary>
    public static int BufferFloats(CellShape cell, int samples, bool onChip = true)
    {
        int carry = cell.Cell == CellKind.Gru && !cell.ResetAfter ? cell.Units : 0;
        int forward = samples * (2 * cell.Units + carry);
        int backward = samples * ((onChip ? 2 * cell.Width : 0) + carry);
        return System.Math.Max(forward, backward);
    }

    /// <summary>U's size in bytes: Units × Width floats.</summary>
    public static int RecurrentBytes(CellShape cell) => 4 * cell.Units * cell.Width;

    /// <summary>The scheme of <paramref name="cell"/>.</summary>
    public static GpuScheme Of(CellShape cell)
    {
        if (cell.Cell is CellKind.Dense or null)
            return new GpuScheme(GpuSchemeKind.Rows, 1, "rows: one tiled GEMM for x·W" + cell.Activation switch
            {
                Activation.Linear => " (linear: no activation kernel)",
                Activation.Softmax => ", one kernel per row for the softmax",
                Activation.Tanh or Activation.Sigmoid or Activation.Relu or Activation.HardSigmoid => ", one element-wise kernel for the activation",
            });
        int samples = System.Math.Max(1, System.Math.Min(8, 256 / cell.Units));
        int u = RecurrentBytes(cell);
        while (samples > 1 && u + 4 * BufferFloats(cell, samples) > SharedMemoryBytes) samples--;
        int total = u + 4 * BufferFloats(cell, samples);
        if (total <= SharedMemoryBytes)
            return new GpuScheme(GpuSchemeKind.OnChip, samples,
                $"on-chip: U is {Kb(u)} ≤ 48 KB shared memory ({Kb(total)} with the step buffers); one launch per sequence, {samples} sample(s) per group");
        int perStep = System.Math.Max(1, System.Math.Min(8, 256 / cell.Units));
        return new GpuScheme(GpuSchemeKind.PerStep, perStep,
            $"per-step: U is {Kb(u)}, with the step buffers {Kb(total)} > 48 KB shared memory (no opt-in in ILGPU 1.5.3); one fused launch per step, U read from global memory, {perStep} sample(s) per group");
    }

    private static string Kb(int bytes) => bytes % 1024 == 0 ? $"{bytes / 1024} KB" : (bytes / 1024.0).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " KB";
}
