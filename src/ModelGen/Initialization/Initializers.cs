using System;

namespace ModelGen;

/// <summary>
/// Keras's initializers (the defaults, and those a layer declares: <see cref="Initializer"/>), seeded: the same seed
/// gives the same weights, bit for bit.
/// Generated models call <see cref="Initialize(ModelInfo, Span{float}, int)"/> when they are created and from
/// their <c>Initialize(seed)</c> method.
/// </summary>
public static class Initializers
{
    /// <summary>Fills every parameter view of <paramref name="info"/> in <paramref name="parameters"/> from one seed.</summary>
    /// Kernels take Glorot-uniform, recurrent kernels orthogonal, biases zeros (LSTM forget-gate bias ones, Keras
    /// <c>unit_forget_bias</c>), embeddings uniform in ±0.05, each as its <see cref="ParameterInfo"/> names.
    /// <param name="info">The model's layout (a generated model's <c>Info</c>).</param>
    /// <param name="parameters">The model's flat parameter buffer, <see cref="ModelInfo.ParameterCount"/> floats, overwritten.</param>
    /// <param name="seed">Seed of the generator all views draw from, in layer order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="info"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="parameters"/> does not hold exactly the model's parameter count.</exception>
    public static void Initialize(ModelInfo info, Span<float> parameters, int seed)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (parameters.Length != info.ParameterCount)
            throw new ArgumentException($"model '{info.Name}' has {info.ParameterCount} parameters, the buffer holds {parameters.Length}", nameof(parameters));
        var random = new Random(seed);
        foreach (var layer in info.Layers)
            foreach (var p in layer.Parameters)
                Fill(p, parameters.Slice(p.Offset, p.Length), random);
    }

    /// <summary>
    /// The parameters of a generated model's <c>Initialize(seed)</c>: every parameter of <paramref name="model"/> from
    /// Keras's default initializers, as <see cref="Initialize(ModelInfo, Span{float}, int)"/>; a model on a device gets
    /// them there too. Only the parameters: a model with dropout also reseeds its dropout masks in its own
    /// <c>Initialize(seed)</c> (<c>SeedDropout(seed)</c>), which this does not, so two copies seeded through this method
    /// alone draw different masks; call the model's <c>Initialize(seed)</c> for both.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="seed">Seed of the generator all views draw from, in layer order.</param>
    /// <exception cref="ArgumentNullException"><paramref name="model"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Fit is training the model on another thread (it would re-randomise the
    /// weights under the run); the run's own callbacks may.</exception>
    public static void Initialize(ISequentialModel model, int seed)
    {
        ArgumentNullException.ThrowIfNull(model);
        Workers.ThrowIfTrainingElsewhere(model, "Initialize");
        Initialize(model.Info, model.Parameters, seed);
        DeviceSync.Push(model);
    }

    /// <summary>A seed for a model created without one (Keras also starts from an unseeded generator).</summary>
    /// <returns>A non-negative seed drawn from <see cref="Random.Shared"/>.</returns>
    public static int NextSeed() => Random.Shared.Next();

    private static void Fill(ParameterInfo p, Span<float> view, Random random)
    {
        // Keras's compute_fans: a matrix's rows and columns; a 1-D bias its length for both.
        bool vector = p.Rows == 1 && p.Name.Contains("bias", StringComparison.Ordinal);
        float fanIn = vector ? p.Columns : p.Rows, fanOut = p.Columns;
        float Argument(int i, float keras) => i < p.InitializerArguments.Count ? p.InitializerArguments[i] : keras;
        switch (p.Initializer)
        {
            case Initializer.Zeros:
                view.Clear();
                break;
            case Initializer.GlorotUniform:
                Uniform(view, MathF.Sqrt(6f / (p.Rows + p.Columns)), random);
                break;
            case Initializer.Uniform005:
                Uniform(view, 0.05f, random);
                break;
            case Initializer.Orthogonal:
                Orthogonal(p.Rows, p.Columns, view, random);
                if (Argument(0, 1f) is var gain && gain != 1f) foreach (ref float v in view) v *= gain;
                break;
            case Initializer.Ones:
                view.Fill(1f);
                break;
            case Initializer.Constant:
                view.Fill(Argument(0, 0f));
                break;
            case Initializer.GlorotNormal:
                ScaledNormal(view, 2f / (fanIn + fanOut), random);
                break;
            case Initializer.HeNormal:
                ScaledNormal(view, 2f / fanIn, random);
                break;
            case Initializer.LecunNormal:
                ScaledNormal(view, 1f / fanIn, random);
                break;
            case Initializer.HeUniform:
                Uniform(view, MathF.Sqrt(6f / fanIn), random);
                break;
            case Initializer.LecunUniform:
                Uniform(view, MathF.Sqrt(3f / fanIn), random);
                break;
            case Initializer.RandomNormal:
                for (int i = 0; i < view.Length; i++) view[i] = (float)(Argument(0, 0f) + Argument(1, 0.05f) * Normal(random));
                break;
            case Initializer.RandomUniform:
            {
                float low = Argument(0, -0.05f), high = Argument(1, 0.05f);
                for (int i = 0; i < view.Length; i++) view[i] = (float)(low + (high - low) * random.NextDouble());
                break;
            }
            case Initializer.TruncatedNormal:
                for (int i = 0; i < view.Length; i++) view[i] = (float)(Argument(0, 0f) + Argument(1, 0.05f) * TruncatedNormal(random));
                break;
            case Initializer.Identity:
                view.Clear();
                for (int i = 0; i < Math.Min(p.Rows, p.Columns); i++) view[i * p.Columns + i] = Argument(0, 1f);
                break;
            case Initializer.UnitForgetBias:
                // LSTM bias [4·units], gates i, f, c, o: ones for f.
                view.Clear();
                int units = view.Length / 4;
                view.Slice(units, units).Fill(1f);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(p), p.Initializer, "unknown initializer");
        }
        if (p.UnitForgetBias) view.Slice(view.Length / 4, view.Length / 4).Fill(1f); // LSTM gates i, f, c, o: ones for f
    }

    /// <summary>
    /// Keras <c>VarianceScaling(distribution="truncated_normal")</c> with variance <paramref name="variance"/>: a normal
    /// truncated at ±2σ′ with σ′ = √variance / 0.87962566103423978 (the truncation's correction), so the values' standard
    /// deviation is √variance.
    /// </summary>
    private static void ScaledNormal(Span<float> view, float variance, Random random)
    {
        double stddev = Math.Sqrt(variance) / 0.87962566103423978;
        for (int i = 0; i < view.Length; i++) view[i] = (float)(stddev * TruncatedNormal(random));
    }

    /// <summary>A standard normal value, redrawn until it lies within ±2 (TensorFlow's truncated normal).</summary>
    private static double TruncatedNormal(Random random)
    {
        double z;
        do z = Normal(random); while (Math.Abs(z) > 2);
        return z;
    }

    private static void Uniform(Span<float> view, float limit, Random random)
    {
        for (int i = 0; i < view.Length; i++) view[i] = (float)((random.NextDouble() * 2 - 1) * limit);
    }

    /// <summary>
    /// Keras <c>Orthogonal</c>: a normal matrix of shape (max(r, c), min(r, c)) is QR-factorised; Q (with R's
    /// diagonal made positive) is used, transposed when there are fewer rows than columns.
    /// Gram–Schmidt in double precision gives that Q directly.
    /// </summary>
    private static void Orthogonal(int rows, int columns, Span<float> view, Random random)
    {
        int tall = Math.Max(rows, columns), narrow = Math.Min(rows, columns);
        var q = new double[tall * narrow]; // column-major: column j at [j·tall, (j+1)·tall)
        for (int i = 0; i < q.Length; i++) q[i] = Normal(random);
        for (int j = 0; j < narrow; j++)
        {
            var col = q.AsSpan(j * tall, tall);
            for (int pass = 0; pass < 2; pass++) // re-orthogonalise once for accuracy
            {
                for (int k = 0; k < j; k++)
                {
                    var prev = q.AsSpan(k * tall, tall);
                    double dot = 0;
                    for (int i = 0; i < tall; i++) dot += prev[i] * col[i];
                    for (int i = 0; i < tall; i++) col[i] -= dot * prev[i];
                }
            }
            double norm = 0;
            for (int i = 0; i < tall; i++) norm += col[i] * col[i];
            norm = Math.Sqrt(norm);
            for (int i = 0; i < tall; i++) col[i] /= norm;
        }
        for (int r = 0; r < rows; r++)
            for (int c = 0; c < columns; c++)
                view[r * columns + c] = (float)(rows >= columns ? q[c * tall + r] : q[r * tall + c]);
    }

    private static double Normal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
