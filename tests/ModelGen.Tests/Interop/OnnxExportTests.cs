using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using ModelGen.Interop;

namespace ModelGen.Tests.Interop;

/// <summary>
/// Every exported model runs in ONNX Runtime 1.31.1 and gives ModelGen's inference results at rtol = atol = 1e-5,
/// for every layer kind and option the exporter handles, masks with 'pre' and 'post' padding and with masked steps
/// between real ones included.
/// </summary>
public sealed class OnnxExportTests
{
    private const int Batch = 4;

    /// <summary>Where a row's masked steps lie: none, before the real ones, after them, or between them (<see cref="IsReal"/>).</summary>
    public enum Padding { None, Pre, Post, Gaps }

    public static TheoryData<string, Padding> Cases => new()
    {
        { nameof(OnnxRnnTanh), Padding.None },
        { nameof(OnnxRnnActivations), Padding.None },
        { nameof(OnnxLstmStacked), Padding.None },
        { nameof(OnnxGatedActivations), Padding.None },
        { nameof(OnnxGruBothForms), Padding.None },
        { nameof(OnnxGruNoBias), Padding.None },
        { nameof(OnnxBidirectionalMerges), Padding.None },
        { nameof(OnnxGoBackwards), Padding.None },
        { nameof(OnnxAnyLengthSteps), Padding.None },
        { nameof(OnnxEmbedding), Padding.None },
        { nameof(OnnxEmbeddingMasked), Padding.Pre },
        { nameof(OnnxEmbeddingMasked), Padding.Post },
        { nameof(OnnxEmbeddingMasked), Padding.Gaps },
        { nameof(OnnxMaskedBidirectionalSteps), Padding.Pre },
        { nameof(OnnxMaskedBidirectionalSteps), Padding.Post },
        { nameof(OnnxMaskedBidirectionalSteps), Padding.Gaps },
        { nameof(OnnxMaskedBidirectionalLast), Padding.Pre },
        { nameof(OnnxMaskedBidirectionalLast), Padding.Post },
        { nameof(OnnxMaskedBidirectionalLast), Padding.Gaps },
        { nameof(OnnxMaskingSteps), Padding.Pre },
        { nameof(OnnxMaskingSteps), Padding.Post },
        { nameof(OnnxMaskingSteps), Padding.Gaps },
        { nameof(OnnxMaskingLast), Padding.Pre },
        { nameof(OnnxMaskingLast), Padding.Post },
        { nameof(OnnxMaskingLast), Padding.Gaps },
        { nameof(OnnxMaskedGoBackwards), Padding.Pre },
        { nameof(OnnxMaskedGoBackwards), Padding.Post },
        { nameof(OnnxMaskedGoBackwards), Padding.Gaps },
        { nameof(OnnxMaskedGoBackwardsSteps), Padding.Pre },
        { nameof(OnnxMaskedGoBackwardsSteps), Padding.Post },
        { nameof(OnnxMaskedGoBackwardsSteps), Padding.Gaps },
        { nameof(OnnxAveragePooled), Padding.None },
        { nameof(OnnxAveragePooledMasked), Padding.Pre },
        { nameof(OnnxAveragePooledMasked), Padding.Post },
        { nameof(OnnxAveragePooledMasked), Padding.Gaps },
        { nameof(OnnxMaxPooled), Padding.None },
        { nameof(OnnxFlattened), Padding.None },
        { nameof(OnnxRepeated), Padding.None },
    };

    // Every model declared in OnnxModels.cs.
    private static readonly string[] AllModels =
    [
        nameof(OnnxRnnTanh), nameof(OnnxRnnActivations), nameof(OnnxLstmStacked), nameof(OnnxGatedActivations),
        nameof(OnnxGruBothForms), nameof(OnnxGruNoBias), nameof(OnnxBidirectionalMerges), nameof(OnnxGoBackwards),
        nameof(OnnxAnyLengthSteps), nameof(OnnxEmbedding), nameof(OnnxEmbeddingMasked), nameof(OnnxMaskedBidirectionalSteps),
        nameof(OnnxMaskedBidirectionalLast), nameof(OnnxMaskingSteps), nameof(OnnxMaskingLast), nameof(OnnxMaskedGoBackwards), nameof(OnnxMaskedGoBackwardsSteps),
        nameof(OnnxAveragePooled), nameof(OnnxAveragePooledMasked), nameof(OnnxMaxPooled), nameof(OnnxFlattened), nameof(OnnxRepeated),
    ];

