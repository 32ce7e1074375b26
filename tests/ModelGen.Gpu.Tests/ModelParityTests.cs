using ModelGen.Gpu.Tests.Models;
using static ModelGen.Gpu.Tests.ModelHarness;

namespace ModelGen.Gpu.Tests;

/// <summary>
/// Every layer kind and option the GPU passes render: the same model instance's Forward and Backward on the CPU and on
/// the device (CPU accelerator) agree within 1e-4 relative — output, input gradient, every parameter gradient.
/// </summary>
[Collection(GpuModelsDefinition.Name)]
public sealed class ModelParityTests
{
    private static T Create<T>(int seed) where T : ISequentialModel, new()
    {
        var model = new T();
        Initializers.Initialize(model.Info, model.Parameters, seed);
        return model;
    }

    [Fact]
    public void Dense_tanh_softmax_per_step()
    {
        var model = Create<GpuDenseModel>(1);
        Compare(model, Random(2, 2 * 3 * 4), batch: 2, steps: 3);
        // The output layer's logits (before softmax) come from the device too.
        model.To(null);
        var output = new float[model.OutputLength(2, 3)];
        model.Forward(Random(2, 2 * 3 * 4), 2, 3, output);
        var cpuLogits = model.OutputLogits.ToArray();
        model.To(Device);
        model.Forward(Random(2, 2 * 3 * 4), 2, 3, output);
        AssertClose(cpuLogits, model.OutputLogits, "logits");
        model.To(null);
    }

    [Fact]
    public void Lstm_last_step_into_Dense()
    {
        var model = Create<GpuLstmModel>(3);
        Compare(model, Random(4, 3 * 4 * 3), batch: 3, steps: 4);
        model.To(null);
    }
}
