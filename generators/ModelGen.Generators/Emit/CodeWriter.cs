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
