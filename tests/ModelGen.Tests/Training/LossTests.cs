using System;
using static ModelGen.Tests.Training.TrainingTestHelpers;

namespace ModelGen.Tests.Training;

/// <summary>
/// Loss values and gradients on hand-made inputs, with the Keras arithmetic written out; gradients are also checked
/// against central finite differences. Keras: per-sample loss = mean over the last axis (mse, mae, binary crossentropy)
/// or sum over classes (categorical crossentropies); the batch value is the mean over samples.
/// </summary>
public sealed class LossTests
{
    private const double Tol = 1e-6;

    private static (float Loss, float[] Gradient) Run(Loss loss, float[] output, float[] target, int samples)
    {
        var gradient = new float[output.Length];
        float value = loss.Compute(output, target, samples, gradient);
        float withoutGradient = loss.Compute(output, target, samples, Span<float>.Empty);
        Assert.Equal(value, withoutGradient, 6);
        return (value, gradient);
    }

    // ── mean squared error ────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Mse_value_and_gradient()
    {
        // output [[1, 2], [3, −5]], target [[0, 2], [1, −1]] → d = [[1, 0], [2, −4]]
        // rows: (1 + 0)/2 = 0.5, (4 + 16)/2 = 10 → mean 5.25
        // ∂/∂y = 2d / (samples·width = 4) = [0.5, 0, 1, −2]
        var (loss, grad) = Run(Loss.MeanSquaredError(), [1, 2, 3, -5], [0, 2, 1, -1], samples: 2);
        Assert.Equal(5.25, loss, Tol);
        Assertions.AllClose([0.5f, 0f, 1f, -2f], grad, 0, Tol, "mse gradient");
    }

    [Fact]
    public void Mae_value_and_gradient()
    {
        // d = [[1, 0], [2, −4]] → rows (1 + 0)/2 = 0.5, (2 + 4)/2 = 3 → mean 1.75
        // ∂/∂y = sign(d) / 4 = [0.25, 0 (d = 0, as TF differentiates abs), 0.25, −0.25]
        var (loss, grad) = Run(Loss.MeanAbsoluteError(), [1, 2, 3, -5], [0, 2, 1, -1], samples: 2);
        Assert.Equal(1.75, loss, Tol);
        Assertions.AllClose([0.25f, 0f, 0.25f, -0.25f], grad, 0, Tol, "mae gradient");
    }

    // ── binary crossentropy ───────────────────────────────────────────────────────────────────────

    [Fact]
    public void Binary_crossentropy_matches_the_keras_docstring_example()
    {
        // keras.losses.binary_crossentropy([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) → [0.916, 0.714]; mean 0.815
        // row 0: −log(1 − 0.6) = 0.9162907, −log(0.4) = 0.9162907 → mean 0.9162907 (mean over the last axis)
        // row 1: −log(1 − 0.4) = 0.5108256, −log(1 − 0.6) = 0.9162907 → mean 0.7135582
        // batch: (0.9162907 + 0.7135582) / 2 = 0.8149245
        // ∂/∂p = (−t/p + (1 − t)/(1 − p)) / (samples·width = 4):
        //   t=0, p=0.6: 2.5/4 = 0.625; t=1, p=0.4: −2.5/4 = −0.625; t=0, p=0.4: (1/0.6)/4 = 0.4166667; t=0, p=0.6: 0.625
        var (loss, grad) = Run(Loss.BinaryCrossentropy(), [0.6f, 0.4f, 0.4f, 0.6f], [0, 1, 0, 0], samples: 2);
        Assert.Equal(0.8149245, loss, 1e-6);
        Assertions.AllClose([0.625f, -0.625f, 0.4166667f, 0.625f], grad, 1e-6, 1e-6, "bce gradient");
    }

    [Fact]
    public void Binary_crossentropy_clips_probabilities_like_keras()
    {
        // p = 0 with t = 1 → clip to 1e-7 → −log(1e-7) = 16.1180957 (float32 1e-7 = 1.00000001e-7 → 16.1180956)
        // p = 1 with t = 1 → clip to 1 − 1e-7 (float32 0.99999988) → −log(0.99999988) = 1.192093e-7
        // mean over 2 elements = (16.1180956 + 1.19e-7) / 2 = 8.0590479; both clipped → gradient 0
        var (loss, grad) = Run(Loss.BinaryCrossentropy(), [0f, 1f], [1, 1], samples: 2);
        Assert.Equal(8.0590479, loss, 1e-5);
        Assert.Equal(0f, grad[0]);
        Assert.Equal(0f, grad[1]);
    }

