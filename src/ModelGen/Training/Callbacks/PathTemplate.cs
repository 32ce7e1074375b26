using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen;

/// <summary>
/// A file path with Python <c>str.format</c> fields, as Keras's <c>ModelCheckpoint</c> fills them:
/// <c>filepath.format(epoch=epoch + 1, **logs)</c>. <c>{name}</c> or <c>{name:spec}</c> with Python's format-spec
/// mini-language (<c>[[fill]align][sign][#][0][width][,|_][.precision][type]</c>, types <c>d</c> for the epoch,
/// <c>e E f F g G %</c>, or none); <c>{{</c> and <c>}}</c> are literal braces.
/// </summary>
internal sealed class PathTemplate
{
    private readonly string _template;
    private readonly List<(string Literal, string? Field, string Spec)> _parts = new();

    /// <summary>Parses <paramref name="template"/>.</summary>
    /// <exception cref="ArgumentException">A brace is unmatched, a field is empty, or a field uses a conversion (<c>!r</c>) or nested fields.</exception>
    public PathTemplate(string template, string parameterName)
    {
        _template = template;
        var literal = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '}')
            {
                if (i + 1 < template.Length && template[i + 1] == '}') { literal.Append('}'); i++; continue; }
                throw new ArgumentException($"path template '{template}': single '}}' at position {i}; write '}}}}' for a literal brace", parameterName);
            }
            if (c != '{') { literal.Append(c); continue; }
            if (i + 1 < template.Length && template[i + 1] == '{') { literal.Append('{'); i++; continue; }
            int close = template.IndexOf('}', i + 1);
            if (close < 0)
                throw new ArgumentException($"path template '{template}': '{{' at position {i} is never closed; write '{{{{' for a literal brace", parameterName);
            string body = template[(i + 1)..close];
            if (body.Contains('{'))
                throw new ArgumentException($"path template '{template}': nested fields ('{{{body}}}') are not supported", parameterName);
            int colon = body.IndexOf(':');
            string name = colon < 0 ? body : body[..colon];
            string spec = colon < 0 ? "" : body[(colon + 1)..];
            if (name.Length == 0 || name.Contains('!') || name.Contains('[') || name.Contains('.'))
                throw new ArgumentException($"path template '{template}': field '{{{body}}}' must name the epoch or a logged value, like {{epoch:02d}} or {{val_loss:.2f}}", parameterName);
            _ = PythonFormat.Parse(spec, template, parameterName); // a malformed spec fails now, not at the first save
            _parts.Add((literal.ToString(), name, spec));
            literal.Clear();
            i = close;
        }
        _parts.Add((literal.ToString(), null, ""));
    }

    /// <summary>True when the template has no fields: every epoch's path is the same.</summary>
    public bool IsFixed => _parts.Count == 1;

    /// <summary>The literal text before the first field (the whole path when there is none), braces unescaped.</summary>
    public string FixedPrefix => _parts[0].Literal;

    /// <summary>The names of the template's fields, in order (<c>epoch</c> among them when it is used).</summary>
    public IEnumerable<string> Fields
    {
        get
        {
            foreach (var (_, name, _) in _parts)
                if (name is not null) yield return name;
        }
    }

    /// <summary>The path for 0-based <paramref name="epoch"/>: <c>{epoch}</c> is the 1-based number, other fields are log entries.</summary>
    /// <exception cref="InvalidOperationException">A field names neither <c>epoch</c> nor a logged value; the message lists the available names.</exception>
    /// <exception cref="FormatException">A spec does not fit its value (<c>d</c> on a float value).</exception>
    public string Format(int epoch, IReadOnlyDictionary<string, float> logs)
    {
        var sb = new StringBuilder(_template.Length + 16);
        foreach (var (literal, field, spec) in _parts)
        {
            sb.Append(literal);
            if (field is null) continue;
            if (field == "epoch")
                sb.Append(PythonFormat.Format(epoch + 1, isInteger: true, spec, field));
            else if (logs.TryGetValue(field, out float value))
                sb.Append(PythonFormat.Format(value, isInteger: false, spec, field));
            else
                throw new InvalidOperationException(
                    $"ModelCheckpoint: the path template '{_template}' names '{{{field}}}', which is neither 'epoch' nor in the logs (available: epoch, {string.Join(", ", logs.Keys)}); pass validation data for val_ values or fix the name");
        }
        return sb.ToString();
    }
}

