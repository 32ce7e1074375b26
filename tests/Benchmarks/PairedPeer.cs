using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace ModelGen.Benchmarks;

/// <summary>
/// <c>--paired [W1,W3,…] [--rounds N] [--seconds S] [--python PATH] [--peer torch_peer.py] [--json FILE]</c>: each
/// workload's training step and inference timed on one thread in ModelGen and in PyTorch (a
/// <c>torch_peer.py --serve --threads 1</c> process started here), the two sides alternating in rounds of about
/// <c>S</c> seconds (default 0.3; 9 rounds), the order swapped every round. Each round's figure is the median time per
/// call; the ratio PyTorch ÷ ModelGen is taken per round (two adjacent timings) and its median reported, beside each
/// side's best and median round. With <c>--json</c> writes them for the report.
/// <para>
/// <c>--paired --against-width MODE […]</c>: the same rounds, but the other side is ModelGen itself at another vector
/// width (this program's <c>--serve</c>, started with the environment that holds .NET to <c>MODE</c>: 512, 256, 128 or
/// 128sse); the ratio is that width's time ÷ this process's. <c>compare.sh</c> runs it from the 256-bit process against
/// each 128-bit mode for the report's "128-bit against 256-bit" table (target ≤ 2.5×).
/// </para>
/// </summary>
/// <remarks>
/// Why <c>compare.sh</c> runs this besides the separate runs (BenchmarkDotNet for ModelGen, then torch_peer.py): on a
/// shared host the two are minutes apart and the neighbours' load moves between them. In runs of this project's Zen 3
/// page both sides' round medians have moved by half between runs (PyTorch's W6 inference 6.6 ms in one run's best
/// round, 9.6 in the next), which moves a ratio as much as the work of a session does. Alternating rounds put the same
/// load on both sides, as <c>--thread-ratio</c> does for thread counts. The vector width is fixed when .NET starts, so
/// two widths need two processes: the same alternation, with a second ModelGen process as the peer (W2's inference at
/// 128 bits read 2.80× the 256-bit time from two BenchmarkDotNet runs on that host, 2.03× from alternating rounds).
/// </remarks>
internal static class PairedPeer
{
    private static readonly string[] Known = [.. Workload.All.Select(w => w.Id)];

    // The longest round --serve accepts, seconds: a longer request is a mistake, and an unbounded one overflows the deadline.
    private const double MaxRoundSeconds = 60;

