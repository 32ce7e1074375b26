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

    /// <summary>
    /// Writes <paramref name="document"/> to <paramref name="path"/> through a temporary file beside it, moved into place,
    /// so that a run stopped part-way leaves the earlier file or the whole new one, never half of one.
    /// </summary>
    /// <typeparam name="T">The document's record type.</typeparam>
    /// <param name="path">The file to write.</param>
    /// <param name="document">What to write.</param>
    public static void Write<T>(string path, T document)
    {
        string temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(document, Options));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a file <see cref="Write{T}"/> wrote.</summary>
    /// <typeparam name="T">The document's record type.</typeparam>
    /// <param name="path">The file.</param>
    /// <param name="mode">The mode that writes it, for the error, e.g. "--paired --json".</param>
    /// <returns>Its contents.</returns>
    /// <exception cref="InvalidDataException">The file is not such a document.</exception>
    public static T Read<T>(string path, string mode) where T : class =>
        JsonSerializer.Deserialize<T>(File.ReadAllText(path), Options) ?? throw new InvalidDataException($"{path}: not a {mode} document");
}
