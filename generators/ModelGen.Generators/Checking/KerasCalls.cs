using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Checking;

/// <summary>An initializer as written, resolved: its kind and its arguments in Keras's parameter order.</summary>
internal sealed record InitializerChoice(InitKind Kind, float[] Arguments);

/// <summary>
/// Keras initializers and regularizers written as text, e.g. <c>"he_normal"</c>, <c>"constant(0.5)"</c>,
/// <c>"random_normal(mean=0.0, stddev=0.1)"</c>, <c>"l2(0.01)"</c>, <c>"l1_l2(l1=0.01, l2=0.001)"</c>: a Keras name
/// (snake_case, or the class name such as <c>RandomNormal</c>) with optional arguments in Python call syntax, positional
/// first, then by keyword, numbers only. What Keras would reject (an unknown name or argument, a negative factor) is an
/// error here, reported as a diagnostic at the attribute.
/// </summary>
internal static class KerasCalls
{
    private sealed record Signature(InitKind Kind, string[] Names, double[] Defaults);

    private static readonly Dictionary<string, Signature> Initializers = new()
    {
        ["zeros"] = new(InitKind.Zeros, [], []),
        ["ones"] = new(InitKind.Ones, [], []),
        ["constant"] = new(InitKind.Constant, ["value"], [0]),
        ["glorot_uniform"] = new(InitKind.GlorotUniform, [], []),
        ["glorot_normal"] = new(InitKind.GlorotNormal, [], []),
        ["he_uniform"] = new(InitKind.HeUniform, [], []),
        ["he_normal"] = new(InitKind.HeNormal, [], []),
        ["lecun_uniform"] = new(InitKind.LecunUniform, [], []),
        ["lecun_normal"] = new(InitKind.LecunNormal, [], []),
        ["orthogonal"] = new(InitKind.Orthogonal, ["gain"], [1]),
        ["identity"] = new(InitKind.Identity, ["gain"], [1]),
        ["random_normal"] = new(InitKind.RandomNormal, ["mean", "stddev"], [0, 0.05]),
        ["random_uniform"] = new(InitKind.RandomUniform, ["minval", "maxval"], [-0.05, 0.05]),
        ["truncated_normal"] = new(InitKind.TruncatedNormal, ["mean", "stddev"], [0, 0.05]),
    };

    private static readonly Dictionary<string, (string[] Names, double[] Defaults)> Regularizers = new()
    {
        ["l1"] = (["l1"], [0.01]),
        ["l2"] = (["l2"], [0.01]),
        ["l1_l2"] = (["l1", "l2"], [0, 0]),
    };

    /// <summary>The initializer names accepted, for messages.</summary>
    public const string InitializerNames = "'glorot_uniform', 'glorot_normal', 'he_uniform', 'he_normal', 'lecun_uniform', 'lecun_normal', " +
        "'orthogonal', 'identity', 'zeros', 'ones', 'constant(value)', 'random_normal(mean, stddev)', 'random_uniform(minval, maxval)', " +
        "'truncated_normal(mean, stddev)'";

    /// <summary>The regularizer names accepted, for messages.</summary>
    public const string RegularizerNames = "'l1', 'l2', 'l1(0.01)', 'l2(0.01)', 'l1_l2(l1=0.01, l2=0.01)'";

    /// <summary>
    /// Reads an initializer. <paramref name="vector"/>: the tensor is 1-D (a bias), which <c>orthogonal</c> and
    /// <c>identity</c> refuse, as Keras does. Returns null with <paramref name="error"/> saying why.
    /// </summary>
    public static InitializerChoice? Initializer(string text, bool vector, out string? error)
    {
        if (!TryParse(text, out string name, out var positional, out var named, out error)) return null;
        if (!Initializers.TryGetValue(name, out var signature))
        {
            error = $"'{name}' is not a Keras initializer";
            return null;
        }
        var values = Bind(name, signature.Names, signature.Defaults, positional, named, out error);
        if (values is null) return null;
        if (vector && signature.Kind is InitKind.Orthogonal or InitKind.Identity)
        {
            error = $"'{name}' needs a 2-D weight and a bias is 1-D";
            return null;
        }
        if (signature.Kind is InitKind.RandomNormal or InitKind.TruncatedNormal && values[1] < 0)
            error = "stddev must be ≥ 0";
        else if (signature.Kind == InitKind.RandomUniform && values[0] > values[1])
            error = "minval must be ≤ maxval";
        return error is null ? new InitializerChoice(signature.Kind, values) : null;
    }