    [Fact]
    public void Binary_crossentropy_from_logits_is_the_stable_form()
    {
        // per element max(x, 0) − x·t + log(1 + e^−|x|):
        //   x = 0,  t = 1: 0 − 0 + log 2            = 0.6931472
        //   x = 2,  t = 0: 2 − 0 + log(1 + e^−2)    = 2.1269280
        //   x = −3, t = 1: 0 + 3 + log(1 + e^−3)    = 3.0485874
        // mean = 5.8686626 / 3 = 1.9562209
        // ∂/∂x = (σ(x) − t)/3: (0.5 − 1)/3 = −0.1666667, 0.8807971/3 = 0.2935990, (0.0474259 − 1)/3 = −0.3175247
        var (loss, grad) = Run(Loss.BinaryCrossentropy(fromLogits: true), [0f, 2f, -3f], [1, 0, 1], samples: 3);
        Assert.Equal(1.9562209, loss, 1e-6);
        Assertions.AllClose([-0.1666667f, 0.2935990f, -0.3175247f], grad, 1e-6, 1e-6, "bce logits gradient");

        // Large logits stay finite: x = 100, t = 0 → 100 + log(1 + e^−100) = 100; x = −100, t = 0 → log(1 + e^−100) ≈ 3.7e-44.
        var (big, bigGrad) = Run(Loss.BinaryCrossentropy(fromLogits: true), [100f, -100f], [0, 0], samples: 2);
        Assert.Equal(50.0, big, 1e-4);
        Assertions.AllClose([0.5f, 0f], bigGrad, 1e-6, 1e-6, "bce logits gradient at ±100");
    }

    [Fact]
    public void Binary_crossentropy_from_logits_equals_probabilities_after_sigmoid()
    {
        var logits = RandomFloats(12, 7, -4, 4);
        var target = RandomFloats(12, 8, 0, 1);
        var probabilities = Array.ConvertAll(logits, x => (float)(1 / (1 + Math.Exp(-x))));
        float a = Loss.BinaryCrossentropy(true).Compute(logits, target, 4, default);
        float b = Loss.BinaryCrossentropy(false).Compute(probabilities, target, 4, default);
        Assert.Equal(b, a, 5);
    }

    // ── categorical crossentropy ──────────────────────────────────────────────────────────────────

    [Fact]
    public void Categorical_crossentropy_matches_the_keras_docstring_example()
    {
        // y_true [[0, 1, 0], [0, 0, 1]], y_pred [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] → [0.0513, 2.303], mean 1.177
        // row 0: −log 0.95 = 0.0512933; row 1: −log 0.1 = 2.3025851; mean = 1.1769392
        // Gradient through q = y/Σy (Σy = 1) and the clip: ∂L/∂q_j = −t_j/p_j, Σ_i ∂L/∂q_i·q_i = −1,
        // ∂L/∂y_j = (∂L/∂q_j + 1)/Σy, divided by samples = 2:
        //   row 0: [1/2, (1 − 1/0.95)/2 = −0.0263158, 1/2]     row 1: [1/2, 1/2, (1 − 10)/2 = −4.5]
        var (loss, grad) = Run(Loss.CategoricalCrossentropy(),
            [0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f], [0, 1, 0, 0, 0, 1], samples: 2);
        Assert.Equal(1.1769392, loss, 1e-6);
        Assertions.AllClose([0.5f, -0.0263158f, 0.5f, 0.5f, 0.5f, -4.5f], grad, 1e-5, 1e-6, "cce gradient");
    }

    [Fact]
    public void Categorical_crossentropy_normalises_rows_by_their_sum()
    {
        // y = [1, 3], t = [0, 1] → q = [0.25, 0.75] → loss −log 0.75 = 0.2876821
        // L = −log y₁ + log(y₀ + y₁): ∂/∂y₀ = 1/4 = 0.25, ∂/∂y₁ = −1/3 + 1/4 = −0.0833333
        var (loss, grad) = Run(Loss.CategoricalCrossentropy(), [1f, 3f], [0, 1], samples: 1);
        Assert.Equal(0.2876821, loss, 1e-6);
        Assertions.AllClose([0.25f, -0.0833333f], grad, 1e-5, 1e-6, "cce normalised gradient");
    }

