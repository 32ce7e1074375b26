using System;

namespace ModelGen;

/// <summary>
/// How many threads ModelGen may use inside one forward or backward pass: PyTorch's <c>torch.set_num_threads</c>,
/// TensorFlow's intra-op threads.
/// </summary>
/// <remarks>
/// Two kinds of work are shared. An LSTM or GRU layer's time loop (forward and back-propagation through time) is split
/// by sample rows when steps × batch × units × gate width reaches <see cref="Kernels.RowParallel.ParallelWork"/>: the
/// samples of a batch are independent through the recurrence, so each thread runs every step for its own rows, its
/// own slice of each step's recurrent product (<see cref="Kernels.Gemm.MultiplyAddRows"/>) and its own element-wise
/// passes, and the threads meet once per loop rather than once per step. The large matrix products outside the loop
/// (the input projection over all steps, the weight and input gradients, and the per-step products of a SimpleRNN
/// when batch × units × units is large) are split by column panels; an optimizer's update of at least 2¹⁸ parameters
/// by chunks; and the memory-bound passes over a whole sequence of at least a million floats (a bias gradient's column
/// sums, an embedding's gather and scatter-add) by columns, steps or rows of the table, when the workers are awake
/// after a product (a pass wakes sleeping ones only as the third job of a run of jobs). Each row, each element of a product and each sum is
/// computed in the same order as on one thread, so results are bit-identical whatever the setting. The workers are
/// started once, on first use, and spin briefly between jobs before they sleep; nothing is allocated per call. Small
/// models never reach the thresholds and run on the calling thread alone.
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