    private static ISequentialModel Create(string name) => name switch
    {
        nameof(OnnxRnnTanh) => new OnnxRnnTanh(),
        nameof(OnnxRnnActivations) => new OnnxRnnActivations(),
        nameof(OnnxLstmStacked) => new OnnxLstmStacked(),
        nameof(OnnxGatedActivations) => new OnnxGatedActivations(),
        nameof(OnnxGruBothForms) => new OnnxGruBothForms(),
        nameof(OnnxGruNoBias) => new OnnxGruNoBias(),
        nameof(OnnxBidirectionalMerges) => new OnnxBidirectionalMerges(),
        nameof(OnnxGoBackwards) => new OnnxGoBackwards(),
        nameof(OnnxAnyLengthSteps) => new OnnxAnyLengthSteps(),
        nameof(OnnxEmbedding) => new OnnxEmbedding(),
        nameof(OnnxEmbeddingMasked) => new OnnxEmbeddingMasked(),
        nameof(OnnxMaskedBidirectionalSteps) => new OnnxMaskedBidirectionalSteps(),
        nameof(OnnxMaskedBidirectionalLast) => new OnnxMaskedBidirectionalLast(),
        nameof(OnnxMaskingSteps) => new OnnxMaskingSteps(),
        nameof(OnnxMaskingLast) => new OnnxMaskingLast(),
        nameof(OnnxMaskedGoBackwards) => new OnnxMaskedGoBackwards(),
        nameof(OnnxMaskedGoBackwardsSteps) => new OnnxMaskedGoBackwardsSteps(),
        nameof(OnnxAveragePooled) => new OnnxAveragePooled(),
        nameof(OnnxAveragePooledMasked) => new OnnxAveragePooledMasked(),
        nameof(OnnxMaxPooled) => new OnnxMaxPooled(),
        nameof(OnnxFlattened) => new OnnxFlattened(),
        nameof(OnnxRepeated) => new OnnxRepeated(),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void OnnxRuntime_GivesModelGensOutputs(string name, Padding padding)
    {
        var model = Create(name);
        var info = model.Info;
        var random = new Random(name.Aggregate(17, (h, c) => h * 31 + c) + (int)padding); // fixed per case (string hashes vary per process)
        // Biases are zeros after Keras's initialisation: give every parameter a value so each one is exercised.
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        int steps = info.TimeSteps ?? 9;
        // Real lengths per row: one full row, one of a single step and two in between (and, with a mask, one row of each).
        int[] lengths = padding == Padding.None ? Enumerable.Repeat(steps, Batch).ToArray() : [steps, 1, steps - 2, steps / 2];

        var output = new float[model.OutputLength(Batch, steps)];
        byte[] onnxModel = model.ToOnnx();
        // MODELGEN_ONNX_DUMP=folder keeps the exported files, e.g. for the onnx package's checker.
        if (Environment.GetEnvironmentVariable("MODELGEN_ONNX_DUMP") is { Length: > 0 } dump)
            File.WriteAllBytes(Path.Combine(Directory.CreateDirectory(dump).FullName, name + ".onnx"), onnxModel);
        using var session = new InferenceSession(onnxModel, new SessionOptions { IntraOpNumThreads = 1 });
        NamedOnnxValue input;
        if (info.TakesTokens)
        {
            var ids = new int[Batch * steps];
            for (int b = 0; b < Batch; b++)
                for (int t = 0; t < steps; t++)
                    ids[b * steps + t] = IsReal(b, t, steps, lengths[b], padding) ? random.Next(1, info.VocabularySize) : 0;
            ((ISequentialModel<int>)model).Forward(ids, Batch, steps, output);
            input = NamedOnnxValue.CreateFromTensor("input", new DenseTensor<int>(ids, [Batch, steps]));
        }
        else
        {
            int f = info.InputFeatures;
            float maskValue = name == nameof(OnnxMaskingLast) ? 0f : -1f;
            var x = new float[Batch * steps * f];
            for (int b = 0; b < Batch; b++)
                for (int t = 0; t < steps; t++)
                    for (int k = 0; k < f; k++)
                        x[(b * steps + t) * f + k] = IsReal(b, t, steps, lengths[b], padding) ? (float)(random.NextDouble() * 2 - 1) : maskValue;
            ((ISequentialModel<float>)model).Forward(x, Batch, steps, output);
            input = NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, [Batch, steps, f]));
        }

