using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using ModelGen.Tests.Workflow;
using Xunit.Abstractions;

namespace ModelGen.Tests;

/// <summary>
/// Fit, Evaluate and Predict from a <see cref="DataSource{TInput}"/>: the same numbers as the array overloads, bit for
/// bit; flat memory over an epoch of a source far larger than what it holds; a failing source surfaces on the caller's
/// thread; the prefetching thread ends with the call.
/// </summary>
public sealed class DataSourceTests(ITestOutputHelper log)
{
    /// <summary>Three-class samples <c>[3, 2]</c> computed from the index alone, so a source can make 50 000 without storing them.</summary>
    private static void ClassSample(int index, Span<float> input, Span<float> target)
    {
        uint h = (uint)index * 2654435761u;
        int c = (int)(h % 3);
        for (int i = 0; i < 6; i++)
        {
            h = h * 1664525u + 1013904223u;
            input[i] = (c - 1) * (i % 2 == 0 ? 1 : -1) * 0.8f + ((h >> 8) / 16777216f - 0.5f) * 0.4f;
        }
        if (target.IsEmpty) return;
        target.Clear();
        target[c] = 1;
    }

    private static (float[] X, float[] Y) ClassArrays(int samples, int first = 0)
    {
        var x = new float[samples * 6];
        var y = new float[samples * 3];
        for (int s = 0; s < samples; s++) ClassSample(first + s, x.AsSpan(s * 6, 6), y.AsSpan(s * 3, 3));
        return (x, y);
    }

    /// <summary>A prefetching source that computes its samples (no storage), counts its reads and can fail on a sample.</summary>
    private sealed class GeneratedSource(int count, int first = 0) : DataSource<float>
    {
        public int FailAt { get; init; } = -1;
        public int Reads;
        public int EpochEnds;
        public Thread? ReadThread;

        /// <summary>Bytes the reading thread allocated between two marks (read on that thread, inside reads).</summary>
        public long ReaderBytesAtMark = -1, ReaderBytesNow;
        public volatile bool Mark;

        public override int Count => count;

        public override void Read(int index, Span<float> input, Span<float> target, Span<float> weight)
        {
            if (index == FailAt) throw new InvalidOperationException($"sample {index} is corrupt");
            Interlocked.Increment(ref Reads);
            ReadThread = Thread.CurrentThread;
            if (Mark)
            {
                if (ReaderBytesAtMark < 0) ReaderBytesAtMark = GC.GetAllocatedBytesForCurrentThread();
                ReaderBytesNow = GC.GetAllocatedBytesForCurrentThread();
            }
            ClassSample(first + index, input, target);
        }

        public override void OnEpochEnd() => EpochEnds++;
    }

    private static ClassifierModel Classifier(int seed = 3)
    {
        var model = new ClassifierModel();
        model.Initialize(seed);
        model.Compile(new Adam(learningRate: 0.01f), Loss.CategoricalCrossentropy(), "accuracy");
        return model;
    }

    private static void AssertSameHistory(History expected, History actual)
    {
        Assert.Equal(expected.Values.Keys.OrderBy(k => k), actual.Values.Keys.OrderBy(k => k));
        foreach (var (name, values) in expected.Values) Assert.Equal(values, actual[name]);
    }

    [Fact]
    public void Training_from_a_source_gives_bit_identical_weights_to_the_arrays_with_shuffling_a_partial_batch_and_validation()
    {
        // 103 samples in batches of 16: six full batches and one of 7; validation 29 samples, a partial batch too.
        var (x, y) = ClassArrays(103);
        var (vx, vy) = ClassArrays(29, first: 1000);
        var fromArrays = Classifier();
        var expected = fromArrays.Fit(x, y, epochs: 4, batchSize: 16, validationData: (vx, vy), verbose: 0, seed: 11);

        var generated = Classifier();
        var fromGenerated = generated.Fit(new GeneratedSource(103), epochs: 4, batchSize: 16, validationData: new GeneratedSource(29, first: 1000), verbose: 0, seed: 11);
        var arraySourced = Classifier();
        var fromArraySource = arraySourced.Fit(new ArraySource<float>(x, y, 103), epochs: 4, batchSize: 16, validationData: new ArraySource<float>(vx, vy, 29), verbose: 0, seed: 11);

        Assert.Equal(fromArrays.Parameters, generated.Parameters); // exact float equality, every weight
        Assert.Equal(fromArrays.Parameters, arraySourced.Parameters);
        AssertSameHistory(expected, fromGenerated);
        AssertSameHistory(expected, fromArraySource);
        Assert.Equal(4, expected["val_loss"].Count);

        // A different seed shuffles differently: the equality above is not an accident of order.
        var otherSeed = Classifier();
        otherSeed.Fit(new GeneratedSource(103), epochs: 4, batchSize: 16, verbose: 0, seed: 12);
        Assert.NotEqual(fromArrays.Parameters, otherSeed.Parameters);
    }

