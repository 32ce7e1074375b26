using System;
using Xunit;

namespace ModelGen.Tests;

[Sequential(Features = 3)]
[Lstm(128, ReturnSequences = true)]
[Dense(2)]
public partial class OpenLengthLstmModel;

[Sequential(Features = 3)]
[Lstm(1)]
[RepeatVector(1_200_000_000)]
[Dense(1)]
public partial class LongRepeatModel;

/// <summary>Tests that change the process-wide workspace budget run alone.</summary>
[CollectionDefinition(nameof(MemoryBudget), DisableParallelization = true)]
public sealed class MemoryBudget;

/// <summary>Memory told up front: what a model needs, and passes that would not fit refused before allocating.</summary>
[Collection(nameof(MemoryBudget))]
public sealed class MemoryTests
{
    [Fact]
    public void WorkspaceBytes_IsWhatTheFirstPassesAllocate()
    {
        const int batch = 4, steps = 9;
        var x = new float[batch * steps * 3];
        long expected = OpenLengthLstmModel.WorkspaceBytes(batch, steps);
        // One-time state of the process and of this thread (the product workers, a thread's pack buffers and
        // thread-static storage, the runtime's own bookkeeping as methods tier up) is made by whichever pass comes
        // first, and under other tests on this thread it has come to 6.5 KB more than the slack below. So a first
        // model's passes make it, and the fewest bytes over three further models' first passes are compared: a model
        // whose workspace were not what WorkspaceBytes says would show in every one of them.
        long First(OpenLengthLstmModel model)
        {
            var y = new float[model.OutputLength(batch, steps)];
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Forward(x, batch, steps, y, training: true);
            model.Backward(y, default);
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }
        First(new OpenLengthLstmModel());
        long fewest = long.MaxValue;
        for (int i = 0; i < 3; i++)
        {
            var model = new OpenLengthLstmModel();
            model.Initialize(1 + i);
            fewest = Math.Min(fewest, First(model));
        }
        Assert.InRange(fewest, expected, expected + 4096); // the arrays plus their headers
        Assert.Equal(expected, ((ISequentialModel)new OpenLengthLstmModel()).WorkspaceBytes(batch, steps));
    }

    [Fact]
    public void APassOverTheBudget_IsRefusedWithTheFigure_AndTheModelStaysUsable()
    {
        var model = new OpenLengthLstmModel();
        model.Initialize(2);
        var parameters = (float[])model.Parameters.Clone();
        var small = new float[2 * 5 * 3];
        var output = new float[model.OutputLength(2, 5)];
        long needed = OpenLengthLstmModel.WorkspaceBytes(64, 500);
        try
        {
            Memory.WorkspaceBudget = needed - 1;
            var error = Assert.Throws<InvalidOperationException>(() => model.Forward(new float[64 * 500 * 3], 64, 500, new float[model.OutputLength(64, 500)]));
            Assert.Contains($"a pass of 64 samples × 500 steps needs {Memory.Format(needed)} of workspace, more than the budget of {Memory.Format(needed - 1)}", error.Message);
            model.Forward(small, 2, 5, output); // a pass that fits still runs
        }
        finally
        {
            Memory.WorkspaceBudget = null;
        }
        Assert.Equal(parameters, model.Parameters);
    }

    [Fact]
    public void APassNoArrayCanHold_IsRefusedBeforeAllocating()
    {
        var model = new OpenLengthLstmModel();
        const int batch = 8, steps = 1_100_000; // gates: 8.8 M rows × 512 floats, more than one array holds
        var x = new float[batch * steps * 3];
        var y = new float[model.OutputLength(batch, steps)];
        long before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<InvalidOperationException>(() => model.Forward(x, batch, steps, y));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1_000_000, "refused before the workspace was allocated");
        Assert.Contains("a pass of 8 samples × 1100000 steps needs an array of", error.Message);
        var output = new float[model.OutputLength(1, 2)];
        model.Forward(new float[1 * 2 * 3], 1, 2, output); // still usable
        // One sample too long: smaller batches cannot help, so the advice is the length or the sizes (trial E).
        var one = Assert.Throws<InvalidOperationException>(() => model.Forward(new float[4_500_000 * 3], 1, 4_500_000, new float[model.OutputLength(1, 4_500_000)]));
        Assert.Contains("even one sample is too large: use shorter sequences, a smaller RepeatVector n or fewer units", one.Message);
    }

    [Fact]
    public void Lengths_past_one_array_are_refused_with_the_figure_not_an_overflow()
    {
        // Counted in int, these wrapped: a negative array size threw a bare OverflowException (trial D), or, worse, a
        // wrapped length could pass a check. OpenLengthLstmModel's output is [batch, steps, 2].
        var model = new OpenLengthLstmModel();
        var error = Assert.Throws<InvalidOperationException>(() => model.OutputLength(4, 400_000_000));
        Assert.Contains("model 'OpenLengthLstmModel': a pass of 4 samples × 400000000 steps gives 1,600,000,000 × 2 output values, more than one .NET array holds", error.Message);
        Assert.Equal(2 * 3 * 2, model.OutputLength(2, 3));
        // Counted without overflow at any size (in long, 2³¹ · 2³¹ · 2 wrapped to 0 and passed; trial E), and sizes checked.
        Assert.Throws<InvalidOperationException>(() => model.OutputLength(int.MaxValue, int.MaxValue));
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.OutputLength(-1, 5)).ParamName);
        Assert.Equal("timeSteps", Assert.Throws<ArgumentOutOfRangeException>(() => model.OutputLength(1, 0)).ParamName);
        Assert.Throws<InvalidOperationException>(() => new LongRepeatModel().OutputLength(2, 1)); // 2 × 1.2e9 rows: the RepeatVector's n, not timeSteps, counts
        Assert.Equal(1_200_000_000, new LongRepeatModel().OutputLength(1, 1));
        // Predict's per-sample sizes: 1e9 steps × 3 features is no array, named with the parameter, before anything runs.
        var tooLong = Assert.Throws<ArgumentException>(() => model.Predict(new float[30], timeSteps: 1_000_000_000));
        Assert.Equal("timeSteps", tooLong.ParamName);
        Assert.Contains("timeSteps = 1000000000 gives each sample of model 'OpenLengthLstmModel' 3,000,000,000 input values", tooLong.Message);
        // Forward's input check counts in long too: 2 samples × 400,000,000 steps × 3 wraps an int to 2,400,000,000 − 2³².
        var forward = Assert.Throws<ArgumentException>(() => model.Forward(new float[30], 2, 400_000_000, new float[10]));
        Assert.Contains("2400000000 values, but got 30", forward.Message);
    }

    [Fact]
    public void Needed_CountsParametersGradientsOptimizerStateAndWorkspace()
    {
        var model = new OpenLengthLstmModel();
        long parameters = OpenLengthLstmModel.ParameterCount * 4L;
        var before = Memory.Needed(model, 32, 10);
        Assert.Equal(new MemoryEstimate(parameters, parameters, 0, OpenLengthLstmModel.WorkspaceBytes(32, 10)), before);
        model.Compile("adam", "mse");
        Assert.Equal(2 * parameters, Memory.Needed(model, 32, 10).OptimizerState); // Adam's two moments
        string summary = model.Summary(32, 10);
        Assert.StartsWith(model.Summary().TrimEnd('\n'), summary, StringComparison.Ordinal);
        Assert.Contains($"Memory for 32 samples × 10 steps: parameters {Memory.Format(parameters)}", summary);
    }
}
