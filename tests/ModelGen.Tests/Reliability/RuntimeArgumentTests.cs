using System;
using ModelGen.Tests.Behaviour;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests.Reliability;

/// <summary>Issue 13 item 4: every run-time argument is checked with a message saying what was expected and what came.</summary>
public sealed class RuntimeArgumentTests
{
    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    public void Validation_split_outside_0_1_is_refused_before_training(float split)
    {
        var model = new ClassifierModel();
        model.Compile("adam", "categorical_crossentropy");
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new float[12], new float[6], validationSplit: split, verbose: 0));
        Assert.Equal("validationSplit", e.ParamName);
        Assert.Contains("[0, 1)", e.Message);
        Assert.Contains(split.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.Equal(before, model.Parameters);
    }

    [Theory]
    [InlineData(3f)]
    [InlineData(-1f)]
    [InlineData(1.5f)]
    [InlineData(float.NaN)]
    public void A_sparse_label_that_is_no_class_index_is_refused_before_any_batch_naming_its_sample(float label)
    {
        // 600 samples in batches of 32: the bad label sits in the last batch, after 18 that would have been applied.
        var random = new Random(4);
        var x = new float[600 * 6 * 2];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() - 0.5f;
        var y = new float[600];
        for (int s = 0; s < y.Length; s++) y[s] = s % 3;
        y[599] = label;
        var model = new ClassifierLastStepModel();
        model.Initialize(seed: 2);
        model.Compile("adam", "sparse_categorical_crossentropy", "accuracy");
        var before = (float[])model.Parameters.Clone();
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0, shuffle: false),
            () => model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0),
            () => model.Fit(x.AsSpan(0, 100 * 12).ToArray(), y.AsSpan(0, 100).ToArray(), verbose: 0, validationData: (x, y)),
            () => model.Evaluate(x, y),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains("[599] (sample 599) is " + label.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.Contains("a whole number in [0, 3) for the 3 output units", e.Message);
            Assert.Equal(before, model.Parameters);
        }
        // The same label through a data source: that batch is not applied, and the sample is named by its index in the source.
        var source = new ArraySource<float>(x, y, 600);
        var fromSource = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(source, epochs: 1, batchSize: 32, verbose: 0, shuffle: false));
        Assert.Contains("source targets (sample 599) is", fromSource.Message);
        Assert.Contains("This batch was not applied", fromSource.Message);
        var evaluated = Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(source));
        Assert.Contains("source targets (sample 599) is", evaluated.Message);
    }

    [Theory]
    [InlineData("binary_crossentropy", 2f)]
    [InlineData("binary_crossentropy", -1f)]
    [InlineData("categorical_crossentropy", 2f)]
    [InlineData("categorical_crossentropy", -0.5f)]
    public void A_cross_entropy_target_outside_0_1_is_refused_before_any_batch_naming_its_sample(string loss, float target)
    {
        // Trial K: Keras computes a meaningless loss from a class index given to binary_crossentropy, or −1/1 labels.
        bool binary = loss == "binary_crossentropy";
        var random = new Random(5);
        ISequentialModel<float> model = binary ? new Workflow.SaturatedSigmoidModel() : new ClassifierLastStepModel();
        int width = model.Info.OutputUnits, features = model.Info.InputFeatures * (model.Info.TimeSteps ?? 1);
        var x = new float[600 * features];
        for (int i = 0; i < x.Length; i++) x[i] = random.NextSingle() - 0.5f;
        var y = new float[600 * width];
        for (int s = 0; s < 600; s++) y[s * width + (binary ? 0 : s % width)] = binary ? s % 2 : 1f;
        y[599 * width + width - 1] = target;
        Initializers.Initialize(model, seed: 2);
        model.Compile(new Adam(), Loss.FromName(loss));
        var before = (float[])model.Parameters.Clone();
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, epochs: 1, batchSize: 32, verbose: 0, shuffle: false),
            () => model.Evaluate(x, y),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains($"[{599 * width + width - 1}] (sample 599) is " + target.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
            Assert.Contains(binary ? "takes targets in [0, 1], 0/1 labels or probabilities" : "takes one-hot or probability rows of 3 values, each in [0, 1]", e.Message);
            Assert.Equal(before, model.Parameters);
        }
        // The loss on its own says the same.
        var direct = Assert.Throws<ArgumentOutOfRangeException>(() => Loss.FromName(loss).Compute(new float[y.Length], y, 600, default));
        Assert.Contains($"target [{599 * width + width - 1}] (row 599) is", direct.Message);
    }

    [Fact]
    public void A_target_a_compiled_cross_entropy_metric_cannot_read_is_refused_before_any_batch()
    {
        // Trial M: an MSE regression with a "binary_crossentropy" metric refused a target of 1.5 only after three batches
        // had been applied, naming its row in the batch.
        var random = new Random(6);
        var model = new Workflow.SaturatedSigmoidModel();
        var x = new float[40];
        var y = new float[40];
        for (int i = 0; i < x.Length; i++) { x[i] = random.NextSingle() - 0.5f; y[i] = i % 2; }
        y[13] = 1.5f;
        Initializers.Initialize(model, seed: 2);
        model.Compile(new Sgd(0.1f), Loss.MeanSquaredError(), "binary_crossentropy");
        var before = (float[])model.Parameters.Clone();
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0, shuffle: false),
            () => model.Evaluate(x, y, batchSize: 4),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains("y[13] (sample 13) is 1.5", e.Message);
            Assert.Contains("The compiled metric 'binary_crossentropy' reads it so. Checked before any batch ran: nothing was changed", e.Message);
            Assert.Equal(before, model.Parameters);
        }
        var fromSource = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new ArraySource<float>(x, y, 40), epochs: 1, batchSize: 4, verbose: 0, shuffle: false));
        Assert.Contains("source targets (sample 13) is 1.5", fromSource.Message);
        Assert.Contains("The compiled metric 'binary_crossentropy' reads it so. This batch was not applied", fromSource.Message);
        // Without that metric the same targets train: MSE reads any finite value.
        model.Compile(new Sgd(0.1f), Loss.MeanSquaredError(), "mae");
        model.Fit(x, y, epochs: 1, batchSize: 4, verbose: 0);
    }

    [Theory]
    [InlineData(20)]
    [InlineData(-1)]
    public void A_token_id_outside_the_vocabulary_is_refused_before_any_batch_naming_its_sample_and_step(int id)
    {
        // 200 samples of 8 token ids in batches of 16: the bad id sits in the last batch.
        var random = new Random(7);
        var x = new int[200 * 8];
        for (int i = 0; i < x.Length; i++) x[i] = random.Next(1, 20);
        var y = new float[200 * 8];
        for (int i = 0; i < y.Length; i++) y[i] = i % 3;
        x[197 * 8 + 5] = id;
        var model = new MaskedTaggerModel();
        model.Initialize(seed: 3);
        model.Compile("adam", "sparse_categorical_crossentropy");
        var before = (float[])model.Parameters.Clone();
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, epochs: 1, batchSize: 16, verbose: 0, shuffle: false),
            () => model.Evaluate(x, y),
            () => model.Predict(x),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Contains($"x[{197 * 8 + 5}] (sample 197, step 5) is {id}, but Embedding 'embedding' takes token ids in [0, 19]", e.Message);
            Assert.Equal(before, model.Parameters);
        }
        var fromSource = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(new ArraySource<int>(x, y, 200), epochs: 1, batchSize: 16, verbose: 0, shuffle: false));
        Assert.Contains($"source inputs (sample 197, step 5) is {id}", fromSource.Message);
        Assert.Contains("This batch was not applied", fromSource.Message);
    }

    [Fact]
    public void A_sparse_label_per_output_step_names_the_sample_and_the_step()
    {
        var x = new float[5 * 6 * 2];
        var y = new float[5 * 6];
        y[3 * 6 + 4] = 7;
        var model = new StepClassifierModel();
        model.Compile("adam", "sparse_categorical_crossentropy");
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, verbose: 0));
        Assert.Contains("y[22] (sample 3, output step 4) is 7", e.Message);
        Assert.Equal("y", e.ParamName);
    }

    [Fact]
    public void Empty_inputs_are_called_empty()
    {
        var model = new ClassifierModel();
        var e = Assert.Throws<ArgumentException>(() => model.Predict(Array.Empty<float>()));
        Assert.Contains("x is empty; it must be [samples, 3, 2] with at least one sample", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Time_steps_below_one_are_refused_by_fit_evaluate_and_predict(int steps)
    {
        var model = new OpenLengthModel();
        model.Initialize(seed: 1);
        model.Compile("adam", "mse");
        var before = (float[])model.Parameters.Clone();
        var x = new float[8];
        var y = new float[2];
        foreach (var call in new Action[]
        {
            () => model.Fit(x, y, timeSteps: steps, verbose: 0),
            () => model.Evaluate(x, y, timeSteps: steps),
            () => model.Predict(x, timeSteps: steps),
        })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(call);
            Assert.Equal("timeSteps", e.ParamName);
            Assert.Contains("≥ 1", e.Message);
            Assert.Contains($"got {steps}", e.Message);
        }
        Assert.Equal(before, model.Parameters);
        Assert.Equal(2, model.Predict(x, timeSteps: 2).Length); // still usable: 2 samples of 2 steps, one output each
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    public void Batch_size_below_one_is_refused_everywhere(int batchSize)
    {
        var model = new ClassifierModel();
        model.Compile("adam", "categorical_crossentropy");
        var x = new float[12];
        var y = new float[6];
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Fit(x, y, batchSize: batchSize, verbose: 0)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Evaluate(x, y, batchSize: batchSize)).ParamName);
        Assert.Equal("batchSize", Assert.Throws<ArgumentOutOfRangeException>(() => model.Predict(x, batchSize: batchSize)).ParamName);
    }

    [Fact]
    public void Outputs_larger_than_one_array_are_refused_before_anything_is_allocated()
    {
        var model = new WideOutputModel();
        model.Compile("adam", "mse");
        var x = new int[30_000]; // 30,000 samples × 100,000 outputs = 3·10⁹ floats
        var predict = Assert.Throws<ArgumentException>(() => model.Predict(x));
        Assert.Equal("x", predict.ParamName);
        Assert.Contains("3000000000 in all", predict.Message);
        Assert.Throws<ArgumentException>(() => model.Evaluate(x, new float[1]));
        Assert.Equal(10, model.Predict(new int[1]).Length / 10_000); // still usable
    }

    [Fact]
    public void Null_targets_are_refused_up_front_by_name()
    {
        // Fit and Evaluate with y: null threw a bare ArgumentOutOfRangeException from the first batch's load (trial Q).
        var model = new ClassifierModel();
        model.Compile("adam", "categorical_crossentropy");
        var before = (float[])model.Parameters.Clone();
        var x = new float[4 * 6];
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => model.Fit(x, null!, verbose: 0)).ParamName);
        Assert.Equal("y", Assert.Throws<ArgumentNullException>(() => model.Evaluate(x, null!)).ParamName);
        Assert.Equal("validationData.Y", Assert.Throws<ArgumentNullException>(() => model.Fit(x, new float[12], verbose: 0, validationData: (x, null!))).ParamName);
        Assert.Equal("validationData.X", Assert.Throws<ArgumentNullException>(() => model.Fit(x, new float[12], verbose: 0, validationData: (null!, new float[12]))).ParamName);
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Targets_of_another_sample_count_say_when_x_may_be_the_wrong_one()
    {
        // 16 samples of 3 features where the model takes 2: 96 floats read as 16 samples of [3, 2], y holding 16 samples' worth
        // of targets matches; 192 floats (16 samples of 4 steps × 3) read as 32, and y's 16 samples blamed y alone.
        var model = new ClassifierModel();
        model.Compile("adam", "categorical_crossentropy");
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new float[16 * 4 * 3], new float[16 * 3], verbose: 0));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("y must be [32, 3] = 96 floats for the 32 samples in x, but holds 48", e.Message);
        Assert.Contains("(y holds 16 samples' targets: if x holds 16 samples, each has 12 values, not the 6 of [samples, 3, 2])", e.Message);
        // No hint where y is not a whole number of samples.
        Assert.DoesNotContain("samples' targets", Assert.Throws<ArgumentException>(() => model.Fit(new float[12], new float[5], verbose: 0)).Message);
    }

    [Fact]
    public void Callback_and_schedule_settings_that_are_not_numbers_are_refused()
    {
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: float.NaN)).ParamName);
        Assert.Equal("factor", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(factor: -0.5f)).ParamName);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(patience: -1)).ParamName);
        Assert.Equal("cooldown", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(cooldown: -1)).ParamName);
        Assert.Equal("minLr", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minLr: float.NaN)).ParamName);
        Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new ReduceLROnPlateau(minDelta: float.NaN)).ParamName);
        Assert.Equal("minDelta", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(minDelta: float.PositiveInfinity)).ParamName);
        Assert.Equal("patience", Assert.Throws<ArgumentOutOfRangeException>(() => new EarlyStopping(patience: -2)).ParamName);
        Assert.Equal("initialLearningRate", Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialDecay(float.NaN, 10, 0.9f)).ParamName);
        Assert.Equal("decayRate", Assert.Throws<ArgumentOutOfRangeException>(() => new InverseTimeDecay(0.1f, 10, float.NaN)).ParamName);
        Assert.Equal("threshold", Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryAccuracy(float.NaN)).ParamName);
        // The monitored name is the callbacks' monitor parameter (it was reported as 'name', trial Q).
        Assert.Equal("monitor", Assert.Throws<ArgumentNullException>(() => new EarlyStopping(monitor: null!)).ParamName);
        Assert.Equal("monitor", Assert.Throws<ArgumentException>(() => new ReduceLROnPlateau(monitor: " ")).ParamName);
        Assert.Equal("monitor", Assert.Throws<ArgumentNullException>(() => new ModelCheckpoint("ckpt.mgw", monitor: null!)).ParamName);
        // A separator that can occur inside an unquoted number made the file unreadable.
        foreach (char separator in ".-+e5")
            Assert.Equal("separator", Assert.Throws<ArgumentException>(() => new CSVLogger("log.csv", separator)).ParamName);
    }
}
