using System;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using ModelGen.Kernels;

namespace ModelGen.Tests.Threading;

[Sequential(TimeSteps = 10)]
[Embedding(300, 64)]
[Lstm(128)]
[Dense(3, Activation = "softmax")]
public partial class LargeStepModel;

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

    [Fact]
    public void A_model_gives_the_same_bits_on_one_thread_and_on_all()
    {
        int before = ModelGen.Threading.IntraOpThreads;
        try
        {
            var (y1, g1) = Pass(threads: 1);
            var (y2, g2) = Pass(threads: Environment.ProcessorCount);
            Assert.True(y1.AsSpan().SequenceEqual(y2), "outputs differ");
            Assert.True(g1.AsSpan().SequenceEqual(g2), "parameter gradients differ");
        }
        finally
        {
            ModelGen.Threading.IntraOpThreads = before;
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
