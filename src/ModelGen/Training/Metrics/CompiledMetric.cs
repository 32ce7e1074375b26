using System;
using System.Collections.Generic;

namespace ModelGen;

/// <summary>
/// A metric as <c>Compile</c> received it: a Keras name, resolved into a new <see cref="Metric"/> for each run (so
/// concurrent <c>Evaluate</c> calls never share one), or a user's <see cref="Metric"/> object, which every run uses and
/// resets first, as Keras does with metric objects.
/// </summary>
internal readonly record struct CompiledMetric(string Name, Metric? Instance)
{
    /// <summary>The metric a run uses: a new one for a name, the user's object (reset) otherwise.</summary>
    public Metric Create(Loss loss, int outputUnits)
    {
        if (Instance is null) return Metric.FromName(Name, loss, outputUnits);
        Instance.Reset();
        return Instance;
    }

    /// <summary>Names, checked now so an unknown one fails at <c>Compile</c>.</summary>
    public static CompiledMetric[] FromNames(IReadOnlyList<string> names, Loss loss, int outputUnits)
    {
        var result = new CompiledMetric[names.Count];
        for (int i = 0; i < result.Length; i++)
        {
            _ = Metric.FromName(names[i], loss, outputUnits); // fail now on an unknown name
            result[i] = new CompiledMetric(names[i], null);
        }
        return result;
    }

    /// <summary>Metric objects: none null, none given twice (one object's running value cannot be two logged values).</summary>
    public static CompiledMetric[] FromObjects(IReadOnlyList<Metric> metrics, IReadOnlyList<Metric> weightedMetrics)
    {
        var seen = new HashSet<Metric>(ReferenceEqualityComparer.Instance);
        var result = new CompiledMetric[metrics.Count + weightedMetrics.Count];
        for (int i = 0; i < result.Length; i++)
        {
            bool weighted = i >= metrics.Count;
            var metric = weighted ? weightedMetrics[i - metrics.Count] : metrics[i];
            string what = weighted ? nameof(weightedMetrics) : nameof(metrics);
            if (metric is null) throw new ArgumentException($"{what}[{(weighted ? i - metrics.Count : i)}] is null; expected a Metric", what);
            if (!seen.Add(metric)) throw new ArgumentException($"the metric object '{metric.Name}' is given twice; pass a separate instance for each logged value", what);
            result[i] = new CompiledMetric(metric.Name, metric);
        }
        return result;
    }
}
