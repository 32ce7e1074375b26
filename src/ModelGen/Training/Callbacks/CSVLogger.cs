using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace ModelGen;

/// <summary>
/// Keras <c>keras.callbacks.CSVLogger</c>: writes one row per epoch to a CSV file, columns <c>epoch</c> (0-based, as
/// Keras writes it) then the log keys sorted (ordinal order, as Python's <c>sorted</c>), e.g.
/// <c>epoch,accuracy,loss,val_accuracy,val_loss</c>. The keys are fixed by the first epoch; a key missing from a later
/// epoch's logs is written <c>NA</c>.
/// </summary>
/// <remarks>
/// Values are written in the invariant culture, shortest round-trip float32 form (Keras writes Python's repr of the
/// float64 widening, e.g. <c>0.6931471824645996</c> where this writes <c>0.6931472</c>). Fields holding the separator, a
/// quote or a line break are quoted as Python's <c>csv</c> module does. Each row is appended and the file closed before
/// <see cref="OnEpochEnd"/> returns, so the file is complete after every epoch, even if training later fails.
/// </remarks>
public sealed class CSVLogger : Callback
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private string[]? _keys;
    private bool _writeHeader;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">Path of the CSV file (Keras <c>filename</c>).</param>
    /// <param name="separator">Field separator (Keras <c>separator</c>, default <c>,</c>).</param>
    /// <param name="append">True to append to an existing file (its header is kept; one is written only when the file is
    /// missing or empty; a header whose columns are not this run's makes <c>Fit</c> throw before it trains, where Keras
    /// would write rows under the wrong columns); false (Keras default) to overwrite it when training begins.</param>
    /// <exception cref="ArgumentException"><paramref name="filename"/> is null or empty, or <paramref name="separator"/> is a quote,
    /// a line break, or a character that can occur inside a logged number (a letter, a digit, <c>.</c>, <c>-</c>, <c>+</c>).</exception>
    public CSVLogger(string filename, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        if (separator is '"' or '\n' or '\r') throw new ArgumentException($"the separator cannot be a quote or line break; got {(int)separator}", nameof(separator));
        // Values are written unquoted (1.5E-05, -0.25, NaN): a separator that can occur inside one makes the file unreadable.
        if (char.IsLetterOrDigit(separator) || separator is '.' or '-' or '+')
            throw new ArgumentException($"the separator '{separator}' can occur inside a logged number (1.5E-05, -0.25, NaN); use ',', ';', a tab or a space", nameof(separator));
        Filename = filename;
        Separator = separator;
        Append = append;
    }

    /// <summary>Path of the CSV file.</summary>
    public string Filename { get; }

    /// <summary>Field separator.</summary>
    public char Separator { get; }

    /// <summary>True to append to an existing file.</summary>
    public bool Append { get; }

    /// <summary>
    /// Appending to a file that has a header: its columns must be this run's (<c>epoch</c> then the logged names, sorted),
    /// or the new rows would sit under other columns (Keras writes them so, silently; a resumed run that adds validation
    /// data, or a metric, is the usual cause).
    /// </summary>
    /// <exception cref="InvalidOperationException">The file's header differs from this run's columns; nothing was trained.</exception>
    /// <exception cref="IOException">The path is a folder, or runs through a file; nothing was trained.</exception>
    internal override void Prepare()
    {
        FilePath.CheckWritable(Filename); // a folder, or a path through a file: said before anything trains
        if (!Append || !File.Exists(Filename) || new FileInfo(Filename).Length == 0) return;
        string header;
        using (var reader = new StreamReader(Filename, Utf8)) header = reader.ReadLine() ?? "";
        string expected = Header(Columns(Context.LoggedNames));
        if (header != expected)
            throw new InvalidOperationException(
                $"CSVLogger appends to '{Filename}', whose header is '{header}', but this Fit logs '{expected}': the new rows would not match its columns. " +
                "Append to a file with these columns, log to a new file, or pass append: false to overwrite it. Nothing was trained");
    }

    /// <summary>Creates (or, without <see cref="Append"/>, empties) the file, so a failure to write shows before the first epoch.</summary>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The file cannot be written.</exception>
    public override void OnTrainBegin()
    {
        _keys = null;
        if (Append && File.Exists(Filename))
        {
            _writeHeader = new FileInfo(Filename).Length == 0;
            return;
        }
        File.WriteAllText(Filename, "", Utf8);
        _writeHeader = true;
    }

    /// <summary>Appends the epoch's row (and the header before the first row when one is needed).</summary>
    /// <param name="epoch">Epoch index, 0-based (written as is, as Keras does).</param>
    /// <param name="logs">The epoch's results.</param>
    /// <exception cref="IOException">The file cannot be written.</exception>
    public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var text = new StringBuilder();
        if (_keys is null)
        {
            _keys = Columns(logs.Keys);
            if (_writeHeader) text.Append(Header(_keys)).Append("\r\n");
        }
        text.Append(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (var key in _keys)
            text.Append(Separator).Append(logs.TryGetValue(key, out float value) ? value.ToString(CultureInfo.InvariantCulture) : "NA");
        text.Append("\r\n");   // Python's csv writer ends rows with \r\n
        File.AppendAllText(Filename, text.ToString(), Utf8);
    }

    // The logged names as columns: sorted in ordinal order, as Python's sorted() orders Keras's keys.
    private static string[] Columns(IEnumerable<string> names)
    {
        string[] keys = [.. names];
        Array.Sort(keys, StringComparer.Ordinal);
        return keys;
    }

    // The header line (no line break): epoch, then the columns.
    private string Header(string[] keys)
    {
        var header = new StringBuilder("epoch");
        foreach (var key in keys) header.Append(Separator).Append(Field(key));
        return header.ToString();
    }

    /// <summary>A field quoted as Python's csv module quotes it (QUOTE_MINIMAL) when it holds the separator, a quote or a line break.</summary>
    private string Field(string value) =>
        value.AsSpan().IndexOfAny([Separator, '"', '\n', '\r']) < 0 ? value : "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
