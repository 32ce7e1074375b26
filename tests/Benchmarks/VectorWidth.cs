using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.RegularExpressions;

namespace ModelGen.Benchmarks;

/// <summary>
/// The widest vector width this process's JIT accelerates, and the benchmark's width modes: <c>512</c> (AVX-512),
/// <c>256</c> (AVX2, or <c>DOTNET_EnableAVX512=0</c> on an AVX-512 machine), <c>128</c> (128-bit vectors with fused
/// multiply-add, as every ARM64 CPU's NEON runs them; <c>DOTNET_PreferredVectorBitWidth=128</c> on x64) and
/// <c>128sse</c> (128-bit vectors without FMA: x64 without AVX, <c>DOTNET_EnableAVX=0</c>).
/// </summary>
/// <remarks>
/// Why two 128-bit modes: <c>DOTNET_EnableAVX=0</c> also removes FMA (its VEX encoding needs AVX) and halves the
/// register file to SSE's 16, so every multiply-add becomes two instructions on 16 registers; ARM64's NEON has FMA and
/// 32 registers. <c>DOTNET_PreferredVectorBitWidth=128</c> keeps FMA and (on AVX-512 machines) 32 vector registers
/// while no vector wider than 128 bits is accelerated: the closer stand-in for ARM64 on an x64 machine.
/// </remarks>
public static class VectorWidth
{
    /// <summary>The variable that makes a benchmark process check its width (<see cref="Check"/>).</summary>
    public const string ExpectWidth = "MODELGEN_BENCH_EXPECT_WIDTH";

    /// <summary>
    /// The width settings of this process's environment (<see cref="IsWidthSetting"/>) and <see cref="ExpectWidth"/>:
    /// what a benchmark process started from this one must be given, or must be cleared of, to run at a chosen width.
    /// </summary>
    /// <returns>Each such variable that is set, with its value.</returns>
    public static IEnumerable<(string Name, string Value)> Settings()
    {
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
            if (e.Key is string name && (IsWidthSetting(name) || name == ExpectWidth)) yield return (name, e.Value as string ?? "");
    }

    /// <summary>
    /// The environment that holds .NET to a width mode, as <c>widths.sh</c>'s <c>width_env</c> sets it for
    /// <c>compare.sh</c> (keep the two alike): none for 512 (the widest, on a machine that has it);
    /// <c>DOTNET_EnableAVX512F=0</c> and <c>DOTNET_EnableAVX512=0</c> for 256 (.NET 10 reads the second);
    /// <c>DOTNET_PreferredVectorBitWidth=128</c> for 128 on x64 (none on ARM64, whose widest is 128);
    /// <c>DOTNET_EnableAVX=0</c> for 128sse.
    /// </summary>
    /// <param name="mode">"512", "256", "128" or "128sse".</param>
    /// <returns>The variables to set, after removing every width setting (<see cref="IsWidthSetting"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="mode"/> is none of the four.</exception>
    public static IReadOnlyList<(string Name, string Value)> EnvironmentFor(string mode) => mode switch
    {
        "512" => [],
        "256" => [("DOTNET_EnableAVX512F", "0"), ("DOTNET_EnableAVX512", "0")],
        "128" => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? [("DOTNET_PreferredVectorBitWidth", "128")] : [],
        "128sse" => [("DOTNET_EnableAVX", "0")],
        _ => throw new ArgumentException($"unknown vector mode '{mode}' (known: {string.Join(", ", Modes)})", nameof(mode)),
    };

    /// <summary>The width modes, widest first: "512", "256", "128" (with FMA), "128sse" (without).</summary>
    public static readonly string[] Modes = ["512", "256", "128", "128sse"];

