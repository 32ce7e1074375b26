using System;
using System.Globalization;
using System.Linq;
using System.Text;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The generator's output does not depend on the culture the compiler runs in. The test culture is Swedish with a
/// true minus sign (U+2212), a decimal comma and a no-break-space group separator, set explicitly so the test does
/// not depend on ICU data (the project allows custom cultures under invariant globalization).
/// </summary>
public sealed class CultureTests
{
    private static CultureInfo Swedish()
    {
        var culture = (CultureInfo)new CultureInfo("sv-SE").Clone();
        culture.NumberFormat.NegativeSign = "\u2212";
        culture.NumberFormat.NumberDecimalSeparator = ",";
        culture.NumberFormat.NumberGroupSeparator = "\u00A0";
        culture.NumberFormat.PercentSymbol = "\u00A0%";
        return culture;
    }

    private static T InCulture<T>(CultureInfo culture, Func<T> work)
    {
        var (culture0, ui0) = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        try
        {
            CultureInfo.CurrentCulture = culture;
            CultureInfo.CurrentUICulture = culture;
            return work();
        }
        finally
        {
            CultureInfo.CurrentCulture = culture0;
            CultureInfo.CurrentUICulture = ui0;
        }
    }

    [Fact]
    public void TheTestCulture_FormatsNumbersDifferently()
        => InCulture(Swedish(), () => (-1).ToString()).ShouldBe("\u22121");

    [Fact]
    public void GeneratedSources_AreByteIdentical_UnderAnotherCulture()
    {
        foreach (var source in TestModels.All)
        {
            var invariant = InCulture(CultureInfo.InvariantCulture, () => GeneratorHarness.Run(source));
            var swedish = InCulture(Swedish(), () => GeneratorHarness.Run(source));

            swedish.HintNames.ShouldBe(invariant.HintNames);
            invariant.GeneratedSources.ShouldNotBeEmpty();
            foreach (var hint in invariant.HintNames)
                Encoding.UTF8.GetBytes(swedish.Source(hint)).ShouldBe(Encoding.UTF8.GetBytes(invariant.Source(hint)), hint);
        }
    }

    /// <summary>Diagnostic messages quote the user's numbers as written in C# (<c>-3</c>), whatever the culture.</summary>
    [Fact]
    public void DiagnosticMessages_AreTheSame_UnderAnotherCulture()
    {
        const string Source = """
            using ModelGen;
            [Sequential(TimeSteps = -3, Features = -1)]
            [Embedding(-5, -2)]
            [Lstm(-4)]
            public partial class NegativeModel;
            """;
        string[] Messages() => GeneratorHarness.Run(Source).GeneratorDiagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)).ToArray();

        var invariant = InCulture(CultureInfo.InvariantCulture, Messages);
        var swedish = InCulture(Swedish(), Messages);

        invariant.ShouldContain(m => m.Contains("but is -3", StringComparison.Ordinal));
        swedish.ShouldBe(invariant);
    }
}
