using System;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ModelGen.Gpu;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// <c>smoke</c>: does ILGPU 1.5.3 work under the installed driver, and do the facts the GPU backend rests on hold
/// (GPU.md B3, B4): Exp through ILGPU.Algorithms, exp2-based σ and tanh within 1e-6 relative, dynamic shared memory
/// above 48 KB after <c>cuFuncSetAttribute</c>.
/// </summary>
internal static class Smoke
{
    /// <summary>Grid of the activation check: [−16, 16] in steps of 2⁻¹⁰.</summary>
    private const int GridHalf = 16 * 1024;

    /// <summary>The opt-in check's dynamic shared memory: 96 KB, twice the default limit.</summary>
    private const int OptInBytes = 96 * 1024;

    public static int Run(GpuDevice device, Checks checks)
    {
        var accelerator = device.Accelerator;
        accelerator.PrintInformation(Console.Out);
        if (accelerator is CudaAccelerator cuda)
        {
            Console.WriteLine($"CUDA driver {CudaDriver.Version()}, ILGPU's PTX ISA {cuda.InstructionSet}, architecture {cuda.Architecture}");
            Console.WriteLine($"shared memory: {accelerator.MaxSharedMemoryPerGroup} B per block by default, " +
                $"{CudaDriver.GetDeviceAttribute(0, CudaDriver.DeviceMaxSharedMemoryPerBlockOptin)} B with the opt-in, " +
                $"{CudaDriver.GetDeviceAttribute(0, CudaDriver.DeviceMaxSharedMemoryPerMultiprocessor)} B per SM; " +
                $"{CudaDriver.GetDeviceAttribute(0, CudaDriver.DeviceMaxRegistersPerBlock)} registers per block");
        }
        Exp(device, checks);
        ActivationsOnDevice(device, checks);
        SharedMemoryOptIn(device, checks);
        return checks.Failed;
    }

    // ---- Exp through ILGPU.Algorithms (EnableAlgorithms redirects MathF.Exp to XMath) ----

    public static void ExpKernel(Index1D i, ArrayView<float> x, ArrayView<float> y) => y[i] = MathF.Exp(x[i]);

    private static void Exp(GpuDevice device, Checks checks)
    {
        const int n = 4097;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = -40f + 80f * i / (n - 1);
        var kernel = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(ExpKernel);
        using var dx = device.Accelerator.Allocate1D(x);
        using var dy = device.Accelerator.Allocate1D<float>(n);
        dy.MemSet(0xFF); // NaN: every element must be written
        kernel(n, dx.View, dy.View);
        device.Synchronize();
        var y = dy.GetAsArray1D();
        var host = new double[n];
        var exact = new double[n];
        for (int i = 0; i < n; i++) { host[i] = MathF.Exp(x[i]); exact[i] = Math.Exp(x[i]); }
        var (vsHost, at) = Checks.MaxRelative(y, host, 1e-30);
        var (vsExact, _) = Checks.MaxRelative(y, exact, 1e-30);
        checks.That(vsHost <= 1e-5, "exp (MathF.Exp via ILGPU.Algorithms)",
            $"max relative error vs host MathF.Exp {Checks.G(vsHost)} (at x = {x[at]}), vs double {Checks.G(vsExact)}, x in [-40, 40]; limit 1e-5");
    }

    // ---- exp2-based σ and tanh against double precision ----

    public static void ActivationKernel(Index1D i, ArrayView<float> x, ArrayView<float> sigmoid, ArrayView<float> tanh, ArrayView<float> hybrid)
    {
        float v = x[i];
        sigmoid[i] = Activations.Sigmoid(v);
        tanh[i] = Activations.TanhViaSigmoid(v);
        hybrid[i] = Activations.TanhHybrid(v);
    }

    private static void ActivationsOnDevice(GpuDevice device, Checks checks)
    {
        int n = 2 * GridHalf + 1;
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (i - GridHalf) / 1024f;
        var a = device.Accelerator;
        var kernel = a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ActivationKernel);
        using var dx = a.Allocate1D(x);
        using var ds = a.Allocate1D<float>(n);
        using var dt = a.Allocate1D<float>(n);
        using var dh = a.Allocate1D<float>(n);
        ds.MemSet(0xFF); dt.MemSet(0xFF); dh.MemSet(0xFF);
        kernel(n, dx.View, ds.View, dt.View, dh.View);
        device.Synchronize();
        float[] s = ds.GetAsArray1D(), t = dt.GetAsArray1D(), h = dh.GetAsArray1D();
        var sigmoid = new double[n];
        var tanh = new double[n];
        for (int i = 0; i < n; i++) { sigmoid[i] = 1 / (1 + Math.Exp(-(double)x[i])); tanh[i] = Math.Tanh(x[i]); }

        var (sRel, sAt) = Checks.MaxRelative(s, sigmoid, 1e-300);
        checks.That(sRel <= 1e-6, "sigmoid 1/(1+exp2(-x*log2e))",
            $"max relative error vs double {Checks.G(sRel)} at x = {x[sAt]} over [-16, 16] step 2^-10; limit 1e-6");
        var (hRel, hAt) = Checks.MaxRelative(h, tanh, 1e-300);
        checks.That(hRel <= 1e-6, "tanh (Taylor to x^7 below |x| 0.125, else 2*sigmoid(2x)-1)",
            $"max relative error vs double {Checks.G(hRel)} at x = {x[hAt]}; limit 1e-6");

