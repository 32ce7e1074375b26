using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ModelGen.Text;

/// <summary>
/// The few pieces of Python 3 <c>str</c> behaviour that Keras's text utilities rely on, reproduced culture-invariantly:
/// <c>str.lower()</c>, iteration by code point, and <c>str.translate</c> with a set of characters.
/// </summary>
internal static class PythonText
{
    private const char CapitalSigma = '\u03A3';
    private const char DottedCapitalI = '\u0130';

    /// <summary>
    /// Python's <c>str.lower()</c>: Unicode default lower-casing, independent of culture. Beyond the simple (one to one)
    /// mapping it applies the two context-free rules Python applies: U+0130 becomes <c>"i\u0307"</c>, and a capital sigma
    /// at the end of a word becomes the final sigma <c>ς</c>.
    /// </summary>
    public static string Lower(string text)
    {
        // The simple mapping keeps UTF-16 length and positions (surrogate pairs included), so only the two
        // special cases need a second pass.
        string lowered = text.ToLowerInvariant();
        if (text.AsSpan().IndexOfAny(CapitalSigma, DottedCapitalI) < 0)
            return lowered;

        var builder = new StringBuilder(text.Length + 4);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == DottedCapitalI)
                builder.Append("i\u0307");
            else if (c == CapitalSigma)
                builder.Append(IsFinalSigma(text, i) ? '\u03C2' : '\u03C3');
            else
                builder.Append(lowered[i]);
        }
        return builder.ToString();
    }

    /// <summary>
    /// Python's <c>Final_Sigma</c> context: a cased letter, then any case-ignorable characters, the sigma, and no cased
    /// letter after any case-ignorable characters that follow.
    /// </summary>
    private static bool IsFinalSigma(string text, int index)
    {
        int j = index;
        int before = -1;
        while (j > 0)
        {
            int cp = CodePointBefore(text, j, out int width);
            j -= width;
            if (!IsCaseIgnorable(cp)) { before = cp; break; }
        }
        if (before < 0 || !IsCased(before))
            return false;

        j = index + 1;
        while (j < text.Length)
        {
            int cp = CodePointAt(text, j, out int width);
            j += width;
            if (!IsCaseIgnorable(cp))
                return !IsCased(cp);
        }
        return true;
    }

    /// <summary>Unicode <c>Cased</c>: letters with case, plus characters that change under case mapping (Ⅰ, Ⓐ …).</summary>
    private static bool IsCased(int codePoint)
    {
        if (!Rune.IsValid(codePoint)) return false;
        var rune = new Rune(codePoint);
        switch (Rune.GetUnicodeCategory(rune))
        {
            case UnicodeCategory.UppercaseLetter:
            case UnicodeCategory.LowercaseLetter:
            case UnicodeCategory.TitlecaseLetter:
                return true;
            default:
                return Rune.ToLowerInvariant(rune) != rune || Rune.ToUpperInvariant(rune) != rune;
        }
    }

    /// <summary>Unicode <c>Case_Ignorable</c>: marks, format characters, modifiers, and the word-internal punctuation.</summary>
    private static bool IsCaseIgnorable(int codePoint)
    {
        switch (codePoint)
        {
            case '\'': case '.': case ':': case '^': case '`':
            case '\u00A8': case '\u00AD': case '\u00AF': case '\u00B4': case '\u00B7': case '\u00B8':
            case '\u0387': case '\u05F4': case '\u2018': case '\u2019': case '\u2024': case '\u2027':
            case '\uFE13': case '\uFE52': case '\uFE55': case '\uFF07': case '\uFF0E': case '\uFF1A':
                return true;
        }
        if (!Rune.IsValid(codePoint)) return false;
        switch (Rune.GetUnicodeCategory(new Rune(codePoint)))
        {
            case UnicodeCategory.NonSpacingMark:
            case UnicodeCategory.EnclosingMark:
            case UnicodeCategory.Format:
            case UnicodeCategory.ModifierLetter:
            case UnicodeCategory.ModifierSymbol:
                return true;
            default:
                return false;
        }
    }

    /// <summary>The code point at <paramref name="index"/>; a lone surrogate stands for itself, as in Python.</summary>
    public static int CodePointAt(string text, int index, out int width)
    {
        if (char.IsHighSurrogate(text[index]) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            width = 2;
            return char.ConvertToUtf32(text[index], text[index + 1]);
        }
        width = 1;
        return text[index];
    }

    private static int CodePointBefore(string text, int end, out int width)
    {
        if (end >= 2 && char.IsLowSurrogate(text[end - 1]) && char.IsHighSurrogate(text[end - 2]))
        {
            width = 2;
            return char.ConvertToUtf32(text[end - 2], text[end - 1]);
        }
        width = 1;
        return text[end - 1];
    }

    /// <summary>The text's code points as strings, as Python's <c>for c in text</c> yields them.</summary>
    public static List<string> CodePoints(string text)
    {
        var result = new List<string>(text.Length);
        for (int i = 0; i < text.Length;)
        {
            CodePointAt(text, i, out int width);
            result.Add(text.Substring(i, width));
            i += width;
        }
        return result;
    }

    /// <summary>The set of code points in <paramref name="filters"/>, for <see cref="Translate"/>.</summary>
    public static HashSet<int> CodePointSet(string filters)
    {
        var set = new HashSet<int>();
        for (int i = 0; i < filters.Length;)
        {
            set.Add(CodePointAt(filters, i, out int width));
            i += width;
        }
        return set;
    }

    /// <summary>Python's <c>text.translate({c: replacement for c in filters})</c>.</summary>
    public static string Translate(string text, HashSet<int> filters, string replacement)
    {
        if (filters.Count == 0) return text;
        StringBuilder? builder = null;
        int copied = 0;
        for (int i = 0; i < text.Length;)
        {
            int cp = CodePointAt(text, i, out int width);
            if (filters.Contains(cp))
            {
                builder ??= new StringBuilder(text.Length + 8);
                builder.Append(text, copied, i - copied).Append(replacement);
                copied = i + width;
            }
            i += width;
        }
        if (builder is null) return text;
        return builder.Append(text, copied, text.Length - copied).ToString();
    }
}
