using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using Xunit.Abstractions;

namespace ModelGen.Packaging.Tests;

/// <summary>
/// Packs src/ModelGen as the user gets it and consumes the package from a fresh console project:
/// the runtime comes from lib/net10.0 and the generator from analyzers/dotnet/cs.
/// </summary>
public sealed class PackageTests(ITestOutputHelper output)
{
    private const string TestVersion = "0.0.0-test";

    [Fact(Timeout = 600_000)]
    public async System.Threading.Tasks.Task Packed_package_generates_and_runs_a_model_in_a_consumer_project()
    {
        if (FindOnPath("dotnet") is null)
        {
            output.WriteLine("Skipped: `dotnet` is not on PATH.");
            return;
        }

        string repo = FindRepositoryRoot();
        string root = Path.Combine(Path.GetTempPath(), "modelgen-pack-" + Guid.NewGuid().ToString("N"));
        string feed = Path.Combine(root, "feed");
        string artifacts = Path.Combine(root, "artifacts");
        string consumer = Path.Combine(root, "consumer");
        string packages = Path.Combine(root, "packages");
        Directory.CreateDirectory(feed);
        Directory.CreateDirectory(consumer);
        Directory.CreateDirectory(packages);
        try
        {
            // Build into a private artifacts folder, so the repository's bin/obj are left as they are
            // (the usual NuGet cache: the repository's own dependencies are restored already).
            await RunDotnet(repo, nugetPackages: null,
                "pack", Path.Combine(repo, "src", "ModelGen", "ModelGen.csproj"),
                "-c", "Release", "-o", feed, "--artifacts-path", artifacts, $"-p:Version={TestVersion}");

            string nupkg = Path.Combine(feed, $"ModelGen.{TestVersion}.nupkg");
            Assert.True(File.Exists(nupkg), $"{nupkg} was not created.");
            Assert.Single(Directory.GetFiles(feed, "*.nupkg"));
            using (ZipArchive zip = ZipFile.OpenRead(nupkg))
            {
                var entries = zip.Entries.Select(e => e.FullName).ToList();
                Assert.Contains("lib/net10.0/ModelGen.dll", entries);
                Assert.Contains("analyzers/dotnet/cs/ModelGen.Generators.dll", entries);
                Assert.DoesNotContain("lib/net10.0/ModelGen.Generators.dll", entries);
                using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName == "ModelGen.nuspec").Open());
                Assert.DoesNotContain("ModelGen.Generators", await nuspec.ReadToEndAsync());
            }

            // The consumer restores into a private package folder, so ModelGen 0.0.0-test never reaches the global cache.
            WriteConsumer(consumer, feed);
            string stdout = await RunDotnet(consumer, packages, "run", "-c", "Release");

            string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            Assert.Contains("OutputLength=1", lines);
            Assert.Contains("ParameterCount=117", lines); // LSTM 4·(2·4 + 4·4 + 4) = 112, Dense 4 + 1 = 5.
            Assert.Contains("Finite=True", lines);
        }
        finally
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private static void WriteConsumer(string dir, string feed)
    {
        File.WriteAllText(Path.Combine(dir, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="modelgen-test" value="{System.Security.SecurityElement.Escape(feed)}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(dir, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>disable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="ModelGen" Version="{TestVersion}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(dir, "Program.cs"), """
            using System;
            using ModelGen;

            var model = new M();
            model.Initialize(seed: 1);
            var x = new float[3 * 2];
            for (int i = 0; i < x.Length; i++) x[i] = 0.1f * (i + 1);
            var y = new float[model.OutputLength(batchSize: 1, timeSteps: 3)];
            model.Forward(x, batchSize: 1, y);
            Console.WriteLine($"OutputLength={y.Length}");
            Console.WriteLine($"ParameterCount={M.ParameterCount}");
            Console.WriteLine($"Finite={float.IsFinite(y[0])}");

            [Sequential(TimeSteps = 3, Features = 2)]
            [Lstm(4)]
            [Dense(1)]
            partial class M;
            """);
        // An empty Directory.Build.props/targets pair stops MSBuild from importing any found above the temp folder.
        File.WriteAllText(Path.Combine(dir, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(dir, "Directory.Build.targets"), "<Project />");
    }

    private async System.Threading.Tasks.Task<string> RunDotnet(string workingDirectory, string? nugetPackages, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        // No build servers or reused MSBuild nodes: nothing outlives the command (or holds its output pipes open).
        if (args[0] is "pack" or "run") psi.ArgumentList.Insert(1, "--disable-build-servers");
        if (nugetPackages is not null) psi.Environment["NUGET_PACKAGES"] = nugetPackages;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        psi.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        // The test host may run under `dotnet test`; its MSBuild settings must not leak into the child builds.
        foreach (string name in new[] { "MSBuildExtensionsPath", "MSBuildSDKsPath", "MSBUILD_EXE_PATH", "MSBuildLoadMicrosoftTargetsReadOnly", "VSTEST_HOST_DEBUG" })
            psi.Environment.Remove(name);

        output.WriteLine($"> dotnet {string.Join(' ', psi.ArgumentList)}   (in {workingDirectory})");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("Could not start dotnet.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new System.Threading.CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {args[0]} did not finish in 5 minutes.");
        }
        string outText = await stdout;
        string errText = await stderr;
        output.WriteLine(outText);
        if (errText.Length > 0) output.WriteLine(errText);
        Assert.True(process.ExitCode == 0, $"dotnet {args[0]} exited with {process.ExitCode}:\n{outText}\n{errText}");
        return outText;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ModelGen.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ModelGen.sln not found above " + AppContext.BaseDirectory);
    }

    private static string? FindOnPath(string name)
    {
        string? path = Environment.GetEnvironmentVariable("PATH");
        if (path is null) return null;
        var candidates = new List<string> { name };
        if (OperatingSystem.IsWindows()) candidates.Add(name + ".exe");
        foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (string c in candidates)
            {
                string full = Path.Combine(dir, c);
                if (File.Exists(full)) return full;
            }
        }
        return null;
    }
}
