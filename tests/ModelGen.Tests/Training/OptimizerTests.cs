using System;
using static ModelGen.Tests.Training.TrainingTestHelpers;

namespace ModelGen.Tests.Training;

/// <summary>
/// Each optimizer against the Keras 3 update rules, re-derived here in double precision (never by calling the code
/// under test), over three steps with different gradients; plus Keras's own published single-step values.
/// The layout has 21 floats in three tensors, so the SIMD loops and their scalar tails both run.
/// </summary>
public sealed class OptimizerTests
{
    private const double RTol = 2e-5, ATol = 2e-6;

    private static (float[] Parameters, float[][] Gradients, ModelInfo Info) Problem()
    {
        var info = DefaultLayout();
        var parameters = RandomFloats(21, 100);
        var gradients = new[] { RandomFloats(21, 101, -2, 2), RandomFloats(21, 102, -0.5f, 0.5f), RandomFloats(21, 103, -3, 3) };
        gradients[1][4] = 0f;   // a zero gradient
        return (parameters, gradients, info);
    }

    private static float[] RunSteps(Optimizer optimizer, float[] parameters, float[][] gradients, ModelInfo info)
    {
        var p = (float[])parameters.Clone();
        foreach (var g in gradients) optimizer.Step(p, (float[])g.Clone(), info);
        return p;
    }

    // ── SGD ───────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Sgd_keras_single_step()
    {
        // keras sgd_test: SGD(0.5), vars [1, 2, 3, 4], grads [1, 6, 7, 2] → [0.5, −1, −0.5, 3]
        var info = Layout(("kernel", 1, 4));
        float[] p = [1, 2, 3, 4];
        new Sgd(0.5f).Step(p, new float[] { 1, 6, 7, 2 }, info);
        Assertions.AllClose([0.5f, -1f, -0.5f, 3f], p, 0, 1e-6, "sgd");
    }

    [Theory]
    [InlineData(0.0, false)]
    [InlineData(0.9, false)]
    [InlineData(0.9, true)]
    public void Sgd_three_steps_match_keras_formulas(double momentum, bool nesterov)
    {
        var (parameters, gradients, info) = Problem();
        const double Lr = 0.05;
        var actual = RunSteps(new Sgd((float)Lr, (float)momentum, nesterov), parameters, gradients, info);

        // Keras: m ← μ·m − lr·g; w ← w + m (plain) or w ← w + μ·m − lr·g (Nesterov); μ = 0: w ← w − lr·g
        var w = ToDouble(parameters);
        var m = new double[w.Length];
        foreach (var g in gradients)
            for (int i = 0; i < w.Length; i++)
            {
                if (momentum == 0) { w[i] -= Lr * g[i]; continue; }
                m[i] = momentum * m[i] - Lr * g[i];
                w[i] += nesterov ? momentum * m[i] - Lr * g[i] : m[i];
            }
        Assertions.AllClose(ToFloat(w), actual, RTol, ATol, $"sgd μ={momentum} nesterov={nesterov}");
    }

    [Fact]
    public void Sgd_nesterov_differs_from_plain_momentum()
    {
        // One weight, g = 1, lr = 0.1, μ = 0.9, two steps:
        // plain:    m₁ = −0.1, w₁ = −0.1; m₂ = −0.09 − 0.1 = −0.19, w₂ = −0.29
        // Nesterov: m₁ = −0.1, w₁ = 0.9·(−0.1) − 0.1 = −0.19; m₂ = −0.19, w₂ = −0.19 + 0.9·(−0.19) − 0.1 = −0.461
        var info = Layout(("kernel", 1, 1));
        float[] plain = [0], nesterov = [0];
        var a = new Sgd(0.1f, 0.9f);
        var b = new Sgd(0.1f, 0.9f, nesterov: true);
        for (int s = 0; s < 2; s++)
        {
            a.Step(plain, new float[] { 1 }, info);
            b.Step(nesterov, new float[] { 1 }, info);
        }
        Assert.Equal(-0.29, plain[0], 6);
        Assert.Equal(-0.461, nesterov[0], 6);
    }

    // ── Adam ──────────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Adam_keras_single_step()
    {
        // keras adam_test: Adam(0.5), vars [1, 2, 3, 4], grads [1, 6, 7, 2] → [0.5, 1.5, 2.5, 3.5]
        // (t = 1: m = 0.1g, v = 0.001g², α = 0.5·√0.001/0.1 → step 0.5·g/|g| up to ε)
        var info = Layout(("kernel", 1, 4));
        float[] p = [1, 2, 3, 4];
        new Adam(0.5f).Step(p, new float[] { 1, 6, 7, 2 }, info);
        Assertions.AllClose([0.5f, 1.5f, 2.5f, 3.5f], p, 0, 1e-5, "adam");
    }

