using System;
using System.IO;
using ModelGen.Interop;
using ModelGen.Keras;
using ModelGen.Tests.Workflow;
using ModelGen.Text;

namespace ModelGen.Tests.Reliability;

/// <summary>
/// Paths that cannot be the file asked for, a folder or a path running through a file, are named as such by every reader
/// and writer, before anything is changed (trial Q: .NET's own "Access to the path is denied", even to root, or "The file
/// already exists"; a checkpoint into a folder failed only after an epoch had trained).
/// </summary>
public sealed class FilePathTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("modelgen-paths-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static void IsAFolder(Action call)
    {
        var e = Assert.Throws<IOException>(call);
        Assert.Contains("is a folder, not a file", e.Message);
    }

    [Fact]
    public void Readers_name_a_folder_and_change_nothing()
    {
        var model = new ClassifierModel();
        model.Initialize(seed: 1);
        var before = (float[])model.Parameters.Clone();
        IsAFolder(() => model.LoadWeights(_folder));
        IsAFolder(() => model.LoadPyTorchWeights(_folder));
        IsAFolder(() => model.LoadKerasWeights(_folder)); // it said the folder did not exist
        IsAFolder(() => SafeTensorFile.Read(_folder));
        IsAFolder(() => Tokenizer.Load(_folder));
        IsAFolder(() => new RecordFileSource<float>(_folder, 6, 3).Dispose());
        Assert.Equal(before, model.Parameters);
    }

    [Fact]
    public void Writers_name_a_folder_or_a_file_in_the_way_and_leave_both_as_they_were()
    {
        var model = new ClassifierModel();
        string file = Path.Combine(_folder, "good.mgw");
        model.SaveWeights(file);
        byte[] saved = File.ReadAllBytes(file);

        IsAFolder(() => model.SaveWeights(_folder));
        IsAFolder(() => model.ExportOnnx(_folder));
        IsAFolder(() => model.SavePyTorchWeights(_folder));
        IsAFolder(() => new Tokenizer().Save(_folder));

        // A path through an existing file: .NET said "The file … already exists" from creating the folder.
        var e = Assert.Throws<IOException>(() => model.SaveWeights(Path.Combine(file, "sub", "w.mgw")));
        Assert.Contains($"'{file}' is a file, not a folder", e.Message);
        Assert.Equal(saved, File.ReadAllBytes(file));
        Assert.Single(Directory.GetFileSystemEntries(_folder)); // no temporary file, no folder
    }

    [Fact]
    public void Callbacks_writing_files_check_their_paths_before_anything_trains()
    {
        var (x, y) = ReliabilityData.Classifier(16, seed: 3);
        string file = Path.Combine(_folder, "a-file");
        File.WriteAllText(file, "kept");
        foreach (var (callback, said) in new (Callback, string)[]
        {
            (new CSVLogger(_folder), "is a folder, not a file"),
            (new ModelCheckpoint(_folder, monitor: "loss"), "is a folder, not a file"),
            (new ModelCheckpoint(Path.Combine(file, "ckpt.mgw"), monitor: "loss"), $"'{file}' is a file, not a folder"),
            (new ModelCheckpoint(Path.Combine(file, "ckpt-{epoch:02d}.mgw"), monitor: "loss"), $"'{file}' is a file, not a folder"),
        })
        {
            var model = new ClassifierModel();
            model.Initialize(seed: 2);
            var adam = new Adam();
            model.Compile(adam, Loss.CategoricalCrossentropy());
            var before = (float[])model.Parameters.Clone();
            var e = Assert.Throws<IOException>(() => model.Fit(x, y, epochs: 2, batchSize: 8, verbose: 0, callbacks: [callback]));
            Assert.Contains(said, e.Message);
            Assert.Equal(before, model.Parameters);
            Assert.Equal(0, adam.Iterations);
        }
        Assert.Equal("kept", File.ReadAllText(file));
    }
}
