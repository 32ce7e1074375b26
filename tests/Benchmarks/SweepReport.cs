using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using ScottPlot;

namespace ModelGen.Benchmarks;

/// <summary>
/// The size sweep's output: <c>docs/benchmarks-data/sweep.csv</c> (every point, both sides, the ratios),
/// <c>docs/benchmarks-sweep.png</c> (speed-up across the sweep, log scale) and the "Size sweep" section, kept in
/// <c>docs/benchmarks-data/sweep.md</c> and spliced into <c>docs/benchmarks.md</c> (Report.cs splices it too).
/// A sweep at a narrower width than the machine's widest (<c>sweep.sh --width 256</c>) writes the same files with the
/// width in their names (<c>sweep-256.csv</c>, <c>benchmarks-sweep-256.png</c>, section <c>sweep-256</c>), so the
/// page holds one section per width measured.
/// </summary>
internal static class SweepReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Row(Sweep.Point Point, double? MgTrain, double? MgInfer, double? PtTrain, double? PtInfer, int Width)
    {
        public double? TrainSpeedUp => MgTrain > 0 && PtTrain > 0 ? PtTrain / MgTrain : null;
        public double? InferSpeedUp => MgInfer > 0 && PtInfer > 0 ? PtInfer / MgInfer : null;
    }

    /// <summary>
    /// Writes the sweep's CSV, chart and section. <paramref name="suffix"/> names a narrower width's files and section
    /// ("-256", from sweep.sh --width 256), or is empty for the widest width's.
    /// </summary>
    public static int Write(List<Sweep.Point> plan, string modelGenCsv, string torchCsv, string docs, string note, string suffix)
    {
        var mg = ReadTimes(modelGenCsv);
        var pt = ReadTimes(torchCsv);
        var rows = plan.Select(p =>
        {
            mg.TryGetValue(p.Key, out var m);
            pt.TryGetValue(p.Key, out var t);
            return new Row(p, m?.Train, m?.Infer, t?.Train, t?.Infer, m?.Width ?? 0);
        }).ToList();
        int width = rows.Select(r => r.Width).FirstOrDefault(w => w > 0);
        string cpu = CpuName();
        string data = Path.Combine(docs, "benchmarks-data");
        Directory.CreateDirectory(data);

        var csv = new StringBuilder("cell,axes,hidden,steps,batch,features,train_gflop,modelgen_train_ns,torch_train_ns,train_speedup,modelgen_infer_ns,torch_infer_ns,infer_speedup,modelgen_vector_bits,skip\n");
        foreach (var r in rows)
        {
            var p = r.Point;
            csv.Append(string.Create(Inv, $"{p.Cell},{p.Axes},{p.Hidden},{p.Steps},{p.Batch},{SweepModels.Features},{p.TrainGflop:0.####},{N(r.MgTrain)},{N(r.PtTrain)},{R(r.TrainSpeedUp)},{N(r.MgInfer)},{N(r.PtInfer)},{R(r.InferSpeedUp)},{(r.Width > 0 ? r.Width.ToString(Inv) : "")},\"{p.Skip}\"\n"));
        }
        string csvName = $"sweep{suffix}.csv", chart = $"benchmarks-sweep{suffix}.png", section = $"sweep{suffix}";
        File.WriteAllText(Path.Combine(data, csvName), csv.ToString());
        File.WriteAllText(Path.Combine(data, $"sweep{suffix}-cpu.txt"), cpu + "\n");
        DrawChart(rows, cpu, width, Path.Combine(docs, chart));

        var md = new StringBuilder();
        void L(string line = "") => md.Append(line).Append('\n');
        L(suffix.Length == 0 ? "## Size sweep: LSTM and GRU against PyTorch" : $"## Size sweep at {VectorWidth.Name(width)}: LSTM and GRU against PyTorch");
        L();
        L(string.Create(Inv, $"CPU: **{cpu}**; ModelGen at **{VectorWidth.Name(width)}** vectors; both sides on one thread. Centre point: hidden {Sweep.CentreHidden}, {Sweep.CentreSteps} steps, batch {Sweep.CentreBatch}, {SweepModels.Features} features, a Dense(1) head;"));
        L("one axis varies at a time (hidden 8 … 1,024, steps 1 … 10,000, batch 1 … 1,024). Each time is the best of up to five");
        L("round medians after a warm-up, on both sides (`Sweep.cs`, `torch_sweep.py`); a training step is forward, MSE gradient,");
        L("backward and Adam, as in the workloads above. Written by `tests/Benchmarks/sweep.sh`; every figure is in");
        L($"`docs/benchmarks-data/{csvName}`.");
        if (note.Length > 0) { L(); L(note); }
        L();
        L($"![Speed-up of ModelGen over PyTorch across the size sweep at {VectorWidth.Name(width)}, log scale]({chart})");
        L();
        L("| Cell | Hidden | Steps | Batch | Training: ModelGen | PyTorch | Speed-up | Inference: ModelGen | PyTorch | Speed-up |");
        L("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows.OrderBy(r => r.Point.Cell).ThenBy(r => r.Point.Hidden).ThenBy(r => r.Point.Steps).ThenBy(r => r.Point.Batch))
        {
            var p = r.Point;
            if (p.Skip.Length > 0) { L(string.Create(Inv, $"| {p.Cell} | {p.Hidden} | {p.Steps} | {p.Batch} | skipped: {p.Skip} | | | | | |")); continue; }
            L(string.Create(Inv, $"| {p.Cell} | {p.Hidden} | {p.Steps} | {p.Batch} | {T(r.MgTrain)} | {T(r.PtTrain)} | {X(r.TrainSpeedUp)} | {T(r.MgInfer)} | {T(r.PtInfer)} | {X(r.InferSpeedUp)} |"));
        }
        var slower = rows.Where(r => r.TrainSpeedUp < 1 || r.InferSpeedUp < 1).ToList();
        L();
        if (slower.Count == 0) L("ModelGen is faster than PyTorch at every measured point.");
        else
        {
            L($"**ModelGen is slower than PyTorch at {slower.Count} point(s)** (no reason stated by this script; see the note below the chart when one is given):");
            L();
            foreach (var r in slower)
                L(string.Create(Inv, $"- {r.Point.Cell}, hidden {r.Point.Hidden}, {r.Point.Steps} steps, batch {r.Point.Batch}: training {X(r.TrainSpeedUp)}, inference {X(r.InferSpeedUp)}"));
        }
        var missing = rows.Where(r => r.Point.Skip.Length == 0 && (r.TrainSpeedUp is null || r.InferSpeedUp is null)).ToList();
        if (missing.Count > 0)
        {
            L();
            L($"{missing.Count} planned point(s) have no result on one side (a failed or interrupted run): {string.Join(", ", missing.Select(r => r.Point.Key))}.");
        }
        string text = md.ToString();
        File.WriteAllText(Path.Combine(data, section + ".md"), text);
        string page = Path.Combine(docs, "benchmarks.md");
        if (File.Exists(page)) Sections.SpliceFile(page, section, text);
        Console.WriteLine($"wrote {Path.Combine(data, csvName)}, {Path.Combine(docs, chart)}, {Path.Combine(data, section + ".md")}{(File.Exists(page) ? " and the section of " + page : "")}");
        return 0;
    }

    private sealed record Times(double? Train, double? Infer, int Width);

    // Both sides write "cell,hidden,steps,batch,train_ns,infer_ns,…[,width]".
    private static Dictionary<string, Times> ReadTimes(string path)
    {
        var result = new Dictionary<string, Times>();
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        int widthColumn = Array.IndexOf(header, "width");
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            var f = line.Split(',');
            double? Parse(string s) => double.TryParse(s, NumberStyles.Float, Inv, out var v) && v > 0 ? v : null;
            result[$"{f[0]}/{f[1]}/{f[2]}/{f[3]}"] = new Times(Parse(f[4]), Parse(f[5]), widthColumn >= 0 ? int.Parse(f[widthColumn], Inv) : 0);
        }
        return result;
    }

    /// <summary>The CPU's model name from /proc/cpuinfo (what the sweep ran on).</summary>
    public static string CpuName()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString();
    }

    // One panel per axis side by side on a shared log y axis: x positions are the axis values' slots, groups apart.
    private static void DrawChart(List<Row> rows, string cpu, int width, string path)
    {
        var plot = new Plot();
        var axes = new[] { ("hidden", "hidden"), ("steps", "steps"), ("batch", "batch") };
        var series = new (string Label, string Cell, bool Train, Color Color)[]
        {
            ("LSTM training step", "LSTM", true, Color.FromHex("#1f77b4")),
            ("LSTM inference", "LSTM", false, Color.FromHex("#aec7e8")),
            ("GRU training step", "GRU", true, Color.FromHex("#d62728")),
            ("GRU inference", "GRU", false, Color.FromHex("#ff9896")),
        };
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        double x0 = 0, lo = 0, hi = 0;
        foreach (var (axis, label) in axes)
        {
            var values = rows.Where(r => r.Point.Axes.Split(';').Contains(axis))
                .Select(r => axis == "hidden" ? r.Point.Hidden : axis == "steps" ? r.Point.Steps : r.Point.Batch).Distinct().Order().ToList();
            for (int i = 0; i < values.Count; i++) xTicks.AddMajor(x0 + i, $"{char.ToUpperInvariant(label[0])}={values[i].ToString("N0", Inv)}");
            foreach (var s in series)
            {
                var xs = new List<double>();
                var ys = new List<double>();
                for (int i = 0; i < values.Count; i++)
                {
                    var r = rows.FirstOrDefault(r => r.Point.Cell == s.Cell && r.Point.Axes.Split(';').Contains(axis) &&
                        (axis == "hidden" ? r.Point.Hidden : axis == "steps" ? r.Point.Steps : r.Point.Batch) == values[i]);
                    double? v = r is null ? null : s.Train ? r.TrainSpeedUp : r.InferSpeedUp;
                    if (v is not > 0) continue;
                    xs.Add(x0 + i);
                    ys.Add(Math.Log10(v.Value));
                    lo = Math.Min(lo, ys[^1]);
                    hi = Math.Max(hi, ys[^1]);
                }
                if (xs.Count == 0) continue;
                var sc = plot.Add.Scatter(xs.ToArray(), ys.ToArray());
                sc.Color = s.Color;
                sc.LineWidth = 2;
                sc.MarkerSize = 7;
            }
            var title = plot.Add.Text($"{label} (others at the centre)", x0 + (values.Count - 1) / 2.0, 0);
            title.LabelAlignment = Alignment.LowerCenter;
            title.LabelFontSize = 12;
            x0 += values.Count + 1;
            if (x0 > 0)
            {
                var sep = plot.Add.VerticalLine(x0 - 1);
                sep.Color = Colors.Gray;
                sep.LinePattern = LinePattern.Dashed;
            }
        }
        int minPow = lo < 0 ? (int)Math.Floor(lo - 0.1) : 0, maxPow = Math.Max(1, (int)Math.Ceiling(hi + 0.15));
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int p = minPow; p <= maxPow; p++)
        {
            yTicks.AddMajor(p, Math.Pow(10, p).ToString("0.###", Inv) + "×");
            if (p < maxPow) foreach (int m in new[] { 2, 3, 5 }) yTicks.AddMinor(p + Math.Log10(m));
        }
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        plot.Axes.SetLimits(-0.6, x0 - 1.4, minPow, maxPow);
        var one = plot.Add.HorizontalLine(0);
        one.Color = Colors.Black;
        one.LineWidth = 1.5f;
        plot.Title($"ModelGen speed-up over PyTorch across the size sweep (1 thread; {cpu}; ModelGen at {width}-bit vectors)", size: 13);
        plot.YLabel("speed-up, PyTorch time ÷ ModelGen time (log scale)");
        foreach (var s in series) plot.Legend.ManualItems.Add(new LegendItem { LabelText = s.Label, LineColor = s.Color, LineWidth = 2 });
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 1400, 650);
    }

    private static string N(double? v) => v is null ? "" : v.Value.ToString("0", Inv);

    private static string R(double? v) => v is null ? "" : v.Value.ToString("0.###", Inv);

    private static string X(double? v) => v is null ? "n/a" : v.Value.ToString(v.Value >= 10 ? "0.0" : "0.00", Inv) + "×";

    private static string T(double? ns) => ns switch
    {
        null => "n/a",
        < 1e3 => ns.Value.ToString("0", Inv) + " ns",
        < 1e6 => (ns.Value / 1e3).ToString("0.0", Inv) + " µs",
        < 1e9 => (ns.Value / 1e6).ToString("0.00", Inv) + " ms",
        _ => (ns.Value / 1e9).ToString("0.00", Inv) + " s",
    };
}

