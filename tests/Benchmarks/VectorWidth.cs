using System;
using System.Runtime.Intrinsics;

namespace ModelGen.Benchmarks;

/// <summary>
/// The widest vector width this process's JIT accelerates: 512 (AVX-512), 256 (AVX2, or <c>DOTNET_EnableAVX512F=0</c>
/// on an AVX-512 machine) or 128 (SSE / ARM64 NEON, or <c>DOTNET_EnableAVX=0</c> on x64).
/// </summary>
public static class VectorWidth
{
    /// <summary>The environment variables that change the width the JIT accelerates, passed on to benchmark processes.</summary>
    public static readonly string[] Knobs =
    [
        "DOTNET_EnableAVX512F", "DOTNET_EnableAVX512", "DOTNET_EnableAVX2", "DOTNET_EnableAVX", "DOTNET_PreferredVectorBitWidth",
        "MODELGEN_BENCH_EXPECT_WIDTH",
    ];

    /// <summary>512, 256 or 128: the widest of <see cref="Vector512"/>, <see cref="Vector256"/>, <see cref="Vector128"/> that is accelerated (0 if none).</summary>
    public static int Current =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>The name of a width as the report prints it.</summary>
    /// <param name="bits">512, 256 or 128.</param>
    /// <returns>E.g. "256-bit (AVX2)".</returns>
    public static string Name(int bits) => bits switch
    {
        512 => "512-bit (AVX-512)",
        256 => "256-bit (AVX2)",
        128 => "128-bit (SSE; what ARM64 NEON gets)",
        _ => bits.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-bit",
    };

    /// <summary>Throws when <c>MODELGEN_BENCH_EXPECT_WIDTH</c> is set and differs from <see cref="Current"/>.</summary>
    /// <exception cref="InvalidOperationException">The JIT did not honour the width knobs.</exception>
    public static void Check()
    {
        var expected = Environment.GetEnvironmentVariable("MODELGEN_BENCH_EXPECT_WIDTH");
        if (string.IsNullOrEmpty(expected)) return;
        if (expected != Current.ToString(System.Globalization.CultureInfo.InvariantCulture))
            throw new InvalidOperationException($"this benchmark process runs at {Current}-bit vectors, but MODELGEN_BENCH_EXPECT_WIDTH={expected} was asked for: the DOTNET_Enable* knobs were not honoured");
    }
}
