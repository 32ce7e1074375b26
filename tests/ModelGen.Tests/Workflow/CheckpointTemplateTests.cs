using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using ModelGen.Tests.Workflow;

namespace ModelGen.Tests;

/// <summary>
/// Issue 12, item 4: ModelCheckpoint paths are Python format strings filled as Keras fills them,
/// <c>filepath.format(epoch=epoch + 1, **logs)</c>; an unknown field is a clear error at the first save.
/// </summary>
public sealed class CheckpointTemplateTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "modelgen-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private static ClassifierModel Model()
    {
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        model.Compile(new Adam(), Loss.CategoricalCrossentropy(), "accuracy");
        return model;
    }

    private ModelCheckpoint Attached(string template, ISequentialModel model)
    {
        var checkpoint = new ModelCheckpoint(Path.Combine(_folder, template));
        checkpoint.Context = new TrainingContext(model, new Adam(), new History(), 2);
        checkpoint.OnTrainBegin();
        return checkpoint;
    }

    [Fact]
    public void Epoch_and_logged_values_fill_the_keras_template()
    {
        var checkpoint = Attached("ckpt-{epoch:02d}-{val_loss:.2f}.mgw", Model());
        checkpoint.OnEpochEnd(0, new Dictionary<string, float> { ["loss"] = 3.5f, ["val_loss"] = 3f });
        checkpoint.OnEpochEnd(1, new Dictionary<string, float> { ["loss"] = 2.5f, ["val_loss"] = 2f });
        Assert.Equal(["ckpt-01-3.00.mgw", "ckpt-02-2.00.mgw"], Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
        Assert.Equal(Path.Combine(_folder, "ckpt-02-2.00.mgw"), checkpoint.LastPath);
    }

    [Fact]
    public void Fit_names_each_file_from_that_epochs_logs()
    {
        var model = Model();
        var random = new Random(2);
        var x = Enumerable.Range(0, 40 * 6).Select(_ => random.NextSingle() - 0.5f).ToArray();
        var y = new float[40 * 3];
        for (int s = 0; s < 40; s++) y[s * 3 + s % 3] = 1;
        var checkpoint = new ModelCheckpoint(Path.Combine(_folder, "m{{{epoch:03d}}}-{loss:.4f}-{accuracy:.1%}-{val_loss:.3e}.mgw"));
        var history = model.Fit(x, y, epochs: 2, batchSize: 8, validationSplit: 0.25f, verbose: 0, seed: 3, callbacks: [checkpoint]);
        var expected = Enumerable.Range(0, 2).Select(e => string.Create(CultureInfo.InvariantCulture,
            $"m{{{e + 1:000}}}-{history["loss"][e]:F4}-{history["accuracy"][e] * 100.0:F1}%-{Python(history["val_loss"][e])}.mgw"));
        Assert.Equal(expected.Order(), Directory.GetFiles(_folder).Select(Path.GetFileName).Order());
        Assert.Equal(2, checkpoint.Saves);

        static string Python(float v)
        {
            string s = ((double)v).ToString("0.000e+00", CultureInfo.InvariantCulture); // Python's .3e: two exponent digits
            return s;
        }
    }

    [Fact]
    public void Unknown_field_fails_before_training_and_names_the_logged_values()
    {
        var model = Model();
        var x = new float[8 * 6];
        var y = new float[8 * 3];
        for (int s = 0; s < 8; s++) y[s * 3] = 1;
        var checkpoint = new ModelCheckpoint(Path.Combine(_folder, "ckpt-{epoch}-{val_acc:.2f}.mgw"));
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<InvalidOperationException>(() => model.Fit(x, y, epochs: 2, batchSize: 4, verbose: 0, callbacks: [checkpoint]));
        Assert.Contains("{val_acc}", e.Message);
        Assert.Contains("it logs: loss, accuracy", e.Message);
        Assert.Equal(before, model.Parameters); // refused before the first batch
        Assert.Equal(0, checkpoint.Saves);
        Assert.False(Directory.Exists(_folder) && Directory.GetFiles(_folder).Length > 0);
    }

    [Theory]
    [InlineData("ckpt-{epoch")]
    [InlineData("ckpt-}.mgw")]
    [InlineData("ckpt-{}.mgw")]
    [InlineData("ckpt-{epoch:.}.mgw")]
    [InlineData("ckpt-{epoch:02q}.mgw")]
    [InlineData("ckpt-{epoch!r}.mgw")]
    public void Malformed_templates_fail_when_the_callback_is_made(string template)
    {
        var e = Assert.Throws<ArgumentException>(() => new ModelCheckpoint(template));
        Assert.Contains(template, e.Message);
    }

    [Fact]
    public void A_float_formatted_as_an_integer_is_refused_like_python()
    {
        var checkpoint = Attached("{loss:d}.mgw", Model());
        var e = Assert.Throws<FormatException>(() => checkpoint.OnEpochEnd(0, new Dictionary<string, float> { ["loss"] = 1f }));
        Assert.Contains("Unknown format code 'd'", e.Message);
    }

    // Expected strings are what CPython 3 prints for format(value, spec).
    [Theory]
    [InlineData(1, true, "02d", "01")]
    [InlineData(12, true, "", "12")]
    [InlineData(7, true, "03", "007")]
    [InlineData(3, true, ">4", "   3")]
    [InlineData(3, true, "<4", "3   ")]
    [InlineData(3, true, "*^5", "**3**")]
    [InlineData(1234567, true, ",", "1,234,567")]
    [InlineData(5, true, "+d", "+5")]
    [InlineData(2, true, ".2f", "2.00")]
    [InlineData(3.14159, false, ".2f", "3.14")]
    [InlineData(-2.5, false, "+.1f", "-2.5")]
    [InlineData(2.5, false, "+.1f", "+2.5")]
    [InlineData(3.0, false, "08.3f", "0003.000")]
    [InlineData(-3.0, false, "08.3f", "-003.000")]
    [InlineData(1234.5, false, ",.1f", "1,234.5")]
    [InlineData(0.25, false, ".1%", "25.0%")]
    [InlineData(0.000123456, false, ".3e", "1.235e-04")]
    [InlineData(123456.0, false, "E", "1.234560E+05")]
    [InlineData(0.0001234, false, ".3g", "0.000123")]
    [InlineData(1234567.0, false, ".3g", "1.23e+06")]
    [InlineData(2.0, false, "g", "2")]
    [InlineData(0.5, false, "", "0.5")]
    [InlineData(2.0, false, "", "2.0")]
    [InlineData(1e-05, false, "", "1e-05")]
    [InlineData(2.0, false, ".3", "2.0")]
    [InlineData(0.123456, false, ".3", "0.123")]
    [InlineData(1.5, false, "f", "1.500000")]
    public void Format_specs_follow_python(double value, bool isInteger, string spec, string expected)
        => Assert.Equal(expected, PythonFormat.Format(value, isInteger, spec, "x"));

    [Fact]
    public void A_logged_float_without_spec_prints_as_pythons_repr_of_it()
        => Assert.Equal("0.10000000149011612", PythonFormat.Format(0.1f, isInteger: false, "", "loss"));
}