    public static int Run(string[] args)
    {
        var ids = new List<string>(Known);
        int rounds = 9;
        double seconds = 0.3;
        string python = "/usr/bin/python3", peer = Path.Combine("tests", "Benchmarks", "torch_peer.py");
        string? json = null, againstWidth = null;
        bool pythonGiven = false;
        const string Usage = "--paired [W1,W3,…] [--rounds N ≥ 1] [--seconds 0 < S ≤ 60] [--python PATH] [--peer torch_peer.py] [--against-width 512|256|128|128sse] [--json FILE]";
        // Every argument is checked before a peer starts or anything is measured.
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--python": python = Next(); pythonGiven = true; break;
                    case "--peer": peer = Next(); pythonGiven = true; break;
                    case "--against-width": againstWidth = Next(); break;
                    case "--json": json = Next(); break;
                    case var flag when flag.StartsWith('-'): throw new ArgumentException($"unknown option '{flag}'");
                    default: ids = [.. args[i].Split(',').Select(id => id.Trim().ToUpperInvariant())]; break;
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                Console.Error.WriteLine($"--paired: {e.Message.TrimEnd('.')}. Usage: {Usage}");
                return 2;
            }
        }
        string? problem = ids.FirstOrDefault(id => !Known.Contains(id)) is { } bad ? $"unknown workload '{bad}' (known: {string.Join(", ", Known)})"
            : rounds < 1 ? $"--rounds must be at least 1, got {rounds}"
            : !(seconds > 0) ? $"--seconds must be positive, got {seconds}"
            : !(seconds <= MaxRoundSeconds) ? $"--seconds must be at most {MaxRoundSeconds}, got {seconds}"
            : againstWidth is not null && !VectorWidth.Modes.Contains(againstWidth) ? $"unknown vector mode '{againstWidth}' (known: {string.Join(", ", VectorWidth.Modes)})"
            : againstWidth is not null && pythonGiven ? "--python and --peer name the PyTorch peer, which --against-width does not start"
            : againstWidth is null && !File.Exists(peer) ? $"the PyTorch peer script is not at '{peer}' (run from the repository root, or pass --peer)"
            : json is not null && Path.GetDirectoryName(Path.GetFullPath(json)) is { } folder && !Directory.Exists(folder) ? $"the folder of --json '{json}' does not exist"
            : null;
        if (problem is not null)
        {
            Console.Error.WriteLine($"--paired: {problem}. Usage: {Usage}");
            return 2;
        }
        try
        {
            VectorWidth.Check(); // this side's width, where the caller asked for one (MODELGEN_BENCH_EXPECT_WIDTH)
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"--paired: {e.Message}");
            return 2;
        }

        ProcessStartInfo start;
        string peerName;
        if (againstWidth is null)
        {
            start = new ProcessStartInfo(python);
            foreach (var a in new[] { peer, "--serve", "--threads", "1" }) start.ArgumentList.Add(a);
            // Below 512 bits PyTorch runs as on a CPU without AVX-512 (OpenBLAS's AVX2 kernels, ATen's AVX2 ones; no
            // change on such a CPU): an AVX-512 machine's 256-bit mode stands for an AVX2 machine, whose PyTorch has no
            // AVX-512 GEMMs either. torch_peer.py says which kernels it got (the ready line's blas_core).
            if (VectorWidth.Current < 512) foreach (var a in new[] { "--blas-width", "256" }) start.ArgumentList.Add(a);
            peerName = "PyTorch";
        }
        else
        {
            start = ServeAt(againstWidth);
            peerName = $"ModelGen at {VectorWidth.Label(againstWidth)}";
        }
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine(againstWidth is null
                ? $"--paired: could not start '{python}': {e.Message} (pass --python with Debian's /usr/bin/python3, which has python3-torch)"
                : $"--paired: could not start '{start.FileName}' for the {againstWidth} peer: {e.Message}");
            return 2;
        }
        using var other = started ?? throw new InvalidOperationException($"could not start {start.FileName}");
        try
        {
            string ready = other.StandardOutput.ReadLine() ?? throw new InvalidOperationException(againstWidth is null
                ? $"{peer} --serve ended before it was ready (is PyTorch installed for {python}?)"
                : $"the {againstWidth} ModelGen peer (--serve) ended before it was ready");
            if (!ready.StartsWith("ready ", StringComparison.Ordinal)) throw new InvalidDataException($"the peer answered '{ready}', expected 'ready {{…}}'");
            using var peerInfo = JsonDocument.Parse(ready["ready ".Length..]);
            if (againstWidth is not null && peerInfo.RootElement.GetProperty("mode").GetString() is var seen && seen != againstWidth)
            {
                Console.Error.WriteLine($"--paired: the peer started with {Describe(start)} runs in vector mode {seen}, not {againstWidth} (this CPU lacks that width, or a setting the peer inherited holds it to another)");
                return 2;
            }
            int before = Threading.IntraOpThreads;
            Threading.IntraOpThreads = 1;
            Console.WriteLine($"ModelGen at {VectorWidth.Name(VectorWidth.Mode)} against {peerName}, one thread on both sides, {rounds} alternating round{(rounds == 1 ? "" : "s")} of ~{seconds:0.###} s per side");
            Console.WriteLine(againstWidth is null
                ? "ratio: PyTorch's time ÷ ModelGen's (above 1: ModelGen faster)"
                : $"ratio: the {VectorWidth.Label(againstWidth)} time ÷ the {VectorWidth.Label(VectorWidth.Mode)} time (above 1: {VectorWidth.Label(againstWidth)} slower; the 128-bit target is at most 2.5× the 256-bit time)");
            Console.WriteLine($"workload | benchmark | ModelGen {VectorWidth.Mode} best / median round | {peerName} best / median round | median of each round's {peerName} ÷ ModelGen {VectorWidth.Mode} | host steal (the share of the machine's CPU time the hypervisor withheld, /proc/stat)");
            var results = new List<Result>();
            foreach (var id in ids)
            {
                var (train, infer) = ThreadRatio.Create(id);
                results.Add(Compare(id, "training", train, other, rounds, seconds));
                results.Add(Compare(id, "inference", infer, other, rounds, seconds));
            }
            Threading.IntraOpThreads = before;
            other.StandardInput.WriteLine("quit");
            other.WaitForExit(10_000);
            if (json is not null)
            {
                var doc = new Document(VectorWidth.Mode, rounds, seconds,
                    againstWidth is null ? peerInfo.RootElement.GetProperty("torch_version").GetString() ?? "?" : null, results)
                {
                    PeerMode = againstWidth,
                    PeerBlasWidth = againstWidth is null && peerInfo.RootElement.TryGetProperty("blas_width", out var bw) ? bw.GetString() : null,
                    PeerBlasCore = againstWidth is null && peerInfo.RootElement.TryGetProperty("blas_core", out var bc) ? bc.GetString() : null,
                };
                ResultFiles.Write(json, doc);
                Console.WriteLine($"wrote {json}");
            }
            return 0;
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or JsonException or KeyNotFoundException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"--paired: {e.Message}");
            return 1;
        }
        finally
        {
            if (!other.HasExited) other.Kill();
        }
    }

    /// <summary>
    /// This program's <c>--serve</c>, with the environment that holds .NET to <paramref name="mode"/> (the width knobs
    /// of this process removed first) and one thread; its ready line says which mode it got.
    /// </summary>
    private static ProcessStartInfo ServeAt(string mode)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host);
        // Started as `dotnet ModelGen.Benchmarks.dll`: the host needs the assembly; as the apphost (dotnet run), not.
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(PairedPeer).Assembly.Location);
        start.ArgumentList.Add("--serve");
        // Every setting that can change the width the JIT accelerates goes, whatever its prefix or instruction set
        // (DOTNET_EnableAVX2, COMPlus_EnableFMA, DOTNET_PreferredVectorBitWidth, …), and this side's expected width,
        // so the child gets only the mode's.
        foreach (var (name, _) in VectorWidth.Settings()) start.Environment.Remove(name);
        foreach (var (name, value) in VectorWidth.EnvironmentFor(mode)) start.Environment[name] = value;
        start.Environment["MODELGEN_NUM_THREADS"] = "1";
        return start;
    }

    private static string Describe(ProcessStartInfo start)
    {
        var set = start.Environment.Where(e => VectorWidth.IsWidthSetting(e.Key)).Select(e => $"{e.Key}={e.Value}").ToList();
        return set.Count == 0 ? "no width setting" : string.Join(" ", set);
    }

    /// <summary>
    /// <c>--serve</c>: rounds on request for another process's <c>--paired --against-width</c>, with the protocol of
    /// <c>torch_peer.py --serve</c>: prints <c>ready {"mode": …}</c>, then for each line <c>W3 training 0.3</c> times
    /// that step on one thread for about that many seconds and prints the median ns per call (the first request of a
    /// step warms it up for 0.5 s first); a malformed line gets <c>error: …</c>; <c>quit</c> or the end of input ends.
    /// </summary>
    public static int Serve(string[] args)
    {
        if (args.Length > 0)
        {
            Console.Error.WriteLine($"--serve takes no arguments, got '{string.Join(' ', args)}'");
            return 2;
        }
        // No VectorWidth.Check here: the ready line names the mode, and --paired says what it expected.
        Threading.IntraOpThreads = 1;
        Console.WriteLine("ready " + JsonSerializer.Serialize(new Dictionary<string, object> { ["mode"] = VectorWidth.Mode, ["threads"] = Threading.IntraOpThreads }));
        var built = new Dictionary<string, (Func<float> Train, Func<float> Infer)>();
        var warmed = new HashSet<(string, string)>();
        while (Console.ReadLine() is { } line)
        {
            string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (words.Length == 0) continue;
            if (words[0] == "quit") break;
            if (words.Length != 3 || !Known.Contains(words[0]) || words[1] is not ("training" or "inference")
                || !double.TryParse(words[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0 && seconds <= MaxRoundSeconds))
            {
                Console.WriteLine($"error: expected 'W1…W6 training|inference SECONDS' with 0 < SECONDS ≤ {MaxRoundSeconds}, got '{line.Trim()}'");
                continue;
            }
            if (!built.TryGetValue(words[0], out var calls)) built[words[0]] = calls = ThreadRatio.Create(words[0]);
            var call = words[1] == "training" ? calls.Train : calls.Infer;
            if (warmed.Add((words[0], words[1]))) Round(call, 0.5);
            Console.WriteLine((Round(call, seconds) * 1e9).ToString("R", CultureInfo.InvariantCulture));
        }
        return 0;
    }

    /// <summary>
    /// One workload's step on both sides: each side's best and median round (median seconds per call) and the median
    /// over rounds of the peer's time ÷ this process's in the same round (against PyTorch, above 1: ModelGen faster;
    /// against another width, that width's time as a multiple of this one's). The <c>Torch…</c> members hold the peer's
    /// figures whichever it is (their names kept so that earlier files still read).
    /// </summary>
    internal sealed record Result(string Workload, string Kind, double ModelGenBest, double ModelGenMedian, double TorchBest, double TorchMedian, double PairedRatio)
    {
        /// <summary>Each round's ModelGen figure (median seconds per call), in the order measured.</summary>
        public List<double> ModelGenRounds { get; init; } = [];

        /// <summary>Each round's peer figure (median seconds per call), in the order measured.</summary>
        public List<double> TorchRounds { get; init; } = [];

        /// <summary>
        /// The share of the machine's CPU time that the hypervisor withheld during this workload's rounds, both sides
        /// (<see cref="CpuTicks.StealShare"/>, 0 to 1); null where it cannot be read or in files written before it was.
        /// </summary>
        public double? Steal { get; init; }
    }

    /// <summary>
    /// What <c>--json</c> writes: this process's vector mode, the rounds, their length, PyTorch's version (null against
    /// another width) and every result.
    /// </summary>
    internal sealed record Document(string Mode, int Rounds, double Seconds, string? TorchVersion, List<Result> Results)
    {
        /// <summary>The peer's vector mode with <c>--against-width</c>; null when the peer is PyTorch.</summary>
        public string? PeerMode { get; init; }

        /// <summary>torch_peer.py's <c>--blas-width</c> (<c>native</c>, or <c>256</c>: AVX2 kernels on an AVX-512 CPU); null against another width or from an older run.</summary>
        public string? PeerBlasWidth { get; init; }

        /// <summary>The OpenBLAS kernels the PyTorch peer ran (<c>openblas_get_corename</c>: Haswell, SkylakeX, Cooperlake…); null where unknown.</summary>
        public string? PeerBlasCore { get; init; }
    }

    /// <summary>Reads a file <c>--json</c> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    internal static Document Read(string path) =>
        ResultFiles.Read<Document>(path, "--paired --json");

    private static Result Compare(string id, string kind, Func<float> call, Process peer, int rounds, double seconds)
    {
        Round(call, 0.5); // this side's warm-up here; the peer warms up on its first request
        var ours = new List<double>();
        var theirs = new List<double>();
        var start = CpuTicks.Now();
        for (int r = 0; r < rounds; r++)
        {
            // The order swaps every round, so neither side always runs right after the other.
            if (r % 2 == 0)
            {
                ours.Add(Round(call, seconds));
                theirs.Add(Ask(peer, id, kind, seconds));
            }
            else
            {
                theirs.Add(Ask(peer, id, kind, seconds));
                ours.Add(Round(call, seconds));
            }
        }
        double? steal = CpuTicks.Share(start, CpuTicks.Now());
        var paired = new List<double>();
        for (int r = 0; r < rounds; r++) paired.Add(theirs[r] / ours[r]);
        double ratio = Clock.Median(paired);
        double oBest = ours.Min(), oMedian = Clock.Median(ours), tBest = theirs.Min(), tMedian = Clock.Median(theirs);
        Console.WriteLine(FormattableString.Invariant(
            $"{id} | {kind} | {Clock.Show(oBest)} / {Clock.Show(oMedian)} | {Clock.Show(tBest)} / {Clock.Show(tMedian)} | {ratio:0.00}× | {CpuTicks.Show(steal)}"));
        return new Result(id, kind, oBest, oMedian, tBest, tMedian, ratio) { ModelGenRounds = ours, TorchRounds = theirs, Steal = steal };
    }

    // The peer's median seconds per call over a round of about `seconds`.
    private static double Ask(Process peer, string id, string kind, double seconds)
    {
        peer.StandardInput.WriteLine(FormattableString.Invariant($"{id} {kind} {seconds}"));
        peer.StandardInput.Flush();
        string line = peer.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the peer ended during {id} {kind}");
        if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double ns))
            throw new InvalidDataException($"the peer answered '{line}' to '{id} {kind} {seconds}', expected a time in ns");
        return ns * 1e-9;
    }

    // ModelGen's median seconds per call over a round of about `seconds` (after one call at this setting, as the peer).
    // The per-call times go into one buffer made before any round, so a round allocates nothing (a growing list's
    // copies could start a collection inside the timed calls); a round stops early if it fills.
    private static readonly double[] Times = new double[1 << 20];

    private static double Round(Func<float> call, double seconds)
    {
        call();
        int n = 0;
        long end = Stopwatch.GetTimestamp() + (long)(seconds * Stopwatch.Frequency);
        while (n < 3 || (Stopwatch.GetTimestamp() < end && n < Times.Length))
        {
            long t0 = Stopwatch.GetTimestamp();
            call();
            Times[n++] = Clock.Seconds(t0);
        }
        Array.Sort(Times, 0, n);
        return n % 2 == 1 ? Times[n / 2] : (Times[n / 2 - 1] + Times[n / 2]) / 2;
    }
}
