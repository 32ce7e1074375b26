using System;
using ILGPU;
using ILGPU.Runtime;

namespace ModelGen.Gpu.Training;

/// <summary>
/// The slots of the engine's small device status buffer (floats): written by the training kernels, read by the host
/// once at the end of a batch. Flags are 0 or 1; several threads may write the same 1.
/// </summary>
internal static class Status
{
    /// <summary>The batch loss, regularization included.</summary>
    public const int Loss = 0;

    /// <summary>1 / (real rows), or 0 when every row is masked: the factor of the per-row gradients.</summary>
    public const int InverseRows = 1;

    /// <summary>The regularization penalty of the parameters before the step.</summary>
    public const int Penalty = 2;

    /// <summary>1 when the loss is NaN or ±∞.</summary>
    public const int LossNotFinite = 3;

    /// <summary>1 when a gradient is NaN or ±∞.</summary>
    public const int GradientNotFinite = 4;

    /// <summary>1 when a sparse target is not a class index of the output.</summary>
    public const int BadTarget = 5;

    /// <summary>A row with a bad sparse target.</summary>
    public const int BadTargetRow = 6;

    /// <summary>Floats in the buffer.</summary>
    public const int Length = 8;
}

/// <summary>The loss kernels' kinds: one per Keras loss and input (probabilities or logits).</summary>
internal enum LossKind
{
    MeanSquaredError,
    MeanAbsoluteError,
    BinaryCrossentropy,
    BinaryCrossentropyFromLogits,
    CategoricalCrossentropy,
    CategoricalCrossentropyFromLogits,
    SparseCategoricalCrossentropy,
    SparseCategoricalCrossentropyFromLogits,
    Huber,
}

/// <summary>The per-row loss kernel's settings, passed by value.</summary>
internal readonly record struct LossArgs(int Kind, int Width, int Rows, int Weighted, int Masked, int WithGradient, float Parameter);

/// <summary>The optimizer update kernels' settings, passed by value (host scalars of this step).</summary>
internal readonly record struct UpdateArgs(int Kind, float LearningRate, float A, float B, float C, float D, float E, int Flags);

/// <summary>
/// The training kernels of <see cref="GpuEngine{TInput}"/>: the loss and its gradient per output row, the group
/// reductions (loss mean, regularization penalty, gradient norms), the gradient checks, clipping and the optimizer
/// updates. Each mirrors the host code it names, operation for operation, in the same precision (the cross-entropies in
/// double, as the host computes them).
/// </summary>
internal static class TrainingKernels
{
    /// <summary>Threads of the reduction groups at most (a power of two; the shared arrays are this long).</summary>
    public const int MaxGroup = 256;

    /// <summary>Keras's clip, <c>1e-7</c> (the host's <c>Crossentropy.Low</c>).</summary>
    private const double Low = Loss.Epsilon;

    /// <summary><c>1 − 1e-7</c> in float32 (the host's <c>Crossentropy.High</c>).</summary>
    private const double High = 1f - Loss.Epsilon;

    /// <summary>Group size of the reduction kernels on <paramref name="accelerator"/>: the largest power of two ≤ min(<see cref="MaxGroup"/>, its largest group).</summary>
    public static int GroupSize(Accelerator accelerator)
    {
        int limit = Math.Min(MaxGroup, accelerator.MaxNumThreadsPerGroup), size = 1;
        while (size * 2 <= limit) size *= 2;
        return size;
    }

    private static bool NotFinite(float v) => float.IsNaN(v) || float.IsInfinity(v);

