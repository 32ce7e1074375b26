using System;
using ModelGen.Tests.Reliability;

namespace ModelGen.Tests;

/// <summary>
/// The test assembly's entry point. Under the test runner it is never called; the kill test
/// (<see cref="WeightFileKillTests"/>) starts this assembly as a child process with <c>save-loop PATH</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args is ["save-loop", var path]) return WeightFileKillTests.SaveLoop(path);
        Console.Error.WriteLine("usage: ModelGen.Tests save-loop PATH (the kill test's child process)");
        return 2;
    }
}
