using System;
using ModelGen.Text;

namespace SequenceTagging;

/// <summary>
/// A generated sequence-labelling task. A hidden regime follows a Markov chain (it stays with probability
/// <see cref="StayProbability"/>, else switches to one of the other two) and drives a noisy 2-D track; each step's
/// input is the track's displacement (dx, dy) and its label is the regime:
/// <list type="bullet">
/// <item><see cref="Still"/>: no movement, only noise;</item>
/// <item><see cref="Drifting"/>: a step of length <see cref="StepLength"/> in one direction, held for the whole segment;</item>
/// <item><see cref="Oscillating"/>: a step of the same length along one direction, alternately forwards and backwards.</item>
/// </list>
/// Every displacement gets Gaussian noise (σ = <see cref="Noise"/> per coordinate). A single step cannot tell drifting
/// from oscillating (both are a step of length 0.5 in a uniformly random direction); its neighbours can.
/// </summary>
public static class TrackData
{
    /// <summary>Regime labels.</summary>
    public const int Still = 0, Drifting = 1, Oscillating = 2, Classes = 3;

    /// <summary>Probability that the regime stays the same from one step to the next (mean segment: 10 steps).</summary>
    public const double StayProbability = 0.9;

    /// <summary>Length of a drifting or oscillating step.</summary>
    public const double StepLength = 0.5;

    /// <summary>Standard deviation of the noise on each coordinate of each displacement.</summary>
    public const double Noise = 0.25;

    /// <summary>One letter per regime (<c>S</c>till, <c>D</c>rifting, <c>O</c>scillating), for printing tag sequences.</summary>
    public const string LetterCodes = "SDO";

    /// <summary>A tag sequence as letters, e.g. <c>SSSDDDDOOO</c>.</summary>
    public static string ToLetters(ReadOnlySpan<int> tags)
    {
        var letters = new char[tags.Length];
        for (int i = 0; i < tags.Length; i++) letters[i] = LetterCodes[tags[i]];
        return new string(letters);
    }

    /// <summary>
    /// Makes <paramref name="samples"/> tracks of <paramref name="steps"/> steps: inputs <c>[samples, steps, 2]</c>
    /// and one regime label per step, <c>[samples, steps]</c>.
    /// </summary>
    public static TaggedTracks Generate(int samples, int steps, int seed)
    {
        var random = new Random(seed);
        var x = new float[samples * steps * 2];
        var tags = new int[samples * steps];
        for (int s = 0; s < samples; s++)
        {
            int regime = -1;
            double ux = 0, uy = 0;
            int sign = 1;
            for (int t = 0; t < steps; t++)
            {
                int next = regime < 0 ? random.Next(Classes)
                    : random.NextDouble() < StayProbability ? regime
                    : (regime + 1 + random.Next(Classes - 1)) % Classes;
                if (next != regime)
                {
                    double angle = random.NextDouble() * 2 * Math.PI; // a new segment: a new direction
                    (ux, uy) = (Math.Cos(angle), Math.Sin(angle));
                    sign = 1;
                    regime = next;
                }
                double length = regime switch { Still => 0, Drifting => StepLength, _ => sign * StepLength };
                sign = -sign;
                int i = (s * steps + t) * 2;
                x[i] = (float)(length * ux + Noise * Gaussian(random));
                x[i + 1] = (float)(length * uy + Noise * Gaussian(random));
                tags[s * steps + t] = regime;
            }
        }
        return new TaggedTracks(x, tags, samples, steps);
    }

    private static double Gaussian(Random random)
    {
        double u = 1 - random.NextDouble(); // (0, 1]: Box–Muller
        return Math.Sqrt(-2 * Math.Log(u)) * Math.Cos(2 * Math.PI * random.NextDouble());
    }

    /// <summary>The label of every step: the argmax of each <c>[Classes]</c> row of a model's output <c>[samples, steps, Classes]</c>.</summary>
    public static int[] ArgMax(float[] probabilities)
    {
        var labels = new int[probabilities.Length / Classes];
        for (int r = 0; r < labels.Length; r++)
        {
            int best = 0;
            for (int c = 1; c < Classes; c++)
                if (probabilities[r * Classes + c] > probabilities[r * Classes + best]) best = c;
            labels[r] = best;
        }
        return labels;
    }

    /// <summary>The fraction of steps whose predicted label equals the true one.</summary>
    public static float Accuracy(ReadOnlySpan<int> predicted, ReadOnlySpan<int> truth)
    {
        if (predicted.Length != truth.Length) throw new ArgumentException($"{predicted.Length} predictions for {truth.Length} labels", nameof(predicted));
        int right = 0;
        for (int i = 0; i < truth.Length; i++) if (predicted[i] == truth[i]) right++;
        return (float)right / truth.Length;
    }

