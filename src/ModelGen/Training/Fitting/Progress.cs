using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;

namespace ModelGen;

/// <summary>
/// Keras-style training output. verbose 1: <c>Epoch 3/100</c> then a bar with steps, elapsed or ETA, time per
/// step and the running metrics, redrawn in place on a terminal; verbose 2: one line per epoch; verbose 0:
/// nothing. When the output is redirected no control characters are written: only each epoch's final line.
/// </summary>
internal sealed class Progress
{
    private const int BarWidth = 20;
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private readonly TextWriter _out;
    private readonly int _verbose;
    private readonly bool _interactive;
    private readonly Stopwatch _clock = new();
    private TimeSpan _lastDraw;
    private int _steps;

    public Progress(int verbose, TextWriter? output = null, bool? interactive = null)
    {
        if (verbose is < 0 or > 2) throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch)");
        _verbose = verbose;
        _out = output ?? Console.Out;
        _interactive = interactive ?? (output is null && !Console.IsOutputRedirected);
    }

    public void BeginEpoch(int epoch, int epochs, int steps)
    {
        _steps = steps;
        _clock.Restart();
        _lastDraw = TimeSpan.Zero;
        if (_verbose > 0) _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{epochs}"));
    }

    public void Step(int step, IReadOnlyDictionary<string, float> logs)
    {
        if (_verbose != 1 || !_interactive || step >= _steps) return;
        var now = _clock.Elapsed;
        if (now - _lastDraw < RedrawInterval) return;
        _lastDraw = now;
        double perStep = now.TotalSeconds / step;
        _out.Write("\r" + Line(step, perStep * (_steps - step), perStep, logs, done: false) + "\u001b[K");
        _out.Flush();
    }

    public void EndEpoch(IReadOnlyDictionary<string, float> logs)
    {
        if (_verbose == 0) return;
        var elapsed = _clock.Elapsed.TotalSeconds;
        double perStep = elapsed / Math.Max(1, _steps);
        if (_verbose == 2)
            _out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{_steps}/{_steps} - {Seconds(elapsed)} - {PerStep(perStep)}{Metrics(logs)}"));
        else
            _out.WriteLine((_interactive ? "\r" : "") + Line(_steps, elapsed, perStep, logs, done: true) + (_interactive ? "\u001b[K" : ""));
    }

    private string Line(int step, double seconds, double perStep, IReadOnlyDictionary<string, float> logs, bool done)
    {
        int filled = _steps == 0 ? BarWidth : step * BarWidth / _steps;
        var bar = new StringBuilder(BarWidth);
        bar.Append('━', filled).Append(filled < BarWidth ? (done ? "" : "╺") : "");
        bar.Append(' ', BarWidth - bar.Length);
        string width = _steps.ToString(CultureInfo.InvariantCulture);
        return string.Create(CultureInfo.InvariantCulture,
            $"{step.ToString(CultureInfo.InvariantCulture).PadLeft(width.Length)}/{width} {bar} {Seconds(seconds)} {PerStep(perStep)}{Metrics(logs)}");
    }

    private static string Seconds(double s) => s < 1 ? "0s" : string.Create(CultureInfo.InvariantCulture, $"{s:0}s");

    private static string PerStep(double s) => s >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{s:0}s/step")
        : s >= 1e-3 ? string.Create(CultureInfo.InvariantCulture, $"{s * 1e3:0}ms/step") : string.Create(CultureInfo.InvariantCulture, $"{s * 1e6:0}us/step");

    private static string Metrics(IReadOnlyDictionary<string, float> logs)
    {
        var sb = new StringBuilder();
        foreach (var (name, value) in logs) sb.Append(" - ").Append(name).Append(": ").Append(value.ToString("0.0000", CultureInfo.InvariantCulture));
        return sb.ToString();
    }
}