    [Fact]
    public void Unshuffled_training_matches_too()
    {
        var (x, y) = ClassArrays(50);
        var a = Classifier(5);
        a.Fit(x, y, epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        var b = Classifier(5);
        b.Fit(new GeneratedSource(50), epochs: 2, batchSize: 8, shuffle: false, verbose: 0);
        Assert.Equal(a.Parameters, b.Parameters);
    }

    [Fact]
    public void Token_ids_with_temporal_weights_from_a_record_file_train_bit_identically()
    {
        // Padded sentences (token 0 is masked), one tag per step (sparse), a weight per step.
        const int Samples = 45, Steps = 8;
        var random = new Random(21);
        var x = new int[Samples * Steps];
        for (int s = 0; s < Samples; s++)
        {
            int length = 2 + random.Next(Steps - 1);
            for (int t = Steps - length; t < Steps; t++) x[s * Steps + t] = 1 + random.Next(19);
        }
        var y = Enumerable.Range(0, Samples * Steps).Select(_ => (float)random.Next(3)).ToArray();
        var w = Enumerable.Range(0, Samples * Steps).Select(_ => (float)(random.NextDouble() * 2)).ToArray();
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-records-{Guid.NewGuid():N}.bin");
        RecordFile.Write(path, x, y, Samples, w);
        try
        {
            MaskedTaggerModel Tagger()
            {
                var m = new MaskedTaggerModel();
                m.Initialize(seed: 4);
                m.Compile(new Adam(learningRate: 0.02f), Loss.SparseCategoricalCrossentropy(), ["accuracy"], ["accuracy"]);
                return m;
            }
            var fromArrays = Tagger();
            var expected = fromArrays.Fit(x, y, epochs: 3, batchSize: 10, verbose: 0, seed: 2, sampleWeight: w);
            var fromFile = Tagger();
            using var file = new RecordFileSource<int>(path, inputLength: Steps, targetLength: Steps, weightLength: Steps);
            Assert.Equal(Samples, file.Count);
            Assert.True(file.HasSampleWeights);
            var actual = fromFile.Fit(file, epochs: 3, batchSize: 10, verbose: 0, seed: 2);
            Assert.Equal(fromArrays.Parameters, fromFile.Parameters);
            AssertSameHistory(expected, actual);
            Assert.NotEqual(expected["loss"][0], expected["loss"][^1]); // it trained

            // Evaluate and Predict from the file equal the arrays' results exactly.
            Assert.Equal(fromArrays.Evaluate(x, y, batchSize: 7, sampleWeight: w), fromFile.Evaluate(file, batchSize: 7));
            Assert.Equal(fromArrays.Predict(x, batchSize: 7), fromFile.Predict(file, batchSize: 7));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Per_sample_weights_from_an_array_source_match_the_array_overload()
    {
        var (x, y) = ClassArrays(37);
        var w = Enumerable.Range(0, 37).Select(i => 0.25f + (i % 5) * 0.5f).ToArray();
        var a = Classifier(8);
        var ha = a.Fit(x, y, epochs: 2, batchSize: 6, verbose: 0, seed: 3, sampleWeight: w);
        var b = Classifier(8);
        var hb = b.Fit(new ArraySource<float>(x, y, 37, w), epochs: 2, batchSize: 6, verbose: 0, seed: 3);
        Assert.Equal(a.Parameters, b.Parameters);
        AssertSameHistory(ha, hb);
    }

    [Fact]
    public void Predict_and_evaluate_from_a_source_equal_the_array_results()
    {
        var (x, y) = ClassArrays(70);
        var model = Classifier(9);
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: 0, seed: 1);
        var source = new GeneratedSource(70);
        Assert.Equal(model.Predict(x, batchSize: 32), model.Predict(source, batchSize: 32)); // 32 + 32 + 6
        Assert.Equal(model.Evaluate(x, y, batchSize: 32), model.Evaluate(source, batchSize: 32));
        Assert.Equal(model.Predict(x, batchSize: 70), model.Predict(new ArraySource<float>(x, null, 70), batchSize: 200));
    }

    [Fact]
    public void Memory_stays_flat_over_an_epoch_of_50_000_generated_samples()
    {
        // The epoch's allocations on the training thread, measured from OnEpochBegin to OnEpochEnd of the second epoch.
        static (long EpochBytes, long FitBytes, long ReaderBytes) Measure(int samples)
        {
            var model = Classifier(1);
            var source = new GeneratedSource(samples);
            var meter = new EpochMeter(source);
            long before = GC.GetAllocatedBytesForCurrentThread();
            model.Fit(source, epochs: 2, batchSize: 32, validationData: new GeneratedSource(100, first: 100_000), callbacks: [meter], verbose: 0, seed: 1);
            long fit = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.Equal(2 * samples, source.Reads); // every sample read once per epoch
            return (meter.Bytes, fit, source.ReaderBytesNow - source.ReaderBytesAtMark);
        }

        // Each figure is the fewest bytes of two runs: a one-off allocation of the runtime's own (about 8 KB, seen in
        // CI in single-shot measurements under other tests' load) shows in one run at most; bytes per batch or per
        // sample show in both.
        static (long EpochBytes, long FitBytes, long ReaderBytes) Fewest(int samples)
        {
            var (first, second) = (Measure(samples), Measure(samples));
            return (Math.Min(first.EpochBytes, second.EpochBytes), Math.Min(first.FitBytes, second.FitBytes), Math.Min(first.ReaderBytes, second.ReaderBytes));
        }

        var small = Fewest(5_000);
        var large = Fewest(50_000);
        long datasetBytes = 50_000L * (6 + 3) * sizeof(float); // what the arrays of the large set would hold: 1.8 MB
        log.WriteLine($"epoch bytes: {small.EpochBytes} (5 000 samples), {large.EpochBytes} (50 000); reader bytes over an epoch: {large.ReaderBytes}; whole Fit: {small.FitBytes} / {large.FitBytes} B");
        // Per epoch: a few dictionaries and trackers, the same for 157 and 1563 batches: 0 B per batch.
        Assert.True(large.EpochBytes < 16_384, $"an epoch of 50 000 samples allocated {large.EpochBytes} B on the training thread");
        Assert.True(Math.Abs(large.EpochBytes - small.EpochBytes) < 1_024, $"epoch bytes grew with the data: {small.EpochBytes} B for 5 000 samples, {large.EpochBytes} B for 50 000");
        // The prefetching thread allocates nothing while it reads an epoch.
        Assert.Equal(0, large.ReaderBytes);
        // The whole Fit holds the batch buffers and the shuffling order (4 B per sample), never the data.
        Assert.True(large.FitBytes < datasetBytes / 4, $"Fit allocated {large.FitBytes} B for a data set of {datasetBytes} B");
    }

    /// <summary>Counts the training thread's allocations during the second epoch and marks the reader's measurement window.</summary>
    private sealed class EpochMeter(GeneratedSource source) : Callback
    {
        private long _start;
        public long Bytes;

        public override void OnEpochBegin(int epoch)
        {
            if (epoch != 1) return;
            source.Mark = true;
            _start = GC.GetAllocatedBytesForCurrentThread();
        }

        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, float> logs)
        {
            if (epoch != 1) return;
            Bytes = GC.GetAllocatedBytesForCurrentThread() - _start;
            source.Mark = false;
        }
    }

    [Fact]
    public void A_failing_source_surfaces_on_the_callers_thread_with_the_batch_and_the_prefetching_thread_ends()
    {
        var model = Classifier(2);
        var source = new GeneratedSource(100) { FailAt = 77 };
        var e = Assert.Throws<DataSourceException>(() => model.Fit(source, epochs: 2, batchSize: 10, verbose: 0, shuffle: false));
        var inner = Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Equal("sample 77 is corrupt", inner.Message);
        // The sample whose Read threw is named, not only the batch (trial Q).
        Assert.Contains("GeneratedSource threw InvalidOperationException while reading sample 77 of epoch 1, batch 8 of Fit (samples 70, 71, 72, 73, 74, … (10 in all))", e.Message);
        Assert.Contains("sample 77 is corrupt", e.Message);
        Assert.NotSame(Thread.CurrentThread, source.ReadThread); // it was read on the prefetching thread
        Assert.True(source.ReadThread!.Join(TimeSpan.FromSeconds(10)), "the prefetching thread still runs after Fit threw");

        // The model was trained on the 7 batches before it, exactly as from arrays; Fit can run again.
        var (x, y) = ClassArrays(70);
        var reference = Classifier(2);
        reference.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0, shuffle: false);
        Assert.Equal(reference.Parameters, model.Parameters);
        model.Fit(new GeneratedSource(20), epochs: 1, batchSize: 10, verbose: 0);

        // Predict and Evaluate report the same way.
        e = Assert.Throws<DataSourceException>(() => model.Predict(new GeneratedSource(100) { FailAt = 3 }, batchSize: 10));
        Assert.Contains("batch 1 of Predict", e.Message);
        e = Assert.Throws<DataSourceException>(() => model.Evaluate(new GeneratedSource(100) { FailAt = 99 }, batchSize: 10));
        Assert.Contains("batch 10 of Evaluate", e.Message);
        e = Assert.Throws<DataSourceException>(() => model.Fit(new GeneratedSource(20), validationData: new GeneratedSource(20) { FailAt = 0 }, batchSize: 10, verbose: 0));
        Assert.Contains("batch 1 of Fit (validation)", e.Message);
    }

