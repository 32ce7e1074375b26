using System;
using System.Linq;
using System.Reflection;

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

        // A training pass folds over the batch's distinct words when they are at most three for every four rows: 20 rows
        // using 6 of the 11 words do; each sample alone (5 rows, 4 or 5 distinct words) runs unfolded. Not for the
        // SimpleRNN(8) and (16), whose unrolled steps read rows of the whole-vocabulary table themselves.
        private static readonly int[] FewWords = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 1, 2, 3, 4, 5, 2];

        [Fact] public void Lstm_training_over_the_batch_s_distinct_words() => Check(new FoldLstm(), new FoldLstm(), FewWords);
        [Fact] public void Gru_training_over_the_batch_s_distinct_words() => Check(new FoldGru(), new FoldGru(), FewWords);
        [Fact] public void Gru_reset_before_training_over_the_batch_s_distinct_words() => Check(new FoldGruResetBefore(), new FoldGruResetBefore(), FewWords);

        // Backward may run more than once after a Forward (several losses); the gradients then add up. The fold over the
        // batch's words reuses its buffer of their embeddings for their gradients, so each Backward must read E again.
        [Theory]
        [InlineData("lstm")]
        [InlineData("gru")]
        [InlineData("gru-reset-before")]
        public void Two_backward_passes_over_the_batch_s_distinct_words_add_up(string kind)
        {
            var model = Create(kind);
            var random = new Random(3);
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = random.NextSingle() - 0.5f;
            int batch = FewWords.Length / 5;
            var y = new float[model.OutputLength(batch, 5)];
            var r = new float[y.Length];
            for (int i = 0; i < r.Length; i++) r[i] = random.NextSingle() * 2 - 1;
            model.Forward(FewWords, batch, 5, y, training: true);
            Assert.Equal(6, DistinctWords(model));
            Array.Clear(model.Gradients);
            model.Backward(r, default);
            var once = (float[])model.Gradients.Clone();
            Array.Clear(model.Gradients);
            model.Backward(r, default);
            model.Backward(r, default);
            var twice = once.Select(g => 2 * g).ToArray();
            Assertions.AllClose(twice, model.Gradients, 1e-5, 1e-6, $"{kind}: two Backward passes against twice one");
        }

        private static int DistinctWords(ISequentialModel<int> model)
            => (int)model.GetType().GetField("_distinctWords", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(model)!;

        private static void Check(ISequentialModel<int> batched, ISequentialModel<int> single, int[] trainingTokens)
            => Check(batched, single, trainingTokens.Length / 5, trainingTokens);

        private static void Check(ISequentialModel<int> batched, ISequentialModel<int> single, int batch = 4, int[]? trainingTokens = null)
        {
            const int Steps = 5;
            var random = new Random(7);
            for (int i = 0; i < batched.Parameters.Length; i++) batched.Parameters[i] = random.NextSingle() - 0.5f;
            batched.Parameters.CopyTo(single.Parameters, 0);
            var tokens = new int[batch * Steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = random.Next(11);
            tokens[3] = tokens[9] = tokens[14] = 4; // a token repeated across samples and steps
            bool training = trainingTokens is not null;
            if (training) tokens = trainingTokens!;
            int perSample = batched.OutputLength(1, Steps);
            var r = new float[batch * perSample];
            for (int i = 0; i < r.Length; i++) r[i] = random.NextSingle() * 2 - 1;

            var output = new float[r.Length];
            batched.Forward(tokens, batch, Steps, output, training);
            if (training) Assert.Equal(6, DistinctWords(batched));
            Array.Clear(batched.Gradients);
            batched.Backward(r, default);

            var one = new float[perSample];
            Array.Clear(single.Gradients);
            for (int b = 0; b < batch; b++)
            {
                single.Forward(tokens.AsSpan(b * Steps, Steps), 1, Steps, one, training);
                if (training) Assert.Equal(0, DistinctWords(single));
                Assertions.AllClose(output.AsSpan(b * perSample, perSample), one, 1e-5, 1e-6, $"{batched.Info.Name} output of sample {b}");
                single.Backward(r.AsSpan(b * perSample, perSample), default);
            }
            Assertions.AllClose(single.Gradients, batched.Gradients, 1e-4, 1e-5, $"{batched.Info.Name} gradients, folded vs not");
            Assert.Contains(batched.Gradients, g => g != 0);
        }

        // Inference reuses the projected table P = E·W + b while E, W and b keep their bits (FoldSource). Each case
        // changes the parameters some way and compares the next inference with a fresh model holding the same
        // parameters, bit for bit: a reused P that should have been recomputed gives different outputs.
        [Theory]
        [InlineData("rnn")]
        [InlineData("lstm")]
        [InlineData("gru")]
        [InlineData("gru-reset-before")]
        public void Inference_reuses_the_projected_table_only_while_the_parameters_are_unchanged(string kind)
        {
            Func<ISequentialModel<int>> create = () => Create(kind);
            const int Steps = 5, Batch = 4;
            var model = create();
            var random = new Random(11);
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = random.NextSingle() - 0.5f;
            var tokens = new int[9 * Steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = i % 11; // every word, so every row of P is read
            int embeddings = 11 * 6;
            // Offsets of one element of E, of W (right after E) and of the target's bias, from the model's own views.
            int kernelAt = Offset(model, "kernel"), biasAt = Offset(model, "bias");
            Assert.Equal(embeddings, kernelAt);

            void Same(string what, int batch = Batch)
            {
                var fresh = create();
                model.Parameters.CopyTo(fresh.Parameters, 0);
                var expected = new float[fresh.OutputLength(batch, Steps)];
                fresh.Forward(tokens.AsSpan(0, batch * Steps), batch, Steps, expected);
                var actual = new float[expected.Length];
                model.Forward(tokens.AsSpan(0, batch * Steps), batch, Steps, actual);
                Assert.True(expected.AsSpan().SequenceEqual(actual), $"{kind}: {what}: outputs differ from a fresh model's");
            }

            Same("first call");
            Same("unchanged parameters (P reused)");
            model.Parameters[7] += 0.25f;
            Same("an embedding changed");
            model.Parameters[kernelAt + 3] -= 0.125f;
            Same("the kernel changed");
            model.Parameters[biasAt + 1] += 0.5f;
            Same("the bias changed");
            model.Parameters[kernelAt + 2] = 0f;
            Same("a kernel weight set to zero");
            model.Parameters[kernelAt + 2] = -0f;
            Same("the sign of a zero weight flipped");
            Array.Copy(model.Parameters, kernelAt, model.Parameters, kernelAt + 1, 4); // shifted in place, as a weight file might
            Same("the kernel rewritten in place");

            // A training pass computes P from other parameters; going back to the remembered ones must not reuse it.
            var remembered = (float[])model.Parameters.Clone();
            Same("before a training pass");
            for (int i = 0; i < embeddings; i++) model.Parameters[i] *= 1.5f;
            var trained = new float[model.OutputLength(Batch, Steps)];
            model.Forward(tokens.AsSpan(0, Batch * Steps), Batch, Steps, trained, training: true);
            remembered.CopyTo(model.Parameters, 0);
            Same("the parameters restored after a training pass");

            Same("a larger batch (the workspace grows)", batch: 9);
            Same("back to the first batch", batch: Batch);
        }

        // Inference folds from half the vocabulary (6 of 11 words' rows), since it keeps the table between calls; training
        // over the whole vocabulary only past it, and over its own words only when they are few (here 10 distinct words
        // in 10 rows: not). Batch 1 is 5 rows, batch 2 is 10: inference folds at 2, training does not.
        [Theory]
        [InlineData("rnn")]
        [InlineData("lstm")]
        [InlineData("gru")]
        [InlineData("gru-reset-before")]
        public void Inference_folds_from_half_the_vocabulary_and_training_only_past_it(string kind)
        {
            Func<ISequentialModel<int>> create = () => Create(kind);
            const int Steps = 5;
            var model = create();
            var random = new Random(5);
            for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = random.NextSingle() - 0.5f;
            var tokens = new int[2 * Steps];
            for (int i = 0; i < tokens.Length; i++) tokens[i] = (3 * i) % 11;
            var folded = model.GetType().GetField("_folded", BindingFlags.NonPublic | BindingFlags.Instance)!;
            var table = model.GetType().GetField("_embeddingProjection", BindingFlags.NonPublic | BindingFlags.Instance)!;

            float[] Run(ISequentialModel<int> m, int batch, bool training)
            {
                var y = new float[m.OutputLength(batch, Steps)];
                m.Forward(tokens.AsSpan(0, batch * Steps), batch, Steps, y, training);
                return y;
            }

            // The unfolded path is the reference: a fresh model's training pass over the same 10 rows.
            var fresh = create();
            model.Parameters.CopyTo(fresh.Parameters, 0);
            var reference = Run(fresh, 2, training: true);
            var trained = Run(model, 2, training: true);
            Assert.False((bool)folded.GetValue(model)!, $"{kind}: a training pass over 10 rows (11 words) folded");
            Assert.True(reference.AsSpan().SequenceEqual(trained), $"{kind}: training outputs differ from a fresh model's");

            var inferred = Run(model, 2, training: false);
            Assert.True((bool)folded.GetValue(model)!, $"{kind}: inference over 10 rows (11 words) did not fold");
            Assertions.AllClose(reference, inferred, 1e-5, 1e-6, $"{kind}: folded inference against the unfolded pass");

            // The next inference reads the kept table: spoiling it shows in the output (nothing recomputes it, since the
            // parameters kept their bits).
            var p = (float[])table.GetValue(model)!;
            for (int i = 0; i < p.Length; i++) p[i] += 1f;
            var spoiled = Run(model, 2, training: false);
            Assert.False(inferred.AsSpan().SequenceEqual(spoiled), $"{kind}: inference did not read the kept table");

            Run(model, 1, training: false);
            Assert.False((bool)folded.GetValue(model)!, $"{kind}: inference over 5 rows (under half of 11 words) folded");
        }

        private static ISequentialModel<int> Create(string kind) => kind switch
        {
            "rnn" => new FoldRnn(),
            "lstm" => new FoldLstm(),
            "gru" => new FoldGru(),
            _ => new FoldGruResetBefore(),
        };

        private static int Offset(ISequentialModel<int> model, string suffix)
        {
            // The target is layer 1 (the Embedding is layer 0).
            foreach (var p in model.Info.Layers[1].Parameters)
                if (p.Name.EndsWith(suffix, StringComparison.Ordinal)) return p.Offset;
            throw new InvalidOperationException($"no '{suffix}' parameter in layer 1 of {model.Info.Name}");
        }

        [Fact]
        public void Distinct_lists_each_word_once_in_order_and_leaves_its_scratch_zero()
        {
            var slots = new int[10];
            var words = new int[7];
            var index = new int[7];
            int[] tokens = [7, 2, 7, 0, 2, 9, 7];
            Assert.Equal(4, ModelGen.Kernels.Embedding.Distinct(tokens, 10, slots, words, index));
            Assert.Equal([7, 2, 0, 9], words.AsSpan(0, 4).ToArray());
            Assert.Equal([0, 1, 0, 2, 1, 3, 0], index);
            Assert.All(slots, s => Assert.Equal(0, s));

            // A bad id throws and leaves the scratch as it was given, so the next batch is not misread.
            var bad = Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.Distinct([3, 4, 10], 10, slots, words, index));
            Assert.Contains("token id 10 is outside [0, 9]", bad.Message, StringComparison.Ordinal);
            Assert.All(slots, s => Assert.Equal(0, s));
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.Distinct([-1], 10, slots, words, index));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.Distinct(tokens, 10, slots, new int[6], index));

            // Their rows gathered, and rows added back to the same words.
            Assert.Equal(4, ModelGen.Kernels.Embedding.Distinct(tokens, 10, slots, words, index));
            float[] table = [0, 1, 10, 11, 20, 21, 30, 31, 40, 41, 50, 51, 60, 61, 70, 71, 80, 81, 90, 91];
            var rows = new float[8];
            ModelGen.Kernels.Embedding.GatherRows(words.AsSpan(0, 4), table, 2, rows);
            Assert.Equal([70f, 71, 20, 21, 0, 1, 90, 91], rows);
            var gradient = new float[20];
            ModelGen.Kernels.Embedding.ScatterAddRows(words.AsSpan(0, 4), [1f, 2, 3, 4, 5, 6, 7, 8], 2, gradient);
            ModelGen.Kernels.Embedding.ScatterAddRows(words.AsSpan(0, 1), [1f, 1], 2, gradient);
            Assert.Equal([5f, 6, 0, 0, 3, 4, 0, 0, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 7, 8], gradient);
        }

        [Fact]
        public void Distinct_step_by_step_numbers_words_in_the_order_ScatterDistinct_meets_them()
        {
            // tokens [batch 2, steps 3]: step 0 holds 7 and 2, step 1 holds 7 and 9, step 2 holds 0 and 2.
            int[] tokens = [7, 7, 0, 2, 9, 2];
            var slots = new int[10];
            var words = new int[6];
            var index = new int[6];
            Assert.Equal(4, ModelGen.Kernels.Embedding.Distinct(2, 3, tokens, 10, slots, words, index));
            Assert.Equal([7, 2, 9, 0], words.AsSpan(0, 4).ToArray());
            Assert.Equal([0, 0, 3, 1, 2, 1], index);
            Assert.All(slots, s => Assert.Equal(0, s));
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.Distinct(2, 3, [7, 7, 0, 2, 9, 10], 10, slots, words, index));
            Assert.All(slots, s => Assert.Equal(0, s));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.Distinct(2, 4, tokens, 10, slots, new int[8], new int[8]));

            // grad [steps 3, batch 2, width 2], time-major. Word 9 (position 2) has one token whose gradient is −0: set
            // as 0 + (−0) = +0, the bits clearing and adding would give.
            float[] grad = [1, 2, 10, 20, 3, 4, -0f, -0f, 100, 200, 30, 40];
            var sums = Enumerable.Repeat(float.NaN, 9).ToArray();
            ModelGen.Kernels.Embedding.ScatterDistinct(2, 3, 2, index, 4, grad, sums);
            Assert.Equal([1f + 3, 2f + 4, 10f + 30, 20f + 40, 0f, 0f, 100f, 200f, float.NaN], sums);
            Assert.Equal(0, BitConverter.SingleToInt32Bits(sums[4]));
            var cleared = new float[8];
            ModelGen.Kernels.Embedding.ScatterAdd(2, 3, 2, index, grad, cleared);
            Assert.Equal(cleared, sums[..8]);

            // A numbering out of order, out of range, or short of the count writes nothing.
            var kept = Enumerable.Repeat(5f, 8).ToArray();
            foreach (var (bad, count) in new (int[], int)[] { ([0, 0, 3, 2, 1, 2], 4), ([0, 0, 4, 1, 2, 1], 4), ([0, 0, 2, 1, 2, 1], 4), ([0, 0, 3, 1, 2, -1], 4), ([0, 0, 3, 1, 2, 1], 3) })
            {
                var e = Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterDistinct(2, 3, 2, bad, count, grad, kept));
                Assert.Contains("distinct words", e.Message, StringComparison.Ordinal);
                Assert.All(kept, x => Assert.Equal(5f, x));
            }
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterDistinct(2, 3, 2, index, 4, grad, new float[7]));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterDistinct(2, 3, 2, index, 4, grad.AsSpan(0, 11), sums));
        }

        [Fact]
        public void The_embedding_kernels_refuse_sizes_that_are_negative_zero_wide_or_too_large_for_int()
        {
            // 65,536 × 65,536 floats wrap an int product to 0: each kernel used to let a 16-float buffer pass its length
            // check (and ScatterDistinct then read past it); a width of 0 divided by zero in ScatterAdd.
            var grad = new float[16];
            var sums = new float[16];
            int[] one = [0];
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterDistinct(1, 65536, 65536, new int[65536], 1, grad, sums));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterAdd(1, 65536, 65536, new int[65536], grad, sums));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.Gather(1, 65536, 1, 65536, new int[65536], new float[65536], grad, "embedding"));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.GatherRows(new int[65536], new float[65536], 65536, grad));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.ScatterAddRows(new int[65536], grad, 65536, new float[65536]));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.Distinct(65536, 65536, one, 1, new int[1], new int[1], new int[1]));
            foreach (var call in new Action[]
            {
                () => ModelGen.Kernels.Embedding.ScatterDistinct(-1, 1, 2, one, 1, grad, sums),
                () => ModelGen.Kernels.Embedding.ScatterDistinct(1, 1, -2, one, 1, grad, sums),
                () => ModelGen.Kernels.Embedding.ScatterDistinct(1, 1, 2, one, -1, grad, sums),
                () => ModelGen.Kernels.Embedding.ScatterAdd(1, 1, 0, one, grad, sums),
                () => ModelGen.Kernels.Embedding.ScatterAdd(1, -1, 2, one, grad, sums),
                () => ModelGen.Kernels.Embedding.Gather(1, 1, -1, 2, one, grad, sums, "embedding"),
                () => ModelGen.Kernels.Embedding.Validate(-1, 1, 4, one, "embedding"),
                () => ModelGen.Kernels.Embedding.GatherRows(one, grad, 0, sums),
                () => ModelGen.Kernels.Embedding.Distinct(1, -1, one, 1, new int[1], new int[1], new int[1]),
            })
            {
                Assert.Throws<ArgumentOutOfRangeException>(call);
            }
            Assert.All(sums, x => Assert.Equal(0f, x));

            // Rows added to a table only once every id is known to be in it; an id whose offset would wrap is refused.
            var table = new float[8];
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.ScatterAddRows([1, 4], [1f, 1, 1, 1], 2, table));
            Assert.Contains("row id 4 is outside the table's 4 rows", e.Message, StringComparison.Ordinal);
            Assert.All(table, x => Assert.Equal(0f, x));
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherRows([1 << 30], new float[8], 4, new float[4]));
        }

        [Fact]
        public void GatherStep_copies_one_step_s_rows_for_its_samples_and_refuses_ids_outside_the_table()
        {
            // 3 samples × 2 steps, ids batch-major; a table of 4 rows of 2. Step 1 for samples [1, 3): rows 3 and 0.
            int[] ids = [2, 1, 0, 3, 1, 0];
            float[] table = [0, 1, 10, 11, 20, 21, 30, 31];
            var output = new float[6];
            Array.Fill(output, -1f);
            ModelGen.Kernels.Embedding.GatherStep(3, 2, 1, 1, 3, 2, ids, table, output);
            Assert.Equal(new float[] { -1, -1, 30, 31, 0, 1 }, output); // sample 0 untouched
            ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 1, 2, ids, table, output);
            Assert.Equal(new float[] { 20, 21, 30, 31, 0, 1 }, output);

            var e = Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 3, 2, [2, 1, 4, 3, 1, 0], table, new float[6]));
            Assert.Contains("row id 4 of sample 1, step 0 is outside the table's 4 rows", e.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 3, 2, [2, 1, -1, 3, 1, 0], table, new float[6]));
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 2, 0, 3, 2, ids, table, output)); // step past the end
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 4, 2, ids, table, output)); // samples past the batch
            Assert.Throws<ArgumentOutOfRangeException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 3, 0, ids, table, output)); // no width
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 3, 2, ids.AsSpan(0, 5), table, output));
            Assert.Throws<ArgumentException>(() => ModelGen.Kernels.Embedding.GatherStep(3, 2, 0, 0, 3, 2, ids, table, new float[5]));
        }

        [Fact]
        public void FoldSource_compares_bits()
        {
            var table = new float[4];
            float[] e = [1, 0, 2, float.NaN], w = [3, 4], b = [5];
            var source = new ModelGen.Kernels.FoldSource();
            Assert.False(source.Matches(table, e, w, b)); // nothing remembered
            source.Remember(table, e, w, b);
            Assert.True(source.Matches(table, e, w, b)); // NaN matches its own bits
            Assert.False(source.Matches(new float[4], e, w, b)); // another array
            Assert.False(source.Matches(table, e, w, default)); // another shape
            e[1] = -0.0f;
            Assert.False(source.Matches(table, e, w, b)); // −0 is not +0
            e[1] = 0;
            e[3] = BitConverter.Int32BitsToSingle(BitConverter.SingleToInt32Bits(float.NaN) ^ 1);
            Assert.False(source.Matches(table, e, w, b)); // another NaN
            e[3] = float.NaN;
            b[0] = 5.000001f;
            Assert.False(source.Matches(table, e, w, b));
            b[0] = 5;
            Assert.True(source.Matches(table, e, w, b));
            source.Forget();
            Assert.False(source.Matches(table, e, w, b));
        }
    }
}
