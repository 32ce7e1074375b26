using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Tests;

/// <summary>The device's kernel cache: loaded once, found again at every launch without allocating.</summary>
public sealed class GpuDeviceTests
{
    private static void Double(Index1D i, ArrayView<float> x) => x[i] *= 2f;

    [Fact]
    public void A_cached_kernel_is_loaded_once_and_found_without_allocating()
    {
        using var device = GpuDevice.CpuAccelerator();
        int loads = 0;
        Action<AcceleratorStream, Index1D, ArrayView<float>> Load(Accelerator a)
        {
            loads++;
            return a.LoadAutoGroupedKernel<Index1D, ArrayView<float>>(Double);
        }
        var first = device.Kernel((typeof(GpuDeviceTests), "Double"), Load);
        var again = device.Kernel((typeof(GpuDeviceTests), "Double"), Load);
        Assert.Same(first, again);
        Assert.Equal(1, loads);

        Action<Index1D, ArrayView<float>> method = Double;
        device.Kernel((typeof(GpuDeviceTests), "Double2"), method, static (a, k) => a.LoadAutoGroupedKernel(k));
        void Lookups()
        {
            device.Kernel((typeof(GpuDeviceTests), "Double"), static a => a.LoadAutoGroupedKernel<Index1D, ArrayView<float>>(Double));
            device.Kernel((typeof(GpuDeviceTests), "Double2"), method, static (a, k) => a.LoadAutoGroupedKernel(k));
        }
        Lookups(); // the compiler's cached delegates for the two static lambdas are made on first use
        Assert.Equal(0, ModelGen.Tests.Allocations.FewestBytes(Lookups));
    }
}
