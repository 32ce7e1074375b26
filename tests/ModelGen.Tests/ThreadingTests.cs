using System;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using ModelGen.Kernels;

namespace ModelGen.Tests.Threading;

[Sequential(TimeSteps = 10)]
[Embedding(300, 64)]
[Lstm(128)]
[Dense(3, Activation = "softmax")]
public partial class LargeStepModel;

/// <summary>
/// Every cell whose time loop splits by rows (LSTM, GRU in both forms, a bidirectional one), odd unit counts (vector
/// tails at every width), a mask from token 0, recurrent dropout.
/// </summary>
[Sequential(TimeSteps = 6)]
[Embedding(40, 6, MaskZero = true)]
[Lstm(9, ReturnSequences = true, RecurrentDropout = 0.3)]
[Gru(7, ReturnSequences = true, RecurrentDropout = 0.2, ResetAfter = false)]
[Bidirectional]
[Gru(5, ReturnSequences = true, RecurrentDropout = 0.25)]
[Lstm(7)]
[Dense(2)]
public partial class RowSplitModel;

/// <summary>The tests that change the process-wide thread setting run one at a time.</summary>
[CollectionDefinition(nameof(ProcessWideThreadSetting), DisableParallelization = true)]
public sealed class ProcessWideThreadSetting;

