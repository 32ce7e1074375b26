using System;
using System.Globalization;

namespace ModelGen;

/// <summary>
/// What a generation loop needs after <c>Predict</c>/<c>Forward</c>: softmax with temperature, argmax (greedy
/// decoding), and seeded sampling of a class from logits or probabilities, for one row or for every row of a batch
/// <c>[batch, classes]</c> (batch-major). Nothing here allocates.
/// </summary>
/// <remarks>
/// <para>
/// Counterparts: <see cref="Softmax(ReadOnlySpan{float}, Span{float}, float)"/> is <c>torch.softmax(logits / T, -1)</c> /
/// <c>keras.ops.softmax</c>; <see cref="Argmax(ReadOnlySpan{float})"/> is <c>torch.argmax</c> / <c>np.argmax</c> (the first
/// index on ties); <see cref="FromLogits(ReadOnlySpan{float}, float, Random)"/> is <c>tf.random.categorical(logits / T, 1)</c>
/// or <c>torch.multinomial(torch.softmax(logits / T, -1), 1)</c>; <see cref="FromProbabilities(ReadOnlySpan{float}, Random)"/>
/// is <c>torch.multinomial(probs, 1)</c> / <c>np.random.choice(n, p=probs)</c>. The sequences drawn are .NET
/// <see cref="Random"/>'s, so a seed repeats them here but not in NumPy or PyTorch.
/// </para>
/// <para>
/// Temperature divides the logits: below 1 sharpens the distribution, above 1 flattens it, and it must be a positive
/// finite number (use <see cref="Argmax(ReadOnlySpan{float})"/> for the T → 0 limit). Logits may be −∞ (a class masked out,
/// as <c>tf.random.categorical</c> allows) but not NaN or +∞, and at least one must be finite. Arithmetic is in double
/// precision.
/// </para>
/// </remarks>
public static class Sampling
{
    /// <summary>Softmax of <c>logits / temperature</c> into <paramref name="probabilities"/> (max-subtracted, so large logits do not overflow).</summary>
    /// <param name="logits">Unnormalised log-probabilities, one per class.</param>
    /// <param name="probabilities">Receives the probabilities; same length as <paramref name="logits"/>. May be the same memory.</param>
    /// <param name="temperature">Positive finite divisor of the logits (1 is plain softmax).</param>
    /// <exception cref="ArgumentException">The logits are empty or hold NaN/+∞ or only −∞, or the lengths differ.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities, float temperature = 1f)
    {
        CheckTemperature(temperature);
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"probabilities has {probabilities.Length} values; expected {logits.Length} (one per logit)", nameof(probabilities));
        double max = CheckedMax(logits, nameof(logits), -1);
        double sum = 0;
        for (int i = 0; i < logits.Length; i++) sum += Math.Exp((logits[i] - max) / temperature);
        // Written after the sum, so probabilities may alias logits.
        for (int i = 0; i < logits.Length; i++) probabilities[i] = (float)(Math.Exp((logits[i] - max) / temperature) / sum);
    }

    /// <summary>Softmax with temperature of every row of <c>[batch, classes]</c> logits.</summary>
    /// <param name="logits">Logits, <c>[batch, classes]</c>, batch-major.</param>
    /// <param name="batch">Rows; <c>logits.Length / batch</c> classes each.</param>
    /// <param name="probabilities">Receives <c>[batch, classes]</c> probabilities; may be the same memory as <paramref name="logits"/>.</param>
    /// <param name="temperature">Positive finite divisor of the logits.</param>
    /// <exception cref="ArgumentException">The lengths do not split into <paramref name="batch"/> non-empty rows, or a row's logits are invalid (the message names the row).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive, or <paramref name="temperature"/> is not a positive finite number.</exception>
    public static void Softmax(ReadOnlySpan<float> logits, int batch, Span<float> probabilities, float temperature = 1f)
    {
        int classes = RowWidth(logits, batch);
        CheckTemperature(temperature);
        if (probabilities.Length != logits.Length)
            throw new ArgumentException($"probabilities has {probabilities.Length} values; expected {logits.Length} ([{batch} × {classes}])", nameof(probabilities));
        for (int r = 0; r < batch; r++)
        {
            CheckedMax(logits.Slice(r * classes, classes), nameof(logits), r);
            Softmax(logits.Slice(r * classes, classes), probabilities.Slice(r * classes, classes), temperature);
        }
    }

    /// <summary>The index of the largest value; the first one on ties (<c>torch.argmax</c>, <c>np.argmax</c>).</summary>
    /// <param name="values">Logits or probabilities.</param>
    /// <returns>The index, in <c>[0, values.Length)</c>.</returns>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty or holds NaN.</exception>
    public static int Argmax(ReadOnlySpan<float> values) => ArgmaxOfRow(values, -1);

    /// <summary>The argmax of every row of <c>[batch, classes]</c> values.</summary>
    /// <param name="values">Values, <c>[batch, classes]</c>, batch-major.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="indices">Receives one index per row, <c>[batch]</c>.</param>
    /// <exception cref="ArgumentException">The lengths do not fit, or a row holds NaN (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive.</exception>
    public static void Argmax(ReadOnlySpan<float> values, int batch, Span<int> indices)
    {
        int classes = RowWidth(values, batch);
        CheckIndices(indices, batch);
        for (int r = 0; r < batch; r++) indices[r] = ArgmaxOfRow(values.Slice(r * classes, classes), r);
    }

    /// <summary>
    /// Draws a class from the categorical distribution <c>softmax(logits / temperature)</c> (<c>tf.random.categorical</c>).
    /// One <see cref="Random.NextDouble"/> per draw.
    /// </summary>
    /// <param name="logits">Unnormalised log-probabilities; −∞ excludes a class.</param>
    /// <param name="temperature">Positive finite divisor of the logits.</param>
    /// <param name="random">The generator; seed it (<c>new Random(seed)</c>) for a repeatable sequence.</param>
    /// <returns>The class drawn, in <c>[0, logits.Length)</c>; never one whose logit is −∞.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentException">The logits are empty or hold NaN/+∞ or only −∞.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="temperature"/> is not a positive finite number.</exception>
    public static int FromLogits(ReadOnlySpan<float> logits, float temperature, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        CheckTemperature(temperature);
        return FromLogitsRow(logits, temperature, random, -1);
    }

    /// <summary>Draws one class per row of <c>[batch, classes]</c> logits, rows in order from the same generator.</summary>
    /// <param name="logits">Logits, <c>[batch, classes]</c>, batch-major.</param>
    /// <param name="batch">Rows.</param>
    /// <param name="temperature">Positive finite divisor of the logits.</param>
    /// <param name="random">The generator.</param>
    /// <param name="samples">Receives one class per row, <c>[batch]</c>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentException">The lengths do not fit, or a row's logits are invalid (the message names it).</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is not positive, or <paramref name="temperature"/> is not a positive finite number.</exception>
    public static void FromLogits(ReadOnlySpan<float> logits, int batch, float temperature, Random random, Span<int> samples)
    {
        ArgumentNullException.ThrowIfNull(random);
        int classes = RowWidth(logits, batch);
        CheckTemperature(temperature);
        CheckIndices(samples, batch);
        for (int r = 0; r < batch; r++) CheckedMax(logits.Slice(r * classes, classes), nameof(logits), r); // all rows valid before any draw
        for (int r = 0; r < batch; r++) samples[r] = FromLogitsRow(logits.Slice(r * classes, classes), temperature, random, r);
    }

    /// <summary>
    /// Draws a class with probability proportional to <paramref name="probabilities"/> (<c>torch.multinomial(probs, 1)</c>):
    /// the weights need not sum to 1, as in PyTorch.
    /// </summary>
    /// <param name="probabilities">Non-negative finite weights, at least one positive (e.g. a softmax output).</param>
    /// <param name="random">The generator.</param>
    /// <returns>The class drawn; never one of weight 0.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="random"/> is null.</exception>
    /// <exception cref="ArgumentException">The weights are empty, negative, non-finite, or all 0.</exception>
    public static int FromProbabilities(ReadOnlySpan<float> probabilities, Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        double total = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            float p = probabilities[i];
            if (!(p >= 0f) || float.IsPositiveInfinity(p))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"probabilities[{i}] is {p}; expected a finite number ≥ 0"), nameof(probabilities));
            total += p;
        }
        if (probabilities.IsEmpty) throw new ArgumentException("probabilities is empty; expected at least one class", nameof(probabilities));
        if (total == 0) throw new ArgumentException("every probability is 0; expected at least one positive", nameof(probabilities));
        double target = random.NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < probabilities.Length; i++)
        {
            if (probabilities[i] == 0f) continue;
            cumulative += probabilities[i];
            last = i;
            if (target < cumulative) return i;
        }
        return last; // rounding left target at the total: the last class with weight
    }

    private static int FromLogitsRow(ReadOnlySpan<float> logits, float temperature, Random random, int row)
    {
        double max = CheckedMax(logits, nameof(logits), row);
        double total = 0;
        for (int i = 0; i < logits.Length; i++) total += Math.Exp((logits[i] - max) / temperature);
        double target = random.NextDouble() * total, cumulative = 0;
        int last = 0;
        for (int i = 0; i < logits.Length; i++)
        {
            if (float.IsNegativeInfinity(logits[i])) continue;
            cumulative += Math.Exp((logits[i] - max) / temperature);
            last = i;
            if (target < cumulative) return i;
        }
        return last; // rounding left target at the total: the last class that can be drawn
    }

    private static int ArgmaxOfRow(ReadOnlySpan<float> values, int row)
    {
        if (values.IsEmpty) throw new ArgumentException("values is empty; expected at least one class", nameof(values));
        int best = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsNaN(values[i])) throw new ArgumentException($"{Where(row)}values[{i}] is NaN; expected a number", nameof(values));
            if (values[i] > values[best]) best = i;
        }
        return best;
    }

    /// <summary>The largest logit, after checking the row: not empty, no NaN or +∞, not all −∞.</summary>
    private static double CheckedMax(ReadOnlySpan<float> logits, string name, int row)
    {
        if (logits.IsEmpty) throw new ArgumentException($"{Where(row)}{name} is empty; expected at least one class", name);
        float max = float.NegativeInfinity;
        for (int i = 0; i < logits.Length; i++)
        {
            float v = logits[i];
            if (float.IsNaN(v) || float.IsPositiveInfinity(v))
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{Where(row)}{name}[{i}] is {v}; expected a finite number (or −∞ to exclude a class)"), name);
            if (v > max) max = v;
        }
        if (float.IsNegativeInfinity(max)) throw new ArgumentException($"{Where(row)}every {name} value is −∞; at least one class must be possible", name);
        return max;
    }

    private static string Where(int row) => row < 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"row {row}: ");

    private static void CheckTemperature(float temperature)
    {
        if (!(temperature > 0f) || float.IsPositiveInfinity(temperature))
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature, "temperature must be a positive finite number (1 leaves the logits as they are; use Argmax for greedy decoding)");
    }

    private static int RowWidth(ReadOnlySpan<float> values, int batch, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(values))] string name = "")
    {
        if (batch <= 0) throw new ArgumentOutOfRangeException(nameof(batch), batch, "batch must be positive");
        if (values.IsEmpty || values.Length % batch != 0)
            throw new ArgumentException($"{name} has {values.Length} values, which do not split into {batch} non-empty rows; expected [batch, classes]", name);
        return values.Length / batch;
    }

    private static void CheckIndices(Span<int> indices, int batch, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(indices))] string name = "")
    {
        if (indices.Length != batch) throw new ArgumentException($"{name} has {indices.Length} slots; expected {batch} (one per row)", name);
    }
}
