using System;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace ModelGen.Kernels;

/// <summary>
/// The last, partial vector of an element-wise loop: loads and stores of fewer than 8 floats as one
/// <c>Vector256</c>, so the generated loops run their tail through the same SIMD code as the rest (masked
/// AVX moves; an element copy where AVX is missing) instead of a scalar loop calling MathF per element.
/// </summary>
public static class VectorTail
{
    /// <summary>Loads <paramref name="count"/> (1–7) floats from <c>start[offset…]</c>; the other lanes are zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe Vector256<float> Load(ref float start, int offset, int count)
    {
        ref float first = ref Unsafe.Add(ref start, offset);
        if (Avx.IsSupported)
        {
            fixed (float* p = &first) return Avx.MaskLoad(p, Mask(count));
        }
        var lanes = Vector256<float>.Zero;
        for (int i = 0; i < count; i++) lanes = lanes.WithElement(i, Unsafe.Add(ref first, i));
        return lanes;
    }

    /// <summary>Stores the first <paramref name="count"/> (1–7) lanes of <paramref name="value"/> to <c>start[offset…]</c>; nothing else is written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Store(Vector256<float> value, ref float start, int offset, int count)
    {
        ref float first = ref Unsafe.Add(ref start, offset);
        if (Avx.IsSupported)
        {
            fixed (float* p = &first) Avx.MaskStore(p, Mask(count), value);
            return;
        }
        for (int i = 0; i < count; i++) Unsafe.Add(ref first, i) = value.GetElement(i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> Mask(int count)
        => Vector256.LessThan(Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7), Vector256.Create(count)).AsSingle();
}