        using var results = session.Run([input]);
        var onnx = results.Single(r => r.Name == "output").AsTensor<float>();
        // A sequence output has the input's steps, or a RepeatVector's.
        int outputSteps = output.Length / (Batch * info.OutputUnits);
        Assert.Equal(info.OutputIsSequence ? new[] { Batch, outputSteps, info.OutputUnits } : new[] { Batch, info.OutputUnits }, onnx.Dimensions.ToArray());
        Assert.Contains(output, v => Math.Abs(v) > 1e-3); // outputs that could differ
        Assertions.AllClose(output, onnx.ToArray(), 1e-5, 1e-5, $"{name} ({padding} padding): ONNX Runtime vs ModelGen");
    }

    // Gaps: row 0 every step real; row 1 real but every third step from step 1; row 2 from its second step, every other
    // step; row 3 one real step, in the middle.
    private static bool IsReal(int b, int t, int steps, int length, Padding padding) => padding switch
    {
        Padding.Pre => t >= steps - length,
        Padding.Post => t < length,
        Padding.Gaps => b switch { 0 => true, 1 => t % 3 != 1, 2 => t % 2 == 1, _ => t == steps / 2 },
        _ => true,
    };

    [Fact]
    public void EveryLayerKind_IsDeclaredInAnExportedModel_AndExports()
    {
        // A layer kind the exporter (or the declaration reader it shares with the PyTorch interop) does not know fails
        // here, not in a user's export: each kind must appear in a model above, and each model must export.
        var kinds = typeof(LayerAttribute).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(LayerAttribute)) && !t.IsAbstract).Select(t => t.Name).ToHashSet();
        var declared = new HashSet<string>();
        foreach (string name in AllModels)
        {
            var model = Create(name);
            foreach (var a in Attribute.GetCustomAttributes(model.GetType(), typeof(LayerAttribute), inherit: false)) declared.Add(a.GetType().Name);
            Assert.NotEmpty(model.ToOnnx());
        }
        Assert.Empty(kinds.Except(declared));
        // And the theory above runs every model.
        Assert.Empty(AllModels.Except(Cases.Select(c => (string)c[0])));
    }

    [Fact]
    public void ASetInitialState_IsRefused_UntilResetStates()
    {
        // Predict starts from the set state; an ONNX file that starts from zeros would silently give other outputs.
        var model = new OnnxLstmStacked();
        model.SetLstmInitialState(new float[2 * 6], Enumerable.Repeat(0.5f, 2 * 6).ToArray());
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnx());
        Assert.Contains("'OnnxLstmStacked' holds an initial state", e.Message);
        Assert.Contains("ResetStates()", e.Message);
        model.ResetStates();
        Assert.NotEmpty(model.ToOnnx());
    }

    [Fact]
    public void AStatefulModelsState_IsRefused_UntilResetStates_ThenTheFileIsItsFirstPass()
    {
        // Trial G: a stateful model with a state set by SetLstmInitialState exported without a word, and ONNX Runtime
        // differed from Predict by 8e-2. A carried state starts the next pass as much as a set one does.
        var model = new OnnxStateful();
        var random = new Random(5);
        for (int i = 0; i < model.Parameters.Length; i++) model.Parameters[i] = (float)(random.NextDouble() - 0.5);
        var x = Enumerable.Range(0, 2 * 5 * 3).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        Assert.False(model.HoldsInitialState);
        byte[] fresh = model.ToOnnx();

        model.SetLstmInitialState(Enumerable.Repeat(0.9f, 2 * 4).ToArray(), Enumerable.Repeat(0.9f, 2 * 4).ToArray());
        var e = Assert.Throws<NotSupportedException>(() => model.ToOnnx());
        Assert.Contains("'OnnxStateful' holds a state its next Predict", e.Message);
        Assert.Contains("ResetStates()", e.Message);

        model.ResetStates();
        var first = model.Predict(x, batchSize: 2);                    // from zeros; carries its final state
        Assert.Throws<NotSupportedException>(() => model.ToOnnx());    // the carried state is refused too
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.onnx");
        Assert.Throws<NotSupportedException>(() => model.ExportOnnx(path));
        Assert.False(File.Exists(path));                                // and nothing is written

        model.ResetStates();
        byte[] onnx = model.ToOnnx();
        Assert.Equal(fresh, onnx);
        using var session = new InferenceSession(onnx, new SessionOptions { IntraOpNumThreads = 1 });
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(x, [2, 5, 3]))]);
        Assertions.AllClose(first, results.Single().AsTensor<float>().ToArray(), 1e-5, 1e-5, "ONNX Runtime vs the model's first pass from zeros");
    }

    [Fact]
    public void ExportOnnx_WritesAFileThatLoads_WithTheModelsMetadata()
    {
        var model = new OnnxLstmStacked();
        string path = Path.Combine(Path.GetTempPath(), $"modelgen-{Guid.NewGuid():N}.onnx");
        try
        {
            model.ExportOnnx(path);
            using var session = new InferenceSession(path);
            Assert.Equal(["input"], session.InputMetadata.Keys);
            Assert.Equal(["output"], session.OutputMetadata.Keys);
            Assert.Equal([-1, 7, 4], session.InputMetadata["input"].Dimensions);
            Assert.Equal("OnnxLstmStacked", session.ModelMetadata.CustomMetadataMap["modelgen.model"]);
            Assert.Equal("ModelGen", session.ModelMetadata.ProducerName);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
