using System;
using System.Collections.Generic;
using System.Globalization;
using ILGPU;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using ModelGen.Gpu;

namespace ModelGen.GpuBenchmarks;

/// <summary>
/// The GPU device program. <c>smoke</c> | <c>parity</c> | <c>bench</c>, with options:
/// <code>
/// --cpu              run on ILGPU's CPU accelerator even when a CUDA device is present
/// --dry-run          CPU accelerator, tiny shapes, few repetitions: proves the program end to end without a GPU
/// --out FILE         bench: the CSV to write (default gpu-modelgen.csv)
/// --cap SECONDS      bench: stop starting new points after this long (default 240); rows not reached say so
/// --steps N          bench: time steps of the sweep (default 50)
/// --only IDS         bench: only the rows whose id starts with one of these (comma-separated, e.g. W2,LSTM/h128)
/// --fixtures DIR     parity: where torch_gpu_parity.py wrote torchgpu_*.json (default: the program's Fixtures folder)
/// </code>
/// Exit code: 0 when every check passed, 1 when one failed, 2 for bad arguments.
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("smoke" or "parity" or "bench"))
        {
            Console.Error.WriteLine("usage: GpuBenchmarks smoke|parity|bench [--cpu] [--dry-run] [--out FILE] [--cap SECONDS] [--steps N] [--only IDS] [--fixtures DIR]");
            return 2;
        }
        var options = Options(args);
        bool dryRun = options.ContainsKey("--dry-run");
        bool cpu = dryRun || options.ContainsKey("--cpu");
        ListDevices();
        using var device = cpu ? GpuDevice.CpuAccelerator(threadsPerWarp: 4, warpsPerGroup: 8, multiprocessors: 4) : GpuDevice.Default();
        Console.WriteLine($"chosen accelerator: {device}");
        var checks = new Checks();
        switch (args[0])
        {
            case "smoke":
                Smoke.Run(device, checks);
                break;
            case "parity":
                Parity.Run(device, checks, options.GetValueOrDefault("--fixtures"));
                break;
            default:
                Bench.Run(device, new Bench.Settings(
                    options.GetValueOrDefault("--out", "gpu-modelgen.csv"),
                    double.Parse(options.GetValueOrDefault("--cap", "240"), CultureInfo.InvariantCulture),
                    int.Parse(options.GetValueOrDefault("--steps", "50"), CultureInfo.InvariantCulture),
                    dryRun, options.GetValueOrDefault("--only")), checks);
                break;
        }
        Console.WriteLine($"{args[0]}: {checks.Passed} passed, {checks.Failed} failed");
        return checks.Failed == 0 ? 0 : 1;
    }

    private static void ListDevices()
    {
        try
        {
            using var context = Context.Create(builder => builder.Cuda().CPU());
            Console.WriteLine("ILGPU devices:");
            foreach (var d in context) Console.WriteLine($"  {d.AcceleratorType}: {d.Name} ({d.MemorySize / (1 << 20)} MiB, warp {d.WarpSize}, {d.NumMultiprocessors} MPs)");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Console.WriteLine($"ILGPU device list failed: {e.GetType().Name}: {e.Message}");
        }
    }

    private static Dictionary<string, string> Options(string[] args)
    {
        var o = new Dictionary<string, string>();
        for (int i = 1; i < args.Length; i++)
            o[args[i]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : "";
        return o;
    }
}