    [Fact]
    public void Categorical_crossentropy_gradient_is_zero_through_an_active_clip()
    {
        // y = [0, 1], t = [1, 0]: q = [0, 1] → p = [1e-7, 1 − 1e-7]; loss = −log(1e-7) = 16.1180956
        // Both q are outside [1e-7, 1 − 1e-7], so clip_by_value passes no gradient: ∂L/∂q = 0 → ∂L/∂y = [0, 0].
        var (loss, grad) = Run(Loss.CategoricalCrossentropy(), [0f, 1f], [1, 0], samples: 1);
        Assert.Equal(16.1180956, loss, 1e-5);
        Assertions.AllClose([0f, 0f], grad, 0, 0, "gradient through the clip");

        // Same for the sparse loss with class 0.
        var (sparse, sparseGrad) = Run(Loss.SparseCategoricalCrossentropy(), [0f, 1f], [0], samples: 1);
        Assert.Equal(16.1180956, sparse, 1e-5);
        Assertions.AllClose([0f, 0f], sparseGrad, 0, 0, "sparse gradient through the clip");
    }

    [Fact]
    public void Categorical_crossentropy_from_logits()
    {
        // x = [1, 2, 3], t = [0, 0, 1]: log Σ e^x = log(2.7182818 + 7.3890561 + 20.0855369) = log 30.1928748 = 3.4076059
        // loss = −(3 − 3.4076059) = 0.4076059; gradient softmax − t = [0.0900306, 0.2447285, 0.6652410 − 1]
        var (loss, grad) = Run(Loss.CategoricalCrossentropy(fromLogits: true), [1f, 2f, 3f], [0, 0, 1], samples: 1);
        Assert.Equal(0.4076059, loss, 1e-6);
        Assertions.AllClose([0.0900306f, 0.2447285f, -0.3347590f], grad, 1e-5, 1e-6, "cce logits gradient");

        // Stable for large logits: x = [1000, 0], t = [0, 1] → 1000 − 0 = 1000; gradient [1, −1].
        var (big, bigGrad) = Run(Loss.CategoricalCrossentropy(fromLogits: true), [1000f, 0f], [0, 1], samples: 1);
        Assert.Equal(1000.0, big, 1e-3);
        Assertions.AllClose([1f, -1f], bigGrad, 1e-6, 1e-6, "cce logits gradient at 1000");
    }

    [Fact]
    public void Categorical_crossentropy_sums_over_classes_and_averages_over_rows()
    {
        // The same six values read as 1×6 or 2×3 give different losses: the row width decides what is summed.
        float[] y = [0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f];
        float[] t = [0, 1, 0, 0, 0, 1];
        var loss = Loss.CategoricalCrossentropy();
        float twoRows = loss.Compute(y, t, 2, default);
        // As one row: Σy = 2 → q = y/2; −log(0.475) − log(0.05) = 0.7444405 + 2.9957323 = 3.7401728
        float oneRow = loss.Compute(y, t, 1, default);
        Assert.Equal(1.1769392, twoRows, 1e-6);
        Assert.Equal(3.7401728, oneRow, 1e-5);
    }

    [Fact]
    public void Sequence_output_rows_average_every_step()
    {
        // [batch 2, steps 2, units 1] with samples = batch·steps = 4: Keras's mean over batch of the mean over steps.
        // steps' squared errors: sample 0: 1, 9; sample 1: 4, 0 → per sample 5, 2 → mean 3.5 (= mean of all four).
        float loss = Loss.MeanSquaredError().Compute([1, 3, 2, 0], [0, 0, 0, 0], samples: 4, default);
        Assert.Equal(3.5f, loss);
    }

    // ── sparse categorical crossentropy ───────────────────────────────────────────────────────────

