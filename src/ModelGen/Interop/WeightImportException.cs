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
    /// <param name="model">The model's name, as in the message.</param>
    /// <param name="source">Where the weights came from (a file path, "the stream" …).</param>
    /// <param name="problems">Every mismatch found, one sentence each; becomes <see cref="Problems"/>.</param>
    public WeightImportException(string model, string source, IReadOnlyList<string> problems)
        : base(Format(model, source, problems)) => Problems = problems;

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message, also the only entry of <see cref="Problems"/>.</param>
    public WeightImportException(string message) : base(message) => Problems = [message];

    /// <summary>Creates the exception with a message and the exception that caused it.</summary>
    /// <param name="message">The message, also the only entry of <see cref="Problems"/>.</param>
    /// <param name="inner">The exception that caused this one.</param>
    public WeightImportException(string message, Exception inner) : base(message, inner) => Problems = [message];

    /// <summary>Creates the exception with no details.</summary>
    public WeightImportException() : this("the weights do not fit the model") { }

    /// <summary>Every mismatch, one sentence each.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string model, string source, IReadOnlyList<string> problems) =>
        $"{source} does not fit '{model}' ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}; the model was not changed):"
        + Environment.NewLine + "  - " + string.Join(Environment.NewLine + "  - ", problems);
}
