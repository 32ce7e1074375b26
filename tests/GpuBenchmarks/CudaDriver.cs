using System;
using System.Runtime.InteropServices;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// The few CUDA driver calls ILGPU 1.5.3 does not make (libcuda.so.1, loaded only when a CUDA device is in use):
/// the shared-memory opt-in above 48 KB per block (GPU.md B3) and the attributes that say how far it goes.
/// </summary>
internal static partial class CudaDriver
{
    private const string Library = "libcuda.so.1";

    /// <summary>CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES.</summary>
    public const int FuncMaxDynamicSharedSizeBytes = 8;

    /// <summary>CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN.</summary>
    public const int DeviceMaxSharedMemoryPerBlockOptin = 97;

    /// <summary>CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_MULTIPROCESSOR.</summary>
    public const int DeviceMaxSharedMemoryPerMultiprocessor = 81;

    /// <summary>CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK.</summary>
    public const int DeviceMaxRegistersPerBlock = 12;

    /// <summary>CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / MINOR.</summary>
    public const int DeviceComputeCapabilityMajor = 75, DeviceComputeCapabilityMinor = 76;

    [LibraryImport(Library, EntryPoint = "cuFuncSetAttribute")]
    private static partial int FuncSetAttribute(IntPtr function, int attribute, int value);

    [LibraryImport(Library, EntryPoint = "cuFuncGetAttribute")]
    private static partial int FuncGetAttribute(out int value, int attribute, IntPtr function);

    [LibraryImport(Library, EntryPoint = "cuDeviceGet")]
    private static partial int DeviceGet(out int device, int ordinal);

    [LibraryImport(Library, EntryPoint = "cuDeviceGetAttribute")]
    private static partial int DeviceGetAttribute(out int value, int attribute, int device);

    [LibraryImport(Library, EntryPoint = "cuDriverGetVersion")]
    private static partial int DriverGetVersion(out int version);

    /// <summary>Sets a function attribute; throws with the driver's error code when it fails.</summary>
    public static void SetFunctionAttribute(IntPtr function, int attribute, int value) =>
        Check(FuncSetAttribute(function, attribute, value), $"cuFuncSetAttribute({attribute}, {value})");

    /// <summary>Reads a function attribute.</summary>
    public static int GetFunctionAttribute(IntPtr function, int attribute)
    {
        Check(FuncGetAttribute(out int value, attribute, function), $"cuFuncGetAttribute({attribute})");
        return value;
    }

    /// <summary>Reads an attribute of CUDA device <paramref name="ordinal"/>.</summary>
    public static int GetDeviceAttribute(int ordinal, int attribute)
    {
        Check(DeviceGet(out int device, ordinal), $"cuDeviceGet({ordinal})");
        Check(DeviceGetAttribute(out int value, attribute, device), $"cuDeviceGetAttribute({attribute})");
        return value;
    }

    /// <summary>The driver's CUDA version, e.g. 13000 for 13.0.</summary>
    public static int Version()
    {
        Check(DriverGetVersion(out int version), "cuDriverGetVersion");
        return version;
    }

    private static void Check(int status, string call)
    {
        if (status != 0) throw new InvalidOperationException($"{call} failed with CUresult {status}");
    }
}
