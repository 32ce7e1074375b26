using System;
using System.IO;
using System.Linq;
using System.Reflection;
using ILGPU.Runtime;
using ModelGen.Gpu.Tests.Models;
using static ModelGen.Gpu.Tests.ModelHarness;

namespace ModelGen.Gpu.Tests;

/// <summary>Moving a model between host and device: parameters, weight files, device memory, CPU-only models.</summary>
[Collection(GpuModelsDefinition.Name)]
public sealed class ModelLifecycleTests
{
    private static GpuLstmModel Lstm(int seed)
    {
        var model = new GpuLstmModel();
        model.Initialize(seed);
        return model;
    }

    private static float[] Predict(GpuLstmModel model, float[] x, int batch, int steps)
    {
        var y = new float[model.OutputLength(batch, steps)];
        model.Forward(x, batch, steps, y);
        return y;
    }

    [Fact]
    public void To_null_brings_the_device_parameters_back_and_frees_the_runner()
    {
        var model = Lstm(40);
        model.To(ModelHarness.Device);
        var runner = model.Runner!;
        Assert.NotNull(model.DeviceEngine);
        var changed = Random(41, model.Parameters.Length);
        runner.Parameters.View.CopyFromCPU(changed); // as an optimizer step on the device would
        model.To(null);
        Assert.Equal(changed, model.Parameters);
        Assert.Null(model.Device);
        Assert.Null(model.Runner);
        Assert.Null(model.DeviceEngine);
        Assert.True(runner.Parameters.IsDisposed);
        Assert.True(runner.Gradients.IsDisposed);
    }

    [Fact]
    public void The_device_runner_checks_a_batch_on_the_device_as_the_model_checks_one_on_the_host()
    {
        var model = Lstm(42); // declared TimeSteps = 4, Features = 3
        model.To(ModelHarness.Device);
        try
        {
            using var input = ModelHarness.Device.Accelerator.Allocate1D<float>(2 * 4 * 3);
            var steps = Assert.Throws<ArgumentOutOfRangeException>(() => model.Runner!.Forward(input.View, 2, 3, false));
            Assert.Contains("declared with TimeSteps = 4, but was called with 3 steps", steps.Message, StringComparison.Ordinal);
            Assert.Throws<ArgumentOutOfRangeException>(() => model.Runner!.Forward(input.View, 0, 4, false));
            var length = Assert.Throws<ArgumentException>(() => model.Runner!.Forward(input.View, 3, 4, false));
            Assert.Contains("36 values, but the device view holds 24", length.Message, StringComparison.Ordinal);
            model.Runner!.Forward(input.View, 2, 4, false); // the right shape runs
        }
        finally
        {
            model.To(null);
        }
    }

    [Fact]
    public void Disposing_the_device_first_brings_its_models_back_to_the_cpu_with_their_parameters()
    {
        // A device of its own: the shared one must outlive this test.
        var device = GpuDevice.CpuAccelerator();
        var model = Lstm(45);
        var other = Lstm(46);
        model.To(device);
        other.To(device);
        other.To(null); // left before: nothing to bring back
        var changed = Random(47, model.Parameters.Length);
        model.Runner!.Parameters.View.CopyFromCPU(changed); // as training on the device would
        var x = Random(48, 2 * 4 * 3);

        device.Dispose();

        Assert.True(device.IsDisposed);
        Assert.Null(model.Device);
        Assert.Equal(changed, model.Parameters); // what the device had, not lost with it
        var cpu = Lstm(45);
        changed.CopyTo(cpu.Parameters, 0);
        Assert.Equal(Predict(cpu, x, 2, 4), Predict(model, x, 2, 4)); // the model goes on working, on the CPU
        Assert.Throws<ObjectDisposedException>(() => model.To(device)); // a disposed device says so
    }

