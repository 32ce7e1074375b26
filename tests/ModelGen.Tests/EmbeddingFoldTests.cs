using System;

namespace ModelGen.Tests.Fold
{
    [Sequential(TimeSteps = 5)] [Embedding(11, 6)] [SimpleRnn(8)] [Dense(1, Activation = "sigmoid")]
    public partial class FoldRnn;

    [Sequential(TimeSteps = 5)] [Embedding(11, 6)] [SimpleRnn(16, Activation = "relu")] [Dense(1)]
    public partial class FoldRnn16;

    [Sequential(TimeSteps = 5)] [Embedding(11, 6)] [Lstm(9, ReturnSequences = true)] [Dense(2)]
    public partial class FoldLstm;

    [Sequential(TimeSteps = 5)] [Embedding(11, 6)] [Gru(7)] [Dense(1)]
    public partial class FoldGru;

    [Sequential(TimeSteps = 5)] [Embedding(11, 6)] [Gru(7, ResetAfter = false)] [Dense(1)]
    public partial class FoldGruResetBefore;
}

namespace ModelGen.Tests
{
    using ModelGen.Tests.Fold;

    /// <summary>
    /// An Embedding before a recurrent layer is folded into that layer's input projection when the vocabulary is
    /// smaller than steps·batch. Both paths must give the same outputs and gradients: a batch of 4 (4·5 = 20 rows
    /// &gt; 11 words: folded) against the same samples one at a time (5 rows: not folded), whose gradients add up.
    /// </summary>
    public sealed class EmbeddingFoldTests
    {
        [Fact] public void SimpleRnn() => Check(new FoldRnn(), new FoldRnn());
        // The unrolled 8- and 16-unit steps read token rows from the projected table inside the step loop; an odd
        // batch reaches the single-vector and single-sample ends of that loop.
        [Fact] public void SimpleRnn_odd_batch() => Check(new FoldRnn(), new FoldRnn(), batch: 7);
        [Fact] public void SimpleRnn_16_units() => Check(new FoldRnn16(), new FoldRnn16(), batch: 5);
        [Fact] public void Lstm() => Check(new FoldLstm(), new FoldLstm());
        [Fact] public void Gru() => Check(new FoldGru(), new FoldGru());
        [Fact] public void Gru_reset_before() => Check(new FoldGruResetBefore(), new FoldGruResetBefore());

        private static void Check(ISequentialModel<int> batched, ISequentialModel<int> single, int batch = 4)
        {
            const int Steps = 5;
            var random = new Random(7);
            for (int i = 0; i < batched.Parameters.Length; i++) batched.Parameters[i] = random.NextSingle() - 0.5f;
            batched.Parameters.CopyTo(single.Parameters, 0);
            var tokens = new int[batch * Steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(11);
            tokens[3] = tokens[9] = tokens[14] = 4; // a token repeated across samples and steps
            int perSample = batched.OutputLength(1, Steps);
            var r = new float[batch * perSample];
            for (int i = 0; i < r.Length; i++) r[i] = random.NextSingle() * 2 - 1;

            var output = new float[r.Length];
            batched.Forward(tokens, batch, Steps, output);
            Array.Clear(batched.Gradients);
            batched.Backward(r, default);

            var one = new float[perSample];
            Array.Clear(single.Gradients);
            for (int b = 0; b < batch; b++)
            {
                single.Forward(tokens.AsSpan(b * Steps, Steps), 1, Steps, one);
                Assertions.AllClose(output.AsSpan(b * perSample, perSample), one, 1e-5, 1e-6, $"{batched.Info.Name} output of sample {b}");
                single.Backward(r.AsSpan(b * perSample, perSample), default);
            }
            Assertions.AllClose(single.Gradients, batched.Gradients, 1e-4, 1e-5, $"{batched.Info.Name} gradients, folded vs not");
            Assert.Contains(batched.Gradients, g => g != 0);
        }
    }
}
