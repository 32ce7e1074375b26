using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using static ModelGen.Tests.Training.TrainingTestHelpers;

namespace ModelGen.Tests.Training;

/// <summary>
/// AdamW, Adagrad and Nadam: PyTorch parity where PyTorch computes Keras's formula (Fixtures/optimizers.json, written by
/// tests/fixtures/make_optimizer_fixtures.py), Keras's own golden tables and single-step values (keras/src/optimizers/*_test.py),
/// a double-precision re-derivation of Keras's formula where PyTorch differs (ε placement), Keras defaults, names in
/// Compile, clipping, and state that survives GetState/SetState and weight files bit for bit.
/// </summary>
public sealed class NewOptimizerTests
{
    private const double RTol = 2e-5, ATol = 2e-6;

    private static readonly JsonElement Fixture =
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "optimizers.json"))).RootElement;

    private static float[] Floats(JsonElement e) => e.EnumerateArray().Select(v => v.GetSingle()).ToArray();

    private static float F(JsonElement c, string name) => c.GetProperty(name).GetSingle();

    private static float[] RunSteps(Optimizer optimizer, float[] parameters, float[][] gradients, ModelInfo info)
    {
        var p = (float[])parameters.Clone();
        foreach (var g in gradients) optimizer.Step(p, (float[])g.Clone(), info);
        return p;
    }

    private static (float[] Parameters, float[][] Gradients) FixtureProblem() =>
        (Floats(Fixture.GetProperty("parameters")), Fixture.GetProperty("gradients").EnumerateArray().Select(Floats).ToArray());

    // ── PyTorch parity ────────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("adamw")]
    [InlineData("adamw_amsgrad")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    [InlineData("nadam_large_eps")]
    public void Four_steps_match_pytorch(string name)
    {
        var c = Fixture.GetProperty("cases").GetProperty(name);
        var (parameters, gradients) = FixtureProblem();
        Optimizer optimizer = name switch
        {
            "adamw" or "adamw_amsgrad" => new AdamW(F(c, "lr"), F(c, "weight_decay"), F(c, "beta1"), F(c, "beta2"), F(c, "epsilon"), c.GetProperty("amsgrad").GetBoolean()),
            "adagrad" => new Adagrad(F(c, "lr"), F(c, "initial_accumulator_value"), F(c, "epsilon")),
            _ => new Nadam(F(c, "lr"), F(c, "beta1"), F(c, "beta2"), F(c, "epsilon")),
        };
        var actual = RunSteps(optimizer, parameters, gradients, DefaultLayout());
        Assertions.AllClose(Floats(c.GetProperty("expected")), actual, RTol, ATol, $"{name} vs torch {Fixture.GetProperty("torch").GetString()}");
        Assert.Equal(gradients.Length, optimizer.Iterations);
    }

    // ── Keras's published values ──────────────────────────────────────────────────────────────────

    [Fact]
    public void Keras_single_steps()
    {
        // keras/src/optimizers/{adamw,adagrad,nadam}_test.py test_single_step: lr 0.5, vars [1, 2, 3, 4], grads [1, 6, 7, 2]
        var info = Layout(("kernel", 1, 4));
        (Optimizer Optimizer, float[] Expected)[] cases =
        [
            (new AdamW(0.5f), [0.4980f, 1.4960f, 2.494f, 3.492f]),
            (new Adagrad(0.5f), [0.5233f, 1.5007f, 2.5005f, 3.5061f]),
            (new Nadam(0.5f), [0.4686f, 1.4686f, 2.4686f, 3.4686f]),
        ];
        foreach (var (optimizer, expected) in cases)
        {
            float[] p = [1, 2, 3, 4];
            optimizer.Step(p, new float[] { 1, 6, 7, 2 }, info);
            Assertions.AllClose(expected, p, 1e-4, 1e-4, optimizer.Name);
        }
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    public void Keras_golden_tables(string name)
    {
        // keras/src/optimizers/*_test.py test_correctness_with_golden: x = ones(10); one step of 0.01, then the
        // table's rows are x before each of five steps of grads = [0.1, 0.2, …, 1.0]. (Keras checks rtol = atol = 5e-4.)
        double[][] golden = name switch
        {
            "adamw" =>
            [
                [0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998, 0.4998],
                [0.2486, 0.2475, 0.2463, 0.2451, 0.244, 0.2428, 0.2417, 0.2405, 0.2394, 0.2382],
                [0.1223, 0.1198, 0.1174, 0.1149, 0.1124, 0.11, 0.1075, 0.1051, 0.1027, 0.1003],
                [0.0586, 0.0549, 0.0512, 0.0475, 0.0439, 0.0402, 0.0366, 0.033, 0.0294, 0.0258],
                [0.0263, 0.0215, 0.0167, 0.012, 0.0073, 0.0026, -0.0021, -0.0067, -0.0113, -0.0159],
            ],
            "adagrad" =>
            [
                [0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963],
                [0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209],
                [0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891],
                [0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579],
                [0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825],
            ],
            _ =>
            [
                [0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281, 0.4281],
                [-0.1738, -0.1731, -0.1726, -0.1723, -0.1721, -0.172, -0.1719, -0.1718, -0.1718, -0.1717],
                [-0.7115, -0.7103, -0.7096, -0.7092, -0.709, -0.7088, -0.7086, -0.7085, -0.7085, -0.7084],
                [-1.2335, -1.2322, -1.2313, -1.2309, -1.2306, -1.2304, -1.2302, -1.2301, -1.23, -1.2299],
                [-1.7492, -1.7478, -1.7469, -1.7464, -1.7461, -1.7459, -1.7457, -1.7456, -1.7455, -1.7454],
            ],
        };
        Optimizer optimizer = name switch
        {
            "adamw" => new AdamW(learningRate: 1f, weightDecay: 0.5f, epsilon: 2f),
            "adagrad" => new Adagrad(learningRate: 0.2f, initialAccumulatorValue: 0.3f, epsilon: 1e-6f),
            _ => new Nadam(learningRate: 0.5f, beta1: 0.5f, beta2: 0.67f, epsilon: 1e-5f),
        };
        var info = Layout(("kernel", 1, 10));
        var x = Enumerable.Repeat(1f, 10).ToArray();
        var grads = Enumerable.Range(1, 10).Select(i => i / 10f).ToArray();
        optimizer.Step(x, Enumerable.Repeat(0.01f, 10).ToArray(), info);
        for (int i = 0; i < golden.Length; i++)
        {
            Assertions.AllClose(ToFloat(golden[i]), x, 5e-4, 5e-4, $"{name} golden row {i}");
            optimizer.Step(x, (float[])grads.Clone(), info);
        }
    }

    [Fact]
    public void AdamW_decays_before_the_adam_step_keras_weight_decay_example()
    {
        // keras adamw_test test_weight_decay: var 2, lr 1, λ 0.004, zero gradients; three optimizers each take one step
        // on the same variable: 2·(1 − 0.004)³ = 1.9760959 (the Adam part moves nothing when g = 0).
        var info = Layout(("kernel", 1, 1));
        float[] v = [2f];
        for (int i = 0; i < 3; i++) new AdamW(learningRate: 1f, weightDecay: 0.004f).Step(v, new float[] { 0f }, info);
        Assert.Equal(1.9760959, v[0], 6);
    }

    // ── Keras formulas where PyTorch differs (ε placement) ────────────────────────────────────────

    [Theory]
    [InlineData(1e-3, 0.004, 0.9, 0.999, 1e-7, false)]
    [InlineData(0.02, 0.1, 0.8, 0.99, 0.1, false)]   // a large ε makes its placement (on √v, not on the bias-corrected √v̂) matter
    [InlineData(0.02, 0.1, 0.8, 0.99, 0.1, true)]
    public void AdamW_matches_the_keras_formula(double lr, double wd, double beta1, double beta2, double epsilon, bool amsGrad)
    {
        var (parameters, gradients) = FixtureProblem();
        var actual = RunSteps(new AdamW((float)lr, (float)wd, (float)beta1, (float)beta2, (float)epsilon, amsGrad), parameters, gradients, DefaultLayout());

        // Keras 3: w ← w − w·λ·lr; t = iterations + 1; α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
        // AMSGrad v̂ ← max(v̂, v) replaces v; w ← w − α·m/(√v + ε)
        double l = (float)lr, d = (float)wd, b1 = (float)beta1, b2 = (float)beta2, eps = (float)epsilon;
        var w = ToDouble(parameters);
        var m = new double[w.Length];
        var v = new double[w.Length];
        var vHat = new double[w.Length];
        for (int t = 1; t <= gradients.Length; t++)
        {
            double alpha = l * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < w.Length; i++)
            {
                double g = gradients[t - 1][i];
                w[i] -= w[i] * d * l;
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                vHat[i] = Math.Max(vHat[i], v[i]);
                w[i] -= alpha * m[i] / (Math.Sqrt(amsGrad ? vHat[i] : v[i]) + eps);
            }
        }
        Assertions.AllClose(ToFloat(w), actual, RTol, ATol, "adamw");
    }

    [Theory]
    [InlineData(1e-3, 0.1, 1e-7)]
    [InlineData(0.05, 0.0, 0.1)]     // ε = 0.1 under the square root (PyTorch adds it outside)
    [InlineData(0.05, 0.5, 0.1)]
    public void Adagrad_matches_the_keras_formula(double lr, double initial, double epsilon)
    {
        var (parameters, gradients) = FixtureProblem();
        gradients[1][3] = 0f;   // a zero gradient with an initial accumulator of 0 still divides by √ε
        var actual = RunSteps(new Adagrad((float)lr, (float)initial, (float)epsilon), parameters, gradients, DefaultLayout());

        // Keras 3: a starts at initial_accumulator_value; a ← a + g²; w ← w − lr·g/√(a + ε)
        double l = (float)lr, eps = (float)epsilon;
        var w = ToDouble(parameters);
        var a = Enumerable.Repeat((double)(float)initial, w.Length).ToArray();
        foreach (var gs in gradients)
            for (int i = 0; i < w.Length; i++)
            {
                double g = gs[i];
                a[i] += g * g;
                w[i] -= l * g / Math.Sqrt(a[i] + eps);
            }
        Assertions.AllClose(ToFloat(w), actual, RTol, ATol, "adagrad");
    }

    [Fact]
    public void Nadam_matches_the_keras_formula_over_many_steps()
    {
        // 40 steps so the momentum cache uₜ = β₁(1 − ½·0.96ᵗ) and its running product move well away from step 1.
        var (parameters, fixtureGradients) = FixtureProblem();
        var gradients = Enumerable.Range(0, 40).Select(s => fixtureGradients[s % 4].Select(g => g * (1 + s % 3)).ToArray()).ToArray();
        const double Lr = 0.01, B1 = 0.9, B2 = 0.999, Eps = 1e-7;
        var actual = RunSteps(new Nadam((float)Lr, (float)B1, (float)B2, (float)Eps), parameters, gradients, DefaultLayout());

        double b1 = (float)B1, b2 = (float)B2, lr = (float)Lr, eps = (float)Eps, product = 1;
        var w = ToDouble(parameters);
        var m = new double[w.Length];
        var v = new double[w.Length];
        for (int t = 1; t <= gradients.Length; t++)
        {
            double u = b1 * (1 - 0.5 * Math.Pow(0.96, t)), uNext = b1 * (1 - 0.5 * Math.Pow(0.96, t + 1));
            product *= u;
            for (int i = 0; i < w.Length; i++)
            {
                double g = gradients[t - 1][i];
                m[i] += (g - m[i]) * (1 - b1);
                v[i] += (g * g - v[i]) * (1 - b2);
                double mHat = uNext * m[i] / (1 - product * uNext) + (1 - u) * g / (1 - product);
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                w[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
        Assertions.AllClose(ToFloat(w), actual, 1e-4, 1e-5, "nadam");
    }

    // ── defaults, names, validation ───────────────────────────────────────────────────────────────

    [Fact]
    public void Keras_defaults()
    {
        var adamW = new AdamW();
        Assert.Equal(("adamw", 1e-3f, 0.004f, 0.9f, 0.999f, 1e-7f, false), (adamW.Name, adamW.LearningRate, adamW.WeightDecay, adamW.Beta1, adamW.Beta2, adamW.Epsilon, adamW.AmsGrad));
        Assert.Equal(2, adamW.SlotCount);
        Assert.Equal(3, new AdamW(amsGrad: true).SlotCount);
        var adagrad = new Adagrad();
        Assert.Equal(("adagrad", 1e-3f, 0.1f, 1e-7f), (adagrad.Name, adagrad.LearningRate, adagrad.InitialAccumulatorValue, adagrad.Epsilon));
        var nadam = new Nadam();
        Assert.Equal(("nadam", 1e-3f, 0.9f, 0.999f, 1e-7f), (nadam.Name, nadam.LearningRate, nadam.Beta1, nadam.Beta2, nadam.Epsilon));
        Assert.Equal(["iteration", "learning_rate", "momentum", "velocity", "velocity_hat"], new AdamW(amsGrad: true).GetState().Select(s => s.Name));
        Assert.Equal(["iteration", "learning_rate", "accumulator"], adagrad.GetState().Select(s => s.Name));
        Assert.Equal(["iteration", "learning_rate", "momentum", "velocity"], nadam.GetState().Select(s => s.Name));
    }

    [Theory]
    [InlineData("adamw", typeof(AdamW))]
    [InlineData("AdamW", typeof(AdamW))]
    [InlineData("adagrad", typeof(Adagrad))]
    [InlineData("nadam", typeof(Nadam))]
    public void Compile_accepts_the_keras_names(string name, Type type)
    {
        var model = new TrainingExtrasModel();
        model.Compile(name, "binary_crossentropy");
        Assert.IsType(type, model.GetOptimizer());
        var error = Assert.Throws<ArgumentException>(() => model.Compile("adamax", "binary_crossentropy"));
        Assert.Contains("'adamw', 'adagrad', 'nadam'", error.Message);
    }

    [Fact]
    public void Bad_hyper_parameters_throw_naming_the_parameter()
    {
        Assert.Equal("weightDecay", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(weightDecay: -1f)).ParamName);
        Assert.Equal("beta1", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(beta1: 1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new AdamW(epsilon: float.NaN)).ParamName);
        Assert.Equal("initialAccumulatorValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(initialAccumulatorValue: -0.1f)).ParamName);
        Assert.Equal("epsilon", Assert.Throws<ArgumentOutOfRangeException>(() => new Adagrad(epsilon: float.PositiveInfinity)).ParamName);
        Assert.Equal("beta2", Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(beta2: -0.1f)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Nadam(learningRate: -1f));
    }

    // ── clipping and state ────────────────────────────────────────────────────────────────────────

    [Theory]
    [InlineData("adamw")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    public void Clipping_applies_before_the_update(string name)
    {
        // keras *_test test_clip_value / test_clip_norm: [100, 100] → [1, 1] and [√2/2, √2/2]; and the update then uses them.
        var info = Layout(("kernel", 1, 2));
        Optimizer Make() => name switch { "adamw" => new AdamW(0.1f), "adagrad" => new Adagrad(0.1f), _ => new Nadam(0.1f) };

        float[] g = [100, 100], p = [1, 2];
        var byValue = Make();
        byValue.ClipValue = 1f;
        byValue.Step(p, g, info);
        Assertions.AllClose([1f, 1f], g, 0, 1e-7, "clipvalue");
        float[] reference = [1, 2];
        Make().Step(reference, new float[] { 1, 1 }, info);
        Assert.Equal(reference, p);

        float[] g2 = [100, 100], p2 = [1, 2];
        var byNorm = Make();
        byNorm.ClipNorm = 1f;
        byNorm.Step(p2, g2, info);
        Assertions.AllClose([MathF.Sqrt(2) / 2, MathF.Sqrt(2) / 2], g2, 1e-6, 1e-7, "clipnorm");
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("adamw_amsgrad")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    public void State_restored_into_a_new_optimizer_continues_bit_for_bit(string name)
    {
        Optimizer Make() => name switch
        {
            "adamw" => new AdamW(0.01f, 0.1f),
            "adamw_amsgrad" => new AdamW(0.01f, 0.1f, amsGrad: true),
            "adagrad" => new Adagrad(0.05f),
            _ => new Nadam(0.01f),
        };
        var (parameters, gradients) = FixtureProblem();
        var info = DefaultLayout();
        var straight = RunSteps(Make(), parameters, gradients, info);

        var first = Make();
        var p = RunSteps(first, parameters, gradients[..2], info);
        var second = Make();
        second.SetState(first.GetState());
        foreach (var g in gradients[2..]) second.Step(p, (float[])g.Clone(), info);

        Assert.Equal(straight, p);
        Assert.Equal(4, second.Iterations);
    }

    [Theory]
    [InlineData("adamw")]
    [InlineData("adagrad")]
    [InlineData("nadam")]
    public void Weight_files_keep_the_state_so_training_resumes_bit_for_bit(string name)
    {
        Optimizer Make() => name switch { "adamw" => new AdamW(0.01f), "adagrad" => new Adagrad(0.05f), _ => new Nadam(0.01f) };
        var (x, y) = TrainingExtrasModel.Data(24, seed: 5);

        var straight = new TrainingExtrasModel();
        straight.Initialize(seed: 2);
        straight.Compile(Make(), Loss.BinaryCrossentropy());
        straight.Fit(x, y, epochs: 4, batchSize: 8, shuffle: false, verbose: 0);

        var first = new TrainingExtrasModel();
        first.Initialize(seed: 2);
        first.Compile(Make(), Loss.BinaryCrossentropy());
        first.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        using var file = new MemoryStream();
        first.SaveWeights(file);
        file.Position = 0;

        var resumed = new TrainingExtrasModel();
        var optimizer = Make();
        resumed.Compile(optimizer, Loss.BinaryCrossentropy());
        var result = resumed.LoadWeights(file);
        Assert.Equal(OptimizerStateOutcome.Applied, result.OptimizerState);
        Assert.Equal(6, optimizer.Iterations);
        resumed.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }
}
