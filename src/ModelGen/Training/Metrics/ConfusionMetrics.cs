using System;

namespace ModelGen;

/// <summary>
/// What <see cref="Precision"/> and <see cref="Recall"/> share: one decision threshold and the weighted confusion counts
/// of every output element seen since <see cref="Metric.Reset"/>. An element is predicted positive when
/// <c>output &gt; threshold</c> (strictly, as in Keras) and truly positive when its target is not 0 (Keras casts
/// <c>y_true</c> to bool).
/// </summary>
/// <remarks>
/// Outputs of several units are flattened, as Keras does without <c>class_id</c>/<c>top_k</c> (neither is offered here).
/// Sample weights (Keras <c>sample_weight</c>, through <c>weightedMetrics</c>) weight each row's counts. Counts are kept
/// in double precision (Keras keeps float32 variables). Updates allocate nothing.
/// </remarks>
public abstract class BinaryConfusionMetric : Metric
{
    /// <summary>Higher is better (precision, recall).</summary>
    public override MonitorMode Direction => MonitorMode.Max;

    private protected ConfusionCounts Counts;

    private protected BinaryConfusionMetric(float threshold, string name) : base(name)
        => Threshold = ConfusionCounts.CheckThreshold(threshold);

    /// <summary>Decision threshold (Keras <c>thresholds</c>, one value).</summary>
    public float Threshold { get; }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        Counts = default;
    }

    /// <summary>Adds a batch's confusion counts.</summary>
    /// <param name="output">Model output (probabilities, or logits with <c>threshold: 0</c>), <c>[samples, width]</c>.</param>
    /// <param name="target">Targets, same length: 0 is negative, anything else positive.</param>
    /// <param name="samples">Rows.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        CheckLengths(output, target, samples, sparseTarget: false);
        Counts.Add(output, target, Threshold, RowWeight);
    }
}

/// <summary>
/// Keras <c>keras.metrics.Precision</c> (binary, one threshold): <c>TP / (TP + FP)</c> over every output element seen
/// since <see cref="Metric.Reset"/>, with <see cref="BinaryConfusionMetric"/>'s rules. 0 when nothing was predicted
/// positive (Keras's <c>divide_no_nan</c>).
/// </summary>
public sealed class Precision : BinaryConfusionMetric
{
    /// <summary>Creates the metric (Keras defaults).</summary>
    /// <param name="threshold">Outputs strictly above it are predicted positive (Keras default 0.5; use 0 for logits).</param>
    /// <param name="name">Logged name; <c>precision</c> by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    public Precision(float threshold = 0.5f, string name = "precision") : base(threshold, name) { }

    /// <summary><c>TP / (TP + FP)</c>; 0 before anything was predicted positive.</summary>
    public override float Result => (float)ConfusionCounts.Ratio(Counts.TruePositives, Counts.TruePositives + Counts.FalsePositives);
}

/// <summary>
/// Keras <c>keras.metrics.Recall</c> (binary, one threshold): <c>TP / (TP + FN)</c> over every output element seen
/// since <see cref="Metric.Reset"/>, with <see cref="BinaryConfusionMetric"/>'s rules. 0 when no target was positive.
/// </summary>
public sealed class Recall : BinaryConfusionMetric
{
    /// <summary>Creates the metric (Keras defaults).</summary>
    /// <param name="threshold">Outputs strictly above it are predicted positive (Keras default 0.5; use 0 for logits).</param>
    /// <param name="name">Logged name; <c>recall</c> by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threshold"/> is NaN or infinite.</exception>
    public Recall(float threshold = 0.5f, string name = "recall") : base(threshold, name) { }

    /// <summary><c>TP / (TP + FN)</c>; 0 before any positive target.</summary>
    public override float Result => (float)ConfusionCounts.Ratio(Counts.TruePositives, Counts.TruePositives + Counts.FalseNegatives);
}

/// <summary>The curve <see cref="Auc"/> integrates (Keras <c>curve</c>).</summary>
public enum AucCurve
{
    /// <summary>Receiver operating characteristic: true-positive rate (recall) over false-positive rate (Keras <c>'ROC'</c>, the default).</summary>
    Roc,

    /// <summary>Precision over recall (Keras <c>'PR'</c>).</summary>
    PR,
}

/// <summary>How <see cref="Auc"/> sums the area between thresholds (Keras <c>summation_method</c>).</summary>
public enum AucSummationMethod
{
    /// <summary>Keras <c>'interpolation'</c> (the default): trapezoids for ROC; for PR, Davis &amp; Goadrich's interpolation of true and false positives.</summary>
    Interpolation,

    /// <summary>Keras <c>'minoring'</c>: each interval's lower end (a lower bound of the area).</summary>
    Minoring,

    /// <summary>Keras <c>'majoring'</c>: each interval's higher end (an upper bound of the area).</summary>
    Majoring,
}

