using System;

namespace ModelGen.Tests;

/// <summary>
/// Bytes a step allocates after warm-up, measured so that a one-off runtime event cannot fail the test: the fewest
/// bytes of <c>windows</c> windows of <c>steps</c> steps each. A step that allocates shows in every window; a stray
/// one-off allocation (seen once in CI under load: 8,096 B in one window of a model whose step allocates nothing,
/// never reproduced, e.g. the runtime's tiered re-compilation) shows in one at most.
/// </summary>
internal static class Allocations
{
    public static long FewestBytes(Action step, int steps = 100, int windows = 3)
    {
        long fewest = long.MaxValue;
        for (int w = 0; w < windows && fewest > 0; w++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < steps; i++) step();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return fewest;
    }
}