    /// <summary>
    /// Whether an environment variable can change the width the JIT accelerates: <c>DOTNET_Enable…</c> or
    /// <c>COMPlus_Enable…</c> for an instruction set (AVX…, SSE…, FMA, HWIntrinsic, AdvSimd, …; not the runtime's
    /// other switches such as <c>DOTNET_EnableWriteXorExecute</c>), and <c>…_PreferredVectorBitWidth</c>.
    /// </summary>
    /// <param name="name">The variable's name.</param>
    /// <returns>True for such a setting.</returns>
    public static bool IsWidthSetting(string name) => WidthSetting.IsMatch(name);

    private static readonly Regex WidthSetting = new(
        @"^(DOTNET|COMPlus)_(PreferredVectorBitWidth|Enable(HWIntrinsic|AVX|SSE|FMA|BMI|LZCNT|POPCNT|MOVBE|AES|PCLMUL|VPCLMUL|GFNI|APX|X86|Vector|AdvSimd|Arm64|Rdm|Dp|Sve|Crc32|Atomics)\w*)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>512, 256 or 128: the widest of <see cref="Vector512"/>, <see cref="Vector256"/>, <see cref="Vector128"/> that is accelerated (0 if none).</summary>
    public static int Current =>
        Vector512.IsHardwareAccelerated ? 512 : Vector256.IsHardwareAccelerated ? 256 : Vector128.IsHardwareAccelerated ? 128 : 0;

    /// <summary>Whether fused multiply-add runs in hardware (x64 FMA3 or ARM64 AdvSimd).</summary>
    public static bool HardwareFma => System.Runtime.Intrinsics.X86.Fma.IsSupported || System.Runtime.Intrinsics.Arm.AdvSimd.IsSupported;

    /// <summary>This process's width mode: "512", "256", "128" (with FMA) or "128sse" (without FMA).</summary>
    public static string Mode => Current == 128 && !HardwareFma ? "128sse" : Current.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The vector width in bits of a mode ("128sse" → 128).</summary>
    /// <param name="mode">A mode as <see cref="Mode"/> names it.</param>
    /// <returns>512, 256 or 128; 0 for an unknown mode.</returns>
    public static int BitsOf(string mode) => mode switch { "512" => 512, "256" => 256, "128" or "128sse" => 128, _ => 0 };

    /// <summary>The name of a width as the report prints it.</summary>
    /// <param name="bits">512, 256 or 128.</param>
    /// <returns>E.g. "256-bit (AVX2)".</returns>
    public static string Name(int bits) => Name(bits.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>The name of a width mode as the report prints it.</summary>
    /// <param name="mode">"512", "256", "128" or "128sse".</param>
    /// <returns>E.g. "128-bit with FMA (as ARM64 NEON)".</returns>
    public static string Name(string mode) => mode switch
    {
        "512" => "512-bit (AVX-512)",
        "256" => "256-bit (AVX2)",
        "128" => "128-bit with FMA (as ARM64 NEON)",
        "128sse" => "128-bit without FMA (SSE: x64 without AVX)",
        _ => mode + "-bit",
    };

    /// <summary>The short label of a mode in tables and the chart: "512-bit", "128-bit + FMA", "128-bit SSE".</summary>
    /// <param name="mode">"512", "256", "128" or "128sse".</param>
    /// <returns>The label.</returns>
    public static string Label(string mode) => mode switch { "128" => "128-bit + FMA", "128sse" => "128-bit SSE", _ => mode + "-bit" };

    /// <summary>Throws when <see cref="ExpectWidth"/> is set and differs from <see cref="Mode"/>.</summary>
    /// <exception cref="InvalidOperationException">The JIT did not honour the width knobs.</exception>
    public static void Check()
    {
        var expected = Environment.GetEnvironmentVariable(ExpectWidth);
        if (string.IsNullOrEmpty(expected)) return;
        if (expected != Mode)
            throw new InvalidOperationException($"this benchmark process runs in vector mode {Mode} ({Name(Mode)}), but {ExpectWidth}={expected} was asked for: the DOTNET_* width knobs were not honoured");
    }
}