    /// <summary>
    /// One output row: its loss times its weight into <c>rowLoss[r]</c>, 1 into <c>rowLoss[rows + r]</c> when it counts
    /// (not masked), and (with gradient) <c>weight · ∂loss_r/∂input</c> into its gradient row; a masked or zero-weight
    /// row gets 0 (the host's <c>Loss.Compute</c> and <c>Batch.ComputeLoss</c> per row, before the 1/rows factor).
    /// </summary>
    public static void RowLoss(Index1D index, LossArgs a, ArrayView<float> input, ArrayView<float> target, ArrayView<float> weights,
        ArrayView<byte> mask, ArrayView<float> rowLoss, ArrayView<float> gradient, ArrayView<float> status)
    {
        int r = index;
        int width = a.Width;
        long at = (long)r * width;
        bool counts = a.Masked == 0 || mask[r] != 0;
        float w = a.Weighted != 0 ? weights[r] : 1f;
        rowLoss[a.Rows + r] = counts ? 1f : 0f;
        if (!counts || w == 0f)
        {
            rowLoss[r] = 0f;
            if (a.WithGradient != 0)
                for (int j = 0; j < width; j++) gradient[at + j] = 0f;
            return;
        }
        bool g = a.WithGradient != 0;
        var kind = (LossKind)a.Kind;
        float value;
        switch (kind)
        {
            case LossKind.MeanSquaredError:
            {
                float sum = 0f;
                for (int j = 0; j < width; j++)
                {
                    float d = input[at + j] - target[at + j];
                    sum += d * d;
                    if (g) gradient[at + j] = d * (2f / width) * w;
                }
                value = sum / width;
                break;
            }
            case LossKind.MeanAbsoluteError:
            {
                float sum = 0f, scale = 1f / width;
                for (int j = 0; j < width; j++)
                {
                    float d = input[at + j] - target[at + j];
                    sum += Math.Abs(d);
                    if (g) gradient[at + j] = (d > 0f ? scale : d < 0f ? -scale : d == 0f ? 0f : float.NaN) * w;
                }
                value = sum / width;
                break;
            }
            case LossKind.Huber:
            {
                double delta = a.Parameter, total = 0;
                float scale = 1f / width;
                for (int j = 0; j < width; j++)
                {
                    double d = (double)input[at + j] - target[at + j], m = Math.Abs(d);
                    total += m <= delta ? 0.5 * d * d : delta * (m - 0.5 * delta);
                    if (g) gradient[at + j] = (float)(d < -delta ? -delta : d > delta ? delta : d) * scale * w;
                }
                value = (float)(total / width);
                break;
            }
            case LossKind.BinaryCrossentropy:
            case LossKind.BinaryCrossentropyFromLogits:
            {
                double total = 0, scale = 1.0 / width;
                double keep = 1.0 - a.Parameter, toward = 0.5 * a.Parameter; // label smoothing
                for (int j = 0; j < width; j++)
                {
                    double y = input[at + j], t = target[at + j] * keep + toward;
                    if (kind == LossKind.BinaryCrossentropyFromLogits)
                    {
                        total += Math.Max(y, 0.0) - y * t + Math.Log(1.0 + Math.Exp(-Math.Abs(y)));
                        if (g) gradient[at + j] = (float)((Sigmoid(y) - t) * scale) * w;
                    }
                    else
                    {
                        double p = Math.Min(Math.Max(y, Low), High);
                        total -= t * Math.Log(p) + (1.0 - t) * Math.Log(1.0 - p);
                        if (g) gradient[at + j] = (y < Low || y > High ? 0f : (float)((-t / p + (1.0 - t) / (1.0 - p)) * scale)) * w;
                    }
                }
                value = (float)(total * scale);
                break;
            }
            default:
            {
                bool sparse = kind == LossKind.SparseCategoricalCrossentropy || kind == LossKind.SparseCategoricalCrossentropyFromLogits;
                bool logits = kind == LossKind.CategoricalCrossentropyFromLogits || kind == LossKind.SparseCategoricalCrossentropyFromLogits;
                int cls = -1;
                if (sparse)
                {
                    float c = target[r];
                    if (!(c >= 0f && c < width) || c != (float)Math.Floor(c))
                    {
                        status[Status.BadTarget] = 1f;
                        status[Status.BadTargetRow] = r;
                        rowLoss[r] = 0f;
                        return;
                    }
                    cls = (int)c;
                }
                value = (float)CrossentropyRow(input, target, at, width, sparse, cls, logits, g, gradient, w, a.Parameter);
                break;
            }
        }
        rowLoss[r] = w * value;
    }