/// <summary>
/// Named sections of docs/benchmarks.md written by other commands (the size sweep, the generator cost), kept between
/// <c>&lt;!-- name:begin --&gt;</c> and <c>&lt;!-- name:end --&gt;</c> so that each command rewrites only its own.
/// </summary>
internal static class Sections
{
    // The saved sections in page order: the sweeps widest first, then the generator cost, the GPU, the history.
    private static readonly string[] Order = ["sweep", "sweep-256", "sweep-128", "sweep-128sse", "generator-cost", "gpu", "history"];

    /// <summary>
    /// Replaces section <paramref name="name"/> of the page, or inserts it after the saved section before it in
    /// page order (a 256-bit sweep after the widest one), else before "## Method" (or at the end).
    /// </summary>
    public static void SpliceFile(string page, string name, string content)
    {
        string text = File.ReadAllText(page);
        File.WriteAllText(page + ".tmp", Splice(text, name, content));
        File.Move(page + ".tmp", page, overwrite: true);
    }

    /// <summary>The page text with section <paramref name="name"/> replaced or inserted (see <see cref="SpliceFile"/>).</summary>
    public static string Splice(string text, string name, string content)
    {
        string begin = $"<!-- {name}:begin -->", end = $"<!-- {name}:end -->";
        string block = begin + "\n" + content.TrimEnd() + "\n" + end + "\n";
        int b = text.IndexOf(begin, StringComparison.Ordinal), e = text.IndexOf(end, StringComparison.Ordinal);
        if (b >= 0 && e > b)
        {
            int after = e + end.Length;
            if (after < text.Length && text[after] == '\n') after++;
            return text[..b] + block + text[after..];
        }
        for (int i = Array.IndexOf(Order, name) - 1; i >= 0; i--)
        {
            string previousEnd = $"<!-- {Order[i]}:end -->\n";
            int at = text.IndexOf(previousEnd, StringComparison.Ordinal);
            if (at >= 0) return text[..(at + previousEnd.Length)] + "\n" + block + text[(at + previousEnd.Length)..];
        }
        int method = text.IndexOf("\n## Method", StringComparison.Ordinal);
        return method >= 0 ? text[..(method + 1)] + block + "\n" + text[(method + 1)..] : text.TrimEnd() + "\n\n" + block;
    }

    /// <summary>
    /// Splices every section kept in <paramref name="dataDir"/> into the page: <c>sweep.md</c> and those of narrower
    /// widths (<c>sweep-256.md</c> …, sweep.sh), <c>generator-cost.md</c> (tests/GeneratorBenchmarks), <c>gpu.md</c>
    /// (tests/GpuBenchmarks) and <c>history.md</c> (a page's earlier runs on its machine, written by hand), in that
    /// order before "## Method".
    /// </summary>
    public static void SpliceSaved(string page, string dataDir)
    {
        foreach (var name in Order)
        {
            string file = Path.Combine(dataDir, name + ".md");
            if (File.Exists(file)) SpliceFile(page, name, File.ReadAllText(file));
        }
    }
}