    /// <summary>
    /// Accuracy on the <paramref name="side"/> steps either side of each regime change, where the context on one side
    /// belongs to another regime, and on the other steps.
    /// </summary>
    public static (float NearChange, float Elsewhere) AccuracyNearChanges(ReadOnlySpan<int> predicted, TaggedTracks data, int side = 2)
    {
        ArgumentNullException.ThrowIfNull(data);
        int nearRight = 0, near = 0, farRight = 0, far = 0;
        for (int s = 0; s < data.Samples; s++)
        {
            var tags = data.Tags.AsSpan(s * data.Steps, data.Steps);
            for (int t = 0; t < data.Steps; t++)
            {
                bool isNear = false;
                for (int d = Math.Max(1, t - side + 1); d <= Math.Min(data.Steps - 1, t + side) && !isNear; d++)
                    isNear = tags[d] != tags[d - 1]; // a change between steps d − 1 and d
                bool right = predicted[s * data.Steps + t] == tags[t];
                if (isNear) { near++; if (right) nearRight++; }
                else { far++; if (right) farRight++; }
            }
        }
        return ((float)nearRight / Math.Max(1, near), (float)farRight / Math.Max(1, far));
    }

    /// <summary>The most frequent label of <paramref name="tags"/>.</summary>
    public static int MajorityClass(ReadOnlySpan<int> tags)
    {
        Span<int> counts = stackalloc int[Classes];
        foreach (int tag in tags) counts[tag]++;
        int best = 0;
        for (int c = 1; c < Classes; c++) if (counts[c] > counts[best]) best = c;
        return best;
    }
}

/// <summary>
/// The best rule that looks at one step at a time: a step shorter than <see cref="Threshold"/> is still, a longer one
/// gets <see cref="MovingLabel"/>, the more frequent of drifting and oscillating in the training data (one step cannot
/// tell them apart). The threshold is the one with the best training accuracy.
/// </summary>
/// <param name="Threshold">Displacement length below which a step is called still.</param>
/// <param name="MovingLabel">The label given to longer steps.</param>
public sealed record OneStepRule(float Threshold, int MovingLabel)
{
    /// <summary>Fits the threshold on <paramref name="data"/> by trying every 0.01 from 0 to 1.5.</summary>
    public static OneStepRule Fit(TaggedTracks data)
    {
        ArgumentNullException.ThrowIfNull(data);
        int drifting = 0, oscillating = 0;
        foreach (int tag in data.Tags) { if (tag == TrackData.Drifting) drifting++; else if (tag == TrackData.Oscillating) oscillating++; }
        int moving = drifting >= oscillating ? TrackData.Drifting : TrackData.Oscillating;
        var best = new OneStepRule(0, moving);
        float bestAccuracy = -1;
        for (int i = 0; i <= 150; i++)
        {
            var rule = new OneStepRule(i / 100f, moving);
            float accuracy = TrackData.Accuracy(rule.Predict(data.X), data.Tags);
            if (accuracy > bestAccuracy) (best, bestAccuracy) = (rule, accuracy);
        }
        return best;
    }

    /// <summary>One label per step of <paramref name="x"/>, <c>[samples, steps, 2]</c>.</summary>
    public int[] Predict(ReadOnlySpan<float> x)
    {
        var labels = new int[x.Length / 2];
        for (int i = 0; i < labels.Length; i++)
            labels[i] = MathF.Sqrt(x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1]) < Threshold ? TrackData.Still : MovingLabel;
        return labels;
    }
}

/// <summary>Tracks and their per-step regime labels.</summary>
/// <param name="X">Displacements, <c>[Samples, Steps, 2]</c>.</param>
/// <param name="Tags">Regime of every step, <c>[Samples, Steps]</c>.</param>
/// <param name="Samples">Number of tracks.</param>
/// <param name="Steps">Steps per track.</param>
#pragma warning disable CA1819 // flat arrays are what Fit takes
public sealed record TaggedTracks(float[] X, int[] Tags, int Samples, int Steps)
{
    /// <summary>The labels one-hot, <c>[Samples, Steps, 3]</c>, the targets of categorical cross-entropy.</summary>
    public float[] OneHot() => Sequences.ToCategorical(Tags, TrackData.Classes);

    /// <summary>The tags of track <paramref name="sample"/> as letters (<see cref="TrackData.LetterCodes"/>).</summary>
    public string Letters(int sample) => TrackData.ToLetters(Tags.AsSpan(sample * Steps, Steps));
}
#pragma warning restore CA1819
