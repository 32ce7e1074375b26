using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using Xunit.Abstractions;

namespace ModelGen.Tests.Reliability;

/// <summary>
/// Issue 13 item 3: a child process saves a 3.8 MB weight file in a loop and is killed (SIGKILL) at random moments.
/// After every kill the target loads whole (one save's parameters, never a mix), and temporary files never pile up:
/// at most the one the killed save left, which the next save deletes.
/// </summary>
public sealed class WeightFileKillTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-kill-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>The child's loop: save generation k (every parameter = k), k = 1, 2, …, until killed.</summary>
    public static int SaveLoop(string path)
    {
        var model = new StreamedModel();
        for (int k = 1; ; k++)
        {
            Array.Fill(model.Parameters, k);
            model.SaveWeights(path);
            if (k == 1)
            {
                Console.WriteLine("saved");
                Console.Out.Flush();
            }
        }
    }

    private static ProcessStartInfo Child(string path)
    {
        string dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
            : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var start = new ProcessStartInfo(dotnet) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(typeof(WeightFileKillTests).Assembly.Location);
        start.ArgumentList.Add("save-loop");
        start.ArgumentList.Add(path);
        return start;
    }

    [Fact]
    public async Task Killing_a_saver_at_random_moments_always_leaves_a_loadable_file_and_no_pile_of_temporaries()
    {
        string path = Path.Combine(_folder, "target.mgw");
        var random = new Random(2026);
        var budget = Stopwatch.StartNew();
        int kills = 0, midSave = 0;
        var model = new StreamedModel();
        // Bounded: at least 5 kills, then until about 3 seconds have passed, at most 30.
        while (kills < 5 || (budget.Elapsed < TimeSpan.FromSeconds(3) && kills < 30))
        {
            using (var child = Process.Start(Child(path))!)
            {
                string? ready = await child.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.Equal("saved", ready);
                await Task.Delay(random.Next(0, 25));
                child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
            kills++;

            model.LoadWeights(path); // throws if the file is not whole
            float generation = model.Parameters[0];
            Assert.True(generation >= 1);
            Assert.All(model.Parameters, p => Assert.Equal(generation, p)); // one save's contents, never a mix
            int temporaries = Directory.GetFiles(_folder, ".*.tmp").Length;
            Assert.True(temporaries <= 1, $"{temporaries} temporary files after kill {kills}; the next save should have deleted the earlier ones");
            midSave += temporaries;
        }
        model.SaveWeights(path); // this process's save deletes what the last killed one left
        Assert.Empty(Directory.GetFiles(_folder, ".*.tmp"));
        Assert.Equal(path, Assert.Single(Directory.GetFiles(_folder)));
        output.WriteLine($"{kills} kills survived ({midSave} landed mid-save and left a temporary file), {budget.Elapsed.TotalSeconds:F1} s");
    }
}