    /// <summary>A source that leaves part of one sample unwritten: inputs from <c>SkipInputFrom</c> on, or its targets.</summary>
    private sealed class ShortSource(int count, int shortSample, bool prefetch) : DataSource<float>
    {
        public int SkipInputFrom { get; init; } = 6;
        public bool SkipTarget { get; init; }

        public override int Count => count;

        public override bool Prefetch => prefetch;

        public override void Read(int index, Span<float> input, Span<float> target, Span<float> weight)
        {
            Span<float> full = stackalloc float[6];
            Span<float> t = stackalloc float[3];
            ClassSample(index, full, t);
            full[..(index == shortSample ? SkipInputFrom : 6)].CopyTo(input);
            if (!target.IsEmpty && !(SkipTarget && index == shortSample)) t.CopyTo(target);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_source_that_leaves_values_unwritten_is_refused_naming_the_value_and_nothing_of_the_batch_is_applied(bool prefetch)
    {
        // Sample 35 writes only 4 of its 6 inputs: before, the other two held the previous batch's values, and Fit trained
        // on them without a word.
        var model = Classifier(2);
        var e = Assert.Throws<DataSourceException>(() => model.Fit(new ShortSource(60, shortSample: 35, prefetch) { SkipInputFrom = 4 }, epochs: 1, batchSize: 10, verbose: 0, shuffle: false));
        Assert.Contains("ShortSource did not write input value 4 of sample 35 (position 5 of the batch; 6 input values per sample) while reading epoch 1, batch 4 of Fit", e.Message);
        Assert.Contains("must write every value", e.Message);
        var (x, y) = ClassArrays(30);
        var reference = Classifier(2);
        reference.Fit(x, y, epochs: 1, batchSize: 10, verbose: 0, shuffle: false); // the three batches before it
        Assert.Equal(reference.Parameters, model.Parameters);

        // Targets too, and Predict (no targets asked for) and Evaluate the same way.
        e = Assert.Throws<DataSourceException>(() => model.Evaluate(new ShortSource(20, shortSample: 12, prefetch) { SkipTarget = true }, batchSize: 10));
        Assert.Contains("did not write target value 0 of sample 12 (position 2 of the batch; 3 target values per sample) while reading batch 2 of Evaluate", e.Message);
        e = Assert.Throws<DataSourceException>(() => model.Predict(new ShortSource(20, shortSample: 0, prefetch) { SkipInputFrom = 0 }, batchSize: 10));
        Assert.Contains("did not write input value 0 of sample 0 (position 0 of the batch", e.Message);
        // A source that writes everything, with a short sample elsewhere ignored: fine.
        Assert.Equal(20 * 3, model.Predict(new ShortSource(20, shortSample: -1, prefetch), batchSize: 10).Length);
    }

    [Fact]
    public void Early_stopping_and_cancellation_end_the_prefetching_thread()
    {
        var model = Classifier(4);
        var source = new GeneratedSource(200);
        var stop = new StopAfter(3);
        var history = model.Fit(source, epochs: 5, batchSize: 10, callbacks: [stop], verbose: 0, seed: 1);
        Assert.Single(history.Epochs);
        Assert.True(source.ReadThread!.Join(TimeSpan.FromSeconds(10)));
        int reads = source.Reads;
        Assert.InRange(reads, 30, 40); // three batches taken, the fourth at most prefetched
        Assert.Equal(0, source.EpochEnds); // the epoch did not complete
        Thread.Sleep(50);
        Assert.Equal(reads, source.Reads); // nothing reads after Fit returned

        using var cancel = new CancellationTokenSource();
        var cancelled = new GeneratedSource(200);
        Assert.Throws<OperationCanceledException>(() => model.Fit(cancelled, epochs: 5, batchSize: 10, callbacks: [new CancelAfter(cancel, 5)], verbose: 0, cancellationToken: cancel.Token));
        Assert.True(cancelled.ReadThread!.Join(TimeSpan.FromSeconds(10)));

        var complete = new GeneratedSource(40);
        model.Fit(complete, epochs: 3, batchSize: 10, verbose: 0);
        Assert.Equal(3, complete.EpochEnds); // Keras's on_epoch_end after every epoch
        Assert.Equal(120, complete.Reads);
    }

    private sealed class StopAfter(int batches) : Callback
    {
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (batch + 1 == batches) Context.StopTraining = true;
        }
    }

