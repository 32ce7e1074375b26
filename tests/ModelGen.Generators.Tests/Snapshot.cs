using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using Shouldly;
using Shouldly.Configuration;

namespace ModelGen.Generators.Tests;

/// <summary>
/// Approval-file comparison of generated sources. Approved files live in <c>Snapshots/</c> beside the tests, named
/// <c>{TestClass}.{TestMethod}.{hint name without .g.cs}.approved.cs</c>; a mismatch writes a <c>.received.cs</c>
/// file next to it (git-ignored) and fails. To accept a change, review the received file and rename it.
/// Text is normalised to <c>\n</c> line endings before comparison, so a checkout with CRLF endings still matches.
/// No diff tool is ever launched on a CI machine (or when DiffEngine is disabled): the assertion just throws.
/// </summary>
internal static class Snapshot
{
    public const string Folder = "Snapshots";

    /// <summary>True where a diff tool must not be launched.</summary>
    public static bool NoDiffTool
        => IsSet("CI") || IsSet("TF_BUILD") || IsSet("GITHUB_ACTIONS") || IsSet("DiffEngine_Disabled");

    private static bool IsSet(string variable)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        return !string.IsNullOrEmpty(value) && !string.Equals(value, "false", StringComparison.OrdinalIgnoreCase) && value != "0";
    }

    public static string Normalize(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal);

    /// <summary>Compares <paramref name="source"/> with the approved file of the calling test and <paramref name="discriminator"/>.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ShouldMatch(string source, string discriminator, bool forceNoDiff = false)
    {
        Normalize(source).ShouldMatchApproved(c => Configure(c, discriminator, forceNoDiff));
    }

    /// <summary>
    /// Compares every generated file of <paramref name="run"/> (those whose hint name <paramref name="include"/> accepts,
    /// when given) with its approved file (named after the calling test), writing all received files before failing,
    /// so one run shows every difference.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ShouldMatchAll(GeneratorRun run, Func<string, bool>? include = null)
    {
        var failures = new List<string>();
        foreach (var generated in run.GeneratedSources)
        {
            if (include is not null && !include(generated.HintName)) continue;
            string discriminator = Discriminator(generated.HintName);
            try
            {
                Normalize(generated.SourceText.ToString()).ShouldMatchApproved(c => Configure(c, discriminator, forceNoDiff: false));
            }
            catch (ShouldMatchApprovedException e)
            {
                failures.Add($"{generated.HintName}:\n{e.Message}");
            }
        }
        if (failures.Count > 0)
            throw new ShouldAssertException($"{failures.Count} of {run.GeneratedSources.Length} generated files differ from their snapshots:\n\n{string.Join("\n\n", failures)}");
    }

    private static void Configure(ShouldMatchConfigurationBuilder c, string discriminator, bool forceNoDiff)
    {
        c.WithFileExtension("cs")
         .WithDiscriminator(discriminator)
         .SubFolder(Folder)
         .UseCallerLocation()
         .WithScrubber(Normalize);
        if (forceNoDiff || NoDiffTool) c.NoDiff();
    }

    /// <summary>The discriminator for a generated file: its hint name without <c>.g.cs</c>.</summary>
    public static string Discriminator(string hintName)
        => hintName.EndsWith(".g.cs", StringComparison.Ordinal) ? hintName[..^".g.cs".Length] : hintName;
}