        // 2σ(2x)−1 alone: relative error is large near 0 even in exact float32 arithmetic (cancellation), so it is
        // checked relative to max(|tanh x|, 0.125) (i.e. relative for |x| ≥ ~0.126, absolute below) and reported plainly.
        var (tRel, tAt) = Checks.MaxRelative(t, tanh, 1e-300);
        var (tMixed, mAt) = Checks.MaxRelative(t, tanh, 0.125);
        checks.That(tMixed <= 1e-6, "tanh 2*sigmoid(2x)-1",
            $"max error relative to max(|tanh|, 0.125) {Checks.G(tMixed)} at x = {x[mAt]}; limit 1e-6 (plain relative error {Checks.G(tRel)} at x = {x[tAt]}: cancellation near 0)");
    }

    // ---- Dynamic shared memory above 48 KB ----

    public static void SharedReverseKernel(ArrayView<float> input, ArrayView<float> output, int n) => SharedReverse(input, output, n);

    public static void SharedReverseNoOptInKernel(ArrayView<float> input, ArrayView<float> output, int n) => SharedReverse(input, output, n);

    // One group: every thread stores a strided share of the input in dynamic shared memory, then reads another
    // thread's share (reversed order) after the barrier, so the result is right only if all n floats were shared.
    private static void SharedReverse(ArrayView<float> input, ArrayView<float> output, int n)
    {
        var shared = SharedMemory.GetDynamic<float>();
        for (int i = Group.IdxX; i < n; i += Group.DimX) shared[i] = input[i];
        Group.Barrier();
        for (int i = Group.IdxX; i < n; i += Group.DimX) output[i] = 2f * shared[n - 1 - i];
    }

    private static void SharedMemoryOptIn(GpuDevice device, Checks checks)
    {
        const string name = "shared memory opt-in (96 KB dynamic, cuFuncSetAttribute)";
        var a = device.Accelerator;
        int n = OptInBytes / sizeof(float);
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = i * 0.5f - 1000f;
        using var dx = a.Allocate1D(x);
        using var dy = a.Allocate1D<float>(n);
        int group = Math.Min(256, a.MaxNumThreadsPerGroup);
        var config = new KernelConfig(1, group, SharedMemoryConfig.RequestDynamic<float>(n));

        if (a is not CudaAccelerator)
        {
            Checks.Skip(name, "not CUDA");
            // The kernel itself still runs on the CPU accelerator (no 48 KB limit there): its logic is checked.
            var cpuKernel = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(SharedReverseKernel);
            dy.MemSet(0xFF);
            cpuKernel(config, dx.View, dy.View, n);
            a.Synchronize();
            checks.That(ReverseCorrect(x, dy.GetAsArray1D()), "shared reverse kernel (CPU accelerator)", $"{n} floats through dynamic shared memory");
            return;
        }

        var kernel = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(SharedReverseKernel);
        try
        {
            var function = ((CudaKernel)kernel.GetKernel()).FunctionPtr;
            int before = CudaDriver.GetFunctionAttribute(function, CudaDriver.FuncMaxDynamicSharedSizeBytes);
            CudaDriver.SetFunctionAttribute(function, CudaDriver.FuncMaxDynamicSharedSizeBytes, OptInBytes);
            int after = CudaDriver.GetFunctionAttribute(function, CudaDriver.FuncMaxDynamicSharedSizeBytes);
            dy.MemSet(0xFF);
            kernel(config, dx.View, dy.View, n);
            a.Synchronize();
            checks.That(ReverseCorrect(x, dy.GetAsArray1D()), name,
                $"max dynamic shared bytes {before} → {after}; launch with {OptInBytes} B, {group} threads: result {(ReverseCorrect(x, dy.GetAsArray1D()) ? "correct" : "WRONG")}");
        }
        catch (Exception e)
        {
            checks.Fail(name, e.GetType().Name + ": " + e.Message);
            return;
        }

        // The same launch on a second kernel without the opt-in: expected to be refused by the driver.
        var plain = a.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(SharedReverseNoOptInKernel);
        try
        {
            dy.MemSet(0xFF);
            plain(config, dx.View, dy.View, n);
            a.Synchronize();
            Console.WriteLine($"INFO without the opt-in the 96 KB launch ran (result {(ReverseCorrect(x, dy.GetAsArray1D()) ? "correct" : "wrong")}): the opt-in was not needed");
        }
        catch (Exception e)
        {
            Console.WriteLine($"INFO without the opt-in the 96 KB launch was refused, as expected: {e.GetType().Name}: {e.Message}");
        }
    }

    private static bool ReverseCorrect(float[] x, float[] y)
    {
        int n = x.Length;
        for (int i = 0; i < n; i++) if (y[i] != 2f * x[n - 1 - i]) return false;
        return true;
    }
}
