using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace ModelGen.Tests.Options;

/// <summary>
/// Issue 15's weight options as Keras documents them: <c>trainable=False</c> (Keras's non-trainable count, a frozen
/// layer bit-identical through Fit with every optimizer, its optimizer slots untouched), L1/L2 regularizers (Keras's
/// formula as asserted values, the logged loss including them, gradients by finite differences of the total loss), and
/// the initializers' statistics against Keras's formulas.
/// </summary>
public sealed class WeightOptionTests
{
    // ------------------------------------------------------------------ trainable

    [Fact]
    public void Summary_counts_a_frozen_layer_as_non_trainable_as_keras_does()
    {
        var info = FrozenEmbeddingModel.Metadata;
        Assert.Equal([160, 448, 210, 12], info.Layers.Select(l => l.ParameterCount));
        Assert.Equal([false, true, true, true], info.Layers.Select(l => l.Trainable));
        Assert.Equal(830, info.ParameterCount);
        Assert.Equal(670, info.TrainableParameterCount);
        Assert.Equal(160, info.NonTrainableParameterCount);
        string[] lines = new FrozenEmbeddingModel().Summary().Split('\n');
        Assert.Contains(" Total params: 830", lines);
        Assert.Contains(" Trainable params: 670", lines);
        Assert.Contains(" Non-trainable params: 160", lines);

        // Bidirectional(Trainable = false) freezes both copies: GRU(4) on 6, reset_after, twice: 2·(3·4·(6 + 4) + 2·3·4) = 288.
        Assert.Equal(288, FrozenMiddleModel.Metadata.NonTrainableParameterCount);
        Assert.False(FrozenMiddleModel.Metadata.Layers[1].Trainable);
        Assert.Equal(0, new ActivatedLstmModel().Info.NonTrainableParameterCount);
    }

    public static TheoryData<string> Optimizers => new() { "adam", "sgd-momentum-nesterov", "rmsprop-centered-momentum", "adam-clipnorm", "sgd-globalclip" };

    private static Optimizer Create(string name) => name switch
    {
        "adam" => new Adam(0.01f),
        "sgd-momentum-nesterov" => new Sgd(0.05f, momentum: 0.9f, nesterov: true),
        "rmsprop-centered-momentum" => new RmsProp(0.01f, momentum: 0.5f, centered: true),
        "adam-clipnorm" => new Adam(0.01f) { ClipNorm = 0.1f },
        "sgd-globalclip" => new Sgd(0.05f, momentum: 0.9f) { GlobalClipNorm = 0.1f },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void A_frozen_pretrained_embedding_stays_bit_identical_through_fit_and_the_rest_trains(string optimizer)
    {
        var model = new FrozenEmbeddingModel();
        model.Initialize(1);
        var pretrained = new float[20, 8];
        var random = new Random(2);
        for (int i = 0; i < 20; i++)
            for (int j = 0; j < 8; j++) pretrained[i, j] = (float)(random.NextDouble() * 2 - 1);
        model.SetEmbeddings(pretrained);
        var embeddings = model.Info.Layers[0].Parameters[0];
        Assert.Equal(pretrained.Cast<float>(), model.Parameters.AsSpan(embeddings.Offset, embeddings.Length).ToArray());
        var before = (float[])model.Parameters.Clone();

        var (x, y) = TokenData(64, 3);
        var opt = Create(optimizer);
        model.Compile(opt, Loss.MeanSquaredError());
        model.Fit(x, y, epochs: 3, batchSize: 16, verbose: 0, seed: 4);

        Assert.Equal(before.AsSpan(embeddings.Offset, embeddings.Length).ToArray(), model.Parameters.AsSpan(embeddings.Offset, embeddings.Length).ToArray());
        foreach (var layer in model.Info.Layers.Skip(1))
            foreach (var p in layer.Parameters)
                Assert.NotEqual(before.AsSpan(p.Offset, p.Length).ToArray(), model.Parameters.AsSpan(p.Offset, p.Length).ToArray());
        // Keras keeps no optimizer variables for non-trainable weights: here their slots stay zero.
        foreach (var (name, values) in opt.GetState().Skip(2))
        {
            Assert.All(values.AsSpan(embeddings.Offset, embeddings.Length).ToArray(), v => Assert.Equal(0f, v));
            Assert.Contains(values.AsSpan(embeddings.Length).ToArray(), v => v != 0f);
        }
    }

    [Fact]
    public void A_frozen_layer_between_trainable_ones_keeps_its_weights_and_both_neighbours_train()
    {
        var model = new FrozenMiddleModel();
        model.Initialize(5);
        var before = (float[])model.Parameters.Clone();
        var random = new Random(6);
        var x = Enumerable.Range(0, 32 * 4 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, 32 * 4 * 2).Select(_ => (float)random.NextDouble()).ToArray();
        model.Compile(new Adam(0.01f), Loss.MeanSquaredError());
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, seed: 1);
        var layers = model.Info.Layers;
        int frozenStart = layers[1].Parameters[0].Offset, frozenLength = layers[1].ParameterCount;
        Assert.Equal(before.AsSpan(frozenStart, frozenLength).ToArray(), model.Parameters.AsSpan(frozenStart, frozenLength).ToArray());
        foreach (int i in new[] { 0, 2 })
        {
            var p = layers[i].Parameters[0];
            Assert.NotEqual(before.AsSpan(p.Offset, p.Length).ToArray(), model.Parameters.AsSpan(p.Offset, p.Length).ToArray());
        }
    }