/// <summary>Python's format-spec mini-language for one int or float value, culture-invariant.</summary>
internal static class PythonFormat
{
    internal readonly record struct Spec(char Fill, char Align, char Sign, bool Alternate, int Width, char Grouping, int Precision, char Type);

    /// <summary>Parses <c>[[fill]align][sign][#][0][width][,|_][.precision][type]</c>.</summary>
    /// <exception cref="ArgumentException">The spec does not follow the grammar, or has an unsupported type.</exception>
    public static Spec Parse(string spec, string template, string parameterName)
    {
        int i = 0;
        char fill = ' ', align = '\0', sign = '-', grouping = '\0', type = '\0';
        bool alternate = false;
        int width = 0, precision = -1;
        static bool IsAlign(char c) => c is '<' or '>' or '^' or '=';
        if (spec.Length >= 2 && IsAlign(spec[1])) { fill = spec[0]; align = spec[1]; i = 2; }
        else if (spec.Length >= 1 && IsAlign(spec[0])) { align = spec[0]; i = 1; }
        if (i < spec.Length && spec[i] is '+' or '-' or ' ') sign = spec[i++];
        if (i < spec.Length && spec[i] == '#') { alternate = true; i++; }
        if (i < spec.Length && spec[i] == '0')
        {
            if (align == '\0') { fill = '0'; align = '='; }
            i++;
        }
        int start = i;
        while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
        if (i > start) width = int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture);
        if (i < spec.Length && spec[i] is ',' or '_') grouping = spec[i++];
        if (i < spec.Length && spec[i] == '.')
        {
            start = ++i;
            while (i < spec.Length && char.IsAsciiDigit(spec[i])) i++;
            if (i == start) throw Bad("a precision needs digits after '.'");
            precision = int.Parse(spec.AsSpan(start, i - start), CultureInfo.InvariantCulture);
        }
        if (i < spec.Length) type = spec[i++];
        if (i != spec.Length) throw Bad($"unexpected '{spec[i..]}'");
        if (type is not ('\0' or 'd' or 'n' or 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or '%'))
            throw Bad($"format type '{type}' is not supported (use d, e, E, f, F, g, G, % or none)");
        return new Spec(fill, align, sign, alternate, width, grouping, precision, type);

