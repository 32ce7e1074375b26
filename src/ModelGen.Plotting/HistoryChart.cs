using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using OxyPlot;
using OxyPlot.Axes;
using OxyPlot.Legends;
using OxyPlot.Series;

namespace ModelGen.Plotting;

/// <summary>
/// Draws a training <see cref="History"/> as a chart, as Keras users do with matplotlib
/// (<c>plt.plot(history.history['loss'])</c>): loss and <c>val_loss</c> per epoch on the left axis and, when the
/// history has one, the first metric and its <c>val_</c> twin on the right axis. Drawn with OxyPlot, entirely in
/// managed code, as SVG (opens in any browser and in Visual Studio Code, scales without blurring): no native library on
/// any platform.
/// </summary>
public static class HistoryChart
{
    private const string LossKey = "loss";
    private const string ValidationPrefix = "val_";
    private const string MetricAxisKey = "metric";

    // matplotlib's default colour cycle (tab:blue, tab:orange), as Keras tutorials' charts show them.
    private static readonly OxyColor LossColor = OxyColor.FromRgb(0x1F, 0x77, 0xB4);
    private static readonly OxyColor MetricColor = OxyColor.FromRgb(0xFF, 0x7F, 0x0E);

    /// <summary>
    /// Renders <paramref name="history"/> and writes it to <paramref name="path"/> as SVG, atomically: the chart is written to a temporary file in the same folder, then moved over
    /// <paramref name="path"/>, so a reader never sees a partial file. The folder is created when missing. Numbers are
    /// formatted with the invariant culture.
    /// </summary>
    /// <param name="history">The history returned by <c>Fit</c>; epochs are drawn from 1, non-finite values (a diverged
    /// loss) left out.</param>
    /// <param name="path">The <c>.svg</c> file to write (any case), replaced if it exists.</param>
    /// <param name="width">Chart width in pixels (SVG user units).</param>
    /// <param name="height">Chart height in pixels (SVG user units).</param>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null, empty or white space, or does not end in
    /// <c>.svg</c> (PNG would need a native rasteriser; convert the SVG if you need a bitmap).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is not positive.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void Save(History history, string path, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        if (!string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"'{path}': a history chart is written as SVG, to a .svg file; got '{Path.GetExtension(path)}'. "
                + "PNG needs a native rasteriser, which this package leaves out to stay small: convert the SVG if you need a bitmap", nameof(path));
        }

        AtomicFile.Write(path, System.Text.Encoding.UTF8.GetBytes(RenderSvg(history, width, height)));
    }

    /// <summary>Saves <paramref name="history"/> as an SVG chart; see <see cref="Save"/>.</summary>
    /// <param name="history">The history returned by <c>Fit</c>.</param>
    /// <param name="path">The <c>.svg</c> file to write (replaced if it exists).</param>
    /// <param name="width">Chart width in pixels (SVG user units).</param>
    /// <param name="height">Chart height in pixels (SVG user units).</param>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or not a <c>.svg</c> file.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is not positive.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public static void SaveChart(this History history, string path, int width = 900, int height = 500)
        => Save(history, path, width, height);

    /// <summary>
    /// Renders <paramref name="history"/> as an SVG document (see <see cref="Save"/>), for a web page or a notebook
    /// that shows the chart without a file.
    /// </summary>
    /// <param name="history">The history returned by <c>Fit</c>.</param>
    /// <param name="width">Chart width in pixels (SVG user units).</param>
    /// <param name="height">Chart height in pixels (SVG user units).</param>
    /// <returns>A standalone SVG document (with its XML declaration).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="history"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> is not positive.</exception>
    public static string ToSvg(History history, int width = 900, int height = 500)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return RenderSvg(history, width, height);
    }

    private static string RenderSvg(History history, int width, int height)
    {
        PlotModel model = Build(history, FontScale(width, height));
        // The default text measurer is OxyPlot's PDF context (the standard PDF fonts' metrics): no native font engine.
        // Text is placed by explicit offsets rather than dominant-baseline, which some viewers (librsvg, some image
        // converters) ignore, so the title and labels sit in the same place in every viewer.
        return SvgExporter.ExportToString(model, width, height, isDocument: true, textMeasurer: null, useVerticalTextAlignmentWorkaround: true);
    }

    /// <summary>Text shrinks with charts smaller than about 700×400 so the data area keeps most of the room.</summary>
    private static double FontScale(int width, int height) => Math.Clamp(Math.Min(width / 700.0, height / 400.0), 0.5, 1.0);

    private static PlotModel Build(History history, double fontScale)
    {
        List<int> epochs = history.Epochs;
        IReadOnlyDictionary<string, List<float>> values = history.Values;
        bool markers = epochs.Count <= 30;
        string? metric = FirstMetric(values);

        var model = new PlotModel
        {
            Title = metric is null ? "Training history: loss" : $"Training history: loss and {metric}",
            Culture = CultureInfo.InvariantCulture,
            Background = OxyColors.White,
            // Text is measured with the metrics of PDF's Helvetica (OxyPlot's managed measurer); Arial has the same
            // widths, and viewers without it substitute a metric-compatible font (Liberation Sans, Helvetica).
            DefaultFont = "Arial",
            DefaultFontSize = 12 * fontScale,
            TitleFontSize = 16 * fontScale,
        };
        var epochAxis = new LinearAxis
        {
            Position = AxisPosition.Bottom,
            Title = "Epoch",
            MinimumMajorStep = 1,
            MinimumMinorStep = 1,
            StringFormat = "0",
            AxisTitleDistance = 6,
        };
        var lossAxis = new LinearAxis { Position = AxisPosition.Left, Title = "Loss", MajorGridlineStyle = LineStyle.Dot };
        model.Axes.Add(epochAxis);
        model.Axes.Add(lossAxis);

        int drawn = 0;
        drawn += AddSeries(model, epochs, values, LossKey, LossColor, dashed: false, markers, axisKey: null);
        drawn += AddSeries(model, epochs, values, ValidationPrefix + LossKey, LossColor, dashed: true, markers, axisKey: null);
        if (metric is not null)
        {
            model.Axes.Add(new LinearAxis { Position = AxisPosition.Right, Title = Title(metric), Key = MetricAxisKey });
            drawn += AddSeries(model, epochs, values, metric, MetricColor, dashed: false, markers, MetricAxisKey);
            drawn += AddSeries(model, epochs, values, ValidationPrefix + metric, MetricColor, dashed: true, markers, MetricAxisKey);
        }

        if (drawn > 0)
        {
            // Below the axes, in a row, so it never hides a curve.
            model.Legends.Add(new Legend
            {
                LegendPlacement = LegendPlacement.Outside,
                LegendPosition = LegendPosition.BottomCenter,
                LegendOrientation = LegendOrientation.Horizontal,
                // Room for a wider substitute font: the legend clips its text to the box the measured widths give.
                LegendPadding = 16,
            });
        }
        else
        {
            // Nothing to draw yet: empty axes, not a blank image.
            (epochAxis.Minimum, epochAxis.Maximum) = (0.5, 1.5);
            (lossAxis.Minimum, lossAxis.Maximum) = (0, 1);
        }
        return model;
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

    /// <summary>Adds the line of <paramref name="key"/> when the history has a finite value of it; returns 1 if it did.</summary>
    private static int AddSeries(
        PlotModel model, List<int> epochs, IReadOnlyDictionary<string, List<float>> values, string key,
        OxyColor color, bool dashed, bool markers, string? axisKey)
    {
        if (!values.TryGetValue(key, out List<float>? series))
            return 0;

        // One point per epoch (x = epoch number from 1); non-finite values (a diverged loss) are left out.
        var line = new LineSeries
        {
            Title = key,
            Color = color,
            StrokeThickness = 2,
            LineStyle = dashed ? LineStyle.Dash : LineStyle.Solid,
            MarkerType = markers ? MarkerType.Circle : MarkerType.None,
            MarkerSize = 3,
            MarkerFill = color,
        };
        if (axisKey is not null)
            line.YAxisKey = axisKey;
        int count = Math.Min(epochs.Count, series.Count);
        for (int i = 0; i < count; i++)
        {
            float y = series[i];
            if (float.IsFinite(y))
                line.Points.Add(new DataPoint(epochs[i] + 1, y));
        }
        if (line.Points.Count == 0)
            return 0;
        model.Series.Add(line);
        return 1;
    }

    private static string Title(string key)
        => key.Length == 0 ? key : char.ToUpperInvariant(key[0]) + key[1..].Replace('_', ' ');
}
