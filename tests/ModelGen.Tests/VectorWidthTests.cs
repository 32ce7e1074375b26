using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Intrinsics;
using ModelGen.Kernels;

namespace ModelGen.Tests;

/// <summary>
/// Which vector width the runtime's kernels and the generated cells run at in this test build. tests/ModelGen.Tests runs
/// the widest the hardware accelerates; tests/ModelGen.Tests.Wide (the same sources, built with EMULATE_VECTOR512) runs
/// the 512-bit paths wherever 256-bit vectors are accelerated, emulated where the CPU lacks AVX-512. If the emulation
/// were not wired (the runtimeconfig switch, the generator's build property), the second run would repeat the first
/// in silence; these tests fail instead.
/// </summary>
public class VectorWidthTests
{
#if EMULATE_VECTOR512
    private static bool Emulating => true;
#else
    private static bool Emulating => false;
#endif

    [Fact]
    public void The_products_run_at_the_widest_width_this_build_asks_for()
    {
        bool wide = Vector512.IsHardwareAccelerated || (Emulating && Vector256.IsHardwareAccelerated);
        int expected = wide ? 512
            : Vector256.IsHardwareAccelerated ? 256
            : Vector128.IsHardwareAccelerated ? 128 : 32;
        Assert.Equal(expected, Gemm.VectorBits);
        Assert.Equal(Emulating && wide && !Vector512.IsHardwareAccelerated, Wide.Emulated);
    }

    [Fact]
    public void The_runtime_switch_is_set_exactly_in_the_emulating_build()
    {
        // On an AVX-512 CPU the widths above are 512 either way, so check the runtimeconfig switch itself there too.
        bool on = AppContext.TryGetSwitch(Wide.EmulateSwitch, out bool value) && value;
        Assert.Equal(Emulating, on);
    }

    [Fact]
    public void The_generated_cells_check_the_width_this_build_asks_for()
    {
        // The generated sources of this assembly (EmitCompilerGeneratedFiles, path from the project file).
        string? folder = typeof(VectorWidthTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "ModelGenGeneratedFiles")?.Value;
        Assert.False(string.IsNullOrEmpty(folder), "the project file names its generated files' folder (AssemblyMetadata ModelGenGeneratedFiles)");
        var cells = Directory.GetFiles(folder!, "Cells.*.g.cs", SearchOption.AllDirectories);
        Assert.True(cells.Length >= 10, $"expected the generated cells of this assembly's models under {folder}, found {cells.Length}");
        int withWideChecks = 0;
        foreach (var file in cells)
        {
            string text = File.ReadAllText(file);
            if (text.Contains("Vector512.IsHardwareAccelerated", StringComparison.Ordinal)) withWideChecks++;
            Assert.Equal(Emulating, text.Contains("ModelGenEmulateVector512 (tests only)", StringComparison.Ordinal));
        }
        if (Emulating) Assert.Equal(0, withWideChecks);
        else Assert.True(withWideChecks > 0, "the generated cells have 512-bit branches, each behind Vector512.IsHardwareAccelerated");
    }
}