    private static double Sigmoid(double x) => x >= 0 ? 1.0 / (1.0 + Math.Exp(-x)) : Math.Exp(x) / (1.0 + Math.Exp(x));

    // The target of column j: the one-hot row of class `cls`, or the dense target with label smoothing `s` applied in
    // float as the host applies it (t·(1 − s) + s/n).
    private static double Target(ArrayView<float> target, long at, int j, bool sparse, int cls, float s, int n)
        => sparse ? (j == cls ? 1.0 : 0.0) : s == 0f ? target[at + j] : target[at + j] * (1f - s) + s / n;

    // Crossentropy.Row of the host, for one row (dense targets at `at`, or the one-hot row of class `cls`).
    private static double CrossentropyRow(ArrayView<float> y, ArrayView<float> target, long at, int n, bool sparse, int cls, bool fromLogits,
        bool withGradient, ArrayView<float> gradient, float w, float smoothing)
    {
        double loss = 0;
        if (fromLogits)
        {
            double max = y[at];
            for (int j = 1; j < n; j++) max = Math.Max(max, y[at + j]);
            double sumExp = 0;
            for (int j = 0; j < n; j++) sumExp += Math.Exp(y[at + j] - max);
            double logSum = Math.Log(sumExp);
            double tSum = 0;
            for (int j = 0; j < n; j++)
            {
                double t = Target(target, at, j, sparse, cls, smoothing, n);
                loss -= t * (y[at + j] - max - logSum);
                tSum += t;
            }
            if (withGradient)
                for (int j = 0; j < n; j++)
                    gradient[at + j] = (float)(tSum * Math.Exp(y[at + j] - max - logSum) - Target(target, at, j, sparse, cls, smoothing, n)) * w;
            return loss;
        }
        double sum = 0;
        for (int j = 0; j < n; j++) sum += y[at + j];
        double dot = 0;
        for (int j = 0; j < n; j++)
        {
            double q = y[at + j] / sum;
            double p = Math.Min(Math.Max(q, Low), High);
            double t = Target(target, at, j, sparse, cls, smoothing, n);
            loss -= t * Math.Log(p);
            dot += (q < Low || q > High ? 0.0 : -t / p) * q;
        }
        if (withGradient)
        {
            for (int j = 0; j < n; j++)
            {
                double q = y[at + j] / sum;
                double p = Math.Min(Math.Max(q, Low), High);
                double t = Target(target, at, j, sparse, cls, smoothing, n);
                gradient[at + j] = (float)(((q < Low || q > High ? 0.0 : -t / p) - dot) / sum) * w;
            }
        }
        return loss;
    }