    [Theory]
    [InlineData(1e-3, 0.9, 0.999, 1e-7)]
    [InlineData(0.02, 0.8, 0.99, 0.1)]   // a large ε makes its placement (outside √v) matter
    public void Adam_three_steps_match_keras_formulas(double lr, double beta1, double beta2, double epsilon)
    {
        var (parameters, gradients, info) = Problem();
        var actual = RunSteps(new Adam((float)lr, (float)beta1, (float)beta2, (float)epsilon), parameters, gradients, info);

        // Keras 3: t = iterations + 1; α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ); m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
        // w ← w − α·m/(√v + ε)
        double b1 = (float)beta1, b2 = (float)beta2;
        var w = ToDouble(parameters);
        var m = new double[w.Length];
        var v = new double[w.Length];
        for (int t = 1; t <= gradients.Length; t++)
        {
            double alpha = (float)lr * Math.Sqrt(1 - Math.Pow(b2, t)) / (1 - Math.Pow(b1, t));
            for (int i = 0; i < w.Length; i++)
            {
                double g = gradients[t - 1][i];
                m[i] = b1 * m[i] + (1 - b1) * g;
                v[i] = b2 * v[i] + (1 - b2) * g * g;
                w[i] -= alpha * m[i] / (Math.Sqrt(v[i]) + (float)epsilon);
            }
        }
        Assertions.AllClose(ToFloat(w), actual, RTol, ATol, "adam");
    }

    // ── RMSprop ───────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void RmsProp_keras_docstring_example()
    {
        // Keras docstring: RMSprop(0.1), var = 10, loss = var²/2 (gradient = var) → 9.683772
        // v = 0.1·10² = 10; Δ = 0.1·10/√(10 + 1e-7) = 0.3162278; 10 − 0.3162278 = 9.6837722
        var info = Layout(("kernel", 1, 1));
        float[] p = [10];
        new RmsProp(0.1f).Step(p, new float[] { 10 }, info);
        Assert.Equal(9.683772, p[0], 5);
    }

    [Theory]
    [InlineData(0.9, 0.0, 1e-7, false)]
    [InlineData(0.9, 0.5, 0.1, false)]    // ε = 0.1 inside the square root
    [InlineData(0.8, 0.0, 0.1, true)]
    [InlineData(0.8, 0.7, 1e-7, true)]
    public void RmsProp_three_steps_match_keras_formulas(double rho, double momentum, double epsilon, bool centered)
    {
        var (parameters, gradients, info) = Problem();
        const double Lr = 0.01;
        var actual = RunSteps(new RmsProp((float)Lr, (float)rho, (float)momentum, (float)epsilon, centered), parameters, gradients, info);

        // Keras 3: v ← ρv + (1 − ρ)g²; centered: a ← ρa + (1 − ρ)g, d = v − a² + ε; else d = v + ε;
        // Δ = lr·g/√d; momentum: mom ← μ·mom + Δ, w ← w − mom; else w ← w − Δ
        double r = (float)rho, mu = (float)momentum, eps = (float)epsilon, lr = (float)Lr;
        var w = ToDouble(parameters);
        var v = new double[w.Length];
        var a = new double[w.Length];
        var mom = new double[w.Length];
        foreach (var gs in gradients)
            for (int i = 0; i < w.Length; i++)
            {
                double g = gs[i];
                v[i] = r * v[i] + (1 - r) * g * g;
                double d;
                if (centered)
                {
                    a[i] = r * a[i] + (1 - r) * g;
                    d = v[i] - a[i] * a[i] + eps;
                }
                else
                {
                    d = v[i] + eps;
                }
                double increment = lr * g / Math.Sqrt(d);
                if (mu > 0)
                {
                    mom[i] = mu * mom[i] + increment;
                    w[i] -= mom[i];
                }
                else
                {
                    w[i] -= increment;
                }
            }
        Assertions.AllClose(ToFloat(w), actual, RTol, ATol, $"rmsprop ρ={rho} μ={momentum} ε={epsilon} centered={centered}");
    }