/// <summary>
/// Keras <c>keras.metrics.AUC</c> (single label): the area under the ROC or PR curve, approximated by a Riemann sum over
/// <c>numThresholds</c> thresholds <c>[0 − ε, 1/(n−1), 2/(n−1), …, (n−2)/(n−1), 1 + ε]</c>, from the true/false positive
/// counts at each threshold, accumulated over every output element since <see cref="Metric.Reset"/>.
/// </summary>
/// <remarks>
/// <para>
/// As Keras's evenly-spaced path: outputs are clipped to [0, 1] (after a sigmoid with <c>fromLogits</c>), each falls in
/// bucket <c>max(⌈p·(n−1)⌉ − 1, 0)</c> (so it counts as positive at threshold <c>i</c> exactly when <c>p &gt; tᵢ</c>),
/// targets count as positive when not 0, and the counts at each threshold are suffix sums of the buckets. ROC:
/// <c>Σ (fprᵢ − fprᵢ₊₁)·hᵢ</c> with <c>hᵢ</c> the mean (interpolation), min (minoring) or max (majoring) of
/// <c>recallᵢ, recallᵢ₊₁</c>; PR with interpolation uses Keras's closed form of Davis &amp; Goadrich's interpolation.
/// Every ratio is Keras's <c>divide_no_nan</c> (0 over 0 is 0), so the result is 0 before any update. A NaN output counts
/// as 0.
/// </para>
/// <para>
/// Outputs of several units are flattened (Keras with <c>multi_label=False</c>; multi-label averaging and explicit
/// threshold lists are not offered). Counts are kept in double precision (Keras: float32). Updates allocate nothing;
/// <see cref="Result"/> is O(numThresholds).
/// </para>
/// </remarks>
public sealed class Auc : Metric
{
    /// <summary>Higher is better.</summary>
    public override MonitorMode Direction => MonitorMode.Max;

    private readonly double[] _positives, _negatives;   // per bucket: weighted count of positive / negative targets

    /// <summary>Creates the metric (Keras defaults: 200 thresholds, ROC, interpolation).</summary>
    /// <param name="numThresholds">Thresholds, including the two end points, &gt; 1 (Keras default 200).</param>
    /// <param name="curve">ROC (default) or PR.</param>
    /// <param name="summationMethod">Interpolation (default), minoring or majoring.</param>
    /// <param name="fromLogits">True when the outputs are logits: a sigmoid is applied first (Keras <c>from_logits</c>).</param>
    /// <param name="name">Logged name; <c>auc</c> by default.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="numThresholds"/> is below 2, or an enum value is undefined.</exception>
    public Auc(int numThresholds = 200, AucCurve curve = AucCurve.Roc, AucSummationMethod summationMethod = AucSummationMethod.Interpolation,
        bool fromLogits = false, string name = "auc") : base(name)
    {
        if (numThresholds <= 1) throw new ArgumentOutOfRangeException(nameof(numThresholds), numThresholds, "numThresholds must be an integer > 1 (Keras default 200)");
        if (!Enum.IsDefined(curve)) throw new ArgumentOutOfRangeException(nameof(curve), curve, "curve must be AucCurve.Roc or AucCurve.PR");
        if (!Enum.IsDefined(summationMethod)) throw new ArgumentOutOfRangeException(nameof(summationMethod), summationMethod, "summationMethod must be Interpolation, Minoring or Majoring");
        NumThresholds = numThresholds;
        Curve = curve;
        SummationMethod = summationMethod;
        FromLogits = fromLogits;
        _positives = new double[numThresholds];
        _negatives = new double[numThresholds];
    }

    /// <summary>Number of thresholds, end points included (Keras <c>num_thresholds</c>).</summary>
    public int NumThresholds { get; }

    /// <summary>The curve integrated.</summary>
    public AucCurve Curve { get; }

    /// <summary>How intervals are summed.</summary>
    public AucSummationMethod SummationMethod { get; }

    /// <summary>True when outputs are logits (a sigmoid is applied before bucketing).</summary>
    public bool FromLogits { get; }