    // The sum of v over the group (Group.DimX a power of two), through `shared`; every thread gets it.
    private static float GroupSum(ArrayView<float> shared, float v)
    {
        int i = Group.IdxX;
        shared[i] = v;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (i < s) shared[i] += shared[i + s];
            Group.Barrier();
        }
        float sum = shared[0];
        Group.Barrier();
        return sum;
    }

    /// <summary>
    /// One group: the batch loss <c>Σ rowLoss / real rows</c> (0 when none) plus the penalty, its finite flag, and the
    /// gradient factor 1/rows (the host's <c>Loss.Compute</c> mean and <c>Batch.TrainStep</c>'s check).
    /// </summary>
    public static void FinishLoss(ArrayView<float> rowLoss, int rows, int withPenalty, ArrayView<float> status)
    {
        var shared = SharedMemory.Allocate<float>(MaxGroup);
        float sum = 0f, count = 0f;
        for (int r = Group.IdxX; r < rows; r += Group.DimX)
        {
            sum += rowLoss[r];
            count += rowLoss[rows + r];
        }
        sum = GroupSum(shared, sum);
        count = GroupSum(shared, count);
        if (Group.IdxX != 0) return;
        float loss = count > 0f ? sum / count : 0f;
        if (withPenalty != 0) loss += status[Status.Penalty];
        status[Status.Loss] = loss;
        status[Status.InverseRows] = count > 0f ? 1f / count : 0f;
        if (NotFinite(loss)) status[Status.LossNotFinite] = 1f;
    }

    /// <summary>Multiplies every gradient element by the factor <see cref="FinishLoss"/> left in the status buffer.</summary>
    public static void ScaleByInverseRows(Index1D i, ArrayView<float> gradient, ArrayView<float> status)
        => gradient[i] *= status[Status.InverseRows];

    /// <summary>
    /// One group: the regularization penalty <c>Σ l1·|w| + l2·w²</c> over the elements whose coefficients are set
    /// (regularized tensors of trainable layers), into the status buffer (<c>Regularization.Penalty</c>).
    /// </summary>
    public static void Penalty(ArrayView<float> parameters, ArrayView<float> l1, ArrayView<float> l2, ArrayView<byte> flags, ArrayView<float> status)
    {
        var shared = SharedMemory.Allocate<float>(MaxGroup);
        float sum = 0f;
        for (long i = Group.IdxX; i < parameters.Length; i += Group.DimX)
        {
            if ((flags[i] & Regularized) == 0) continue;
            float w = parameters[i];
            if (l1[i] != 0f) sum += l1[i] * Math.Abs(w);
            if (l2[i] != 0f) sum += l2[i] * (w * w);
        }
        sum = GroupSum(shared, sum);
        if (Group.IdxX == 0) status[Status.Penalty] = sum;
    }

    /// <summary>Parameter flag: the element belongs to a trainable layer.</summary>
    public const byte Trainable = 1;

    /// <summary>Parameter flag: the element's tensor has a regularizer and its layer is trainable.</summary>
    public const byte Regularized = 2;

    /// <summary>
    /// Per element, in the host's order: add the regularizer's gradient (<c>Regularizer.AddGradient</c>), flag a
    /// non-finite gradient (<c>Batch.TrainStep</c>'s check), then zero it when its layer is frozen (<c>Optimizer.Step</c>).
    /// </summary>
    public static void CheckGradients(Index1D i, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<float> l1, ArrayView<float> twoL2,
        ArrayView<byte> flags, ArrayView<float> status)
    {
        float g = gradients[i];
        byte f = flags[i];
        if ((f & Regularized) != 0)
        {
            float w = parameters[i];
            g += l1[i] * (w > 0f ? 1f : w < 0f ? -1f : 0f) + twoL2[i] * w;
        }
        if (NotFinite(g)) status[Status.GradientNotFinite] = 1f;
        gradients[i] = (f & Trainable) != 0 ? g : 0f;
    }

    /// <summary>One group per segment <c>(start, length)</c>: the L2 norm of the segment's gradients into <c>norms[segment]</c>.</summary>
    public static void SegmentNorms(ArrayView<int> segments, ArrayView<float> gradients, ArrayView<float> norms)
    {
        var shared = SharedMemory.Allocate<float>(MaxGroup);
        int s = Grid.IdxX;
        int start = segments[2 * s], length = segments[2 * s + 1];
        float sum = 0f;
        for (int i = Group.IdxX; i < length; i += Group.DimX)
        {
            float g = gradients[start + i];
            sum += g * g;
        }
        sum = GroupSum(shared, sum);
        if (Group.IdxX == 0) norms[s] = MathF.Sqrt(sum);
    }

    /// <summary>
    /// One group per segment: Keras's clipping by norm. <paramref name="global"/> 0 (<c>clipnorm</c>, per tensor):
    /// <c>g·c/‖g‖</c> unless <c>‖g‖ ≤ c</c>; 1 (<c>global_clipnorm</c>): NaN when the norm is not finite, else
    /// <c>g·c/‖g‖</c> when <c>‖g‖ &gt; c</c> (<c>Optimizer.Clip</c>).
    /// </summary>
    public static void SegmentClip(ArrayView<int> segments, ArrayView<float> gradients, ArrayView<float> norms, float clip, int global)
    {
        int s = Grid.IdxX;
        int start = segments[2 * s], length = segments[2 * s + 1];
        float norm = norms[s];
        bool nan = global != 0 && NotFinite(norm);
        bool scale = global != 0 ? norm > clip : !(norm <= clip);
        if (!nan && !scale) return;
        float factor = clip / norm;
        for (int i = Group.IdxX; i < length; i += Group.DimX)
            gradients[start + i] = nan ? float.NaN : gradients[start + i] * factor;
    }

    /// <summary>Keras <c>clipvalue</c>: every gradient element into <c>[−c, c]</c> (<c>Optimizer.Clip</c>).</summary>
    public static void ClipValue(Index1D i, ArrayView<float> gradients, float clip)
    {
        float g = gradients[i];
        g = g < clip || float.IsNaN(g) ? g : clip;
        gradients[i] = g > -clip || float.IsNaN(g) ? g : -clip;
    }

    /// <summary>Update kind: SGD (<c>Sgd.Update</c>). A = momentum, Flags bit 0 = nesterov.</summary>
    public const int SgdKind = 0;

    /// <summary>Update kind: Adam/AdamW (<c>AdamStep.Apply</c>). A = alpha, B = decay, C = 1 − β1, D = 1 − β2, E = ε, Flags bit 0 = AMSGrad.</summary>
    public const int AdamKind = 1;

    /// <summary>Update kind: RMSprop (<c>RmsProp.Update</c>). A = ρ, B = 1 − ρ, C = momentum, E = ε, Flags bit 0 = momentum slot, bit 1 = centered.</summary>
    public const int RmsPropKind = 2;

    /// <summary>
    /// One optimizer update per trainable element, skipped entirely when the step's loss, gradient or targets were
    /// flagged (the host loop's "not applied": parameters and state as they were). Slots as the host optimizer names them.
    /// </summary>
    public static void Update(Index1D i, UpdateArgs a, ArrayView<float> parameters, ArrayView<float> gradients, ArrayView<byte> flags,
        ArrayView<float> s0, ArrayView<float> s1, ArrayView<float> s2, ArrayView<float> status)
    {
        if (status[Status.LossNotFinite] != 0f || status[Status.GradientNotFinite] != 0f || status[Status.BadTarget] != 0f) return;
        if ((flags[i] & Trainable) == 0) return;
        float g = gradients[i];
        if (a.Kind == SgdKind)
        {
            float lr = a.LearningRate;
            if (a.A == 0f)
            {
                parameters[i] = g * -lr + parameters[i];
                return;
            }
            float step = g * lr;
            float mk = s0[i] * a.A - step;
            s0[i] = mk;
            parameters[i] += (a.Flags & 1) != 0 ? mk * a.A - step : mk;
        }
        else if (a.Kind == AdamKind)
        {
            float p = parameters[i];
            float w = p - p * a.B;
            float mk = s0[i] + (g - s0[i]) * a.C;
            float vk = s1[i] + (g * g - s1[i]) * a.D;
            s0[i] = mk;
            s1[i] = vk;
            if ((a.Flags & 1) != 0) s2[i] = vk = Math.Max(s2[i], vk);
            parameters[i] = w - mk * a.A / (MathF.Sqrt(vk) + a.E);
        }
        else
        {
            float rho = a.A, c = a.B, mu = a.C, eps = a.E, lr = a.LearningRate;
            bool useMomentum = (a.Flags & 1) != 0, centered = (a.Flags & 2) != 0;
            float vk = rho * s0[i] + c * (g * g);
            s0[i] = vk;
            float denominator;
            if (centered)
            {
                // The average gradient is slot 2 with momentum, slot 1 without (RmsProp's slot order).
                var avg = useMomentum ? s2 : s1;
                float ak = rho * avg[i] + c * g;
                avg[i] = ak;
                denominator = vk - ak * ak + eps;
            }
            else
            {
                denominator = vk + eps;
            }
            float increment = lr * g / MathF.Sqrt(denominator);
            if (useMomentum)
            {
                float mk = mu * s1[i] + increment;
                s1[i] = mk;
                parameters[i] -= mk;
            }
            else
            {
                parameters[i] -= increment;
            }
        }
    }
}