    /// <summary>Reads a regularizer as its (l1, l2) factors; null with <paramref name="error"/> saying why.</summary>
    public static (float L1, float L2)? Regularizer(string text, out string? error)
    {
        if (!TryParse(text, out string name, out var positional, out var named, out error)) return null;
        if (!Regularizers.TryGetValue(name, out var signature))
        {
            error = $"'{name}' is not a Keras regularizer";
            return null;
        }
        var values = Bind(name, signature.Names, signature.Defaults, positional, named, out error);
        if (values is null) return null;
        foreach (float v in values)
        {
            if (v < 0)
            {
                error = "factors must be ≥ 0";
                return null;
            }
        }
        return name switch
        {
            "l1" => (values[0], 0f),
            "l2" => (0f, values[0]),
            _ => (values[0], values[1]),
        };
    }

    /// <summary>The values as C# float literals, for generated code.</summary>
    public static string Literal(float value) => value.ToString("R", CultureInfo.InvariantCulture) + "f";

    // name ( '(' [arg {',' arg}] ')' )? where arg = [identifier '='] number; the name in snake_case or as the Keras class.
    private static bool TryParse(string text, out string name, out List<double> positional, out List<(string Key, double Value)> named, out string? error)
    {
        positional = new List<double>();
        named = new List<(string, double)>();
        error = null;
        string s = text.Trim();
        int open = s.IndexOf('(');
        name = Snake((open < 0 ? s : s.Substring(0, open)).Trim());
        if (name.Length == 0 || !IsIdentifier(name))
        {
            error = "expected a name, optionally with arguments: name(value, key=value)";
            return false;
        }
        if (open < 0) return true;
        if (!s.EndsWith(")", System.StringComparison.Ordinal))
        {
            error = "the arguments must end with ')'";
            return false;
        }
        string inner = s.Substring(open + 1, s.Length - open - 2).Trim();
        if (inner.Length == 0) return true;
        foreach (string part in inner.Split(','))
        {
            string arg = part.Trim();
            int eq = arg.IndexOf('=');
            string key = eq < 0 ? "" : arg.Substring(0, eq).Trim();
            string number = eq < 0 ? arg : arg.Substring(eq + 1).Trim();
            if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) || double.IsNaN(value) || double.IsInfinity((float)value))
            {
                error = $"'{number}' is not a finite number";
                return false;
            }
            if (eq < 0)
            {
                if (named.Count > 0)
                {
                    error = "a positional argument follows a keyword argument";
                    return false;
                }
                positional.Add(value);
            }
            else if (!IsIdentifier(key))
            {
                error = $"'{key}' is not an argument name";
                return false;
            }
            else named.Add((key, value));
        }
        return true;
    }

    private static float[]? Bind(string name, string[] names, double[] defaults, List<double> positional, List<(string Key, double Value)> named, out string? error)
    {
        error = null;
        string Expected() => names.Length == 0 ? "it takes no arguments" : $"it takes {string.Join(", ", names)}";
        if (positional.Count > names.Length)
        {
            error = $"'{name}' has too many arguments ({Expected()})";
            return null;
        }
        var values = (double[])defaults.Clone();
        var set = new bool[names.Length];
        for (int i = 0; i < positional.Count; i++) { values[i] = positional[i]; set[i] = true; }
        foreach (var (key, value) in named)
        {
            int index = System.Array.IndexOf(names, key);
            if (index < 0)
            {
                error = $"'{name}' has no argument '{key}' ({Expected()})";
                return null;
            }
            if (set[index])
            {
                error = $"'{name}' got '{key}' twice";
                return null;
            }
            values[index] = value;
            set[index] = true;
        }
        var result = new float[values.Length];
        for (int i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }

    // "RandomNormal" → "random_normal", "L1L2" → "l1_l2"; snake_case stays as it is.
    private static string Snake(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c) && i > 0 && name[i - 1] != '_') sb.Append('_');
            sb.Append(char.ToLowerInvariant(c));
        }
        return sb.ToString();
    }

    private static bool IsIdentifier(string s)
    {
        if (s.Length == 0 || !(char.IsLetter(s[0]) || s[0] == '_')) return false;
        foreach (char c in s)
            if (!(char.IsLetterOrDigit(c) || c == '_')) return false;
        return true;
    }
}
