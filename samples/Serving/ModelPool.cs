using System;
using Microsoft.Extensions.ObjectPool;
using ModelGen;

namespace Serving;

/// <summary>
/// Model instances for concurrent requests, each with the same weights. A ModelGen model instance keeps its workspace
/// (activations of the last pass) in itself, so today one instance must not run two passes at once: shared by several
/// threads it returns wrong answers (issue 13, item 1). Each request therefore rents an instance of its own and returns
/// it; the pool (Microsoft.Extensions.ObjectPool, part of ASP.NET Core) keeps up to <c>retained</c> of them and makes
/// more under a burst, each a copy of the weights loaded once from the file.
/// </summary>
public sealed class ModelPool
{
    private readonly ObjectPool<ForecastModel> _pool;

    /// <summary>Loads <paramref name="weightsPath"/> once; every instance the pool makes starts from those weights.</summary>
    /// <param name="weightsPath">A weight file saved by <c>SaveWeights</c> from a <see cref="ForecastModel"/>.</param>
    /// <param name="retained">Instances kept between requests (about the number of concurrent requests expected).</param>
    /// <exception cref="System.IO.InvalidDataException">The file is not a weight file of this model.</exception>
    public ModelPool(string weightsPath, int retained)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retained, 1);
        var template = new ForecastModel();
        LoadResult = template.LoadWeights(weightsPath);
        Weights = (float[])template.Parameters.Clone();
        Info = template.Info;
        _pool = new DefaultObjectPool<ForecastModel>(new Policy(Weights), retained);
    }

    /// <summary>The served model's layout and shapes.</summary>
    public ModelInfo Info { get; }

    /// <summary>What loading the weight file reported.</summary>
    public WeightLoadResult LoadResult { get; }

    /// <summary>The weights every instance holds (a copy; do not change).</summary>
    public float[] Weights { get; }

    /// <summary>The model's Keras-style summary table.</summary>
    public string Summary() => Run(m => m.Summary());

    /// <summary>Runs <paramref name="work"/> on an instance no other caller uses meanwhile.</summary>
    public T Run<T>(Func<ForecastModel, T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var model = _pool.Get();
        try
        {
            return work(model);
        }
        finally
        {
            _pool.Return(model);
        }
    }

    private sealed class Policy(float[] weights) : IPooledObjectPolicy<ForecastModel>
    {
        public ForecastModel Create()
        {
            var model = new ForecastModel();
            weights.CopyTo(model.Parameters, 0);
            return model;
        }

        public bool Return(ForecastModel obj) => true; // inference leaves nothing behind that the next request sees
    }
}
