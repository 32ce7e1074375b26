using System;
using System.Runtime.Intrinsics;

namespace ModelGen.Kernels;

/// <summary>
/// Whether the runtime's kernels take their 512-bit paths: where the CPU runs 512-bit vectors in hardware (AVX-512),
/// or, to test those paths on a machine without AVX-512, where the AppContext switch <see cref="EmulateSwitch"/> is on
/// and 256-bit vectors are accelerated.
/// </summary>
/// <remarks>
/// <para>
/// .NET runs a <see cref="Vector512{T}"/> operation that the hardware does not accelerate as the same operation on its
/// two <see cref="Vector256{T}"/> halves (a fused multiply-add stays fused), so an emulated 512-bit path computes the
/// values the AVX-512 machine would, only slower. Without the switch no machine that lacks AVX-512 ever runs those
/// paths (CI's and most users'), and a wrong tail or offset in one would reach only AVX-512 users.
/// </para>
/// <para>
/// Tests only: <c>tests/ModelGen.Tests.Wide</c> sets the switch (a <c>RuntimeHostConfigurationOption</c>) and builds the
/// same tests with <c>ModelGenEmulateVector512</c>, the generator's matching build property, which renders the
/// generated cells' 512-bit checks the same way. Where the CPU has AVX-512, <see cref="IsAccelerated"/> is the
/// hardware's answer and the switch changes nothing. The flag is a <c>static readonly</c> field, which the tiered JIT's
/// optimized code reads as a constant once the class is initialized, so there the check costs what
/// <see cref="Vector512.IsHardwareAccelerated"/> does; tier-0 code and NativeAOT read the field (a load and a branch per
/// call of a kernel, not per vector), and keep the 512-bit paths' code. The tile micro-kernels, compiled fully
/// optimized at their first call, contain no check.
/// </para>
/// </remarks>
internal static class Wide
{
    /// <summary>The AppContext switch that turns on the emulated 512-bit paths (tests only).</summary>
    internal const string EmulateSwitch = "ModelGen.Testing.EmulateVector512";

    /// <summary>Whether the 512-bit paths run: in hardware, or emulated where <see cref="Emulated"/>.</summary>
    internal static bool IsAccelerated => Vector512.IsHardwareAccelerated || Emulated;

    /// <summary>
    /// Whether the 512-bit paths run emulated: the switch is on, 256-bit vectors are accelerated (each half of an
    /// emulated vector is one), and 512-bit ones are not.
    /// </summary>
    internal static readonly bool Emulated =
        !Vector512.IsHardwareAccelerated && Vector256.IsHardwareAccelerated
        && AppContext.TryGetSwitch(EmulateSwitch, out bool on) && on;
}
