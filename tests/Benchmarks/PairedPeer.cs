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
/// </summary>
/// <remarks>
/// Why <c>compare.sh</c> runs this besides the separate runs (BenchmarkDotNet for ModelGen, then torch_peer.py): on a
/// shared host the two are minutes apart and the neighbours' load moves between them. In runs of this project's Zen 3
/// page both sides' round medians have moved by half between runs (PyTorch's W6 inference 6.6 ms in one run's best
/// round, 9.6 in the next), which moves a ratio as much as the work of a session does. Alternating rounds put the same
/// load on both sides, as <c>--thread-ratio</c> does for thread counts.
/// </remarks>
internal static class PairedPeer
{
    public static int Run(string[] args)
    {
        string[] known = ["W1", "W2", "W3", "W4", "W5", "W6"];
        var ids = new List<string>(known);
        int rounds = 9;
        double seconds = 0.3;
        string python = "/usr/bin/python3", peer = Path.Combine("tests", "Benchmarks", "torch_peer.py");
        string? json = null;
        const string Usage = "--paired [W1,W3,…] [--rounds N ≥ 1] [--seconds S > 0] [--python PATH] [--peer torch_peer.py] [--json FILE]";
        // Every argument is checked before PyTorch starts or anything is measured.
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--rounds": rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--seconds": seconds = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--python": python = Next(); break;
                    case "--peer": peer = Next(); break;
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
        string? problem = ids.FirstOrDefault(id => !known.Contains(id)) is { } bad ? $"unknown workload '{bad}' (known: {string.Join(", ", known)})"
            : rounds < 1 ? $"--rounds must be at least 1, got {rounds}"
            : !(seconds > 0) ? $"--seconds must be positive, got {seconds}"
            : !File.Exists(peer) ? $"the PyTorch peer script is not at '{peer}' (run from the repository root, or pass --peer)"
            : null;
        if (problem is not null)
        {
            Console.Error.WriteLine($"--paired: {problem}. Usage: {Usage}");
            return 2;
        }

        var start = new ProcessStartInfo(python) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { peer, "--serve", "--threads", "1" }) start.ArgumentList.Add(a);
        Process? started;
        try
        {
            started = Process.Start(start);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Console.Error.WriteLine($"--paired: could not start '{python}': {e.Message} (pass --python with Debian's /usr/bin/python3, which has python3-torch)");
            return 2;
        }
        using var torch = started ?? throw new InvalidOperationException($"could not start {python} {peer}");
        try
        {
            string ready = torch.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"{peer} --serve ended before it was ready (is PyTorch installed for {python}?)");
            if (!ready.StartsWith("ready ", StringComparison.Ordinal)) throw new InvalidDataException($"{peer} --serve answered '{ready}', expected 'ready {{…}}'");
            int before = Threading.IntraOpThreads;
            Threading.IntraOpThreads = 1;
            Console.WriteLine($"vector mode {VectorWidth.Mode}, one thread on both sides, {rounds} alternating rounds of ~{seconds:0.###} s per side");
            Console.WriteLine("workload | benchmark | ModelGen best / median round | PyTorch best / median round | median of each round's PyTorch ÷ ModelGen");
            var results = new List<Result>();
            foreach (var id in ids)
            {
                var (train, infer) = ThreadRatio.Create(id);
                results.Add(Compare(id, "training", train, torch, rounds, seconds));
                results.Add(Compare(id, "inference", infer, torch, rounds, seconds));
            }
            Threading.IntraOpThreads = before;
            torch.StandardInput.WriteLine("quit");
            torch.WaitForExit(10_000);
            if (json is not null)
            {
                using var peerInfo = JsonDocument.Parse(ready["ready ".Length..]);
                var doc = new Document(VectorWidth.Mode, rounds, seconds, peerInfo.RootElement.GetProperty("torch_version").GetString() ?? "?", results);
                File.WriteAllText(json, JsonSerializer.Serialize(doc, JsonOptions));
                Console.WriteLine($"wrote {json}");
            }
            return 0;
        }
        finally
        {
            if (!torch.HasExited) torch.Kill();
        }
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// One workload's step on both sides: each side's best and median round (median seconds per call) and the median
    /// over rounds of PyTorch's time ÷ ModelGen's in the same round (above 1: ModelGen faster).
    /// </summary>
    internal sealed record Result(string Workload, string Kind, double ModelGenBest, double ModelGenMedian, double TorchBest, double TorchMedian, double PairedRatio)
    {
        /// <summary>Each round's ModelGen figure (median seconds per call), in the order measured.</summary>
        public List<double> ModelGenRounds { get; init; } = [];

        /// <summary>Each round's PyTorch figure (median seconds per call), in the order measured.</summary>
        public List<double> TorchRounds { get; init; } = [];
    }

    /// <summary>What <c>--json</c> writes: the vector mode, the rounds, their length, PyTorch's version and every result.</summary>
    internal sealed record Document(string Mode, int Rounds, double Seconds, string TorchVersion, List<Result> Results);

    /// <summary>Reads a file <c>--json</c> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    internal static Document Read(string path) =>
        JsonSerializer.Deserialize<Document>(File.ReadAllText(path), JsonOptions)
        ?? throw new InvalidDataException($"{path}: not a --paired --json document");

    private static Result Compare(string id, string kind, Func<float> call, Process torch, int rounds, double seconds)
    {
        Round(call, 0.5); // ModelGen's warm-up here; the peer warms up on its first request
        var ours = new List<double>();
        var theirs = new List<double>();
        for (int r = 0; r < rounds; r++)
        {
            // The order swaps every round, so neither side always runs right after the other.
            if (r % 2 == 0)
            {
                ours.Add(Round(call, seconds));
                theirs.Add(Ask(torch, id, kind, seconds));
            }
            else
            {
                theirs.Add(Ask(torch, id, kind, seconds));
                ours.Add(Round(call, seconds));
            }
        }
        var paired = new List<double>();
        for (int r = 0; r < rounds; r++) paired.Add(theirs[r] / ours[r]);
        double ratio = Clock.Median(paired);
        double oBest = ours.Min(), oMedian = Clock.Median(ours), tBest = theirs.Min(), tMedian = Clock.Median(theirs);
        Console.WriteLine(FormattableString.Invariant(
            $"{id} | {kind} | {Clock.Show(oBest)} / {Clock.Show(oMedian)} | {Clock.Show(tBest)} / {Clock.Show(tMedian)} | {ratio:0.00}×"));
        return new Result(id, kind, oBest, oMedian, tBest, tMedian, ratio) { ModelGenRounds = ours, TorchRounds = theirs };
    }

    // The peer's median seconds per call over a round of about `seconds`.
    private static double Ask(Process torch, string id, string kind, double seconds)
    {
        torch.StandardInput.WriteLine(FormattableString.Invariant($"{id} {kind} {seconds}"));
        torch.StandardInput.Flush();
        string line = torch.StandardOutput.ReadLine() ?? throw new InvalidOperationException($"the PyTorch peer ended during {id} {kind}");
        if (!double.TryParse(line, NumberStyles.Float, CultureInfo.InvariantCulture, out double ns))
            throw new InvalidDataException($"the PyTorch peer answered '{line}' to '{id} {kind} {seconds}', expected a time in ns");
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
