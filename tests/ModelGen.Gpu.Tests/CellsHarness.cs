using System;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// Named float arrays for one cell call, cloned so the CPU and the GPU cell start from identical values; on the device
/// side each array becomes a buffer (an empty array: a default view, the "not given" of an optional slot).
/// </summary>
internal sealed class CellData
{
    public Dictionary<string, float[]> F { get; } = new(StringComparer.Ordinal);
    public byte[] Mask { get; set; } = Array.Empty<byte>();

    public float[] this[string name] => F[name];

    public CellData Clone()
    {
        var copy = new CellData { Mask = (byte[])Mask.Clone() };
        foreach (var (k, v) in F) copy.F[k] = (float[])v.Clone();
        return copy;
    }

    public static float[] Random(Random random, int n, float scale = 1f)
    {
        var x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (random.NextSingle() * 2 - 1) * scale;
        return x;
    }

    /// <summary>Every array of <paramref name="expected"/> and <paramref name="actual"/> equal within 1e-4·(1 + |expected|).</summary>
    public static void AssertClose(CellData expected, CellData actual, string what)
    {
        foreach (var (name, e) in expected.F)
        {
            var a = actual.F[name];
            Assert.Equal(e.Length, a.Length);
            for (int i = 0; i < e.Length; i++)
            {
                if (float.IsNaN(e[i]) && float.IsNaN(a[i])) continue;
                Assert.True(Math.Abs(a[i] - e[i]) <= 1e-4f * (1 + Math.Abs(e[i])),
                    $"{what}: {name}[{i}] is {a[i]} on the GPU cell, {e[i]} on the CPU cell");
            }
        }
    }
}

/// <summary>The arrays of a <see cref="CellData"/> on a device, read back into it on dispose.</summary>
internal sealed class DeviceData : IDisposable
{
    private readonly CellData _data;
    private readonly Dictionary<string, MemoryBuffer1D<float, Stride1D.Dense>> _buffers = new(StringComparer.Ordinal);
    private readonly MemoryBuffer1D<byte, Stride1D.Dense>? _mask;

    public DeviceData(GpuDevice device, CellData data)
    {
        _data = data;
        foreach (var (k, v) in data.F)
            if (v.Length > 0) _buffers[k] = device.Accelerator.Allocate1D(v);
        if (data.Mask.Length > 0) _mask = device.Accelerator.Allocate1D(data.Mask);
    }

    public ArrayView<float> this[string name] => _buffers.TryGetValue(name, out var b) ? b.View : default;

    public ArrayView<byte> Mask => _mask is null ? default : _mask.View;

    public void Dispose()
    {
        foreach (var (k, b) in _buffers)
        {
            b.CopyToCPU(_data.F[k]);
            b.Dispose();
        }
        _mask?.Dispose();
    }
}
