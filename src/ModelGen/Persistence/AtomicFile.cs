using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace ModelGen;

/// <summary>
/// Writes a file so that readers see either the old contents or the new ones, never half of them: the bytes
/// go to a temporary file beside the target, are flushed to disk, and the temporary file is renamed over the
/// target. Weight files and history charts are saved this way.
/// </summary>
/// <remarks>
/// <para>The temporary file is <c>.{name}.{process id}.{random}.tmp</c> in the target's folder. A process killed while
/// saving leaves one behind; the next save to the same path deletes those whose process is no longer running (and
/// never one of a live process, which may be saving the same path at that moment).</para>
/// <para>On Unix the replaced file's permission bits are kept (the new file gets the old file's mode); its owner is
/// the writer's, as with any rename. A new file gets the process's default mode.</para>
/// </remarks>
public static class AtomicFile
{
    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="contents"/>, creating its folder if needed.</summary>
    /// <param name="path">The target file.</param>
    /// <param name="contents">The new contents.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or has no folder.</exception>
    /// <exception cref="IOException">The file could not be written or renamed; the target is unchanged.</exception>
    public static void Write(string path, ReadOnlySpan<byte> contents)
    {
        // A lambda cannot capture a span: copy it (history charts are small; weight files use the streaming overload).
        byte[] bytes = contents.ToArray();
        Write(path, stream => stream.Write(bytes));
    }

    /// <summary>
    /// Replaces (or creates) <paramref name="path"/> with what <paramref name="write"/> writes, streamed to the temporary
    /// file: memory stays what <paramref name="write"/> needs, whatever the file's size (files over 2 GB included).
    /// </summary>
    /// <param name="path">The target file.</param>
    /// <param name="write">Writes the whole new contents to the stream it is given (the stream is not seekable to callers' knowledge; do not close it).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, white space, or has no folder.</exception>
    /// <exception cref="IOException">The file could not be written or renamed, or <paramref name="path"/> is a folder or runs
    /// through a file; the target is unchanged.</exception>
    /// <remarks>Anything <paramref name="write"/> throws propagates after the temporary file is deleted; the target is unchanged.</remarks>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{path}' has no folder", nameof(path));
        string name = Path.GetFileName(full);
        if (name.Length == 0) throw new ArgumentException($"'{path}' names a folder, not a file", nameof(path));
        FilePath.CheckWritable(path);
        Directory.CreateDirectory(directory);
        DeleteStaleTemporaries(directory, name);
        string temporary = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp"));
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            KeepMode(full, temporary);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary)) File.Delete(temporary);
        }
    }

    /// <summary>
    /// The temporary files of earlier saves to <paramref name="name"/> whose process has ended (killed mid-save), and
    /// those of the earlier naming without a process id, which no running ModelGen writes.
    /// </summary>
    internal static void DeleteStaleTemporaries(string directory, string name)
    {
        string prefix = "." + name + ".";
        string[] candidates;
        try
        {
            candidates = Directory.GetFiles(directory, prefix + "*.tmp");
        }
        catch (IOException)
        {
            return; // listing failed: cleaning is best effort, the save itself goes on
        }
        catch (UnauthorizedAccessException)
        {
            return;
        }
        foreach (string file in candidates)
        {
            string middle = Path.GetFileName(file)[prefix.Length..^".tmp".Length];
            int dot = middle.IndexOf('.', StringComparison.Ordinal);
            bool stale;
            if (dot < 0) stale = middle.Length == 32; // ".{name}.{guid}.tmp": an older ModelGen's, left by a crash
            else if (!int.TryParse(middle.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) continue;
            else stale = pid != Environment.ProcessId && !IsRunning(pid);
            if (!stale) continue;
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
        catch (InvalidOperationException)
        {
            return false;
        }
        catch (PlatformNotSupportedException)
        {
            return true; // cannot tell: keep the file
        }
    }

    /// <summary>On Unix, gives <paramref name="temporary"/> the permission bits of the file it replaces.</summary>
    private static void KeepMode(string target, string temporary)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(target)) return;
        File.SetUnixFileMode(temporary, File.GetUnixFileMode(target));
    }
}
