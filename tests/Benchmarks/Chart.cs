using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace ModelGen.Benchmarks;

/// <summary>The speed-up bar chart (docs/benchmarks.png), drawn with ScottPlot on a log scale: one thread, every width.</summary>
internal static class Chart
{
    /// <summary>One thread, per workload: a training and an inference bar per ModelGen vector width.</summary>
    public static void Draw(IReadOnlyList<ChartRow> all, string cpu, string path)
    {
        var ids = all.Select(r => r.Id).Distinct().ToList();
        // Modes in the order the report lists them (widest first); a fourth colour for the SSE mode.
        var modes = all.Select(r => r.Mode).Distinct().ToList();
        var trainColors = new[] { "#1f77b4", "#6baed6", "#9ecae1", "#c6dbef" };
        var inferColors = new[] { "#ff7f0e", "#fdae6b", "#fdd0a2", "#fee6ce" };
        var seriesList = new List<(string Label, Color Color, Func<ChartRow, double?> Value)>();
        for (int i = 0; i < modes.Count; i++)
        {
            string m = modes[i];
            seriesList.Add(($"Training step, {VectorWidth.Label(m)}", Color.FromHex(trainColors[Math.Min(i, 3)]), r => r.Mode == m ? r.TrainOne : null));
        }
        for (int i = 0; i < modes.Count; i++)
        {
            string m = modes[i];
            seriesList.Add(($"Inference, {VectorWidth.Label(m)}", Color.FromHex(inferColors[Math.Min(i, 3)]), r => r.Mode == m ? r.InferOne : null));
        }
        var series = seriesList.ToArray();
        var rows = ids.Select(id => all.Where(r => r.Id == id).ToList()).ToList();

        var plot = new Plot();
        var bars = new List<Bar>();
        double width = 0.8 / series.Length; const double groupGap = 1.0;
        double lo = 0, hi = 0;
        for (int g = 0; g < rows.Count; g++)
        {
            for (int s = 0; s < series.Length; s++)
            {
                double? speedUp = rows[g].Select(series[s].Value).FirstOrDefault(v => v is not null);
                if (speedUp is not > 0) continue;
                double log = Math.Log10(speedUp.Value);
                lo = Math.Min(lo, log);
                hi = Math.Max(hi, log);
                bars.Add(new Bar
                {
                    Position = g * groupGap + (s - (series.Length - 1) / 2.0) * width,
                    Value = log,
                    ValueBase = 0,
                    Size = width * 0.92,
                    FillColor = series[s].Color,
                    LineWidth = 0,
                    Label = speedUp.Value.ToString(speedUp.Value >= 10 ? "0" : "0.0", CultureInfo.InvariantCulture) + "×",
                });
            }
        }
        var barPlot = plot.Add.Bars(bars);
        barPlot.ValueLabelStyle.FontSize = 11;

        // Log axis: ticks at powers of ten, labelled as speed-ups.
        int minPow = lo < 0 ? (int)Math.Floor(lo - 0.1) : 0, maxPow = (int)Math.Ceiling(hi + 0.15);
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int p = minPow; p <= maxPow; p++)
        {
            yTicks.AddMajor(p, Math.Pow(10, p).ToString("0.###", CultureInfo.InvariantCulture) + "×");
            if (p < maxPow)
                foreach (int m in new[] { 2, 3, 5 }) yTicks.AddMinor(p + Math.Log10(m));
        }
        plot.Axes.Left.TickGenerator = yTicks;
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int g = 0; g < rows.Count; g++) xTicks.AddMajor(g * groupGap, ids[g]);
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.SetLimits(-0.6, (rows.Count - 1) * groupGap + 0.6, minPow, maxPow);

        var one = plot.Add.HorizontalLine(0);
        one.Color = Colors.Black;
        one.LineWidth = 1.5f;

        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        plot.Title($"ModelGen speed-up over PyTorch, one thread each, per vector width (above 1× ModelGen is faster); {cpu}", size: 13);
        plot.YLabel("speed-up (log scale)");
        plot.XLabel("workload");
        foreach (var s in series)
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = s.Label, FillColor = s.Color });
        plot.ShowLegend(Edge.Bottom);
        plot.SavePng(path, 1200, 600);
    }
}
