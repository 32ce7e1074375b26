using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using ModelGen.Plotting;

namespace ModelGen.Plotting.Tests;

public sealed class HistoryChartTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly string folder = Path.Combine(Path.GetTempPath(), "modelgen-plot-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(folder))
            Directory.Delete(folder, recursive: true);
    }

    /// <summary>A made-up 12-epoch run: the loss falls, the accuracy rises, validation a little worse.</summary>
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

    private static (int Width, int Height) ReadPngSize(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        Assert.True(bytes.Length > 33, "PNG too short");
        Assert.Equal(PngSignature, bytes[..8]);
        // First chunk: length (4) "IHDR" (4) width (4, big-endian) height (4, big-endian).
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }

    [Fact]
    public void Save_writes_a_png_of_the_requested_size()
    {
        string path = Path.Combine(folder, "history.png");
        HistoryChart.Save(MakeHistory(12, withMetric: true), path, width: 640, height: 360);

        Assert.True(File.Exists(path));
        Assert.Equal((640, 360), ReadPngSize(path));
        // Atomic write: no temporary file is left beside it.
        Assert.Equal("history.png", Path.GetFileName(Assert.Single(Directory.GetFiles(folder))));
    }

    [Fact]
    public void SaveChart_uses_the_default_size_and_overwrites()
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, "chart.png");
        File.WriteAllText(path, "old");

        MakeHistory(5, withMetric: false).SaveChart(path);

        Assert.Equal((900, 500), ReadPngSize(path));
        Assert.Single(Directory.GetFiles(folder));
    }

    [Fact]
    public void Save_handles_an_empty_history_and_a_diverged_loss()
    {
        string empty = Path.Combine(folder, "empty.png");
        HistoryChart.Save(new History(), empty, 300, 200);
        Assert.Equal((300, 200), ReadPngSize(empty));

        var history = MakeHistory(3, withMetric: true);
        history.Add(3, new Dictionary<string, float> { ["loss"] = float.NaN, ["accuracy"] = 0.1f, ["val_loss"] = float.PositiveInfinity, ["val_accuracy"] = 0.1f });
        string diverged = Path.Combine(folder, "diverged.png");
        HistoryChart.Save(history, diverged, 300, 200);
        Assert.Equal((300, 200), ReadPngSize(diverged));
    }

    [Fact]
    public void Save_rejects_bad_arguments()
    {
        var history = MakeHistory(2, withMetric: false);
        Assert.Throws<ArgumentNullException>(() => HistoryChart.Save(null!, Path.Combine(folder, "x.png")));
        Assert.Throws<ArgumentException>(() => HistoryChart.Save(history, " "));
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryChart.Save(history, Path.Combine(folder, "x.png"), width: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => HistoryChart.Save(history, Path.Combine(folder, "x.png"), height: -1));
    }
}
