using System;
using ModelGen.Tests.Behaviour;

namespace ModelGen.Tests;

/// <summary>Keras's default initializers, as the generated parameter table names them.</summary>
public sealed class InitializerTests
{
    private static (LayerInfo Layer, ParameterInfo View) Find(ModelInfo info, string layer, string name)
    {
        foreach (var l in info.Layers)
            if (l.Name == layer)
                foreach (var p in l.Parameters)
                    if (p.Name == name) return (l, p);
        throw new InvalidOperationException($"{layer}.{name} not found");
    }

    [Fact]
    public void Recurrent_kernels_have_orthonormal_rows()
    {
        var model = new AllocationModel(); // LSTM(32): recurrent kernel (32, 128)
        model.Initialize(seed: 1);
        var (_, view) = Find(model.Info, "lstm", "recurrent_kernel");
        Assert.Equal(Initializer.Orthogonal, view.Initializer);
        var u = model.Parameters.AsSpan(view.Offset, view.Length);
        for (int i = 0; i < view.Rows; i++)
            for (int j = 0; j < view.Rows; j++)
            {
                double dot = 0;
                for (int k = 0; k < view.Columns; k++) dot += u[i * view.Columns + k] * u[j * view.Columns + k];
                Assert.Equal(i == j ? 1.0 : 0.0, dot, 4);
            }
    }

    [Fact]
    public void Kernels_are_glorot_uniform_and_lstm_forget_bias_is_one()
    {
        var model = new AllocationModel();
        model.Initialize(seed: 2);
        var (_, kernel) = Find(model.Info, "lstm", "kernel"); // (3, 128)
        float limit = MathF.Sqrt(6f / (3 + 128));
        var k = model.Parameters.AsSpan(kernel.Offset, kernel.Length);
        float max = 0;
        foreach (var v in k) { Assert.InRange(v, -limit, limit); max = MathF.Max(max, MathF.Abs(v)); }
        Assert.True(max > limit * 0.8f, "samples should fill the Glorot range");

        var (_, bias) = Find(model.Info, "lstm", "bias");
        var b = model.Parameters.AsSpan(bias.Offset, bias.Length);
        for (int i = 0; i < b.Length; i++) Assert.Equal(i >= 32 && i < 64 ? 1f : 0f, b[i]);
        var (_, gruBias) = Find(model.Info, "gru", "bias");
        Assert.All(model.Parameters.AsSpan(gruBias.Offset, gruBias.Length).ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Embeddings_are_uniform_005()
    {
        var model = new TokenModel();
        model.Initialize(seed: 3);
        var (_, view) = Find(model.Info, "embedding", "embeddings");
        Assert.All(model.Parameters.AsSpan(view.Offset, view.Length).ToArray(), v => Assert.InRange(v, -0.05f, 0.05f));
    }
}