    [Fact]
    public void Sparse_categorical_crossentropy_equals_one_hot_categorical()
    {
        // Keras docstring: y_true [1, 2], y_pred [[0.05, 0.95, 0], [0.1, 0.8, 0.1]] → [0.0513, 2.303]; mean 1.1769392.
        float[] y = [0.05f, 0.95f, 0f, 0.1f, 0.8f, 0.1f];
        var (loss, grad) = Run(Loss.SparseCategoricalCrossentropy(), y, [1, 2], samples: 2);
        Assert.Equal(1.1769392, loss, 1e-6);
        Assertions.AllClose([0.5f, -0.0263158f, 0.5f, 0.5f, 0.5f, -4.5f], grad, 1e-5, 1e-6, "sparse gradient");

        // From logits: identical to the one-hot categorical loss.
        float[] logits = RandomFloats(12, 3, -3, 3);
        var (sparse, sparseGrad) = Run(Loss.SparseCategoricalCrossentropy(true), logits, [0, 3, 2], samples: 3);
        var (dense, denseGrad) = Run(Loss.CategoricalCrossentropy(true), logits, [1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0], samples: 3);
        Assert.Equal(dense, sparse, 6);
        Assertions.AllClose(denseGrad, sparseGrad, 1e-6, 1e-7, "sparse logits gradient");
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void Sparse_categorical_crossentropy_rejects_bad_class_indices(float bad)
    {
        var loss = Loss.SparseCategoricalCrossentropy();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() =>
            loss.Compute([0.2f, 0.3f, 0.5f, 0.1f, 0.1f, 0.8f], [2f, bad], 2, new float[6]));
        Assert.Contains("row 1", ex.Message);
        Assert.Contains(bad.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message);
    }

    // ── finite differences ────────────────────────────────────────────────────────────────────────

    public static TheoryData<string> AllLosses() =>
        ["mse", "mae", "huber", "huber_small_delta", "bce", "bce_logits", "bce_smoothed", "bce_logits_smoothed", "cce", "cce_logits", "cce_smoothed",
            "cce_logits_smoothed", "sparse", "sparse_logits"];

