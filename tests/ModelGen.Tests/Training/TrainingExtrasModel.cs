using System;

namespace ModelGen.Tests.Training;

/// <summary>A small binary classifier for the optimizer, metric and callback tests: 4 steps of 2 features → one probability.</summary>
[Sequential(TimeSteps = 4, Features = 2)]
[SimpleRnn(5)]
[Dense(1, Activation = "sigmoid")]
public partial class TrainingExtrasModel
{
    /// <summary><paramref name="samples"/> random inputs <c>[samples, 4, 2]</c>; target 1 when the inputs sum above 0.</summary>
    public static (float[] X, float[] Y) Data(int samples, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * 8];
        var y = new float[samples];
        for (int s = 0; s < samples; s++)
        {
            float sum = 0;
            for (int i = 0; i < 8; i++) sum += x[s * 8 + i] = random.NextSingle() * 2 - 1;
            y[s] = sum > 0 ? 1 : 0;
        }
        return (x, y);
    }
}
