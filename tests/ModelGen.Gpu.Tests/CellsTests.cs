using System;
using ILGPU;
using ILGPU.Runtime;
using CpuCells = ModelGen.Generated;
using GpuCells = ModelGen.Generated.Gpu;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// Every GPU cell against the CPU cell of the same shape, called directly on the same random data on ILGPU's CPU
/// accelerator: outputs and every gradient within 1e-4·(1 + |CPU value|), for each option (step mask, recurrent dropout,
/// initial states and their gradients, ∂ final c, dx left out), both GRU forms, relu/hard-sigmoid variants, several
/// groups, and shapes above the on-chip limit (the per-step scheme).
/// </summary>
public sealed class CellsTests
{
    private const int Steps = 4;

    /// <summary>The options of one case.</summary>
    public sealed record Options(int Batch, bool Mask, bool Dropout, bool Initial, bool Dx, bool FinalCell);

    public static TheoryData<Options> Cases => new()
    {
        new Options(3, false, false, false, true, false),
        new Options(3, true, false, true, true, true),
        new Options(3, false, true, true, false, false),
        new Options(9, true, true, true, true, true),
    };

    private static GpuDevice Device() => GpuDevice.CpuAccelerator(4, 4, 2);

    /// <summary>The tensors every recurrent cell has, filled as the options say.</summary>
    internal static CellData Recurrent(Options o, int inputs, int units, int width, int seed, bool cells = false)
    {
        var random = new Random(seed);
        int rows = Steps * o.Batch, n = o.Batch * units;
        var d = new CellData();
        d.F["x"] = CellData.Random(random, rows * inputs);
        d.F["kernel"] = CellData.Random(random, inputs * width, 0.5f);
        d.F["recurrentKernel"] = CellData.Random(random, units * width, 0.5f);
        d.F["bias"] = CellData.Random(random, 2 * width, 0.3f);
        var h = new float[(Steps + 1) * n];
        if (o.Initial) Array.Copy(CellData.Random(random, n), h, n);
        d.F["h"] = h;
        if (cells)
        {
            var c = new float[(Steps + 1) * n];
            if (o.Initial) Array.Copy(CellData.Random(random, n), c, n);
            d.F["c"] = c;
        }
        d.F["dh"] = CellData.Random(random, rows * units);
        d.F["dKernel"] = CellData.Random(random, inputs * width); // gradients are added to: start from non-zero values
        d.F["dRecurrentKernel"] = CellData.Random(random, units * width);
        d.F["dBias"] = CellData.Random(random, 2 * width);
        d.F["dx"] = o.Dx ? CellData.Random(random, rows * inputs) : Array.Empty<float>();
        if (o.Mask)
        {
            d.Mask = new byte[rows];
            for (int i = 0; i < rows; i++) d.Mask[i] = (byte)(random.Next(3) == 0 ? 0 : 1);
            d.Mask[0] = 0; // step 0 of sample 0 masked: the initial state carries over
        }
        if (o.Dropout)
        {
            var m = new float[n];
            for (int i = 0; i < n; i++) m[i] = random.Next(4) == 0 ? 0f : 1f / 0.75f;
            d.F["recurrentMask"] = m;
            d.F["maskedStates"] = new float[rows * units];
        }
        else
        {
            d.F["recurrentMask"] = Array.Empty<float>();
            d.F["maskedStates"] = Array.Empty<float>();
        }
        d.F["dInitial"] = o.Initial ? CellData.Random(random, n) : Array.Empty<float>();
        if (cells)
        {
            d.F["dInitialCell"] = o.Initial ? CellData.Random(random, n) : Array.Empty<float>();
            d.F["dFinalCell"] = o.FinalCell ? CellData.Random(random, n) : Array.Empty<float>();
        }
        return d;
    }

    /// <summary>The CPU recurrent cells' scratch: Uᵀ, Wᵀ, two carries (and LSTM's ∂c, covered by the slack).</summary>
    internal static long RecurrentScratch(int width, int units, int inputs, int batch) => width * units + width * inputs + 3L * batch * units;

