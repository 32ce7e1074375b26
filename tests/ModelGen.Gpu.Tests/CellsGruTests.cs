using System;
using ILGPU;
using ILGPU.Runtime;
using CpuCells = ModelGen.Generated;
using GpuCells = ModelGen.Generated.Gpu;

namespace ModelGen.Gpu.Tests;

/// <summary>GRU (both forms), SimpleRNN and Dense GPU cells against their CPU cells, as <see cref="CellsTests"/> does for LSTM.</summary>
public sealed class CellsGruTests
{
    private const int Steps = 4;

    private static GpuDevice Device() => GpuDevice.CpuAccelerator(4, 4, 2);

    // One signature shape covers GRU (both forms: the third saved tensor is recurrent or resetState) and, with empty
    // extra tensors, nothing else; SimpleRNN and Dense have their own below.
    private delegate void CpuGruForward(int steps, int batch, ReadOnlySpan<float> x, ReadOnlySpan<float> kernel, ReadOnlySpan<float> recurrentKernel,
        ReadOnlySpan<float> bias, Span<float> h, Span<float> gates, Span<float> saved, ReadOnlySpan<byte> mask, ReadOnlySpan<float> recurrentMask, Span<float> maskedStates, ReadOnlySpan<int> rowIds, ReadOnlySpan<float> rowTable, bool zeroInitialState);
    private delegate void GpuGruForward(GpuDevice device, int steps, int batch, ArrayView<float> x, ArrayView<float> kernel, ArrayView<float> recurrentKernel,
        ArrayView<float> bias, ArrayView<float> h, ArrayView<float> gates, ArrayView<float> saved, ArrayView<byte> mask, ArrayView<float> recurrentMask, ArrayView<float> maskedStates);

