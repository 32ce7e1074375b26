using System.Linq;
using Xunit.Abstractions;
using SequenceTagging;

namespace ModelGen.Tests;

/// <summary>
/// The SequenceTagging sample's core, smaller: its data, its two models and its baselines, with 1,000 training tracks
/// instead of 5,000 and at most 12 epochs. Seeds: data 1 (train) and 2 (test), initialization 3, shuffling 4.
/// </summary>
public sealed class SequenceTaggingTests(ITestOutputHelper output)
{
    [Fact]
    public void Bidirectional_tagger_beats_the_forward_only_gru_and_the_one_step_rule()
    {
        var train = TrackData.Generate(1_000, Tagger.Steps, seed: 1);
        var test = TrackData.Generate(300, Tagger.Steps, seed: 2);

        var tagger = new Tagger();
        tagger.Initialize(seed: 3);
        float bidirectional = Train(tagger, train, test);
        var forward = new ForwardTagger();
        forward.Initialize(seed: 3);
        float forwardOnly = Train(forward, train, test);

        float oneStep = TrackData.Accuracy(OneStepRule.Fit(train).Predict(test.X), test.Tags);
        float majority = TrackData.Accuracy(Enumerable.Repeat(TrackData.MajorityClass(train.Tags), test.Tags.Length).ToArray(), test.Tags);
        string figures = $"per-step test accuracy: bidirectional {bidirectional:0.0000}, forward-only {forwardOnly:0.0000}, one-step rule {oneStep:0.0000}, majority {majority:0.0000}";

        output.WriteLine(figures);
        Assert.True(majority < 0.40f && oneStep < 0.55f, figures); // what looking at one step at a time can reach
        Assert.True(bidirectional > 0.85f, figures);              // the full sample reaches about 0.90
        Assert.True(bidirectional > oneStep + 0.30f, figures);
        Assert.True(bidirectional > forwardOnly + 0.04f, figures); // the backward direction sees what comes after a change

        // Keras's per-step accuracy from Evaluate is the same figure: every step of every track counts once.
        Assert.Equal(bidirectional, tagger.Evaluate(test.X, test.OneHot())["accuracy"], 1e-5f);
    }

    private static float Train<TModel>(TModel model, TaggedTracks train, TaggedTracks test) where TModel : ISequentialModel<float>
    {
        model.Compile(new Adam(learningRate: 0.01f), Loss.CategoricalCrossentropy(), "accuracy");
        model.Fit(train.X, train.OneHot(), epochs: 12, batchSize: 32, validationSplit: 0.2f, seed: 4, verbose: 0,
            callbacks: [new EarlyStopping(patience: 3, restoreBestWeights: true)]);
        return TrackData.Accuracy(TrackData.ArgMax(model.Predict(test.X)), test.Tags);
    }
}
