using System;
using System.Collections.Generic;

namespace ModelGen.Interop;

/// <summary>
/// Weights from another framework did not fit the model. <see cref="Problems"/> lists every mismatch found (a missing
/// or unexpected tensor, a wrong shape or dtype), not only the first; the model was left unchanged.
/// </summary>
public sealed class WeightImportException : Exception
{
    /// <summary>Creates the exception for <paramref name="model"/> with the problems found in <paramref name="source"/>.</summary>
    public WeightImportException(string model, string source, IReadOnlyList<string> problems)
        : base(Format(model, source, problems)) => Problems = problems;

    /// <summary>Creates the exception with a message only.</summary>
    public WeightImportException(string message) : base(message) => Problems = [message];

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    public WeightImportException(string message, Exception inner) : base(message, inner) => Problems = [message];

    /// <summary>Creates the exception with no details.</summary>
    public WeightImportException() : this("the weights do not fit the model") { }

    /// <summary>Every mismatch, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string model, string source, IReadOnlyList<string> problems) =>
        $"{source} does not fit '{model}' ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}; the model was not changed):"
        + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems);
}