    [Fact]
    public void SetEmbeddings_checks_the_shape_and_leaves_the_model_unchanged_when_it_does_not_fit()
    {
        var model = new FrozenEmbeddingModel();
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<ArgumentException>(() => model.SetEmbeddings(new float[20, 9]));
        Assert.Contains("embedding matrix is [20, 9]; layer 'embedding' of 'FrozenEmbeddingModel' needs [20, 8]", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.SetEmbeddings(new float[159], 20, 8));
        Assert.Contains("holds 159 floats; [20, 8] is 160", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.SetEmbeddings(new float[20, 8], "glove"));
        Assert.Contains("has no Embedding layer named 'glove'", e.Message);
        e = Assert.Throws<ArgumentException>(() => new FrozenMiddleModel().SetEmbeddings(new float[1, 1]));
        Assert.Contains("model 'FrozenMiddleModel' has no Embedding layer", e.Message);
        var holed = new float[20, 8];
        holed[13, 5] = float.NaN; // a word the pretrained file lacks, filled with NaN
        e = Assert.Throws<ArgumentException>(() => model.SetEmbeddings(holed));
        Assert.Contains("holds NaN at row 13 (token id), column 5", e.Message);
        var flatHoled = new float[160];
        flatHoled[9] = float.PositiveInfinity;
        Assert.Contains("row 1 (token id), column 1", Assert.Throws<ArgumentException>(() => model.SetEmbeddings(flatHoled, 20, 8)).Message);
        Assert.Equal(before, model.Parameters);

        var flat = Enumerable.Range(0, 160).Select(i => i * 0.01f).ToArray();
        model.SetEmbeddings(flat, 20, 8, "embedding");
        Assert.Equal(flat, model.Parameters.AsSpan(0, 160).ToArray());
    }

    [Fact]
    public void Optimizer_steps_and_regularization_allocate_nothing_after_warm_up_with_a_frozen_layer()
    {
        var model = new FrozenEmbeddingModel();
        var info = model.Info;
        var gradients = new float[model.Parameters.Length];
        for (int i = 0; i < gradients.Length; i++) gradients[i] = (i % 7 - 3) * 0.01f;
        var adam = new Adam { GlobalClipNorm = 1f };
        float sink = 0;
        void Round()
        {
            adam.Step(model.Parameters, gradients, info);
            sink += Regularization.Penalty(info, model.Parameters);
            Regularization.AddGradients(info, model.Parameters, gradients);
        }
        Round();
        Assert.Equal(0, Allocations.FewestBytes(Round, steps: 50));
        Assert.True(float.IsFinite(sink));
    }

    // ------------------------------------------------------------------ regularizers

