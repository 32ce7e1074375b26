using System;
using System.Linq;

namespace ModelGen.Tests.Options;

/// <summary>
/// A state set with Set…InitialState has one row per sample of a pass (Keras initial_state, PyTorch h_0). Predict and
/// Evaluate start sample i from row i whatever their batch size; Fit and the DataSource overloads, which cannot follow
/// the rows, refuse it before anything runs.
/// </summary>
public sealed class SetInitialStateWorkflowTests
{
    private const int Steps = 4;

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static InitialStateModel WithState(int samples)
    {
        var model = new InitialStateModel();
        model.Initialize(seed: 5);
        model.SetLstmInitialState(Random(samples * 5, 1), Random(samples * 5, 2));
        return model;
    }

    [Fact]
    public void Predict_starts_each_sample_from_its_own_row_whatever_the_batch_size()
    {
        const int Samples = 40; // more than Predict's default batch of 32
        var x = Random(Samples * Steps * 3, 3);
        var model = WithState(Samples);
        // One raw pass of all 40 samples is the reference: row i starts sample i.
        var expected = new float[Samples * 3];
        model.Forward(x, Samples, Steps, expected);

        Assert.Equal(expected, model.Predict(x, timeSteps: Steps));
        Assert.Equal(expected, model.Predict(x, batchSize: 7, timeSteps: Steps));
        Assert.True(model.HoldsInitialState);
    }

    [Fact]
    public void Predict_with_other_than_the_states_samples_is_refused_naming_both()
    {
        var model = WithState(2);
        // Before, rows 0 and 1 were reused for samples 2 and 3, silently.
        var e = Assert.Throws<ArgumentException>(() => model.Predict(Random(4 * Steps * 3, 4), batchSize: 2, timeSteps: Steps));
        Assert.Contains("holds an initial state for 2 samples, but the batch has 4", e.Message);
        Assert.Contains("one row per sample", e.Message);
    }

    [Fact]
    public void Evaluate_reads_the_rows_as_predict_does()
    {
        const int Samples = 9;
        var x = Random(Samples * Steps * 3, 6);
        var y = Random(Samples * 3, 7);
        var model = WithState(Samples);
        model.Compile(new Sgd(), Loss.MeanSquaredError());
        var predicted = model.Predict(x, timeSteps: Steps);
        double mse = predicted.Zip(y, (p, t) => (double)(p - t) * (p - t)).Sum() / predicted.Length;
        Assert.Equal(mse, model.Evaluate(x, y, batchSize: 2, timeSteps: Steps)["loss"], 5);
    }

    [Fact]
    public void Fit_and_the_data_source_overloads_refuse_a_set_state_before_anything_runs()
    {
        const int Samples = 6;
        var x = Random(Samples * Steps * 3, 8);
        var y = Random(Samples * 3, 9);
        var model = WithState(Samples);
        model.Compile(new Adam(), Loss.MeanSquaredError());
        var before = (float[])model.Parameters.Clone();

        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 1, verbose: 0, timeSteps: Steps));
        Assert.Contains("holds an initial state set with a Set…InitialState method", e.Message);
        Assert.Contains("Fit shuffles the samples into batches", e.Message);
        Assert.Contains("ResetStates()", e.Message);
        var source = new ArraySource<float>(x, y, Samples);
        Assert.Throws<InvalidOperationException>(() => model.Fit(source, epochs: 1, verbose: 0, timeSteps: Steps));
        Assert.Contains("Predict from a DataSource", Assert.Throws<InvalidOperationException>(() => model.Predict(source, timeSteps: Steps)).Message);
        Assert.Contains("Evaluate from a DataSource", Assert.Throws<InvalidOperationException>(() => model.Evaluate(source, timeSteps: Steps)).Message);
        Assert.Equal(before, model.Parameters);

        model.ResetStates();
        model.Fit(x, y, epochs: 1, verbose: 0, timeSteps: Steps);
        Assert.NotEqual(before, model.Parameters);
    }
}
