using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace ModelGen.Plotting;

/// <summary>
/// Draws a training <see cref="History"/> as a PNG chart, as Keras users do with matplotlib: loss and
/// <c>val_loss</c> per epoch on the left axis and, when the history has one, the first metric and its
/// <c>val_</c> twin on the right axis.
/// </summary>
public static class HistoryChart
{
    private const string LossKey = "loss";
    private const string ValidationPrefix = "val_";

    /// <summary>
    /// Renders <paramref name="history"/> and writes it as a PNG to <paramref name="path"/>, atomically: the image is
    /// written to a temporary file in the same folder, then moved over <paramref name="path"/>, so a reader never sees
    /// a partial file. The folder is created when missing. Numbers are formatted with the invariant culture.
    /// </summary>
    /// <param name="history">The history returned by training; epochs are drawn from 1.</param>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void Save(History history, string path, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);

        byte[] png = RenderPng(history, width, height);

        AtomicFile.Write(path, png);
    }

    /// <summary>Saves <paramref name="history"/> as a PNG chart; see <see cref="Save"/>.</summary>
    /// <param name="history">The history returned by training.</param>
    /// <param name="path">The PNG file to write (replaced if it exists).</param>
    /// <param name="width">Image width in pixels.</param>
    /// <param name="height">Image height in pixels.</param>
    public static void SaveChart(this History history, string path, int width = 900, int height = 500)
        => Save(history, path, width, height);

    /// <summary>Renders <paramref name="history"/> as PNG bytes (see <see cref="Save"/>).</summary>
    internal static byte[] RenderPng(History history, int width, int height)
    {
        // ScottPlot formats tick labels with the current culture: render under the invariant one.
        CultureInfo previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        try
        {
            using var plot = new Plot();
            Build(plot, history, FontScale(width, height));
            return plot.GetImageBytes(width, height, ImageFormat.Png);
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    /// <summary>Text shrinks with images smaller than about 700×400 so the data area keeps most of the room.</summary>
    private static float FontScale(int width, int height) => Math.Clamp(Math.Min(width / 700f, height / 400f), 0.5f, 1f);

    private static void Build(Plot plot, History history, float fontScale)
    {
        List<int> epochs = history.Epochs;
        IReadOnlyDictionary<string, List<float>> values = history.Values;
        var palette = new ScottPlot.Palettes.Category10();
        bool markers = epochs.Count <= 30;

        AddSeries(plot, epochs, values, LossKey, palette.GetColor(0), dashed: false, markers, right: false);
        AddSeries(plot, epochs, values, ValidationPrefix + LossKey, palette.GetColor(0), dashed: true, markers, right: false);

        string? metric = FirstMetric(values);
        if (metric is not null)
        {
            AddSeries(plot, epochs, values, metric, palette.GetColor(1), dashed: false, markers, right: true);
            AddSeries(plot, epochs, values, ValidationPrefix + metric, palette.GetColor(1), dashed: true, markers, right: true);
            plot.Axes.Right.Label.Text = Title(metric);
            plot.Axes.Right.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic();
        }

        plot.Title(metric is null ? "Training history: loss" : $"Training history: loss and {metric}");
        plot.XLabel("Epoch");
        plot.YLabel("Loss");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (fontScale < 1f)
        {
            plot.Axes.Title.Label.FontSize *= fontScale;
            foreach (IAxis axis in new IAxis[] { plot.Axes.Bottom, plot.Axes.Left, plot.Axes.Right })
            {
                axis.Label.FontSize *= fontScale;
                axis.TickLabelStyle.FontSize *= fontScale;
            }
        }

        if (plot.GetPlottables().Any())
        {
            // Below the axes, in rows, so it never hides a curve.
            ScottPlot.Panels.LegendPanel legend = plot.ShowLegend(Edge.Bottom);
            legend.Legend.Orientation = Orientation.Horizontal;
            legend.Legend.FontSize = (legend.Legend.FontSize ?? 12f) * fontScale;
        }
        else
        {
            plot.Axes.SetLimits(left: 0.5, right: 1.5, bottom: 0, top: 1); // nothing to draw yet: empty axes, not a blank image
        }
    }

    /// <summary>The first key that is neither the loss nor a validation value, in the history's order.</summary>
    private static string? FirstMetric(IReadOnlyDictionary<string, List<float>> values)
    {
        foreach (string key in values.Keys)
        {
            if (key != LossKey && !key.StartsWith(ValidationPrefix, StringComparison.Ordinal))
                return key;
        }
        return null;
    }

    private static void AddSeries(
        Plot plot, List<int> epochs, IReadOnlyDictionary<string, List<float>> values, string key,
        Color color, bool dashed, bool markers, bool right)
    {
        if (!values.TryGetValue(key, out List<float>? series))
            return;

        // One point per epoch (x = epoch number from 1); non-finite values (a diverged loss) are left out.
        int count = Math.Min(epochs.Count, series.Count);
        var xs = new List<double>(count);
        var ys = new List<double>(count);
        for (int i = 0; i < count; i++)
        {
            float y = series[i];
            if (!float.IsFinite(y))
                continue;
            xs.Add(epochs[i] + 1);
            ys.Add(y);
        }
        if (xs.Count == 0)
            return;

        var scatter = plot.Add.Scatter(xs.ToArray(), ys.ToArray(), color);
        scatter.LegendText = key;
        scatter.LineWidth = 2;
        scatter.LinePattern = dashed ? LinePattern.Dashed : LinePattern.Solid;
        scatter.MarkerSize = markers ? 5 : 0;
        if (right)
            scatter.Axes.YAxis = plot.Axes.Right;
    }

    private static string Title(string key)
        => key.Length == 0 ? key : char.ToUpperInvariant(key[0]) + key[1..].Replace('_', ' ');
}