    [Fact]
    public void Regularization_loss_is_kerass_formula_and_skips_frozen_layers()
    {
        var model = new FrozenEmbeddingModel();
        var random = new Random(7);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        var l = model.Info.Layers;
        double L1(ParameterInfo p) => model.Parameters.AsSpan(p.Offset, p.Length).ToArray().Sum(v => Math.Abs((double)v));
        double L2(ParameterInfo p) => model.Parameters.AsSpan(p.Offset, p.Length).ToArray().Sum(v => (double)v * v);
        // Keras: L2 = l2·Σw², L1 = l1·Σ|w|; 'l1' and 'l2' alone mean 0.01; the frozen embedding's l2(1.0) counts for nothing.
        double expected =
            0.01 * L2(l[1].Parameters[0]) + 0.001 * L1(l[1].Parameters[1]) + 0.002 * L1(l[1].Parameters[2]) + 0.003 * L2(l[1].Parameters[2])
            + 0.01 * L1(l[2].Parameters[0])
            + 0.01 * L2(l[3].Parameters[0]) + 0.01 * L1(l[3].Parameters[1]) + 0.02 * L2(l[3].Parameters[1]);
        Assert.Equal(expected, model.RegularizationLoss(), 1e-5 * expected);
        Assert.Equal(new Regularizer(0f, 1f), l[0].Parameters[0].Regularizer);
        Assert.Equal(new Regularizer(0.002f, 0.003f), l[1].Parameters[2].Regularizer);
        Assert.Null(l[2].Parameters[1].Regularizer);
        Assert.Equal(0f, new ActivatedLstmModel().RegularizationLoss());
    }

    [Fact]
    public void Fit_and_evaluate_report_the_loss_plus_the_penalty_as_keras_logs_it()
    {
        var model = new FrozenEmbeddingModel();
        model.Initialize(9);
        var (x, y) = TokenData(32, 10);
        model.Compile(new Sgd(0.1f), Loss.MeanSquaredError());
        var output = model.Predict(x, batchSize: 32);
        double mse = 0;
        for (int i = 0; i < y.Length; i++) mse += (output[i] - (double)y[i]) * (output[i] - y[i]);
        mse /= y.Length;
        float penalty = model.RegularizationLoss();
        Assert.True(penalty > 0.01f * mse, $"penalty {penalty} should be visible next to the loss {mse}");

        var evaluated = model.Evaluate(x, y, batchSize: 32)["loss"];
        Assert.Equal(mse + penalty, evaluated, 1e-5 * (mse + penalty));
        // One batch: the logged loss is that batch's, taken before the update (as Keras's train_step computes it).
        var history = model.Fit(x, y, epochs: 1, batchSize: 32, shuffle: false, verbose: 0);
        Assert.Equal(evaluated, history["loss"][0], 1e-5 * evaluated);
        Assert.NotEqual(penalty, model.RegularizationLoss());
    }

