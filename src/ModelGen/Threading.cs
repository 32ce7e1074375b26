using System;

namespace ModelGen;

/// <summary>
/// How many threads ModelGen may use inside one forward or backward pass: PyTorch's <c>torch.set_num_threads</c>,
/// TensorFlow's intra-op threads.
/// </summary>
/// <remarks>
/// Only the large matrix products are shared (the input projection over all steps, the weight and input gradients,
/// and a step's recurrent product when batch × gates × units is large); they are split by column panels, and every
/// element is summed in the same order as on one thread, so results are bit-identical whatever the setting. The
/// workers are started once, on first use, and spin briefly between products before they sleep; nothing is
/// allocated per call. Small models never reach the threshold and run on the calling thread alone.
/// </remarks>
public static class Threading
{
    private static int _intraOpThreads = DefaultThreads();

    /// <summary>
    /// Threads per product, the caller included; 1 keeps everything on the calling thread. Defaults to the
    /// <c>MODELGEN_NUM_THREADS</c> environment variable when set, else <see cref="Environment.ProcessorCount"/>;
    /// values above the processor count are capped to it.
    /// </summary>
    public static int IntraOpThreads
    {
        get => _intraOpThreads;
        set
        {
            if (value < 1) throw new ArgumentOutOfRangeException(nameof(value), value, "IntraOpThreads must be at least 1 (1 = the calling thread only)");
            _intraOpThreads = Math.Min(value, Environment.ProcessorCount);
        }
    }

    private static int DefaultThreads()
    {
        var text = Environment.GetEnvironmentVariable("MODELGEN_NUM_THREADS");
        return int.TryParse(text, out int n) && n >= 1 ? Math.Min(n, Environment.ProcessorCount) : Environment.ProcessorCount;
    }
}