    private sealed class CancelAfter(CancellationTokenSource cancel, int batches) : Callback
    {
        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, float> logs)
        {
            if (batch + 1 == batches) cancel.Cancel();
        }
    }

    [Fact]
    public void Sources_that_do_not_fit_the_model_are_refused_before_training()
    {
        var model = Classifier(6);
        var before = (float[])model.Parameters.Clone();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(new ArraySource<float>(new float[40], new float[30], 10), verbose: 0));
        Assert.Contains("holds 4 input values per sample, but the model takes 6 (3 steps)", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(new ArraySource<float>(new float[60], new float[20], 10), verbose: 0));
        Assert.Contains("holds 2 targets per sample, but the model and loss need 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Evaluate(new ArraySource<float>(new float[60], null, 10)));
        Assert.Contains("has no targets", e.Message);
        e = Assert.Throws<ArgumentException>(() => model.Fit(new GeneratedSource(0), verbose: 0));
        Assert.Contains("holds 0 samples", e.Message);
        Assert.Equal(before, model.Parameters);
        Assert.Throws<ArgumentException>(() => new ArraySource<float>(new float[61], null, 10));
        Assert.Throws<ArgumentException>(() => new ArraySource<float>(new float[60], new float[30], 10, [1, 2, 3, 4, 5, 6, 7, 8, 9, -1]));

        string path = Path.Combine(Path.GetTempPath(), $"modelgen-records-{Guid.NewGuid():N}.bin");
        File.WriteAllBytes(path, new byte[37]);
        try
        {
            var bad = Assert.Throws<InvalidDataException>(() => new RecordFileSource<float>(path, 6, 3));
            Assert.Contains("holds 37 bytes, which is not a positive whole number", bad.Message);
            File.WriteAllBytes(path, new byte[2 * 8 * 4]); // two records of 6 inputs and 2 targets
            using var source = new RecordFileSource<float>(path, 6, 2);
            Assert.Equal(2, source.Count);
            e = Assert.Throws<ArgumentException>(() => model.Fit(source, verbose: 0));
            Assert.Contains("holds 2 targets per sample, but the model and loss need 3", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void NaN_in_a_source_names_the_samples_by_their_index_in_the_source()
    {
        var (x, y) = ClassArrays(30);
        x[17 * 6 + 2] = float.NaN;
        var model = Classifier(7);
        var e = Assert.Throws<ArithmeticException>(() => model.Fit(new ArraySource<float>(x, y, 30), batchSize: 10, shuffle: false, verbose: 0));
        Assert.Contains("source inputs holds NaN or ∞ in sample 17", e.Message);
    }
}
