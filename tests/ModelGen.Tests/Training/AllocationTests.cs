using System;
using static ModelGen.Tests.Training.TrainingTestHelpers;

namespace ModelGen.Tests.Training;

public sealed class AllocationTests
{
    [Fact]
    public void Optimizer_steps_losses_and_metrics_allocate_nothing_after_warm_up()
    {
        var info = Layout(("kernel", 16, 40), ("recurrent_kernel", 10, 40), ("bias", 1, 40), ("dense_kernel", 10, 3));
        int n = 16 * 40 + 10 * 40 + 40 + 30;
        var parameters = RandomFloats(n, 1);
        var gradients = RandomFloats(n, 2);
        var adam = new Adam { ClipNorm = 1f };
        var adamGlobal = new Adam { GlobalClipNorm = 1f };
        var rms = new RmsProp(momentum: 0.9f, centered: true) { ClipValue = 0.5f };
        var sgd = new Sgd(momentum: 0.9f, nesterov: true) { Schedule = new ExponentialDecay(0.01f, 100, 0.9f) };

        const int Samples = 8, Width = 3;
        var output = RandomFloats(Samples * Width, 3, 0.1f, 0.9f);
        var target = RandomFloats(Samples * Width, 4, 0, 1);
        var indices = new float[Samples];
        for (int i = 0; i < Samples; i++) indices[i] = i % Width;
        var gradient = new float[output.Length];
        Loss[] dense = [Loss.MeanSquaredError(), Loss.MeanAbsoluteError(), Loss.BinaryCrossentropy(), Loss.BinaryCrossentropy(true),
            Loss.CategoricalCrossentropy(), Loss.CategoricalCrossentropy(true)];
        Loss[] sparse = [Loss.SparseCategoricalCrossentropy(), Loss.SparseCategoricalCrossentropy(true)];
        Metric[] metrics = [new BinaryAccuracy(), new CategoricalAccuracy(), new MeanAbsoluteErrorMetric(), new MeanSquaredErrorMetric()];
        var sparseAccuracy = new SparseCategoricalAccuracy();
        var lossMean = new LossMean(Loss.MeanSquaredError());

        float sink = 0;
        void Round()
        {
            adam.Step(parameters, gradients, info);
            adamGlobal.Step(parameters, gradients, info);
            rms.Step(parameters, gradients, info);
            sgd.Step(parameters, gradients, info);
            foreach (var loss in dense)
            {
                sink += loss.Compute(output, target, Samples, gradient);
                sink += loss.Compute(output, target, Samples, Span<float>.Empty);
            }
            foreach (var loss in sparse) sink += loss.Compute(output, indices, Samples, gradient);
            foreach (var metric in metrics) metric.Update(output, target, Samples);
            sparseAccuracy.Update(output, indices, Samples);
            lossMean.Update(output, target, Samples);
            sink += lossMean.Result;
        }

        Round();
        int rounds = 1;
        long allocated = Allocations.FewestBytes(() => { Round(); rounds++; });
        Assert.Equal(0, allocated);
        Assert.Equal(rounds, adam.Iterations);
        Assert.False(float.IsNaN(sink));
    }
}