    // ── clipping ──────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void ClipNorm_rescales_each_tensor_separately()
    {
        // kernel gradient [3, 4] (norm 5) → ·1/5 → [0.6, 0.8]; bias [0.3, 0.4] (norm 0.5 ≤ 1) unchanged.
        // SGD lr 1 from 0: w = −clipped gradient.
        var info = Layout(("kernel", 1, 2), ("bias", 1, 2));
        float[] p = new float[4], g = [3, 4, 0.3f, 0.4f];
        new Sgd(1f) { ClipNorm = 1f }.Step(p, g, info);
        Assertions.AllClose([0.6f, 0.8f, 0.3f, 0.4f], g, 1e-6, 1e-7, "clipped gradients (in place)");
        Assertions.AllClose([-0.6f, -0.8f, -0.3f, -0.4f], p, 1e-6, 1e-7, "parameters");

        // keras optimizer_test: SGD(clipnorm=1), gradient [100, 100] → [√2/2, √2/2]
        float[] g2 = [100, 100];
        new Sgd(1f) { ClipNorm = 1f }.Step(new float[2], g2, Layout(("kernel", 1, 2)));
        Assertions.AllClose([0.70710677f, 0.70710677f], g2, 1e-6, 0, "keras clipnorm example");
    }

    [Fact]
    public void GlobalClipNorm_rescales_all_tensors_together()
    {
        // [3, 4] and [0, 12]: global norm √(9 + 16 + 144) = 13; clip 6.5 → scale 0.5 → [1.5, 2, 0, 6]
        var info = Layout(("kernel", 1, 2), ("bias", 1, 2));
        float[] g = [3, 4, 0, 12];
        new Sgd(1f) { GlobalClipNorm = 6.5f }.Step(new float[4], g, info);
        Assertions.AllClose([1.5f, 2f, 0f, 6f], g, 1e-6, 1e-7, "global clip");

        // Under the limit: unchanged.
        float[] small = [0.3f, 0.4f, 0, 0];
        new Sgd(1f) { GlobalClipNorm = 6.5f }.Step(new float[4], small, info);
        Assertions.AllClose([0.3f, 0.4f, 0f, 0f], small, 0, 0, "global clip below limit");

        // A non-finite norm turns every gradient NaN, as Keras's clip_by_global_norm does.
        float[] bad = [float.PositiveInfinity, 1, 1, 1];
        new Sgd(1f) { GlobalClipNorm = 1f }.Step(new float[4], bad, info);
        Assert.All(bad, x => Assert.True(float.IsNaN(x)));
    }

    [Fact]
    public void ClipValue_clips_elementwise()
    {
        // keras optimizer_test: clipvalue=1, [100, 100] → [1, 1]; here also −100 → −1 and 0.5 kept.
        var info = Layout(("kernel", 1, 3));
        float[] g = [100, -100, 0.5f];
        new Sgd(1f) { ClipValue = 1f }.Step(new float[3], g, info);
        Assertions.AllClose([1f, -1f, 0.5f], g, 0, 0, "clip value");
    }