    [Theory]
    [MemberData(nameof(CellsTests.Cases), MemberType = typeof(CellsTests))]
    public void GruResetAfter_MatchesTheCpuCell(CellsTests.Options o)
    {
        Assert.StartsWith("on-chip", GpuCells.Gru_I3_H5_ResetAfter.Scheme, StringComparison.Ordinal);
        GruAfter(o, 3, 5, 11, CpuCells.Gru_I3_H5_ResetAfter.Forward, GpuCells.Gru_I3_H5_ResetAfter.Forward,
            (e, s) => CpuCells.Gru_I3_H5_ResetAfter.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dRecurrent"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I3_H5_ResetAfter.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dRecurrent"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));
    }

    [Fact]
    public void GruResetAfterPerStep_MatchesTheCpuCell()
    {
        Assert.StartsWith("per-step", GpuCells.Gru_I3_H64_ResetAfter.Scheme, StringComparison.Ordinal);
        var o = new CellsTests.Options(3, true, true, true, true, false);
        GruAfter(o, 3, 64, 12, CpuCells.Gru_I3_H64_ResetAfter.Forward, GpuCells.Gru_I3_H64_ResetAfter.Forward,
            (e, s) => CpuCells.Gru_I3_H64_ResetAfter.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dRecurrent"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I3_H64_ResetAfter.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dRecurrent"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));
    }

    [Theory]
    [MemberData(nameof(CellsTests.Cases), MemberType = typeof(CellsTests))]
    public void GruResetBefore_MatchesTheCpuCell(CellsTests.Options o)
        => GruBefore(o, 5, 5, 13, CpuCells.Gru_I5_H5_ResetBefore.Forward, GpuCells.Gru_I5_H5_ResetBefore.Forward,
            (e, s) => CpuCells.Gru_I5_H5_ResetBefore.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I5_H5_ResetBefore.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));

    [Theory]
    [MemberData(nameof(CellsTests.Cases), MemberType = typeof(CellsTests))]
    public void GruResetBeforeReluHardSigmoid_MatchesTheCpuCell(CellsTests.Options o)
        => GruBefore(o, 3, 4, 14, CpuCells.Gru_I3_H4_ResetBefore_Relu_HardSigmoid.Forward, GpuCells.Gru_I3_H4_ResetBefore_Relu_HardSigmoid.Forward,
            (e, s) => CpuCells.Gru_I3_H4_ResetBefore_Relu_HardSigmoid.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I3_H4_ResetBefore_Relu_HardSigmoid.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));

    /// <summary>
    /// GRU reset-before (two barriers per step, a shared carry) on other warp and group sizes than the 4×4 the rest use:
    /// 32-thread warps in 64-thread groups (24 threads beyond the 40 work items only meet the barriers), 8-thread groups,
    /// and 2-thread groups (each thread walks 20 work items; the GEMMs take the one-thread-per-element kernel).
    /// </summary>
    [Theory]
    [InlineData(32, 2)]
    [InlineData(8, 1)]
    [InlineData(2, 1)]
    public void GruResetBefore_OnOtherWarpAndGroupSizes_MatchesTheCpuCell(int threadsPerWarp, int warpsPerGroup)
    {
        var o = new CellsTests.Options(9, true, true, true, true, false);
        Assert.Equal(40, GpuCells.Gru_I5_H5_ResetBefore.Slots);
        GruBefore(o, 5, 5, 15, CpuCells.Gru_I5_H5_ResetBefore.Forward, GpuCells.Gru_I5_H5_ResetBefore.Forward,
            (e, s) => CpuCells.Gru_I5_H5_ResetBefore.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I5_H5_ResetBefore.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]),
            () => GpuDevice.CpuAccelerator(threadsPerWarp, warpsPerGroup, 2));
    }

    [Fact]
    public void GruResetBeforePerStep_MatchesTheCpuCell()
    {
        // One launch per step: the backward products read the gate gradients back from global memory.
        Assert.StartsWith("per-step", GpuCells.Gru_I3_H64_ResetBefore.Scheme, StringComparison.Ordinal);
        var o = new CellsTests.Options(3, true, true, true, true, false);
        GruBefore(o, 3, 64, 16, CpuCells.Gru_I3_H64_ResetBefore.Forward, GpuCells.Gru_I3_H64_ResetBefore.Forward,
            (e, s) => CpuCells.Gru_I3_H64_ResetBefore.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["gates"], e["saved"], e["dh"],
                e["dGates"], e["dKernel"], e["dRecurrentKernel"], e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.Gru_I3_H64_ResetBefore.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["gates"], g["saved"], g["dh"],
                g["dGates"], g["dKernel"], g["dRecurrentKernel"], g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));
    }

    [Fact]
    public void SimpleRnnPerStep_MatchesTheCpuCell()
    {
        Assert.StartsWith("per-step", GpuCells.SimpleRnn_I64_H128_Tanh.Scheme, StringComparison.Ordinal);
        var o = new CellsTests.Options(3, true, true, true, true, false);
        SimpleRnn(o, 64, 128, 23,
            e => CpuCells.SimpleRnn_I64_H128_Tanh.Forward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["bias"], e["h"], e.Mask, e["recurrentMask"], e["maskedStates"]),
            (d, g) => GpuCells.SimpleRnn_I64_H128_Tanh.Forward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["bias"], g["h"], g.Mask, g["recurrentMask"], g["maskedStates"]),
            (e, s) => CpuCells.SimpleRnn_I64_H128_Tanh.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["dh"], e["dKernel"], e["dRecurrentKernel"],
                e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.SimpleRnn_I64_H128_Tanh.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["dh"], g["dKernel"], g["dRecurrentKernel"],
                g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));
    }

    private static void GruAfter(CellsTests.Options o, int inputs, int units, int seed, CpuGruForward cpuForward, GpuGruForward gpuForward,
        Action<CellData, float[]> cpuBackward, Action<GpuDevice, DeviceData, ArrayView<float>> gpuBackward)
        => Gru(o, inputs, units, seed, resetAfter: true, cpuForward, gpuForward, cpuBackward, gpuBackward);

    private static void GruBefore(CellsTests.Options o, int inputs, int units, int seed, CpuGruForward cpuForward, GpuGruForward gpuForward,
        Action<CellData, float[]> cpuBackward, Action<GpuDevice, DeviceData, ArrayView<float>> gpuBackward, Func<GpuDevice>? device = null)
        => Gru(o, inputs, units, seed, resetAfter: false, cpuForward, gpuForward, cpuBackward, gpuBackward, device);

    private static void Gru(CellsTests.Options o, int inputs, int units, int seed, bool resetAfter, CpuGruForward cpuForward, GpuGruForward gpuForward,
        Action<CellData, float[]> cpuBackward, Action<GpuDevice, DeviceData, ArrayView<float>> gpuBackward, Func<GpuDevice>? makeDevice = null)
    {
        int width = 3 * units, rows = Steps * o.Batch;
        var expected = CellsTests.Recurrent(o, inputs, units, width, seed);
        if (!resetAfter)
        {
            expected.F["bias"] = expected["bias"][..width];
            expected.F["dBias"] = expected["dBias"][..width];
        }
        else expected.F["dRecurrent"] = new float[rows * width];
        expected.F["gates"] = new float[rows * width];
        expected.F["saved"] = new float[rows * (resetAfter ? width : units)];
        expected.F["dGates"] = new float[rows * width];
        var actual = expected.Clone();
        var e = expected;
        cpuForward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["bias"], e["h"], e["gates"], e["saved"], e.Mask, e["recurrentMask"], e["maskedStates"],
            rowIds: default, rowTable: default, zeroInitialState: false); // block 0 holds a random initial state
        cpuBackward(e, new float[CellsTests.RecurrentScratch(width, units, inputs, o.Batch)]);
        using (var device = (makeDevice ?? Device)())
        using (var scratch = device.Accelerator.Allocate1D<float>(1))
        {
            using (var g = new DeviceData(device, actual))
            {
                gpuForward(device, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["bias"], g["h"], g["gates"], g["saved"], g.Mask, g["recurrentMask"], g["maskedStates"]);
                gpuBackward(device, g, scratch.View);
                device.Synchronize();
            }
        }
        CellData.AssertClose(expected, actual, $"GRU {units} units, reset {(resetAfter ? "after" : "before")}, {o}");
    }

    [Theory]
    [MemberData(nameof(CellsTests.Cases), MemberType = typeof(CellsTests))]
    public void SimpleRnnTanh_MatchesTheCpuCell(CellsTests.Options o)
        => SimpleRnn(o, 4, 5, 21,
            e => CpuCells.SimpleRnn_I4_H5_Tanh.Forward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["bias"], e["h"], e.Mask, e["recurrentMask"], e["maskedStates"]),
            (d, g) => GpuCells.SimpleRnn_I4_H5_Tanh.Forward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["bias"], g["h"], g.Mask, g["recurrentMask"], g["maskedStates"]),
            (e, s) => CpuCells.SimpleRnn_I4_H5_Tanh.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["dh"], e["dKernel"], e["dRecurrentKernel"],
                e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.SimpleRnn_I4_H5_Tanh.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["dh"], g["dKernel"], g["dRecurrentKernel"],
                g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));

    [Theory]
    [MemberData(nameof(CellsTests.Cases), MemberType = typeof(CellsTests))]
    public void SimpleRnnRelu_MatchesTheCpuCell(CellsTests.Options o)
        => SimpleRnn(o, 5, 4, 22,
            e => CpuCells.SimpleRnn_I5_H4_Relu.Forward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["bias"], e["h"], e.Mask, e["recurrentMask"], e["maskedStates"]),
            (d, g) => GpuCells.SimpleRnn_I5_H4_Relu.Forward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["bias"], g["h"], g.Mask, g["recurrentMask"], g["maskedStates"]),
            (e, s) => CpuCells.SimpleRnn_I5_H4_Relu.Backward(Steps, o.Batch, e["x"], e["kernel"], e["recurrentKernel"], e["h"], e["dh"], e["dKernel"], e["dRecurrentKernel"],
                e["dBias"], e["dx"], s, e.Mask, e["recurrentMask"], e["maskedStates"], e["dInitial"]),
            (d, g, s) => GpuCells.SimpleRnn_I5_H4_Relu.Backward(d, Steps, o.Batch, g["x"], g["kernel"], g["recurrentKernel"], g["h"], g["dh"], g["dKernel"], g["dRecurrentKernel"],
                g["dBias"], g["dx"], s, g.Mask, g["recurrentMask"], g["maskedStates"], g["dInitial"]));

    private static void SimpleRnn(CellsTests.Options o, int inputs, int units, int seed, Action<CellData> cpuForward, Action<GpuDevice, DeviceData> gpuForward,
        Action<CellData, float[]> cpuBackward, Action<GpuDevice, DeviceData, ArrayView<float>> gpuBackward)
    {
        var expected = CellsTests.Recurrent(o, inputs, units, units, seed);
        expected.F["bias"] = expected["bias"][..units];
        expected.F["dBias"] = expected["dBias"][..units];
        var actual = expected.Clone();
        cpuForward(expected);
        cpuBackward(expected, new float[CellsTests.RecurrentScratch(units, units, inputs, o.Batch)]);
        using (var device = Device())
        using (var scratch = device.Accelerator.Allocate1D<float>(1))
        {
            using (var g = new DeviceData(device, actual))
            {
                gpuForward(device, g);
                gpuBackward(device, g, scratch.View);
                device.Synchronize();
            }
        }
        CellData.AssertClose(expected, actual, $"SimpleRNN {units} units, {o}");
    }

    [Theory]
    [InlineData("linear", false)]
    [InlineData("softmax", false)]
    [InlineData("softmax", true)]
    [InlineData("sigmoid", false)]
    [InlineData("sigmoid", true)]
    [InlineData("tanh", false)]
    [InlineData("relu", false)]
    public void Dense_MatchesTheCpuCell(string activation, bool fromLogits)
    {
        switch (activation)
        {
            case "linear":
                Dense(4, 4, e => CpuCells.Dense_I4_U4_Linear.Forward(7, e["x"], e["kernel"], e["bias"], e["y"]),
                    (d, g) => GpuCells.Dense_I4_U4_Linear.Forward(d, 7, g["x"], g["kernel"], g["bias"], g["y"]),
                    e => CpuCells.Dense_I4_U4_Linear.Backward(7, e["x"], e["kernel"], e["y"], e["dy"], e["dKernel"], e["dBias"], e["dx"], new float[16]),
                    (d, g) => GpuCells.Dense_I4_U4_Linear.Backward(d, 7, g["x"], g["kernel"], g["y"], g["dy"], g["dKernel"], g["dBias"], g["dx"], default));
                break;
            case "softmax":
                Dense(5, 4, e => CpuCells.Dense_I5_U4_Softmax.Forward(7, e["x"], e["kernel"], e["bias"], e["y"], e["logits"]),
                    (d, g) => GpuCells.Dense_I5_U4_Softmax.Forward(d, 7, g["x"], g["kernel"], g["bias"], g["y"], g["logits"]),
                    e => CpuCells.Dense_I5_U4_Softmax.Backward(7, e["x"], e["kernel"], e["y"], e["dy"], e["dKernel"], e["dBias"], e["dx"], new float[20], fromLogits),
                    (d, g) => GpuCells.Dense_I5_U4_Softmax.Backward(d, 7, g["x"], g["kernel"], g["y"], g["dy"], g["dKernel"], g["dBias"], g["dx"], default, fromLogits));
                break;
            case "sigmoid":
                Dense(4, 3, e => CpuCells.Dense_I4_U3_Sigmoid.Forward(7, e["x"], e["kernel"], e["bias"], e["y"], e["logits"]),
                    (d, g) => GpuCells.Dense_I4_U3_Sigmoid.Forward(d, 7, g["x"], g["kernel"], g["bias"], g["y"], g["logits"]),
                    e => CpuCells.Dense_I4_U3_Sigmoid.Backward(7, e["x"], e["kernel"], e["y"], e["dy"], e["dKernel"], e["dBias"], e["dx"], new float[12], fromLogits),
                    (d, g) => GpuCells.Dense_I4_U3_Sigmoid.Backward(d, 7, g["x"], g["kernel"], g["y"], g["dy"], g["dKernel"], g["dBias"], g["dx"], default, fromLogits));
                break;
            case "tanh":
                Dense(56, 2, e => CpuCells.Dense_I56_U2_Tanh.Forward(7, e["x"], e["kernel"], e["bias"], e["y"], e["logits"]),
                    (d, g) => GpuCells.Dense_I56_U2_Tanh.Forward(d, 7, g["x"], g["kernel"], g["bias"], g["y"], g["logits"]),
                    e => CpuCells.Dense_I56_U2_Tanh.Backward(7, e["x"], e["kernel"], e["y"], e["dy"], e["dKernel"], e["dBias"], e["dx"], new float[112], fromLogits),
                    (d, g) => GpuCells.Dense_I56_U2_Tanh.Backward(d, 7, g["x"], g["kernel"], g["y"], g["dy"], g["dKernel"], g["dBias"], g["dx"], default, fromLogits));
                break;
            default:
                Dense(64, 2, e => CpuCells.Dense_I64_U2_Relu.Forward(7, e["x"], e["kernel"], e["bias"], e["y"]),
                    (d, g) => GpuCells.Dense_I64_U2_Relu.Forward(d, 7, g["x"], g["kernel"], g["bias"], g["y"]),
                    e => CpuCells.Dense_I64_U2_Relu.Backward(7, e["x"], e["kernel"], e["y"], e["dy"], e["dKernel"], e["dBias"], e["dx"], new float[128], fromLogits),
                    (d, g) => GpuCells.Dense_I64_U2_Relu.Backward(d, 7, g["x"], g["kernel"], g["y"], g["dy"], g["dKernel"], g["dBias"], g["dx"], default, fromLogits));
                break;
        }
    }

    private static void Dense(int inputs, int units, Action<CellData> cpuForward, Action<GpuDevice, DeviceData> gpuForward, Action<CellData> cpuBackward,
        Action<GpuDevice, DeviceData> gpuBackward)
    {
        const int rows = 7;
        var random = new Random(inputs * 100 + units);
        var expected = new CellData();
        expected.F["x"] = CellData.Random(random, rows * inputs);
        expected.F["kernel"] = CellData.Random(random, inputs * units, 0.5f);
        expected.F["bias"] = CellData.Random(random, units, 0.3f);
        expected.F["y"] = new float[rows * units];
        expected.F["logits"] = new float[rows * units];
        expected.F["dy"] = CellData.Random(random, rows * units);
        expected.F["dKernel"] = CellData.Random(random, inputs * units);
        expected.F["dBias"] = CellData.Random(random, units);
        expected.F["dx"] = CellData.Random(random, rows * inputs);
        var actual = expected.Clone();
        cpuForward(expected);
        cpuBackward(expected);
        using (var device = Device())
        {
            using (var g = new DeviceData(device, actual))
            {
                gpuForward(device, g);
                gpuBackward(device, g);
                device.Synchronize();
            }
        }
        CellData.AssertClose(expected, actual, $"Dense {inputs}→{units}");
    }
}
