using System;
using System.IO;

namespace ModelGen;

/// <summary>
/// The checks every file the runtime reads or writes goes through first, so that a path naming a folder, or running
/// through a file, is reported as such (.NET says "Access to the path is denied" for a folder, even to root, and "The file
/// already exists" when a folder cannot be created over a file).
/// </summary>
internal static class FilePath
{
    /// <summary>Throws when <paramref name="path"/> is a folder, which cannot be read as a file.</summary>
    /// <exception cref="IOException"><paramref name="path"/> is a folder.</exception>
    public static void CheckReadable(string path)
    {
        if (Directory.Exists(path)) throw new IOException($"'{path}' is a folder, not a file: pass the path of the file to read");
    }

    /// <summary>
    /// Throws when a file could not be written at <paramref name="path"/> for what the path itself is: a folder, or under a
    /// file where a folder would have to be.
    /// </summary>
    /// <exception cref="IOException">The path is a folder, or one of the folders it runs through is a file. Nothing was written.</exception>
    public static void CheckWritable(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full)) throw new IOException($"'{path}' is a folder, not a file: pass the path of the file to write (nothing was written)");
        CheckFolder(Path.GetDirectoryName(full), path);
    }

    /// <summary>Throws when <paramref name="folder"/>, or the nearest of its ancestors that exists, is a file.</summary>
    /// <exception cref="IOException">A file stands where a folder of <paramref name="path"/> would be. Nothing was written.</exception>
    public static void CheckFolder(string? folder, string path)
    {
        for (string? at = folder; !string.IsNullOrEmpty(at); at = Path.GetDirectoryName(at))
        {
            if (Directory.Exists(at)) return;
            if (File.Exists(at))
                throw new IOException($"cannot write '{path}': '{at}' is a file, not a folder (nothing was written)");
        }
    }
}