    [Fact]
    public void Only_one_clipping_option_and_only_positive_values()
    {
        var sgd = new Sgd { ClipNorm = 1f };
        Assert.Throws<InvalidOperationException>(() => sgd.ClipValue = 1f);
        Assert.Throws<InvalidOperationException>(() => sgd.GlobalClipNorm = 1f);
        sgd.ClipNorm = null;
        sgd.ClipValue = 2f;
        Assert.Equal(2f, sgd.ClipValue);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().ClipNorm = 0f);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam().ClipValue = float.NaN);
    }

    // ── learning rate and schedules ───────────────────────────────────────────────────────────────

    [Fact]
    public void Schedules_follow_keras_formulas()
    {
        // ExponentialDecay(0.1, 10, 0.5): 0.1·0.5^(step/10)
        var exp = new ExponentialDecay(0.1f, 10, 0.5f);
        Assert.Equal(0.1f, exp.Rate(0));
        Assert.Equal(0.1 * Math.Pow(0.5, 0.5), exp.Rate(5), 7);     // 0.0707107
        Assert.Equal(0.05, exp.Rate(10), 7);
        Assert.Equal(0.1 * Math.Pow(0.5, 1.5), exp.Rate(15), 7);    // 0.0353553
        var stair = new ExponentialDecay(0.1f, 10, 0.5f, staircase: true);
        Assert.Equal(0.1f, stair.Rate(9));
        Assert.Equal(0.05, stair.Rate(15), 7);                      // floor(1.5) = 1

        // InverseTimeDecay(0.1, 10, 0.5): 0.1 / (1 + 0.5·step/10)
        var inv = new InverseTimeDecay(0.1f, 10, 0.5f);
        Assert.Equal(0.1 / 1.5, inv.Rate(10), 7);                   // 0.0666667
        Assert.Equal(0.1 / 1.75, inv.Rate(15), 7);                  // 0.0571429
        Assert.Equal(0.1 / 1.5, new InverseTimeDecay(0.1f, 10, 0.5f, staircase: true).Rate(15), 7);

        Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(0.1f, 0, 0.5f));
    }

    [Fact]
    public void Schedule_is_evaluated_at_iterations_before_each_step()
    {
        // ExponentialDecay(1, 1, 0.5) → rates 1, 0.5, 0.25 at iterations 0, 1, 2; g = 1 each step: w = −1.75
        var info = Layout(("kernel", 1, 1));
        var sgd = new Sgd { Schedule = new ExponentialDecay(1f, 1, 0.5f) };
        float[] w = [0];
        Assert.Equal(1f, sgd.LearningRate);
        for (int s = 0; s < 3; s++) sgd.Step(w, new float[] { 1 }, info);
        Assert.Equal(-1.75f, w[0]);
        Assert.Equal(3, sgd.Iterations);
        Assert.Equal(0.125f, sgd.LearningRate);
        Assert.Throws<InvalidOperationException>(() => sgd.LearningRate = 0.1f);   // as Keras: not settable with a schedule
    }

    [Fact]
    public void Learning_rate_can_be_changed_between_steps()
    {
        // ReduceLROnPlateau-style: lr 0.1 then 0.01; g = 1 → w = −0.1 − 0.01 = −0.11
        var info = Layout(("kernel", 1, 1));
        var sgd = new Sgd(0.1f);
        float[] w = [0];
        sgd.Step(w, new float[] { 1 }, info);
        sgd.LearningRate = 0.01f;
        sgd.Step(w, new float[] { 1 }, info);
        Assert.Equal(-0.11, w[0], 6);
        Assert.Throws<ArgumentOutOfRangeException>(() => sgd.LearningRate = -1f);
    }

    // ── validation ────────────────────────────────────────────────────────────────────────────────

    [Fact]
    public void Step_rejects_buffers_that_do_not_fit()
    {
        var info = DefaultLayout();   // 21 parameters
        var adam = new Adam();
        var ex = Assert.Throws<ArgumentException>(() => adam.Step(new float[20], new float[20], info));
        Assert.Contains("20", ex.Message);
        Assert.Contains("21", ex.Message);
        Assert.Throws<ArgumentException>(() => adam.Step(new float[21], new float[20], info));

        adam.Step(new float[21], new float[21], info);
        var other = Layout(("kernel", 1, 5));
        var mismatch = Assert.Throws<ArgumentException>(() => adam.Step(new float[5], new float[5], other));
        Assert.Contains("21", mismatch.Message);
        Assert.Equal(1, adam.Iterations);
    }

    [Fact]
    public void Hyper_parameters_are_checked()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sgd(momentum: 1.5f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Adam(beta1: 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsProp(rho: -0.1f));
    }

    // ── state ─────────────────────────────────────────────────────────────────────────────────────

    public static TheoryData<string> Kinds() => ["sgd", "adam", "rmsprop"];

    private static Optimizer Make(string kind) => kind switch
    {
        "sgd" => new Sgd(0.05f, 0.9f, nesterov: true),
        "adam" => new Adam(0.01f),
        "rmsprop" => new RmsProp(0.01f, momentum: 0.5f, centered: true),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void State_round_trip_continues_identically(string kind)
    {
        var (parameters, gradients, info) = Problem();
        var first = Make(kind);
        var p = RunSteps(first, parameters, gradients[..2], info);
        first.LearningRate = 0.02f;   // e.g. changed by a callback: saved with the state

        var state = first.GetState();
        Assert.Equal("iteration", state[0].Name);
        Assert.Equal(new float[] { 2, 0 }, state[0].Values);
        Assert.Equal("learning_rate", state[1].Name);

        var second = Make(kind);
        second.SetState(state);
        Assert.Equal(2, second.Iterations);
        Assert.Equal(0.02f, second.LearningRate);

        var q = (float[])p.Clone();
        first.Step(p, (float[])gradients[2].Clone(), info);
        second.Step(q, (float[])gradients[2].Clone(), info);
        Assert.Equal(p, q);

        // The state is a copy: stepping does not change what GetState returned earlier.
        Assert.Equal(new float[] { 2, 0 }, state[0].Values);
    }

    [Fact]
    public void State_slots_are_named_like_keras()
    {
        var info = DefaultLayout();
        var adam = new Adam();
        var before = adam.GetState();
        Assert.Equal(["iteration", "learning_rate", "momentum", "velocity"], Array.ConvertAll([.. before], e => e.Name));
        Assert.Empty(before[2].Values);   // not built yet
        adam.Step(new float[21], RandomFloats(21, 1), info);
        Assert.Equal(21, adam.GetState()[3].Values.Length);

        Assert.Equal(["iteration", "learning_rate"], Array.ConvertAll([.. new Sgd().GetState()], e => e.Name));
        Assert.Equal(["iteration", "learning_rate", "velocity", "momentum", "average_gradient"],
            Array.ConvertAll([.. new RmsProp(momentum: 0.9f, centered: true).GetState()], e => e.Name));
    }

    [Fact]
    public void Large_iteration_counts_survive_float_storage()
    {
        // [n mod 2²⁴, n / 2²⁴] = [5, 2] → n = 2·16777216 + 5 = 33554437 (not exact as a single float32)
        var adam = new Adam();
        var state = adam.GetState();
        var edited = new (string Name, float[] Values)[state.Count];
        for (int i = 0; i < state.Count; i++) edited[i] = state[i];
        edited[0] = ("iteration", [5, 2]);
        adam.SetState(edited);
        Assert.Equal(33554437L, adam.Iterations);
        Assert.Equal(new float[] { 5, 2 }, adam.GetState()[0].Values);
    }

    [Fact]
    public void State_mismatch_throws_and_changes_nothing()
    {
        var (parameters, gradients, info) = Problem();
        var adam = new Adam(0.01f);
        RunSteps(adam, parameters, gradients, info);
        var original = adam.GetState();

        // Another optimizer's state: names differ.
        var sgdState = new Sgd(0.1f, 0.9f).GetState();
        var names = Assert.Throws<ArgumentException>(() => adam.SetState(sgdState));
        Assert.Contains("expected 4", names.Message);

        // Right names, wrong parameter count (another model).
        var other = new Adam();
        other.Step(new float[5], RandomFloats(5, 2), Layout(("kernel", 1, 5)));
        var length = Assert.Throws<ArgumentException>(() => adam.SetState(other.GetState()));
        Assert.Contains("5", length.Message);
        Assert.Contains("21", length.Message);

        // Slots of unequal length.
        var ragged = new (string Name, float[] Values)[] { original[0], original[1], original[2], ("velocity", new float[3]) };
        Assert.Throws<ArgumentException>(() => adam.SetState(ragged));

        // Bad iteration and learning-rate entries.
        var badIteration = new (string Name, float[] Values)[] { ("iteration", [1.5f, 0]), original[1], original[2], original[3] };
        Assert.Throws<ArgumentException>(() => adam.SetState(badIteration));
        var badRate = new (string Name, float[] Values)[] { original[0], ("learning_rate", [float.NaN]), original[2], original[3] };
        Assert.Throws<ArgumentException>(() => adam.SetState(badRate));

        var after = adam.GetState();
        Assert.Equal(3, adam.Iterations);
        Assert.Equal(0.01f, adam.LearningRate);
        for (int i = 0; i < original.Count; i++)
        {
            Assert.Equal(original[i].Name, after[i].Name);
            Assert.Equal(original[i].Values, after[i].Values);
        }
    }

    [Fact]
    public void Restoring_into_a_fresh_optimizer_sizes_its_state()
    {
        var (parameters, gradients, info) = Problem();
        var first = new RmsProp(0.01f, momentum: 0.5f);
        var p = RunSteps(first, parameters, gradients[..1], info);
        var fresh = new RmsProp(0.01f, momentum: 0.5f);
        fresh.SetState(first.GetState());
        Assert.Equal(21, fresh.StateLength);
        var q = (float[])p.Clone();
        first.Step(p, (float[])gradients[1].Clone(), info);
        fresh.Step(q, (float[])gradients[1].Clone(), info);
        Assert.Equal(p, q);
        // The restored state is for 21 parameters: another model is refused.
        Assert.Throws<ArgumentException>(() => fresh.Step(new float[5], new float[5], Layout(("kernel", 1, 5))));
    }

    private sealed class NamedSlots(params string[] slots) : Optimizer("custom", 0.1f, slots)
    {
        protected override void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate) { }
    }

    [Theory]
    [InlineData("")]
    [InlineData("m-1")]
    [InlineData("vélocité")]
    [InlineData("iteration")]      // the state's own entries
    [InlineData("learning_rate")]
    public void A_slot_name_a_weight_file_could_not_hold_is_refused(string slot)
    {
        var e = Assert.Throws<ArgumentException>(() => new NamedSlots(slot));
        Assert.Contains(slot.Length == 0 ? "slot name 0" : slot, e.Message);
        Assert.Throws<ArgumentException>(() => new NamedSlots("momentum", "momentum"));
        Assert.Equal(2, new NamedSlots("momentum", "velocity_2").SlotCount); // the rule's own names pass
    }
}