    private static (Loss Loss, float[] Output, float[] Target, int Samples) Case(string name)
    {
        const int Samples = 3, Width = 4;
        var logits = RandomFloats(Samples * Width, 11, -2, 2);
        var probabilities = RandomFloats(Samples * Width, 12, 0.05f, 0.95f);
        var real = RandomFloats(Samples * Width, 13, -1, 1);
        var binaryTarget = Array.ConvertAll(RandomFloats(Samples * Width, 14, 0, 1), v => v > 0.5f ? 1f : 0f);
        float[] oneHot = [0, 1, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0];
        float[] indices = [1, 3, 0];
        return name switch
        {
            "mse" => (Loss.MeanSquaredError(), real, RandomFloats(12, 15), Samples),
            "mae" => (Loss.MeanAbsoluteError(), real, RandomFloats(12, 15), Samples),
            "huber" => (Loss.Huber(), Array.ConvertAll(real, v => 3 * v), RandomFloats(12, 15), Samples), // both sides of delta 1
            "huber_small_delta" => (Loss.Huber(0.3f), real, RandomFloats(12, 15), Samples),
            "bce_smoothed" => (Loss.BinaryCrossentropy(labelSmoothing: 0.2f), probabilities, binaryTarget, Samples),
            "bce_logits_smoothed" => (Loss.BinaryCrossentropy(true, 0.2f), logits, binaryTarget, Samples),
            "cce_smoothed" => (Loss.CategoricalCrossentropy(labelSmoothing: 0.1f), probabilities, oneHot, Samples),
            "cce_logits_smoothed" => (Loss.CategoricalCrossentropy(true, 0.1f), logits, oneHot, Samples),
            "bce" => (Loss.BinaryCrossentropy(), probabilities, binaryTarget, Samples),
            "bce_logits" => (Loss.BinaryCrossentropy(true), logits, binaryTarget, Samples),
            "cce" => (Loss.CategoricalCrossentropy(), probabilities, oneHot, Samples),
            "cce_logits" => (Loss.CategoricalCrossentropy(true), logits, oneHot, Samples),
            "sparse" => (Loss.SparseCategoricalCrossentropy(), probabilities, indices, Samples),
            "sparse_logits" => (Loss.SparseCategoricalCrossentropy(true), logits, indices, Samples),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Gradient_matches_finite_differences(string name)
    {
        var (loss, output, target, samples) = Case(name);
        var gradient = new float[output.Length];
        loss.Compute(output, target, samples, gradient);
        var x = (float[])output.Clone();
        for (int i = 0; i < x.Length; i++)
        {
            float original = x[i];
            float up = original + 1e-3f, down = original - 1e-3f;
            x[i] = up;
            double lossUp = loss.Compute(x, target, samples, default);
            x[i] = down;
            double lossDown = loss.Compute(x, target, samples, default);
            x[i] = original;
            double numeric = (lossUp - lossDown) / ((double)up - down);
            Assert.True(Math.Abs(numeric - gradient[i]) <= 5e-4 + 1e-2 * Math.Abs(numeric),
                $"{name}[{i}]: analytic {gradient[i]}, numeric {numeric}");
        }
    }

    [Theory]
    [MemberData(nameof(AllLosses))]
    public void Nan_output_gives_nan_loss(string name)
    {
        var (loss, output, target, samples) = Case(name);
        output[5] = float.NaN;
        Assert.True(float.IsNaN(loss.Compute(output, target, samples, new float[output.Length])), $"{name} hid a NaN");
    }

    // ── Huber and label smoothing, against PyTorch and Keras ──────────────────────────────────────

    [Fact]
    public void Huber_matches_keras_and_pytorch()
    {
        // Keras's Huber docstring: 0.155 (PyTorch's HuberLoss(delta=1) gives the same).
        Assert.Equal(0.155, Loss.Huber().Compute([0.6f, 0.4f, 0.4f, 0.6f], [0, 1, 0, 0], 2, default), 6);
        // torch.nn.HuberLoss(delta=0.5) on these, in float64: 0.5083333333333334.
        var (value, gradient) = Run(Loss.Huber(0.5f), [1.5f, -0.2f, 3f, 0.1f, -2f, 0.4f], [0, 0, 1, 1, 0.5f, 0], 2);
        Assert.Equal(0.5083333333333334, value, 6);
        // ∂/∂output: d/6 inside delta, ±delta/6 beyond (d = 1.5, −0.2, 2, −0.9, −2.5, 0.4).
        Assert.Equal([0.5f / 6, -0.2f / 6, 0.5f / 6, -0.5f / 6, -0.5f / 6, 0.4f / 6], gradient, (x, y) => Math.Abs(x - y) < 1e-7);
        Assert.Equal("huber_loss", Loss.FromName("huber").Name);
        Assert.Equal(1f, ((HuberLoss)Loss.FromName("huber_loss")).Delta);
        foreach (float bad in new[] { 0f, -1f, float.NaN, float.PositiveInfinity })
            Assert.Equal("delta", Assert.Throws<ArgumentOutOfRangeException>(() => Loss.Huber(bad)).ParamName);
    }

    [Fact]
    public void Label_smoothing_matches_pytorch_and_the_keras_formula()
    {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.2) on these logits and classes 0, 1: 0.5552064363158524.
        float[] logits = [2f, 1f, 0.1f, 0.5f, 2.5f, 0.3f];
        Assert.Equal(0.5552064363158524, Loss.CategoricalCrossentropy(true, 0.2f).Compute(logits, [1, 0, 0, 0, 1, 0], 2, default), 6);
        // Keras's binary rule, t·(1 − s) + s/2, through torch's binary_cross_entropy (0.7946511994417056) and its
        // with_logits form (1.7032135085787612).
        float[] binaryTargets = [0, 1, 0, 0];
        Assert.Equal(0.7946511994417056, Loss.BinaryCrossentropy(labelSmoothing: 0.2f).Compute([0.6f, 0.4f, 0.4f, 0.6f], binaryTargets, 2, default), 6);
        Assert.Equal(1.7032135085787612, Loss.BinaryCrossentropy(true, 0.2f).Compute([1f, -2f, 0.5f, 3f], binaryTargets, 2, default), 5); // a float32 result
        // The fused form keeps the smoothing.
        var fused = (BinaryCrossentropyLoss)Loss.BinaryCrossentropy(labelSmoothing: 0.2f).FusedWith("sigmoid")!;
        Assert.True(fused.FromLogits);
        Assert.Equal(0.2f, fused.LabelSmoothing);
        Assert.Equal(0.1f, ((CategoricalCrossentropyLoss)Loss.CategoricalCrossentropy(labelSmoothing: 0.1f).FusedWith("softmax")!).LabelSmoothing);
        foreach (float bad in new[] { -0.1f, 1.5f, float.NaN })
            Assert.Equal("labelSmoothing", Assert.Throws<ArgumentOutOfRangeException>(() => Loss.CategoricalCrossentropy(labelSmoothing: bad)).ParamName);
    }

    // ── validation and names ──────────────────────────────────────────────────────────────────────

    [Fact]
    public void Length_mismatches_say_expected_and_actual()
    {
        var mse = Loss.MeanSquaredError();
        var ex = Assert.Throws<ArgumentException>(() => mse.Compute([1, 2, 3, 4], [1, 2, 3], 2, default));
        Assert.Contains("3", ex.Message);
        Assert.Contains("expected 4", ex.Message);

        var grad = Assert.Throws<ArgumentException>(() => mse.Compute([1, 2, 3, 4], [1, 2, 3, 4], 2, new float[3]));
        Assert.Contains("expected 4", grad.Message);

        var sparse = Assert.Throws<ArgumentException>(() => Loss.SparseCategoricalCrossentropy().Compute([0.5f, 0.5f, 0.5f, 0.5f], [0, 1, 1, 0], 2, default));
        Assert.Contains("expected 2", sparse.Message);

        Assert.Throws<ArgumentException>(() => mse.Compute([1, 2, 3], [1, 2, 3], 2, default));   // 3 values in 2 rows
        Assert.Throws<ArgumentOutOfRangeException>(() => mse.Compute([1, 2], [1, 2], 0, default));
    }

    [Theory]
    [InlineData("mse", typeof(MeanSquaredErrorLoss), "mean_squared_error")]
    [InlineData("mean_squared_error", typeof(MeanSquaredErrorLoss), "mean_squared_error")]
    [InlineData("mae", typeof(MeanAbsoluteErrorLoss), "mean_absolute_error")]
    [InlineData("mean_absolute_error", typeof(MeanAbsoluteErrorLoss), "mean_absolute_error")]
    [InlineData("huber", typeof(HuberLoss), "huber_loss")]
    [InlineData("Huber", typeof(HuberLoss), "huber_loss")]
    [InlineData("MSE", typeof(MeanSquaredErrorLoss), "mean_squared_error")]
    [InlineData("MeanAbsoluteError", typeof(MeanAbsoluteErrorLoss), "mean_absolute_error")]
    [InlineData("bce", typeof(BinaryCrossentropyLoss), "binary_crossentropy")]
    [InlineData("BinaryCrossentropy", typeof(BinaryCrossentropyLoss), "binary_crossentropy")]
    [InlineData("CategoricalCrossentropy", typeof(CategoricalCrossentropyLoss), "categorical_crossentropy")]
    [InlineData("SparseCategoricalCrossentropy", typeof(SparseCategoricalCrossentropyLoss), "sparse_categorical_crossentropy")]
    [InlineData("binary_crossentropy", typeof(BinaryCrossentropyLoss), "binary_crossentropy")]
    [InlineData("categorical_crossentropy", typeof(CategoricalCrossentropyLoss), "categorical_crossentropy")]
    [InlineData("sparse_categorical_crossentropy", typeof(SparseCategoricalCrossentropyLoss), "sparse_categorical_crossentropy")]
    public void FromName_resolves_keras_strings(string name, Type type, string kerasName)
    {
        var loss = Loss.FromName(name);
        Assert.IsType(type, loss);
        Assert.Equal(kerasName, loss.Name);
    }

    [Fact]
    public void FromName_strings_are_on_probabilities()
    {
        Assert.False(((BinaryCrossentropyLoss)Loss.FromName("binary_crossentropy")).FromLogits);
        Assert.False(((CategoricalCrossentropyLoss)Loss.FromName("categorical_crossentropy")).FromLogits);
        Assert.True(((SparseCategoricalCrossentropyLoss)Loss.SparseCategoricalCrossentropy(true)).FromLogits);
    }

    [Fact]
    public void FromName_unknown_lists_valid_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => Loss.FromName("hinge"));
        Assert.Contains("hinge", ex.Message);
        Assert.Contains("mse", ex.Message);
        Assert.Contains("sparse_categorical_crossentropy", ex.Message);
    }
}
