using System;
using System.Text;

namespace ModelGen.Generators.Emit;

/// <summary>An indented text writer: <c>using (w.Block("class X")) { ... }</c> writes the braces and indents.</summary>
internal sealed class CodeWriter
{
    private readonly StringBuilder _text = new();
    private int _indent;

    public CodeWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _indent * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>Writes each line of a multi-line (raw) string at the current indent.</summary>
    public CodeWriter Lines(string text)
    {
        foreach (var line in text.Replace("\r\n", "\n").Split('\n')) Line(line);
        return this;
    }

    /// <summary>Longest line a call is written on before its arguments go one per line.</summary>
    public const int MaxLine = 120;

    /// <summary>
    /// Writes the statement <c>callee(arguments)</c> on one line when it fits in <see cref="MaxLine"/> characters, and
    /// otherwise with one argument per line, indented under the callee.
    /// </summary>
    public CodeWriter Call(string callee, params object[] values)
    {
        var arguments = Array.ConvertAll(values, v => Convert.ToString(v, System.Globalization.CultureInfo.InvariantCulture)!);
        string oneLine = $"{callee}({string.Join(", ", arguments)});";
        if (_indent * 4 + oneLine.Length <= MaxLine || arguments.Length == 0) return Line(oneLine);
        Line(callee + "(");
        using (Indent())
        {
            for (int i = 0; i < arguments.Length; i++) Line(arguments[i] + (i < arguments.Length - 1 ? "," : ");"));
        }
        return this;
    }

    /// <summary>Writes <paramref name="header"/> (none when empty) and a braced, indented block.</summary>
    public IDisposable Block(string header)
    {
        if (header.Length > 0) Line(header);
        Line("{");
        _indent++;
        return new Closer(this, "}");
    }

    public IDisposable Indent()
    {
        _indent++;
        return new Closer(this, null);
    }

    public override string ToString() => _text.ToString();

    private sealed class Closer(CodeWriter writer, string? closing) : IDisposable
    {
        public void Dispose()
        {
            writer._indent--;
            if (closing is not null) writer.Line(closing);
        }
    }
}