/// <summary>
/// Large products split between threads: the split is bit-identical to one thread (each column keeps its panel and
/// its order of summation), whatever the number of parts, and concurrent models share the workers safely.
/// </summary>
[Collection(nameof(ProcessWideThreadSetting))]
public sealed class ThreadingTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        // n: whole 32-column panels, 16- and 8-column panels, ragged tails of 1…7 past a split point.
        { 64, 784, 196 }, { 9, 100, 33 }, { 5, 65, 7 }, { 17, 70, 3 }, { 8, 199, 12 }, { 3, 37, 5 }, { 40, 256, 64 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Every_split_of_a_product_is_bit_identical_to_the_whole(int m, int n, int k)
    {
        var random = new Random(m + n + k);
        var a = Fill(m * k, random);
        var at = Fill(k * m, random);
        var b = Fill(k * n, random);
        var c0 = Fill(m * n, random);
        var whole = (float[])c0.Clone();
        var wholeT = (float[])c0.Clone();
        Gemm.KernelPart(0, 1, m, n, k, ref a[0], k, 1, ref b[0], n, ref whole[0], n);
        Gemm.KernelPart(0, 1, m, n, k, ref at[0], 1, m, ref b[0], n, ref wholeT[0], n);
        for (int parts = 2; parts <= 5; parts++)
        {
            var split = (float[])c0.Clone();
            var splitT = (float[])c0.Clone();
            for (int part = parts - 1; part >= 0; part--) // any order: the parts write disjoint columns
            {
                Gemm.KernelPart(part, parts, m, n, k, ref a[0], k, 1, ref b[0], n, ref split[0], n);
                Gemm.KernelPart(part, parts, m, n, k, ref at[0], 1, m, ref b[0], n, ref splitT[0], n);
            }
            Assert.True(whole.AsSpan().SequenceEqual(split), $"A·B {m}×{n}×{k} in {parts} parts differs from one part");
            Assert.True(wholeT.AsSpan().SequenceEqual(splitT), $"Aᵀ·B {m}×{n}×{k} in {parts} parts differs from one part");
        }
        Assert.False(c0.AsSpan().SequenceEqual(whole), "the product changed nothing");
    }

    public static TheoryData<int, int, int> RowShapes => new()
    {
        // m below and above a register tile (6 or 8 rows), products below and above the packing threshold, n with
        // tails narrower than a vector at every width.
        { 1, 36, 9 }, { 5, 28, 7 }, { 7, 196, 49 }, { 13, 100, 33 }, { 64, 784, 196 }, { 33, 65, 30 }, { 9, 3, 5 },
    };

    [Theory]
    [MemberData(nameof(RowShapes))]
    public void Every_row_split_of_a_product_is_bit_identical_to_the_whole(int m, int n, int k)
    {
        var random = new Random(m * 7 + n + k);
        var a = Fill(m * k, random);
        var b = Fill(k * n, random);
        var c0 = Fill(m * n, random);
        var whole = (float[])c0.Clone();
        Gemm.KernelPart(0, 1, m, n, k, ref a[0], k, 1, ref b[0], n, ref whole[0], n); // the one-thread product
        for (int parts = 1; parts <= Math.Min(m, 5); parts++)
        {
            var split = (float[])c0.Clone();
            for (int part = parts - 1; part >= 0; part--)
                Gemm.MultiplyAddRows(m, m * part / parts, m * (part + 1) / parts, n, k, a, k, b, n, split, n);
            Assert.True(whole.AsSpan().SequenceEqual(split), $"A·B {m}×{n}×{k} in {parts} row ranges differs from the whole");
        }
        var empty = (float[])c0.Clone();
        Gemm.MultiplyAddRows(m, m, m, n, k, a, k, b, n, empty, n);
        Assert.True(c0.AsSpan().SequenceEqual(empty), "an empty row range changed C");
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.MultiplyAddRows(m, 0, m + 1, n, k, a, k, b, n, empty, n));
        Assert.False(c0.AsSpan().SequenceEqual(whole), "the product changed nothing");
    }

    private ref struct CountingJob : IRowJob
    {
        public Span<int> Hits;

        public readonly void Rows(int first, int last)
        {
            for (int i = first; i < last; i++) Hits[i]++; // ranges are disjoint: no two threads touch one count
        }
    }

    private ref struct ThrowingJob : IRowJob
    {
        public Span<int> Hits;
        public int BadRow;

        public readonly void Rows(int first, int last)
        {
            if (first <= BadRow && BadRow < last) throw new InvalidOperationException($"row {BadRow} cannot be computed");
            for (int i = first; i < last; i++) Hits[i]++;
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(31)]
    [InlineData(63)]
    public void A_part_that_throws_reaches_the_caller_and_leaves_the_workers_sound(int badRow)
    {
        // The part holding the bad row runs on the caller (part 0) or on a worker; either way the exception must reach
        // the caller (on a worker it used to end the process), no part of the abandoned job may run or be counted
        // after the caller has left, and the next jobs must run every row exactly once.
        for (int round = 0; round < 20; round++)
        {
            for (int parts = 2; parts <= 4; parts++)
            {
                var hits = new int[64];
                var error = Assert.Throws<InvalidOperationException>(() =>
                {
                    var job = new ThrowingJob { Hits = hits, BadRow = badRow };
                    RowParallel.Run(ref job, 64, parts);
                });
                Assert.Equal($"row {badRow} cannot be computed", error.Message);
                var counts = new int[64];
                var next = new CountingJob { Hits = counts };
                RowParallel.Run(ref next, 64, parts);
                Assert.All(counts, h => Assert.Equal(1, h));
            }
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public void A_row_job_runs_every_row_exactly_once_for_any_number_of_parts(int rows)
    {
        for (int parts = 0; parts <= 5; parts++)
        {
            var hits = new int[rows];
            var job = new CountingJob { Hits = hits };
            RowParallel.Run(ref job, rows, parts);
            Assert.All(hits, h => Assert.Equal(1, h));
        }
        Assert.Throws<ArgumentOutOfRangeException>(() =>
        {
            var job = new CountingJob();
            RowParallel.Run(ref job, -1, 2);
        });
    }

    [Fact]
    public void Small_jobs_and_one_thread_stay_on_the_caller()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            ModelGen.Threading.IntraOpThreads = Environment.ProcessorCount;
            Assert.Equal(1, RowParallel.Parts(64, RowParallel.ParallelWork - 1));
            Assert.Equal(Math.Min(Environment.ProcessorCount, 64), RowParallel.Parts(64, RowParallel.ParallelWork));
            Assert.Equal(1, RowParallel.Parts(1, long.MaxValue)); // one row cannot be split
            ModelGen.Threading.IntraOpThreads = 1;
            Assert.Equal(1, RowParallel.Parts(64, long.MaxValue));
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    [InlineData(8)]
    [InlineData(13)]
    public void A_time_loop_split_by_rows_gives_the_same_bits_at_every_batch_size(int batch)
    {
        int before = ModelGen.Threading.IntraOpThreads;
        long threshold = RowParallel.Threshold, passThreshold = SharedPass.Threshold;
        try
        {
            RowParallel.Threshold = 0; // split even this small model
            SharedPass.Threshold = 0; // and its bias sums, gathers and scatter-adds
            var (y1, g1) = Pass(threads: 1);
            var (y2, g2) = Pass(threads: Environment.ProcessorCount);
            Assert.True(y1.AsSpan().SequenceEqual(y2), "outputs differ");
            Assert.True(g1.AsSpan().SequenceEqual(g2), "parameter gradients differ");
            Assert.Contains(g1, v => v != 0f);
        }
        finally
        {
            RowParallel.Threshold = threshold;
            SharedPass.Threshold = passThreshold;
            ModelGen.Threading.IntraOpThreads = before;
        }

        (float[] Output, float[] Gradients) Pass(int threads)
        {
            ModelGen.Threading.IntraOpThreads = threads;
            var model = new RowSplitModel();
            model.Initialize(seed: 11);
            var random = new Random(batch);
            var tokens = new int[batch * RowSplitModel.TimeSteps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = i % 5 == 0 ? 0 : random.Next(1, 40); // masked steps too
            var y = new float[batch * 2];
            var dy = new float[batch * 2];
            for (int i = 0; i < 2; i++)
            {
                model.Forward(tokens, batch, y, training: true); // recurrent dropout on
                for (int j = 0; j < dy.Length; j++) dy[j] = y[j] - (j % 2);
                Array.Clear(model.Gradients);
                model.Backward(dy);
            }
            return (y, (float[])model.Gradients.Clone());
        }
    }

    [Fact]
    public void A_model_gives_the_same_bits_on_one_thread_and_on_all()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        long passThreshold = SharedPass.Threshold;
        try
        {
            foreach (long threshold in new[] { passThreshold, 0 }) // its sums and scatter-adds whole, then split too
            {
                SharedPass.Threshold = threshold;
                var (y1, g1) = Pass(threads: 1);
                var (y2, g2) = Pass(threads: Environment.ProcessorCount);
                Assert.True(y1.AsSpan().SequenceEqual(y2), $"outputs differ (pass threshold {threshold})");
                Assert.True(BitsOf(g1).AsSpan().SequenceEqual(BitsOf(g2)), $"parameter gradients differ (pass threshold {threshold})");
            }
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
            SharedPass.Threshold = passThreshold;
        }

        static (float[] Output, float[] Gradients) Pass(int threads)
        {
            ModelGen.Threading.IntraOpThreads = threads;
            const int batch = 32;
            var model = new LargeStepModel();
            model.Initialize(seed: 5);
            var tokens = Tokens(batch, seed: 9);
            var y = new float[batch * 3];
            var dy = new float[batch * 3];
            for (int i = 0; i < 3; i++) // repeated passes: the workers are reused, asleep or spinning
            {
                model.Forward(tokens, batch, y, training: true);
                for (int j = 0; j < dy.Length; j++) dy[j] = y[j] - (j % 3 == 0 ? 1f : 0f);
                Array.Clear(model.Gradients);
                model.Backward(dy);
            }
            return (y, (float[])model.Gradients.Clone());
        }
    }

    [Fact]
    public void Models_on_several_threads_at_once_share_the_workers_correctly()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            ModelGen.Threading.IntraOpThreads = Environment.ProcessorCount;
            const int batch = 32;
            var reference = new LargeStepModel();
            reference.Initialize(seed: 3);
            var tokens = Tokens(batch, seed: 4);
            var expected = new float[batch * 3];
            reference.Forward(tokens, batch, expected);
            var results = new bool[4];
            Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = results.Length }, i =>
            {
                var model = new LargeStepModel();
                model.Initialize(seed: 3);
                var y = new float[batch * 3];
                bool same = true;
                for (int r = 0; r < 20; r++)
                {
                    model.Forward(tokens, batch, y);
                    same &= y.AsSpan().SequenceEqual(expected);
                }
                results[i] = same;
            });
            Assert.All(results, Assert.True);
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    /// <summary>
    /// An Adam update of at least <c>AdamStep.ParallelLength</c> parameters is shared between threads; element-wise, so
    /// every split gives the bits of one thread (AMSGrad and decoupled decay included), tail past the last whole chunk too.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_large_Adam_update_split_between_threads_gives_the_bits_of_one_thread(bool amsGradAndDecay)
    {
        int n = ModelGen.AdamStep.ParallelLength + 1234;
        var random = new Random(7);
        float[] Fill(float scale) { var a = new float[n]; for (int i = 0; i < n; i++) a[i] = (float)(random.NextDouble() - 0.5) * scale; return a; }
        var p0 = Fill(1f); var g = Fill(0.1f); var m0 = Fill(0.01f); var v0 = Fill(0.001f);
        for (int i = 0; i < n; i++) v0[i] = MathF.Abs(v0[i]);
        (float[] P, float[] M, float[] V, float[] H) Run(int threads)
        {
            var (p, m, v, h) = ((float[])p0.Clone(), (float[])m0.Clone(), (float[])v0.Clone(), amsGradAndDecay ? (float[])v0.Clone() : []);
            int before = ModelGen.Threading.IntraOpThreads;
            try
            {
                ModelGen.Threading.IntraOpThreads = threads;
                for (int step = 0; step < 3; step++)
                    ModelGen.AdamStep.Apply(p, g, m, v, h, 1e-3f, amsGradAndDecay ? 1e-4f : 0f, 0.1f, 0.001f, 1e-7f);
            }
            finally
            {
                ModelGen.Threading.IntraOpThreads = before;
            }
            return (p, m, v, h);
        }
        var one = Run(1);
        var all = Run(Math.Max(2, Environment.ProcessorCount));
        Assert.Equal(BitsOf(one.P), BitsOf(all.P));
        Assert.Equal(BitsOf(one.M), BitsOf(all.M));
        Assert.Equal(BitsOf(one.V), BitsOf(all.V));
        Assert.Equal(BitsOf(one.H), BitsOf(all.H));
        Assert.NotEqual(p0, one.P); // the update did something
    }

    [Fact]
    public void The_setting_takes_one_or_more_and_caps_at_the_processor_count()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Threading.IntraOpThreads = 0);
            Assert.Contains("at least 1", e.Message, StringComparison.Ordinal);
            ModelGen.Threading.IntraOpThreads = 1000;
            Assert.Equal(Environment.ProcessorCount, ModelGen.Threading.IntraOpThreads);
            ModelGen.Threading.IntraOpThreads = 1;
            Assert.Equal(1, ModelGen.Threading.IntraOpThreads);
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    public static TheoryData<int, int> PassShapes => new()
    {
        // Rows of whole 16-column blocks, ragged last blocks (tails of every vector width), one block, less than one.
        { 37, 784 }, { 5, 65 }, { 9, 16 }, { 103, 33 }, { 4, 7 }, { 2, 200 }, { 1, 48 }, { 11, 8 },
    };

    [Theory]
    [MemberData(nameof(PassShapes))]
    public void Every_split_of_a_bias_sum_is_bit_identical_to_the_whole(int rows, int n)
    {
        var random = new Random(rows * 1000 + n);
        var m = Fill(rows * n, random);
        var start = Fill(n, random);
        var whole = (float[])start.Clone();
        new MatrixOps.ColumnSumsJob { RowCount = rows, M = m, Sums = whole }.Rows(0, SharedPass.Blocks(n));
        var reference = (float[])start.Clone();
        for (int r = 0; r < rows; r++) // the documented order: four rows at a time, then the last ones
        {
            for (int j = 0; j < n; j++)
            {
                if (r < rows - rows % 4)
                {
                    if (r % 4 == 0) reference[j] += (m[r * n + j] + m[(r + 1) * n + j]) + (m[(r + 2) * n + j] + m[(r + 3) * n + j]);
                }
                else reference[j] += m[r * n + j];
            }
        }
        Assert.Equal(BitsOf(reference), BitsOf(whole));
        for (int parts = 2; parts <= 5; parts++)
        {
            var split = (float[])start.Clone();
            ForEachPart(SharedPass.Blocks(n), parts, (first, last) => new MatrixOps.ColumnSumsJob { RowCount = rows, M = m, Sums = split }.Rows(first, last));
            Assert.True(BitsOf(whole).AsSpan().SequenceEqual(BitsOf(split)), $"column sums of {rows}×{n} in {parts} parts differ from one part");
        }
    }

    [Theory]
    [MemberData(nameof(PassShapes))]
    public void Every_split_of_a_scatter_add_and_a_gather_is_bit_identical_to_the_whole(int batch, int width)
    {
        const int steps = 6, vocabulary = 11; // few words: most rows of the table add several tokens
        var random = new Random(batch * 1000 + width);
        var tokens = new int[batch * steps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(vocabulary);
        var grad = Fill(batch * steps * width, random);
        for (int i = 0; i < grad.Length; i += 5) grad[i] = -0f; // −0 where a row is set, not added to, must come out +0
        var start = Fill(vocabulary * width, random);
        var whole = (float[])start.Clone();
        Embedding.ScatterAdd(batch, steps, width, tokens, grad, whole); // below the threshold: one part
        var reference = (float[])start.Clone();
        for (int t = 0; t < steps; t++) // the documented order: time-major, then samples
            for (int b = 0; b < batch; b++)
                for (int j = 0; j < width; j++) reference[tokens[b * steps + t] * width + j] += grad[(t * batch + b) * width + j];
        Assert.Equal(BitsOf(reference), BitsOf(whole));
        var gathered = new float[batch * steps * width];
        Embedding.Gather(batch, steps, vocabulary, width, tokens, start, gathered, "embedding");
        for (int parts = 2; parts <= 5; parts++)
        {
            var split = (float[])start.Clone();
            ForEachPart(vocabulary, parts, (first, last) =>
                new Embedding.ScatterJob { Batch = batch, Steps = steps, Width = width, Tokens = tokens, Grad = grad, TableGradient = split }.Rows(first, last));
            Assert.True(BitsOf(whole).AsSpan().SequenceEqual(BitsOf(split)), $"scatter-add of {batch}×{steps}×{width} in {parts} parts differs from one part");
            var splitGather = new float[gathered.Length];
            ForEachPart(steps, parts, (first, last) =>
                new Embedding.GatherJob { Batch = batch, Steps = steps, Width = width, Tokens = tokens, Table = start, Output = splitGather }.Rows(first, last));
            Assert.True(gathered.AsSpan().SequenceEqual(splitGather), $"gather of {batch}×{steps}×{width} in {parts} parts differs from one part");
        }

        // The sums over the distinct words: set at each word's first token, the bits of clearing and adding, into
        // rows that start as NaN (nothing may be read back), in one part and in every split.
        var index = new int[tokens.Length];
        int count = Embedding.Distinct(batch, steps, tokens, vocabulary, new int[vocabulary], new int[tokens.Length], index);
        var added = new float[count * width];
        Embedding.ScatterAdd(batch, steps, width, index, grad, added);
        var set = Enumerable.Repeat(float.NaN, count * width + 3).ToArray(); // three floats past the rows stay NaN
        Embedding.ScatterDistinct(batch, steps, width, index, count, grad, set);
        Assert.Equal(BitsOf(added), BitsOf(set[..added.Length]));
        Assert.All(set[added.Length..], x => Assert.True(float.IsNaN(x)));
        for (int parts = 2; parts <= 5; parts++)
        {
            var split = Enumerable.Repeat(float.NaN, count * width).ToArray();
            ForEachPart(count, parts, (first, last) =>
                new Embedding.ScatterJob { Batch = batch, Steps = steps, Width = width, Overwrite = true, Tokens = index, Grad = grad, TableGradient = split }.Rows(first, last));
            Assert.True(BitsOf(added).AsSpan().SequenceEqual(BitsOf(split)), $"distinct scatter of {batch}×{steps}×{width} in {parts} parts differs from clearing and adding");
        }
    }

    [Fact]
    public void Passes_shared_between_threads_give_the_bits_of_one_thread_and_a_bad_id_adds_nothing()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        long passThreshold = SharedPass.Threshold;
        try
        {
            const int batch = 64, steps = 28, width = 784, vocabulary = 300;
            var random = new Random(3);
            var tokens = new int[batch * steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(vocabulary);
            var grad = Fill(batch * steps * width, random);
            var table = Fill(vocabulary * width, random);
            var index = new int[tokens.Length];
            int count = Embedding.Distinct(batch, steps, tokens, vocabulary, new int[vocabulary], new int[tokens.Length], index);
            (float[] Sums, float[] Scattered, float[] Gathered, float[] Distinct) Run(int threads)
            {
                ModelGen.Threading.IntraOpThreads = threads;
                var sums = new float[width];
                var scattered = (float[])table.Clone();
                var gathered = new float[grad.Length];
                for (int i = 0; i < 4; i++) MatrixOps.AddColumnSums(batch * steps, grad, sums); // workers asleep, then woken, then spinning
                Embedding.ScatterAdd(batch, steps, width, tokens, grad, scattered);
                Embedding.Gather(batch, steps, vocabulary, width, tokens, table, gathered, "embedding");
                var distinct = new float[count * width];
                Embedding.ScatterDistinct(batch, steps, width, index, count, grad, distinct);
                return (sums, scattered, gathered, distinct);
            }
            SharedPass.Threshold = 0;
            var one = Run(1);
            long shared = ProductWorkers.SharedJobs;
            var all = Run(Environment.ProcessorCount);
            // The first three passes may run whole (workers asleep: a pass wakes them from the fourth of a run on); the
            // ones after them are shared.
            if (Environment.ProcessorCount > 1) Assert.True(ProductWorkers.SharedJobs > shared, "no pass reached a worker");
            Assert.Equal(BitsOf(one.Sums), BitsOf(all.Sums));
            Assert.Equal(BitsOf(one.Scattered), BitsOf(all.Scattered));
            Assert.Equal(BitsOf(one.Gathered), BitsOf(all.Gathered));
            Assert.Equal(BitsOf(one.Distinct), BitsOf(all.Distinct));
            Assert.NotEqual(BitsOf(table), BitsOf(one.Scattered));

            tokens[^1] = vocabulary; // the last token is bad: nothing may be added before it is found
            var untouched = (float[])table.Clone();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Embedding.ScatterAdd(batch, steps, width, tokens, grad, untouched));
            Assert.Contains($"token id {vocabulary} is outside [0, {vocabulary - 1}]", e.Message, StringComparison.Ordinal);
            Assert.Equal(BitsOf(table), BitsOf(untouched));
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
            SharedPass.Threshold = passThreshold;
        }
    }

    [Fact]
    public void Sleeping_workers_are_woken_from_the_fourth_product_of_a_run_not_for_three()
    {
        if (Environment.ProcessorCount < 2) return; // one core: no workers
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            ModelGen.Threading.IntraOpThreads = 2;
            // Shared when the workers are awake (at least 2^21 multiply-adds), but not woken for alone (below 2^25).
            const int m = 64, n = 256, k = 256;
            var random = new Random(5);
            float[] a = Fill(m * k, random), b = Fill(k * n, random), c = new float[m * n];
            Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n); // start the workers
            // Timing decides what a run is (jobs within the workers' 200 µs spin of each other), so a descheduled test
            // thread could break one: a few attempts, one of which must show both rules.
            bool threeAlone = false, fourthShared = false;
            for (int attempt = 0; attempt < 5 && !(threeAlone && fourthShared); attempt++)
            {
                System.Threading.Thread.Sleep(20); // past the workers' spinning: asleep
                long s0 = ProductWorkers.SharedJobs;
                Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
                Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
                Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
                long s1 = ProductWorkers.SharedJobs;
                Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
                long s2 = ProductWorkers.SharedJobs;
                threeAlone |= s1 == s0;
                fourthShared |= s1 == s0 && s2 == s1 + 1;
            }
            Assert.True(threeAlone, "three products in a row woke the sleeping workers");
            Assert.True(fourthShared, "the fourth product of a run did not reach the workers");
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    [Fact]
    public void Shared_jobs_count_the_callers_time_inside_them_and_its_wait_for_workers()
    {
        if (Environment.ProcessorCount < 2) return; // one core: no workers
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            // Large enough to wake sleeping workers (2^25 multiply-adds), so every call is shared.
            const int m = 128, n = 512, k = 512;
            var random = new Random(6);
            float[] a = Fill(m * k, random), b = Fill(k * n, random), c = new float[m * n];
            ModelGen.Threading.IntraOpThreads = 1;
            long jobs0 = ProductWorkers.SharedJobs, shared0 = ProductWorkers.SharedTicks, wait0 = ProductWorkers.WaitTicks;
            Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
            Assert.Equal(jobs0, ProductWorkers.SharedJobs); // one thread: nothing shared, nothing counted
            Assert.Equal(shared0, ProductWorkers.SharedTicks);
            Assert.Equal(wait0, ProductWorkers.WaitTicks);

            ModelGen.Threading.IntraOpThreads = 2;
            long began = System.Diagnostics.Stopwatch.GetTimestamp();
            for (int i = 0; i < 4; i++) Gemm.MultiplyAdd(m, n, k, a, k, b, n, c, n);
            long wall = System.Diagnostics.Stopwatch.GetTimestamp() - began;
            long jobs = ProductWorkers.SharedJobs - jobs0, shared = ProductWorkers.SharedTicks - shared0, wait = ProductWorkers.WaitTicks - wait0;
            Assert.Equal(4, jobs);
            Assert.InRange(shared, 1, wall); // inside the calls, and not nothing: each ran at least the caller's part
            Assert.InRange(wait, 0, shared); // the waits are part of the jobs' time

            // A job whose part 1 takes 20 ms longer than part 0: if a worker ran part 1, the caller waited for it (and ran
            // no part but its own); if none had claimed it when part 0 ended, the caller ran it itself. The caller's wait
            // starts when it sees part 1 begin, so a caller descheduled just then (other tests share the cores) counts
            // less: up to five tries, of which one must show the wait; a wait that is not counted fails all five.
            long fifteenMs = 15 * System.Diagnostics.Stopwatch.Frequency / 1000;
            var seen = new System.Collections.Generic.List<string>();
            bool shown = false;
            for (int attempt = 0; attempt < 5 && !shown; attempt++)
            {
                var job = new SlowSecondPart();
                SlowSecondPart.Reset();
                long taken0 = ProductWorkers.TakenTicks;
                wait0 = ProductWorkers.WaitTicks;
                RowParallel.Run(ref job, 2, 2);
                long waited = ProductWorkers.WaitTicks - wait0, took = ProductWorkers.TakenTicks - taken0;
                if (SlowSecondPart.Runner != Environment.CurrentManagedThreadId)
                {
                    Assert.Equal(0, took); // the caller ran no part but its own
                    shown = waited >= fifteenMs;
                    seen.Add($"waited {waited} ticks for the worker's 20 ms part");
                }
                else
                {
                    // Timed around the part itself: at least its 20 ms, however the caller is scheduled.
                    Assert.True(took >= fifteenMs, $"ran the unclaimed 20 ms part in {took} ticks");
                    shown = true;
                }
            }
            Assert.True(shown, string.Join("; ", seen));
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    [Fact]
    public unsafe void A_row_jobs_split_moves_rows_to_the_thread_that_finishes_first()
    {
        // The learning itself, on made-up timings (a test on real threads would measure this host's scheduling: on
        // 2 vCPUs a woken worker can share the caller's core). Part 0 (the caller) ends 100 ticks after the start,
        // part 1 (its worker) 1,000 ticks after: the caller's share moves a quarter of the way towards 10/11.
        int* starts = stackalloc int[3];
        long* ends = stackalloc long[2];
        int* ranOn = stackalloc int[2];
        RowParallel.Balance<SplitKind>.Starts(starts, 64, 2);
        Assert.Equal(new[] { 0, 32, 64 }, new[] { starts[0], starts[1], starts[2] }); // even before any run
        const int caller = 1, worker = 2;
        (ends[0], ends[1], ranOn[0], ranOn[1]) = (1_100, 2_000, caller, worker);
        RowParallel.Balance<SplitKind>.Learn(starts, ends, ranOn, 2, start: 1_000, caller);
        RowParallel.Balance<SplitKind>.Starts(starts, 64, 2);
        Assert.Equal(38, starts[1]); // 64 · (1/2 + (10/11 − 1/2)/4)
        Assert.Equal(64, starts[2]);

        // A part its own thread did not run (the caller took the worker's unclaimed part) teaches nothing.
        ranOn[1] = caller;
        RowParallel.Balance<SplitKind>.Learn(starts, ends, ranOn, 2, start: 1_000, caller);
        RowParallel.Balance<SplitKind>.Starts(starts, 64, 2);
        Assert.Equal(38, starts[1]);

        // However slow the worker, its share stays at least half an even one: 16 of 64 rows.
        ranOn[1] = worker;
        for (int run = 0; run < 30; run++)
        {
            RowParallel.Balance<SplitKind>.Learn(starts, ends, ranOn, 2, start: 1_000, caller);
            RowParallel.Balance<SplitKind>.Starts(starts, 64, 2);
        }
        Assert.Equal(48, starts[1]);

        // Another part count starts even again; the starts always run from 0 to the rows, in order.
        RowParallel.Balance<SplitKind>.Starts(starts, 7, 2);
        Assert.Equal(new[] { 0, 5, 7 }, new[] { starts[0], starts[1], starts[2] }); // 7 · 3/4, rounded down
        int* three = stackalloc int[4];
        RowParallel.Balance<SplitKind>.Starts(three, 10, 3);
        Assert.Equal(new[] { 0, 3, 6, 10 }, new[] { three[0], three[1], three[2], three[3] });
    }

    [Fact]
    public unsafe void Parts_of_a_tiled_row_job_start_on_the_nearest_whole_tile()
    {
        int* starts = stackalloc int[4];
        int[] Align(int rows, int rowBlock, params int[] given)
        {
            for (int p = 0; p < given.Length; p++) starts[p] = given[p];
            RowParallel.AlignStarts(starts, rows, given.Length - 1, rowBlock);
            return Enumerable.Range(0, given.Length).Select(p => starts[p]).ToArray();
        }
        Assert.Equal(new[] { 0, 32, 64 }, Align(64, 8, 0, 31, 64));      // a learnt 31/33 split: 32/32
        Assert.Equal(new[] { 0, 32, 64 }, Align(64, 8, 0, 35, 64));
        Assert.Equal(new[] { 0, 40, 64 }, Align(64, 8, 0, 38, 64));      // the worker ~30 % slower: a whole tile moves
        Assert.Equal(new[] { 0, 24, 40, 64 }, Align(64, 8, 0, 21, 43, 64));
        Assert.Equal(new[] { 0, 36, 70 }, Align(70, 6, 0, 35, 70));      // 6-row tiles; the last part ends where the rows do
        Assert.Equal(new[] { 0, 8, 64 }, Align(64, 8, 0, 2, 64));        // every part keeps a whole tile
        Assert.Equal(new[] { 0, 56, 64 }, Align(64, 8, 0, 63, 64));
        Assert.Equal(new[] { 0, 8, 12, 20 }, Align(20, 4, 0, 7, 8, 20));  // parts stay ordered, a tile each
        Assert.Equal(new[] { 0, 10, 20 }, Align(20, 12, 0, 10, 20));     // fewer rows than a tile a part: as split
        Assert.Equal(new[] { 0, 31, 64 }, Align(64, 1, 0, 31, 64));      // no tiles: as split
    }

    [Theory]
    [InlineData(64, 8)]
    [InlineData(50, 6)]
    [InlineData(7, 8)]
    public void A_tiled_row_job_runs_every_row_once_in_parts_on_whole_tiles(int rows, int rowBlock)
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                ModelGen.Threading.IntraOpThreads = threads;
                for (int run = 0; run < 10; run++)
                {
                    var hits = new int[rows];
                    var firsts = new int[rows + 1];
                    var job = new RecordingJob { Hits = hits, Firsts = firsts };
                    RowParallel.Run(ref job, rows, threads, rowBlock);
                    Assert.All(hits, h => Assert.Equal(1, h));
                    // Every part starts on a tile, unless the rows hold less than a tile a part.
                    if (rows >= threads * rowBlock)
                        for (int first = 0; first < rows; first++)
                            if (firsts[first] > 0) Assert.Equal(0, first % rowBlock);
                }
            }
            Assert.Throws<ArgumentOutOfRangeException>(() =>
            {
                var job = new CountingJob();
                RowParallel.Run(ref job, 8, 2, rowBlock: 0);
            });
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    private struct RecordingJob : IRowJob
    {
        public int[] Hits, Firsts;

        public readonly void Rows(int first, int last)
        {
            System.Threading.Interlocked.Increment(ref Firsts[first]);
            for (int i = first; i < last; i++) System.Threading.Interlocked.Increment(ref Hits[i]);
        }
    }

    private struct SplitKind;

    [Fact]
    public void A_row_job_split_by_measured_speeds_still_runs_every_row_once()
    {
        if (Environment.ProcessorCount < 2) return; // one core: no workers
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            ModelGen.Threading.IntraOpThreads = 2;
            // Rows take 10 µs on the caller and 100 µs on the worker, so the split moves from run to run (by how much
            // depends on this host's scheduling); every run must still cover each row exactly once.
            for (int run = 0; run < 30; run++)
            {
                var hits = new int[64];
                var job = new UnevenRows { Hits = hits, Caller = Environment.CurrentManagedThreadId };
                RowParallel.Run(ref job, 64, 2);
                Assert.All(hits, h => Assert.Equal(1, h));
            }
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    private struct UnevenRows : IRowJob
    {
        public int[] Hits;
        public int Caller;

        public readonly void Rows(int first, int last)
        {
            bool onCaller = Environment.CurrentManagedThreadId == Caller;
            for (int row = first; row < last; row++)
            {
                Hits[row]++;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.Elapsed.TotalMicroseconds < (onCaller ? 10 : 100)) System.Threading.Thread.SpinWait(10);
            }
        }
    }

    // Part 0 (row 0) waits up to a second for part 1 to start, part 1 (row 1) records its thread and spins 20 ms.
    private struct SlowSecondPart : IRowJob
    {
        public static volatile int Runner;
        private static volatile bool s_started;

        public static void Reset() => (Runner, s_started) = (0, false);

        public readonly void Rows(int first, int last)
        {
            if (first == 0)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (!s_started && clock.ElapsedMilliseconds < 1000) System.Threading.Thread.SpinWait(50);
                if (last == 1) return;
            }
            if (last == 2)
            {
                Runner = Environment.CurrentManagedThreadId;
                s_started = true;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                while (clock.ElapsedMilliseconds < 20) System.Threading.Thread.SpinWait(50);
            }
        }
    }

    [Fact]
    public void Only_passes_of_a_million_floats_are_shared()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            ModelGen.Threading.IntraOpThreads = Environment.ProcessorCount;
            Assert.Equal(1, SharedPass.Parts(SharedPass.ParallelFloats - 1, 49));
            Assert.Equal(Math.Min(Environment.ProcessorCount, 49), SharedPass.Parts(SharedPass.ParallelFloats, 49));
            Assert.Equal(1, SharedPass.Parts(long.MaxValue, 1)); // one block of columns cannot be split
            ModelGen.Threading.IntraOpThreads = 1;
            Assert.Equal(1, SharedPass.Parts(long.MaxValue, 49));
            Assert.Equal((784, 784), SharedPass.Columns(49, 50, 784));
            Assert.Equal((16, 33), SharedPass.Columns(1, 3, 33));
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
        }
    }

    // Runs `part` for each of `parts` contiguous ranges of [0, units), last range first (the ranges are disjoint).
    private static void ForEachPart(int units, int parts, Action<int, int> part)
    {
        for (int p = parts - 1; p >= 0; p--) part(units * p / parts, units * (p + 1) / parts);
    }

    private static int[] BitsOf(float[] a) => Array.ConvertAll(a, BitConverter.SingleToInt32Bits);

    private static int[] Tokens(int batch, int seed)
    {
        var random = new Random(seed);
        var tokens = new int[batch * LargeStepModel.TimeSteps];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(300);
        return tokens;
    }

    private static float[] Fill(int length, Random random)
    {
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = random.NextSingle() * 2 - 1;
        return v;
    }
}