    [Fact]
    public void Moving_the_model_or_disposing_its_device_during_fit_is_refused_and_the_run_stays_whole()
    {
        // A move mid-run pulled the buffers from under the next batch: the process died on an ILGPU assertion.
        var device = GpuDevice.CpuAccelerator();
        var model = Lstm(50);
        var x = Random(51, 8 * 4 * 3);
        var y = Random(52, model.OutputLength(8, 4));
        model.Compile(new Adam(), Loss.MeanSquaredError());
        model.To(device);
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0,
            callbacks: [new LambdaCallback(onEpochEnd: (_, _) => model.To(null))]));
        Assert.Contains("while Fit trains it", e.Message, StringComparison.Ordinal);
        Assert.Same(device, model.Device); // still on the device
        using (var second = GpuDevice.CpuAccelerator())
        {
            Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0,
                callbacks: [new LambdaCallback(onEpochEnd: (_, _) => model.To(second))]));
            Assert.Same(device, model.Device);
        }
        e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0,
            callbacks: [new LambdaCallback(onEpochEnd: (_, _) => device.Dispose())]));
        Assert.Contains("Disposing its GpuDevice", e.Message, StringComparison.Ordinal);
        Assert.False(device.IsDisposed);

        model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0); // trains on, on the device
        var trained = model.Runner!.Parameters.GetAsArray1D();
        device.Dispose(); // after the run: the model comes back with what it learned
        Assert.Null(model.Device);
        Assert.Equal(trained, model.Parameters);
        model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0); // and trains on the CPU
    }

    // Reads x sample by sample and, at the sample given, runs what it is given (on the Predict's own thread, or on the
    // prefetch thread when the source prefetches): a call made while a Predict is running on the device.
    private sealed class InterruptingSource(float[] x, int samples, int at, Action during) : DataSource<float>
    {
        public override int Count => samples;

        public override bool Prefetch => false;

        public override void Read(int index, Span<float> input, Span<float> target, Span<float> weight)
        {
            if (index == at) during();
            x.AsSpan(index * input.Length, input.Length).CopyTo(input);
        }
    }

    [Fact]
    public void Moving_the_model_or_disposing_its_device_while_predict_runs_there_is_refused_and_the_call_stays_whole()
    {
        // Trial H: To(null) or the device's Dispose on one thread while another ran Predict on the device freed the
        // buffers under the running call: the process died on a NullReferenceException in ILGPU's kernel threads, or hung.
        var device = GpuDevice.CpuAccelerator();
        var model = Lstm(70);
        var cpu = Lstm(70);
        var x = Random(71, 6 * 4 * 3);
        var expected = cpu.Predict(x, batchSize: 2, timeSteps: 4);
        model.To(device);
        var refusals = new System.Collections.Generic.List<string>();
        void Refused(Action action)
        {
            var e = Assert.Throws<InvalidOperationException>(action);
            refusals.Add(e.Message);
        }
        var predicted = model.Predict(new InterruptingSource(x, 6, at: 3, during: () =>
        {
            Refused(() => model.To(null));                                         // on the Predict's thread
            Refused(() => System.Threading.Tasks.Task.Run(() => model.To(null)).GetAwaiter().GetResult()); // from another
            Refused(device.Dispose);
            Refused(model.Dispose);
        }), batchSize: 2, timeSteps: 4);
        Assert.Equal(4, refusals.Count);
        Assert.All(refusals, m => Assert.Contains("while a Predict or Evaluate runs on its device", m, StringComparison.Ordinal));
        Assert.Contains("Disposing its GpuDevice", refusals[2], StringComparison.Ordinal);
        AssertClose(expected, predicted, "the Predict that the moves met");
        Assert.Same(device, model.Device);
        Assert.False(device.IsDisposed);

        model.To(null); // once the call has returned, the move goes through
        Assert.Null(model.Device);
        model.To(device);
        device.Dispose();
        Assert.Null(model.Device);
        AssertClose(expected, model.Predict(x, batchSize: 2, timeSteps: 4), "after the device Dispose, on the CPU");
    }

    [Fact]
    public void Initialize_on_a_device_reinitialises_the_devices_parameters_too()
    {
        var model = Lstm(60);
        model.To(ModelHarness.Device);
        try
        {
            model.Initialize(61); // the host's parameters only, before: the device ran on the old ones
            var reference = Lstm(61);
            Assert.Equal(reference.Parameters, model.Runner!.Parameters.GetAsArray1D());
            var x = Random(62, 2 * 4 * 3);
            var expected = Predict(reference, x, 2, 4);
            var actual = Predict(model, x, 2, 4); // on the device
            for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f + 1e-5f * Math.Abs(expected[i]), $"output {i}: {expected[i]} vs {actual[i]}");
        }
        finally
        {
            model.To(null);
        }
    }

    [Fact]
    public void Disposing_the_model_frees_its_device_memory_and_keeps_its_parameters()
    {
        var model = Lstm(43);
        model.To(ModelHarness.Device);
        var runner = model.Runner!;
        var changed = Random(44, model.Parameters.Length);
        runner.Parameters.View.CopyFromCPU(changed);
        model.Dispose();
        Assert.True(runner.Parameters.IsDisposed);
        Assert.Null(model.Device);
        Assert.Equal(changed, model.Parameters);
    }

    [Fact]
    public void A_token_id_outside_the_vocabulary_is_refused_on_every_device_path_as_on_the_cpu()
    {
        var model = new GpuEmbeddingModel(); // Embedding(7, 3, MaskZero), TimeSteps = 5
        model.Initialize(45);
        model.Compile("sgd", "mse");
        int[] tokens = { 1, 2, 3, 0, 0, 4, 7, 1, 0, 0 }; // 7 is outside [0, 6]
        var y = new float[model.OutputLength(2, 5)];
        var cpu = Assert.Throws<ArgumentOutOfRangeException>(() => model.Forward(tokens, 2, 5, y));
        Assert.Contains("takes token ids in [0, 6], but sample 1, step 1 holds 7", cpu.Message, StringComparison.Ordinal);
        model.To(ModelHarness.Device);
        try
        {
            foreach (var call in new Action[]
            {
                () => model.Forward(tokens, 2, 5, y),
                () => model.Runner!.Forward(tokens, 2, 5, y, false),
            })
            {
                // The same message as the CPU's.
                var device = Assert.Throws<ArgumentOutOfRangeException>(call);
                Assert.Contains("takes token ids in [0, 6], but sample 1, step 1 holds 7", device.Message, StringComparison.Ordinal);
            }
            foreach (var call in new Action[]
            {
                () => model.Predict(tokens, batchSize: 2),
                () => model.Evaluate(tokens, y, batchSize: 2),
                () => model.Fit(tokens, y, epochs: 1, batchSize: 2, verbose: 0),
            })
            {
                // The workflow checks x whole before any batch, on every device alike, naming the id's place in x.
                var device = Assert.Throws<ArgumentOutOfRangeException>(call);
                Assert.Contains("x[6] (sample 1, step 1) is 7, but Embedding 'embedding' takes token ids in [0, 6]", device.Message, StringComparison.Ordinal);
            }
        }
        finally
        {
            model.Dispose();
        }
    }

    [Fact]
    public void A_disposed_device_is_refused_saying_so()
    {
        var model = Lstm(46);
        var device = GpuDevice.CpuAccelerator(4, 2, 1);
        device.Dispose();
        Assert.True(device.IsDisposed);
        var e = Assert.Throws<ObjectDisposedException>(() => model.To(device));
        Assert.Contains("the GpuDevice was disposed", e.Message, StringComparison.Ordinal);
        Assert.Null(model.Device);
    }

    [Fact]
    public void Dispose_frees_every_device_buffer_of_the_workspace()
    {
        var model = Lstm(42);
        model.To(ModelHarness.Device);
        var runner = model.Runner!;
        Predict(model, Random(43, 2 * 4 * 3), 2, 4);
        var buffers = runner.GetType().GetFields(BindingFlags.NonPublic | BindingFlags.Instance)
            .Where(f => typeof(MemoryBuffer).IsAssignableFrom(f.FieldType)).ToList();
        Assert.NotEmpty(buffers);
        Assert.All(buffers, f => Assert.NotNull(f.GetValue(runner)));
        var held = buffers.Select(f => (MemoryBuffer)f.GetValue(runner)!).ToList();
        model.To(null);
        Assert.All(buffers, f => Assert.Null(f.GetValue(runner)));
        Assert.All(held, b => Assert.True(b.IsDisposed));
    }

    [Fact]
    public void The_workspace_is_sized_once_for_the_largest_batch()
    {
        var model = Lstm(44);
        model.To(ModelHarness.Device);
        var runner = model.Runner!;
        var field = runner.GetType().GetField("_lstmGates", BindingFlags.NonPublic | BindingFlags.Instance)!;
        Predict(model, Random(45, 3 * 4 * 3), 3, 4);
        var first = field.GetValue(runner);
        Predict(model, Random(46, 1 * 4 * 3), 1, 4);
        Predict(model, Random(47, 3 * 4 * 3), 3, 4);
        Assert.Same(first, field.GetValue(runner));
        model.To(null);
    }

    [Fact]
    public void Weights_saved_on_the_device_load_on_the_cpu_and_back_with_identical_predictions()
    {
        var x = Random(48, 2 * 4 * 3);
        var onDevice = Lstm(49);
        onDevice.To(ModelHarness.Device);
        var devicePrediction = Predict(onDevice, x, 2, 4);
        using var file = new MemoryStream();
        onDevice.DeviceEngine!.PullParameters();
        onDevice.SaveWeights(file);

        var onHost = Lstm(50);
        file.Position = 0;
        onHost.LoadWeights(file);
        Assert.Equal(onDevice.Parameters, onHost.Parameters);
        AssertClose(devicePrediction, Predict(onHost, x, 2, 4), "CPU prediction from the device's weights");
        onHost.To(ModelHarness.Device);
        Assert.Equal(devicePrediction, Predict(onHost, x, 2, 4)); // same parameters, same device: the same bits

        // Weights written on the host into a model already on the device reach it once pushed.
        var other = Lstm(51);
        other.To(ModelHarness.Device);
        file.Position = 0;
        other.LoadWeights(file);
        other.DeviceEngine!.PushParameters();
        Assert.Equal(devicePrediction, Predict(other, x, 2, 4));
        onDevice.To(null);
        onHost.To(null);
        other.To(null);
    }

    [Fact]
    public void A_model_with_a_layer_without_GPU_rendering_refuses_the_device_naming_it()
    {
        var model = new GpuCpuOnlyModel();
        var error = Assert.Throws<NotSupportedException>(() => model.To(ModelHarness.Device));
        Assert.Contains("'repeat_vector'", error.Message);
        Assert.Contains("RepeatVector", error.Message);
        Assert.Null(model.Device);
        Assert.Null(model.Runner);
        model.To(null); // the CPU: nothing to do
        var y = new float[model.OutputLength(1, 3)];
        model.Forward(Random(52, 3 * 2), 1, 3, y);
        Assert.Contains(y, v => v != 0);
    }

    [Fact]
    public void Backward_on_the_device_needs_a_forward_pass_there_first()
    {
        var model = Lstm(53);
        Predict(model, Random(54, 2 * 4 * 3), 2, 4);
        model.To(ModelHarness.Device); // a pass on the CPU does not carry over
        Assert.Throws<InvalidOperationException>(() => model.Backward(new float[model.OutputLength(2, 4)]));
        model.To(null);
    }
}
