using System.IO;
using System.Text.Json;

namespace ModelGen.Benchmarks;

/// <summary>
/// The JSON files the alternating and checking modes write for the report (<c>--thread-ratio</c>, <c>--paired</c>,
/// <c>--alloc-check</c>): indented, snake_case names.
/// </summary>
internal static class ResultFiles
{
    private static readonly JsonSerializerOptions Options = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Writes <paramref name="document"/> to <paramref name="path"/>.</summary>
    public static void Write<T>(string path, T document) => File.WriteAllText(path, JsonSerializer.Serialize(document, Options));

    /// <summary>Reads a file <see cref="Write{T}"/> wrote.</summary>
    /// <param name="path">The file.</param>
    /// <param name="mode">The mode that writes it, for the error, e.g. "--paired --json".</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    public static T Read<T>(string path, string mode) where T : class =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: not a {mode} document");
}
