using System;
using System.Linq;
using ModelGen.Tests.Behaviour;

namespace ModelGen.Tests.Reliability;

/// <summary>
/// Optimizer state that decays while gradients stay zero (a saturated unit, an unused embedding row) must not sink
/// into the subnormal range, where every operation on it takes ~100× longer; flushing it must not change any weight.
/// </summary>
[Collection(nameof(ModelGen.Tests.Threading.ProcessWideThreadSetting))] // changes Optimizer.FlushPeriod, a process-wide setting
public sealed class OptimizerUnderflowTests
{
    public static TheoryData<string> Optimizers => new() { "sgd-momentum", "sgd-nesterov", "adam", "adamw-amsgrad", "nadam", "rmsprop", "rmsprop-centered-momentum", "adagrad" };

    private static Optimizer Create(string name) => name switch
    {
        "sgd-momentum" => new Sgd(0.01f, momentum: 0.9f),
        "sgd-nesterov" => new Sgd(0.01f, momentum: 0.9f, nesterov: true),
        "adam" => new Adam(),
        "adamw-amsgrad" => new AdamW(amsGrad: true),
        "nadam" => new Nadam(),
        "rmsprop" => new RmsProp(),
        "rmsprop-centered-momentum" => new RmsProp(momentum: 0.5f, centered: true),
        "adagrad" => new Adagrad(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void Decayed_state_leaves_no_subnormal_and_the_weights_are_those_of_no_flush(string name)
    {
        var (flushedWeights, flushedSubnormals) = Train(name, flush: true);
        var (plainWeights, plainSubnormals) = Train(name, flush: false);

        Assert.Equal(0, flushedSubnormals);
        // The same weights, bit for bit, as without the flush.
        Assert.Equal(plainWeights.Select(BitConverter.SingleToInt32Bits), flushedWeights.Select(BitConverter.SingleToInt32Bits));
        // Without it the decaying state does sink into the subnormal range (Adagrad's sum only grows).
        if (name != "adagrad") Assert.True(plainSubnormals > 0, $"{name}: expected subnormal state without the flush");
    }

    private static readonly float[] Initial = (float[])new OpenLengthModel().Parameters.Clone();

    // 200 steps of small random gradients, then 3,000 steps of zero gradients; the weights after, and the count of
    // subnormal values in the optimizer's state.
    private static (float[] Weights, int Subnormals) Train(string name, bool flush)
    {
        long before = Optimizer.FlushPeriod;
        try
        {
            Optimizer.FlushPeriod = flush ? before : long.MaxValue;
            var model = new OpenLengthModel();
            Initial.CopyTo(model.Parameters, 0); // the same starting weights in both runs
            var optimizer = Create(name);
            var random = new Random(3);
            var gradients = new float[model.Parameters.Length];
            for (int step = 0; step < 3200; step++)
            {
                for (int i = 0; i < gradients.Length; i++) gradients[i] = step < 200 ? (float)(random.NextDouble() - 0.5) * 2e-3f : 0f;
                optimizer.Step(model.Parameters, gradients, model.Info);
            }
            int subnormals = optimizer.GetState().Sum(s => s.Values.Count(float.IsSubnormal));
            return ((float[])model.Parameters.Clone(), subnormals);
        }
        finally
        {
            Optimizer.FlushPeriod = before;
        }
    }
}