    [Fact]
    public void Regularized_gradients_match_finite_differences_of_the_total_loss()
    {
        // SGD with learning rate 1 and no momentum: the step is the gradient Fit used (mse gradient + penalty gradient).
        var model = new FrozenMiddleModel();
        var random = new Random(12);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        var x = Enumerable.Range(0, 4 * 4 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var y = Enumerable.Range(0, 4 * 4 * 2).Select(_ => (float)random.NextDouble()).ToArray();
        model.Compile(new Sgd(1f), Loss.MeanSquaredError());
        var start = (float[])model.Parameters.Clone();
        model.Fit(x, y, epochs: 1, batchSize: 4, shuffle: false, verbose: 0);
        var step = start.Select((v, i) => (double)v - model.Parameters[i]).ToArray();
        start.CopyTo(model.Parameters, 0);

        double Total() => model.Evaluate(x, y, batchSize: 4)["loss"];
        var layers = model.Info.Layers;
        var frozen = layers[1].Parameters.Select(p => (p.Offset, p.Length)).ToArray();
        bool Frozen(int i) => frozen.Any(r => i >= r.Offset && i < r.Offset + r.Length);
        const double Epsilon = 1e-3;
        int checkedCount = 0;
        for (int i = 0; i < start.Length; i += 3)
        {
            if (Frozen(i))
            {
                Assert.Equal(0, step[i]);
                continue;
            }
            float saved = model.Parameters[i];
            model.Parameters[i] = saved + (float)Epsilon;
            double plus = Total();
            model.Parameters[i] = saved - (float)Epsilon;
            double minus = Total();
            model.Parameters[i] = saved;
            FiniteDifferences.AssertClose((plus - minus) / (2 * Epsilon), step[i], $"parameter [{i}]");
            checkedCount++;
        }
        Assert.True(checkedCount > 50);
        // The Dense kernel's penalty gradient is there: l1·sign(w) + 2·l2·w moves a weight whose loss gradient is tiny.
        var kernel = layers[2].Parameters[0];
        Assert.Equal(new Regularizer(0.01f, 0.01f), kernel.Regularizer);
    }

    [Fact]
    public void Penalty_gradient_is_l1_sign_plus_two_l2_w()
    {
        var r = new Regularizer(0.5f, 0.25f);
        float[] w = [2f, -1f, 0f];
        var g = new float[] { 1f, 1f, 1f };
        r.AddGradient(w, g);
        Assert.Equal([1f + 0.5f + 1f, 1f - 0.5f - 0.5f, 1f], g);
        Assert.Equal(0.5f * 3 + 0.25f * 5, r.Penalty(w));
        Assert.Throws<ArgumentException>(() => r.AddGradient(w, new float[2]));
    }

    // ------------------------------------------------------------------ initializers

    [Fact]
    public void Initializers_follow_kerass_formulas()
    {
        var model = new InitializerModel();
        model.Initialize(2026);
        var l = model.Info.Layers;
        float[] View(ParameterInfo p) => model.Parameters.AsSpan(p.Offset, p.Length).ToArray();
        double truncated = 0.87962566103423978;

        // Truncated normals (glorot_normal, he_normal, lecun_normal): std √(scale / n), cut at 2σ′ = 2·std / 0.8796.
        Normal(View(l[0].Parameters[0]), 0, Math.Sqrt(2.0 / (200 + 300)), 2 * Math.Sqrt(2.0 / 500) / truncated, "glorot_normal");
        Normal(View(l[1].Parameters[0]), 0, Math.Sqrt(2.0 / 300), 2 * Math.Sqrt(2.0 / 300) / truncated, "he_normal");
        Normal(View(l[3].Parameters[0]), 0, Math.Sqrt(1.0 / 300), 2 * Math.Sqrt(1.0 / 300) / truncated, "lecun_normal");
        // Uniforms: U(±limit) has std limit/√3.
        Uniform(View(l[2].Parameters[0]), -Math.Sqrt(6.0 / 200), Math.Sqrt(6.0 / 200), "he_uniform");
        Uniform(View(l[4].Parameters[0]), -Math.Sqrt(3.0 / 200), Math.Sqrt(3.0 / 200), "LecunUniform");
        // Biases: constant(0.5), ones, random_normal(1, 0.2), random_uniform(-0.3, 0.1), truncated_normal(stddev=0.1).
        Assert.All(View(l[0].Parameters[1]), v => Assert.Equal(0.5f, v));
        Assert.All(View(l[1].Parameters[1]), v => Assert.Equal(1f, v));
        Assert.Equal(1.0, Mean(View(l[2].Parameters[1])), 0.2 * 4 / Math.Sqrt(300));
        Uniform(View(l[3].Parameters[1]), -0.3, 0.1, "random_uniform bias", statistics: false);
        Assert.All(View(l[4].Parameters[1]), v => Assert.InRange(v, -0.2f, 0.2f));
        // identity(gain=2) on 300 × 300; orthogonal(gain=0.5) on 300 × 200: columns orthogonal with norm 0.5.
        var identity = View(l[5].Parameters[0]);
        for (int r = 0; r < 300; r++)
            for (int c = 0; c < 300; c++) Assert.Equal(r == c ? 2f : 0f, identity[r * 300 + c]);
        var orthogonal = View(l[6].Parameters[0]);
        for (int a = 0; a < 200; a += 37)
            for (int b = 0; b < 200; b += 41)
            {
                double dot = 0;
                for (int r = 0; r < 300; r++) dot += (double)orthogonal[r * 200 + a] * orthogonal[r * 200 + b];
                Assert.Equal(a == b ? 0.25 : 0, dot, 1e-5);
            }
        Normal(View(l[7].Parameters[0]), 0.1, 0.02, double.PositiveInfinity, "random_normal(0.1, 0.02)");
        Normal(View(l[8].Parameters[0]), 0, 0.05 * 0.87962566103423978, 0.1, "truncated_normal", exactStd: false);
        Assert.Single(l[8].Parameters);

        // The same seed gives the same weights, bit for bit.
        var again = new InitializerModel();
        again.Initialize(2026);
        Assert.Equal(model.Parameters, again.Parameters);
    }

    [Fact]
    public void Recurrent_initializers_and_unit_forget_bias_are_kerass()
    {
        var model = new RecurrentInitializerModel();
        model.Initialize(3);
        var l = model.Info.Layers;
        float[] View(ParameterInfo p) => model.Parameters.AsSpan(p.Offset, p.Length).ToArray();
        Normal(View(l[0].Parameters[0]), 0, 1, double.PositiveInfinity, "embeddings random_normal(stddev=1)", tolerance: 0.2);
        Assert.All(View(l[1].Parameters[0]), v => Assert.Equal(0f, v));
        var limit = Math.Sqrt(6.0 / (6 + 24));
        Assert.All(View(l[1].Parameters[1]), v => Assert.InRange(v, -limit, limit));
        // unit_forget_bias over constant(0.25): i, c, o 0.25 and f 1 (Keras concatenates init(units), ones(units), init(2·units)).
        var bias = View(l[1].Parameters[2]);
        Assert.Equal(Enumerable.Repeat(0.25f, 6).Concat(Enumerable.Repeat(1f, 6)).Concat(Enumerable.Repeat(0.25f, 12)), bias);
        Assert.All(View(l[2].Parameters[2]), v => Assert.Equal(0f, v)); // UnitForgetBias = false: zeros
        Assert.All(View(l[3].Parameters[2]), v => Assert.Equal(1f, v)); // ones, no forget-gate special case
        Assert.All(View(l[4].Parameters[0]), v => Assert.Equal(1f, v));
        var recurrent = View(l[4].Parameters[1]); // identity: the IRNN of Le et al.
        for (int r = 0; r < 7; r++)
            for (int c = 0; c < 7; c++) Assert.Equal(r == c ? 1f : 0f, recurrent[r * 7 + c]);
        Assert.Equal(Initializer.UnitForgetBias, new PlainLstmModel().Info.Layers[0].Parameters[2].Initializer); // the default stays as it was
    }

    // ------------------------------------------------------------------ helpers

    private static (int[] X, float[] Y) TokenData(int samples, int seed)
    {
        var random = new Random(seed);
        var x = new int[samples * 6];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(20);
        var y = new float[samples * 2];
        for (int i = 0; i < samples; i++)
        {
            y[2 * i] = x[i * 6] / 20f;
            y[2 * i + 1] = x[i * 6 + 5] % 2;
        }
        return (x, y);
    }

    private static double Mean(float[] v) => v.Average(f => (double)f);

    private static double Std(float[] v)
    {
        double mean = Mean(v);
        return Math.Sqrt(v.Sum(f => (f - mean) * (f - mean)) / v.Length);
    }

    private static void Normal(float[] v, double mean, double std, double cut, string what, bool exactStd = true, double tolerance = 0.03)
    {
        Assert.True(v.Length >= 100, what);
        Assert.True(Math.Abs(Mean(v) - mean) <= 4 * std / Math.Sqrt(v.Length), $"{what}: mean {Mean(v)}, expected {mean}");
        if (exactStd) Assert.True(Math.Abs(Std(v) / std - 1) <= tolerance, $"{what}: std {Std(v)}, expected {std}");
        Assert.All(v, f => Assert.True(Math.Abs(f - mean) <= cut * (1 + 1e-6), $"{what}: {f} beyond {cut} of {mean}"));
        if (v.Length > 10_000) Assert.True(v.Max() - mean > 0.9 * Math.Min(cut, 4 * std), $"{what}: the values should reach near the cut");
    }

    private static void Uniform(float[] v, double low, double high, string what, bool statistics = true)
    {
        Assert.All(v, f => Assert.InRange(f, low, high));
        double width = high - low;
        double edge = (v.Length > 10_000 ? 0.02 : 0.05) * width;
        Assert.True(v.Min() < low + edge && v.Max() > high - edge, $"{what}: range [{v.Min()}, {v.Max()}], expected [{low}, {high}]");
        if (!statistics) return;
        Assert.True(Math.Abs(Mean(v) - (low + high) / 2) <= 4 * (width / Math.Sqrt(12)) / Math.Sqrt(v.Length), $"{what}: mean {Mean(v)}");
        Assert.True(Math.Abs(Std(v) / (width / Math.Sqrt(12)) - 1) <= 0.03, $"{what}: std {Std(v)}, expected {width / Math.Sqrt(12)}");
    }
}
