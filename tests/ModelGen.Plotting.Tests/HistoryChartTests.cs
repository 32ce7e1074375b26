using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using ModelGen.Plotting;

namespace ModelGen.Plotting.Tests;

public sealed class HistoryChartTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private const string LossStroke = "stroke:rgb(31,119,180)";   // tab:blue
    private const string MetricStroke = "stroke:rgb(255,127,14)"; // tab:orange

    private readonly string folder = Path.Combine(Path.GetTempPath(), "modelgen-plot-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>A made-up run: the loss falls, the accuracy rises, validation a little worse.</summary>
    private static History MakeHistory(int epochs, bool withMetric)
    {
        var history = new History();
        for (int e = 0; e < epochs; e++)
        {
            float loss = 1.2f * MathF.Exp(-0.25f * e) + 0.05f;
            var values = new Dictionary<string, float> { ["loss"] = loss };
            if (withMetric)
                values["accuracy"] = 0.95f - (0.45f * MathF.Exp(-0.3f * e));
            values["val_loss"] = loss * 1.15f + 0.02f;
            if (withMetric)
                values["val_accuracy"] = 0.92f - (0.45f * MathF.Exp(-0.28f * e));
            history.Add(e, values);
        }
        return history;
    }

    private static XElement ReadSvg(string path)
    {
        XElement root = XDocument.Load(path).Root!;
        Assert.Equal(Svg + "svg", root.Name);
        return root;
    }

    private static (int Width, int Height) Size(XElement svg)
        => (int.Parse((string)svg.Attribute("width")!, CultureInfo.InvariantCulture), int.Parse((string)svg.Attribute("height")!, CultureInfo.InvariantCulture));

    private static List<string> Texts(XElement svg) => svg.Descendants(Svg + "text").Select(t => t.Value).ToList();

    /// <summary>The data lines (width 2, more than two points: legend swatches have two) of one colour, solid or dashed.</summary>
    private static List<(double X, double Y)[]> Curves(XElement svg, string stroke, bool dashed)
        => svg.Descendants(Svg + "polyline")
            .Where(p => ((string?)p.Attribute("style") ?? "") is var style
                && style.Contains(stroke + ";stroke-width:2", StringComparison.Ordinal)
                && style.Contains("stroke-dasharray", StringComparison.Ordinal) == dashed)
            .Select(p => ((string)p.Attribute("points")!).Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(xy => xy.Split(','))
                .Select(xy => (double.Parse(xy[0], CultureInfo.InvariantCulture), double.Parse(xy[1], CultureInfo.InvariantCulture)))
                .ToArray())
            .Where(points => points.Length > 2)
            .ToList();

    private static void AssertIncreasing(IEnumerable<double> values)
    {
        double[] v = values.ToArray();
        for (int i = 1; i < v.Length; i++)
            Assert.True(v[i] > v[i - 1], $"not increasing at {i}: {string.Join(", ", v.Select(x => x.ToString(CultureInfo.InvariantCulture)))}");
    }

    [Fact]
    public void Save_writes_an_svg_of_the_requested_size_with_every_series_and_label()
    {
        string path = Path.Combine(folder, "history.svg");
        HistoryChart.Save(MakeHistory(12, withMetric: true), path, width: 640, height: 360);

        XElement svg = ReadSvg(path);
        Assert.Equal((640, 360), Size(svg));
        List<string> texts = Texts(svg);
        Assert.Contains("Training history: loss and accuracy", texts);
        foreach (string label in new[] { "Epoch", "Loss", "Accuracy", "loss", "val_loss", "accuracy", "val_accuracy", "1", "12" })
            Assert.Contains(label, texts);
        // Atomic write: no temporary file is left beside it.
        Assert.Equal("history.svg", Path.GetFileName(Assert.Single(Directory.GetFiles(folder))));
    }

    [Fact]
    public void The_curves_follow_the_history_epoch_by_epoch()
    {
        XElement svg = XElement.Parse(HistoryChart.ToSvg(MakeHistory(12, withMetric: true), 640, 360));

        (double X, double Y)[] loss = Assert.Single(Curves(svg, LossStroke, dashed: false));
        (double X, double Y)[] valLoss = Assert.Single(Curves(svg, LossStroke, dashed: true));
        (double X, double Y)[] accuracy = Assert.Single(Curves(svg, MetricStroke, dashed: false));
        (double X, double Y)[] valAccuracy = Assert.Single(Curves(svg, MetricStroke, dashed: true));
        foreach (var curve in new[] { loss, valLoss, accuracy, valAccuracy })
        {
            Assert.Equal(12, curve.Length); // one point per epoch
            AssertIncreasing(curve.Select(p => p.X)); // epochs left to right
        }
        // SVG's y grows downwards: a falling loss goes down the image (y up), a rising accuracy goes up it (y down).
        AssertIncreasing(loss.Select(p => p.Y));
        AssertIncreasing(valLoss.Select(p => p.Y));
        AssertIncreasing(accuracy.Select(p => -p.Y));
        AssertIncreasing(valAccuracy.Select(p => -p.Y));
        // Both loss curves share the left axis: val_loss = 1.15·loss + 0.02 lies above loss (smaller y) at every epoch.
        for (int i = 0; i < 12; i++)
            Assert.True(valLoss[i].Y < loss[i].Y, $"epoch {i + 1}: val_loss drawn at y {valLoss[i].Y}, loss at {loss[i].Y}");
        // The curves start at the same epoch and end at the same epoch.
        Assert.Equal(loss[0].X, accuracy[0].X, 3);
        Assert.Equal(loss[^1].X, valAccuracy[^1].X, 3);
    }

    [Fact]
    public void SaveChart_uses_the_default_size_and_overwrites()
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "chart.SVG");
        File.WriteAllText(path, "old");

        History history = MakeHistory(5, withMetric: false);
        history.SaveChart(path);

        XElement svg = ReadSvg(path);
        Assert.Equal((900, 500), Size(svg));
        Assert.Contains("Training history: loss", Texts(svg));
        Assert.DoesNotContain("val_accuracy", Texts(svg));
        Assert.Empty(Curves(svg, MetricStroke, dashed: false)); // no metric, no right-hand curve
        Assert.Equal(5, Assert.Single(Curves(svg, LossStroke, dashed: false)).Length);
        Assert.Single(Directory.GetFiles(folder));
        Assert.Equal(HistoryChart.ToSvg(history), File.ReadAllText(path));
    }

    [Fact]
    public void Save_handles_an_empty_history_and_a_diverged_loss()
    {
        string empty = Path.Combine(folder, "empty.svg");
        HistoryChart.Save(new History(), empty, 300, 200);
        XElement emptySvg = ReadSvg(empty);
        Assert.Equal((300, 200), Size(emptySvg));
        Assert.Contains("Epoch", Texts(emptySvg)); // empty axes, not a blank image
        Assert.DoesNotContain("loss", Texts(emptySvg));
        Assert.Empty(Curves(emptySvg, LossStroke, dashed: false));

        var history = MakeHistory(3, withMetric: true);
        history.Add(3, new Dictionary<string, float> { ["loss"] = float.NaN, ["accuracy"] = 0.1f, ["val_loss"] = float.PositiveInfinity, ["val_accuracy"] = 0.1f });
        string diverged = Path.Combine(folder, "diverged.svg");
        HistoryChart.Save(history, diverged, 300, 200);
        XElement divergedSvg = ReadSvg(diverged);
        Assert.Equal((300, 200), Size(divergedSvg));
        // The non-finite epoch is left out of the loss curves; the metric keeps all four epochs.
        Assert.Equal(3, Assert.Single(Curves(divergedSvg, LossStroke, dashed: false)).Length);
        Assert.Equal(3, Assert.Single(Curves(divergedSvg, LossStroke, dashed: true)).Length);
        Assert.Equal(4, Assert.Single(Curves(divergedSvg, MetricStroke, dashed: false)).Length);
        Assert.DoesNotContain("NaN", File.ReadAllText(diverged), StringComparison.Ordinal);
    }

    [Fact]
    public void Save_rejects_bad_arguments()
    {
        var history = MakeHistory(2, withMetric: false);
        Assert.Throws<ArgumentNullException>(() => HistoryChart.Save(null!, Path.Combine(folder, "x.svg")));
        Assert.Throws<ArgumentException>(() => HistoryChart.Save(history, " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryChart.Save(history, Path.Combine(folder, "x.svg"), width: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryChart.Save(history, Path.Combine(folder, "x.svg"), height: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryChart.ToSvg(history, width: -5));
        var png = Assert.Throws<ArgumentException>(() => HistoryChart.Save(history, Path.Combine(folder, "x.png")));
        Assert.Contains(".svg", png.Message, StringComparison.Ordinal);
        Assert.Equal("path", png.ParamName);
        Assert.False(Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any()); // nothing written
    }
}