    /// <summary>Threshold <paramref name="index"/>: <c>−1e-7</c> for 0, <c>1 + 1e-7</c> for the last, <c>index/(n−1)</c> between (Keras's <c>thresholds</c>).</summary>
    /// <param name="index">0 to <see cref="NumThresholds"/> − 1.</param>
    /// <returns>The threshold.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is out of range.</exception>
    public double Threshold(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, NumThresholds);
        return index == 0 ? -1e-7 : index == NumThresholds - 1 ? 1 + 1e-7 : (double)index / (NumThresholds - 1);
    }

    /// <inheritdoc/>
    public override void Reset()
    {
        base.Reset();
        Array.Clear(_positives);
        Array.Clear(_negatives);
    }

    /// <summary>Adds a batch's outputs to the confusion counts at every threshold.</summary>
    /// <param name="output">Model output, probabilities in [0, 1] (clipped), or logits with <c>fromLogits</c>; <c>[samples, width]</c>.</param>
    /// <param name="target">Targets, same length: 0 is negative, anything else positive.</param>
    /// <param name="samples">Rows.</param>
    /// <exception cref="ArgumentException">A length does not match.</exception>
    public override void Update(ReadOnlySpan<float> output, ReadOnlySpan<float> target, int samples)
    {
        CheckLengths(output, target, samples, sparseTarget: false);
        double weight = RowWeight;
        float scale = NumThresholds - 1;
        for (int i = 0; i < output.Length; i++)
        {
            float p = output[i];
            if (FromLogits) p = 1f / (1f + MathF.Exp(-p));
            p = float.IsNaN(p) ? 0f : Math.Clamp(p, 0f, 1f);
            int bucket = Math.Max((int)MathF.Ceiling(p * scale) - 1, 0);
            if (target[i] != 0f) _positives[bucket] += weight;
            else _negatives[bucket] += weight;
        }
    }

    /// <summary>The area under the curve; 0 before any update.</summary>
    public override float Result
    {
        get
        {
            double totalPositives = 0, totalNegatives = 0;
            for (int i = 0; i < NumThresholds; i++)
            {
                totalPositives += _positives[i];
                totalNegatives += _negatives[i];
            }
            // Walk thresholds from the highest down: (tp, fp) at i+1 ("next") are known when i's are formed.
            double nextTp = _positives[NumThresholds - 1], nextFp = _negatives[NumThresholds - 1], area = 0;
            for (int i = NumThresholds - 2; i >= 0; i--)
            {
                double tp = nextTp + _positives[i], fp = nextFp + _negatives[i];
                area += Curve == AucCurve.PR && SummationMethod == AucSummationMethod.Interpolation
                    ? InterpolatedPrArea(tp, fp, nextTp, nextFp, totalPositives)
                    : Riemann(tp, fp, nextTp, nextFp, totalPositives, totalNegatives);
                nextTp = tp;
                nextFp = fp;
            }
            return (float)area;
        }
    }

    /// <summary>One interval's term: <c>(xᵢ − xᵢ₊₁)·height(yᵢ, yᵢ₊₁)</c>, x/y being fpr/recall (ROC) or recall/precision (PR).</summary>
    private double Riemann(double tp, double fp, double nextTp, double nextFp, double totalPositives, double totalNegatives)
    {
        double recall = ConfusionCounts.Ratio(tp, totalPositives), nextRecall = ConfusionCounts.Ratio(nextTp, totalPositives);
        double x, nextX, y, nextY;
        if (Curve == AucCurve.Roc)
        {
            (x, nextX) = (ConfusionCounts.Ratio(fp, totalNegatives), ConfusionCounts.Ratio(nextFp, totalNegatives));
            (y, nextY) = (recall, nextRecall);
        }
        else
        {
            (x, nextX) = (recall, nextRecall);
            (y, nextY) = (ConfusionCounts.Ratio(tp, tp + fp), ConfusionCounts.Ratio(nextTp, nextTp + nextFp));
        }
        double height = SummationMethod switch
        {
            AucSummationMethod.Interpolation => (y + nextY) / 2,
            AucSummationMethod.Minoring => Math.Min(y, nextY),
            _ => Math.Max(y, nextY),
        };
        return (x - nextX) * height;
    }

    /// <summary>Keras's <c>interpolate_pr_auc</c> term for one interval: <c>slope·(ΔTP + intercept·ln(Pᵢ/Pᵢ₊₁)) / positives</c>.</summary>
    private static double InterpolatedPrArea(double tp, double fp, double nextTp, double nextFp, double totalPositives)
    {
        double p = tp + fp, nextP = nextTp + nextFp;
        double dtp = tp - nextTp;
        double slope = ConfusionCounts.Ratio(dtp, Math.Max(p - nextP, 0));
        double intercept = nextTp - slope * nextP;
        double ratio = p > 0 && nextP > 0 ? ConfusionCounts.Ratio(p, nextP) : 1;
        return ConfusionCounts.Ratio(slope * (dtp + intercept * Math.Log(ratio)), totalPositives);
    }
}

/// <summary>Weighted confusion counts at one threshold, and the arithmetic the confusion-matrix metrics share.</summary>
internal struct ConfusionCounts
{
    public double TruePositives { get; private set; }

    public double FalsePositives { get; private set; }

    public double FalseNegatives { get; private set; }

    /// <summary>Keras's <c>divide_no_nan</c>: 0 when the denominator is 0.</summary>
    public static double Ratio(double numerator, double denominator) => denominator == 0 ? 0 : numerator / denominator;

    public static float CheckThreshold(float threshold) => float.IsFinite(threshold) ? threshold
        : throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "threshold must be a finite number (0.5 for probabilities, 0 for logits)");

    /// <summary>Adds <c>output &gt; threshold</c> against <c>target ≠ 0</c> for every element, each counting <paramref name="weight"/>.</summary>
    public void Add(ReadOnlySpan<float> output, ReadOnlySpan<float> target, float threshold, double weight)
    {
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < output.Length; i++)
        {
            bool predicted = output[i] > threshold, actual = target[i] != 0f;
            if (predicted && actual) tp++;
            else if (predicted) fp++;
            else if (actual) fn++;
        }
        TruePositives += tp * weight;
        FalsePositives += fp * weight;
        FalseNegatives += fn * weight;
    }
}