        ArgumentException Bad(string why) => new($"path template '{template}': format spec ':{spec}' is not valid: {why}", parameterName);
    }

    /// <summary>Formats <paramref name="value"/> as Python's <c>format(value, spec)</c> does for an int (the epoch) or a float (a logged value).</summary>
    /// <exception cref="FormatException">Type <c>d</c> on a float, as Python refuses it.</exception>
    public static string Format(double value, bool isInteger, string specText, string field)
    {
        var spec = Parse(specText, specText, "filePath");
        char type = spec.Type;
        if (type is 'd' or 'n' && !isInteger)
            throw new FormatException($"ModelCheckpoint: '{{{field}:{specText}}}' formats a float with '{type}', which Python refuses (\"Unknown format code '{type}' for object of type 'float'\"); use f, e, g or %");
        string body;
        bool negative = value < 0 || value == 0 && double.IsNegative(value);
        double magnitude = Math.Abs(value);
        if (double.IsNaN(value)) body = type is 'E' or 'F' or 'G' ? "NAN" : "nan";
        else if (double.IsInfinity(value)) body = type is 'E' or 'F' or 'G' ? "INF" : "inf";
        else if (isInteger && type is '\0' or 'd' or 'n') body = Group(((long)magnitude).ToString(CultureInfo.InvariantCulture), spec.Grouping);
        else body = type switch
        {
            'f' or 'F' => Fixed(magnitude, spec.Precision < 0 ? 6 : spec.Precision, spec),
            '%' => Fixed(magnitude * 100, spec.Precision < 0 ? 6 : spec.Precision, spec) + "%",
            'e' or 'E' => Exponent(magnitude, spec.Precision < 0 ? 6 : spec.Precision, type == 'E', spec.Alternate),
            'g' or 'G' => General(magnitude, spec.Precision < 0 ? 6 : Math.Max(1, spec.Precision), type == 'G', spec.Alternate, spec),
            // No type: an int prints as 'd'; a float as Python's repr (shortest round trip of the double) or, with a
            // precision, as 'g' that always keeps one digit after the point.
            _ when isInteger => Fixed(magnitude, spec.Precision < 0 ? 0 : spec.Precision, spec),
            _ when spec.Precision >= 0 => General(magnitude, Math.Max(1, spec.Precision), upper: false, spec.Alternate, spec, keepPoint: true),
            _ => Repr(magnitude, spec),
        };
        string signText = negative && !double.IsNaN(value) ? "-" : spec.Sign == '+' ? "+" : spec.Sign == ' ' ? " " : "";
        return Pad(signText, body, spec);
    }

    private static string Fixed(double v, int precision, Spec spec)
    {
        string s = v.ToString("F" + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        if (spec.Alternate && precision == 0) s += ".";
        return GroupIntegerPart(s, spec.Grouping);
    }

    private static string Exponent(double v, int precision, bool upper, bool alternate)
    {
        string s = v.ToString((upper ? "E" : "e") + precision.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        // .NET writes at least three exponent digits (e+001); Python at least two (e+01).
        int e = s.IndexOfAny(['e', 'E']);
        string mantissa = s[..e], exponentSign = s.Substring(e + 1, 1), digits = s[(e + 2)..].TrimStart('0');
        if (alternate && precision == 0) mantissa += ".";
        return mantissa + s[e] + exponentSign + digits.PadLeft(2, '0');
    }

    private static string General(double v, int precision, bool upper, bool alternate, Spec spec, bool keepPoint = false)
    {
        if (v == 0) return keepPoint ? "0.0" : alternate ? "0." + new string('0', precision - 1) : "0";
        // Python: with exp the exponent in 'e' form at this precision, fixed if -4 ≤ exp < precision, else scientific.
        string sci = Exponent(v, precision - 1, upper, alternate: false);
        int exp = int.Parse(sci.AsSpan(sci.IndexOfAny(['e', 'E']) + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        string s;
        if (exp >= -4 && exp < precision)
        {
            s = v.ToString("F" + (precision - 1 - exp).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
            if (!alternate && s.Contains('.')) s = s.TrimEnd('0').TrimEnd('.');
            if (keepPoint && !s.Contains('.')) s += ".0";
            return GroupIntegerPart(s, spec.Grouping);
        }
        int e = sci.IndexOfAny(['e', 'E']);
        string mantissa = sci[..e];
        if (!alternate && mantissa.Contains('.')) mantissa = mantissa.TrimEnd('0').TrimEnd('.');
        return mantissa + sci[e..];
    }

    private static string Repr(double v, Spec spec)
    {
        // Python's repr: the shortest string that round-trips, in fixed notation for 1e-4 ≤ |v| < 1e16, else scientific.
        string r = v.ToString("R", CultureInfo.InvariantCulture);
        if (v != 0 && (v < 1e-4 || v >= 1e16))
        {
            int e = r.IndexOf('E');
            string mantissa = e < 0 ? r : r[..e];
            int exp = e < 0 ? 0 : int.Parse(r.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            if (e < 0)
            {
                // .NET chose fixed notation; rebuild as d.ddd × 10^exp.
                string digits = r.Replace(".", "", StringComparison.Ordinal).TrimStart('0');
                int point = r.IndexOf('.') < 0 ? r.Length : r.IndexOf('.');
                int firstDigit = r.IndexOfAny(['1', '2', '3', '4', '5', '6', '7', '8', '9']);
                exp = firstDigit < point ? point - firstDigit - 1 : point - firstDigit;
                digits = digits.TrimEnd('0');
                mantissa = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
            }
            return mantissa + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }
        if (!r.Contains('.') && !r.Contains('E')) r += ".0";
        return GroupIntegerPart(r, spec.Grouping);
    }

    private static string GroupIntegerPart(string s, char grouping)
    {
        if (grouping == '\0') return s;
        int point = s.IndexOf('.');
        return point < 0 ? Group(s, grouping) : Group(s[..point], grouping) + s[point..];
    }

    private static string Group(string digits, char grouping)
    {
        if (grouping == '\0' || digits.Length <= 3) return digits;
        var sb = new StringBuilder(digits.Length + digits.Length / 3);
        for (int i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % 3 == 0) sb.Append(grouping);
            sb.Append(digits[i]);
        }
        return sb.ToString();
    }

    private static string Pad(string sign, string body, Spec spec)
    {
        int length = sign.Length + body.Length;
        if (length >= spec.Width) return sign + body;
        int pad = spec.Width - length;
        char align = spec.Align == '\0' ? '>' : spec.Align; // numbers align right by default
        return align switch
        {
            '<' => sign + body + new string(spec.Fill, pad),
            '^' => new string(spec.Fill, pad / 2) + sign + body + new string(spec.Fill, pad - pad / 2),
            '=' => sign + new string(spec.Fill, pad) + body,
            _ => new string(spec.Fill, pad) + sign + body,
        };
    }
}