    [Theory]
    [MemberData(nameof(Cases))]
    public void Lstm_MatchesTheCpuCell(Options o)
    {
        LstmCase(o, 3, 5, 1, CpuCells.Lstm_I3_H5.Forward, GpuCells.Lstm_I3_H5.Forward, CpuCells.Lstm_I3_H5.Backward, GpuCells.Lstm_I3_H5.Backward,
            CpuCells.Lstm_I3_H5.ScratchLength, GpuCells.Lstm_I3_H5.ScratchLength);
        Assert.StartsWith("on-chip", GpuCells.Lstm_I3_H5.Scheme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void LstmReluHardSigmoid_MatchesTheCpuCell(Options o)
        => LstmCase(o, 5, 4, 2, CpuCells.Lstm_I5_H4_Relu_HardSigmoid.Forward, GpuCells.Lstm_I5_H4_Relu_HardSigmoid.Forward,
            CpuCells.Lstm_I5_H4_Relu_HardSigmoid.Backward, GpuCells.Lstm_I5_H4_Relu_HardSigmoid.Backward,
            CpuCells.Lstm_I5_H4_Relu_HardSigmoid.ScratchLength, GpuCells.Lstm_I5_H4_Relu_HardSigmoid.ScratchLength);

    /// <summary>
    /// Other warp and group sizes than the 4×4 the rest use (kernels read the device's warp, never assume 32): 32-thread
    /// warps in 64-thread groups (24 threads beyond the 40 work items only meet the barriers), 8-thread groups, and
    /// 2-thread groups (each thread walks 20 work items; the GEMMs take the one-thread-per-element kernel).
    /// </summary>
    [Theory]
    [InlineData(32, 2)]
    [InlineData(8, 1)]
    [InlineData(2, 1)]
    public void Lstm_OnOtherWarpAndGroupSizes_MatchesTheCpuCell(int threadsPerWarp, int warpsPerGroup)
    {
        Assert.Equal(40, GpuCells.Lstm_I3_H5.Slots);
        LstmCase(new Options(9, true, true, true, true, true), 3, 5, 4, CpuCells.Lstm_I3_H5.Forward, GpuCells.Lstm_I3_H5.Forward,
            CpuCells.Lstm_I3_H5.Backward, GpuCells.Lstm_I3_H5.Backward, CpuCells.Lstm_I3_H5.ScratchLength, GpuCells.Lstm_I3_H5.ScratchLength,
            () => GpuDevice.CpuAccelerator(threadsPerWarp, warpsPerGroup, 2));
    }

    [Fact]
    public void LstmPerStep_MatchesTheCpuCell()
    {
        Assert.StartsWith("per-step", GpuCells.Lstm_I3_H56.Scheme, StringComparison.Ordinal);
        LstmCase(new Options(5, true, true, true, true, true), 3, 56, 3, CpuCells.Lstm_I3_H56.Forward, GpuCells.Lstm_I3_H56.Forward,
            CpuCells.Lstm_I3_H56.Backward, GpuCells.Lstm_I3_H56.Backward, CpuCells.Lstm_I3_H56.ScratchLength, GpuCells.Lstm_I3_H56.ScratchLength);
    }

    private delegate void CpuLstmForward(int steps, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> bias, Span<float> h, Span<float> c, Span<float> gates, Span<float> tanhC, ReadOnlySpan<byte> mask,
        ReadOnlySpan<float> recurrentMask, Span<float> maskedStates, ReadOnlySpan<int> rowIds, ReadOnlySpan<float> rowTable, bool zeroInitialState);
    private delegate void GpuLstmForward(GpuDevice device, int steps, int batch, ArrayView<float> x, ArrayView<float> kernel, ArrayView<float> recurrentKernel,
        ArrayView<float> bias, ArrayView<float> h, ArrayView<float> c, ArrayView<float> gates, ArrayView<float> tanhC, ArrayView<byte> mask,
        ArrayView<float> recurrentMask, ArrayView<float> maskedStates);
    private delegate void CpuLstmBackward(int steps, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> h, ReadOnlySpan<float> c, ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, Span<float> dh, Span<float> dGates,
        Span<float> dKernel, Span<float> dRecurrentKernel, Span<float> dBias, Span<float> dx, Span<float> scratch, ReadOnlySpan<byte> mask,
        ReadOnlySpan<float> recurrentMask, ReadOnlySpan<float> maskedStates, Span<float> dInitial, Span<float> dInitialCell, ReadOnlySpan<float> dFinalCell,
        bool zeroInitialState);
    private delegate void GpuLstmBackward(GpuDevice device, int steps, int batch, ArrayView<float> x, ArrayView<float> kernel, ArrayView<float> recurrentKernel,
        ArrayView<float> h, ArrayView<float> c, ArrayView<float> gates, ArrayView<float> tanhC, ArrayView<float> dh, ArrayView<float> dGates,
        ArrayView<float> dKernel, ArrayView<float> dRecurrentKernel, ArrayView<float> dBias, ArrayView<float> dx, ArrayView<float> scratch, ArrayView<byte> mask,
        ArrayView<float> recurrentMask, ArrayView<float> maskedStates, ArrayView<float> dInitial, ArrayView<float> dInitialCell, ArrayView<float> dFinalCell);

    private static void LstmCase(Options o, int inputs, int units, int seed, CpuLstmForward cpuForward, GpuLstmForward gpuForward,
        CpuLstmBackward cpuBackward, GpuLstmBackward gpuBackward, Func<long, long> cpuScratch, Func<long, long> gpuScratch, Func<GpuDevice>? makeDevice = null)
    {
        int width = 4 * units, rows = Steps * o.Batch;
        var expected = Recurrent(o, inputs, units, width, seed, cells: true);
        expected.F["bias"] = expected["bias"][..width];
        expected.F["dBias"] = expected["dBias"][..width];
        expected.F["gates"] = new float[rows * width];
        expected.F["tanhC"] = new float[rows * units];
        expected.F["dGates"] = new float[rows * width];
        var actual = expected.Clone();
        var e = expected;
        cpuForward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["bias"], e["h"], e["c"], e["gates"], e["tanhC"], e.Mask,
            e["recurrentMask"], e["maskedStates"], rowIds: default, rowTable: default, zeroInitialState: false); // block 0 holds a random initial state
        cpuBackward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["c"], e["gates"], e["tanhC"], e["dh"], e["dGates"],
            e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], new float[cpuScratch(o.Batch)], e.Mask, e["recurrentMask"], e["maskedStates"],
            e["dInitial"], e["dInitialCell"], e["dFinalCell"], zeroInitialState: false);
        using (var device = (makeDevice ?? Device)())
        {
            using var scratch = device.Accelerator.Allocate1D<float>(Math.Max(1, gpuScratch(o.Batch)));
            using (var g = new DeviceData(device, actual))
            {
                gpuForward(device, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["bias"], g["h"], g["c"], g["gates"], g["tanhC"], g.Mask,
                    g["recurrentMask"], g["maskedStates"]);
                gpuBackward(device, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["c"], g["gates"], g["tanhC"], g["dh"], g["dGates"],
                    g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], scratch.View, g.Mask, g["recurrentMask"], g["maskedStates"],
                    g["dInitial"], g["dInitialCell"], g["dFinalCell"]);
                device.Synchronize();
            }
        }
        CellData.AssertClose(expected, actual, $"LSTM {units} units, {o}");
    }
}
