using System;
using System.Collections.Generic;
using System.Globalization;
using System.Numerics.Tensors;
using ModelGen.Kernels;

namespace ModelGen;

/// <summary>
/// A Keras 3 optimizer over a model's flat parameter buffer (<see cref="ISequentialModel.Parameters"/>).
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Step"/> does what Keras's <c>optimizer.apply(grads)</c> does: take the learning rate (from
/// <see cref="Schedule"/> at <see cref="Iterations"/> when one is set), clip the gradients (<see cref="ClipNorm"/>,
/// <see cref="GlobalClipNorm"/> or <see cref="ClipValue"/>; Keras allows one of them), apply the algorithm's update,
/// then add 1 to <see cref="Iterations"/>.
/// </para>
/// <para>
/// Frozen layers (<see cref="LayerInfo.Trainable"/> false, Keras <c>trainable=False</c>) are left out as Keras leaves them
/// out of <c>trainable_variables</c>: their gradients are zeroed (so no clipping norm counts them), and
/// <see cref="Update"/> runs once per run of consecutive trainable parameters, with <see cref="Slot"/> returning the
/// matching slice of each state buffer: a frozen parameter and its momentum, velocity or weight-decay term never move.
/// An optimizer written against <see cref="Update"/> and <see cref="Slot"/> gets this without knowing of it.
/// </para>
/// <para>
/// The optimizer's state (moments) is sized on the first step and reused; steps allocate nothing after that. One
/// optimizer serves one model. Instances are not thread-safe.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    /// <summary>State name of the iteration counter in <see cref="GetState"/>.</summary>
    public const string IterationStateName = "iteration";

    /// <summary>State name of the learning rate in <see cref="GetState"/>.</summary>
    public const string LearningRateStateName = "learning_rate";

    /// <summary>The iteration count is stored as two floats, <c>[count mod 2²⁴, count / 2²⁴]</c>, each exact in float32.</summary>
    private const long IterationRadix = 1L << 24;

    private readonly string[] _slotNames;
    private float[][]? _slots;
    private float _learningRate;
    private float? _clipNorm, _globalClipNorm, _clipValue;
    private ModelInfo? _checkedInfo;
    private int _checkedCount;
    // The runs of trainable parameters of _checkedInfo as (start, length), and of frozen ones; the range Update sees now.
    private (int Start, int Length)[] _trainable = [], _frozen = [];
    private int _rangeStart, _rangeLength = -1;

    /// <summary>Creates an optimizer.</summary>
    /// <param name="name">Keras name (<c>SGD</c>, <c>adam</c>, <c>rmsprop</c>).</param>
    /// <param name="learningRate">Initial learning rate.</param>
    /// <param name="slotNames">Names of the per-parameter state buffers, in the order <see cref="Slot"/> indexes them: each
    /// non-empty, of ASCII letters, digits and <c>_</c> (Keras's <c>momentum</c>, <c>velocity</c>), distinct, and neither
    /// <c>iteration</c> nor <c>learning_rate</c>, so that a weight file can name each.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or a slot name breaks those rules.</exception>
    protected Optimizer(string name, float learningRate, IReadOnlyList<string> slotNames)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(slotNames);
        Name = name;
        LearningRate = learningRate;
        _slotNames = new string[slotNames.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal) { IterationStateName, LearningRateStateName };
        for (int i = 0; i < _slotNames.Length; i++)
        {
            string slot = slotNames[i];
            if (slot is null || !IsStateName(slot))
                throw new ArgumentException($"{name}: slot name {i} is '{slot}'; expected a non-empty name of ASCII letters, digits and '_'", nameof(slotNames));
            if (!seen.Add(slot))
                throw new ArgumentException($"{name}: slot name '{slot}' is used twice or is a reserved state name ('{IterationStateName}', '{LearningRateStateName}')", nameof(slotNames));
            _slotNames[i] = slot;
        }
    }

    /// <summary>Whether <paramref name="name"/> can name a state entry: non-empty, ASCII letters, digits and '_' only.</summary>
    internal static bool IsStateName(string name)
    {
        if (name.Length == 0) return false;
        foreach (char ch in name)
            if (!(ch is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_')) return false;
        return true;
    }

    /// <summary>Per-parameter state buffers the optimizer keeps (Adam 2, RMSprop 1 or 2, SGD 0 or 1 with momentum).</summary>
    public int SlotCount => _slotNames.Length;

    /// <summary>Keras name of the optimizer.</summary>
    public string Name { get; }

    /// <summary>
    /// The learning rate of the next step. With a <see cref="Schedule"/> it is <c>Schedule.Rate(Iterations)</c> and cannot
    /// be set (Keras raises the same way); otherwise it is a plain value that callbacks (e.g. ReduceLROnPlateau) may change.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a negative, infinite or NaN value.</exception>
    /// <exception cref="InvalidOperationException">Set while a <see cref="Schedule"/> is in use.</exception>
    public float LearningRate
    {
        get => Schedule is null ? _learningRate : Schedule.Rate(Iterations);
        set
        {
            if (Schedule is not null)
                throw new InvalidOperationException($"{Name}: the learning rate comes from a {Schedule.GetType().Name} schedule and cannot be set; set Schedule = null first to use a fixed rate");
            if (!(value >= 0f) || float.IsPositiveInfinity(value))
                throw new ArgumentOutOfRangeException(nameof(value), value, "the learning rate must be a finite number ≥ 0");
            _learningRate = value;
        }
    }

    /// <summary>A learning-rate schedule evaluated at <see cref="Iterations"/> each step, or null for the fixed <see cref="LearningRate"/>.</summary>
    public LearningRateSchedule? Schedule { get; set; }

    /// <summary>
    /// When set, each parameter tensor's gradient (each entry of <see cref="LayerInfo.Parameters"/>) is rescaled so that
    /// its L2 norm is at most this value (Keras <c>clipnorm</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a positive finite number.</exception>
    /// <exception cref="InvalidOperationException">Set while <see cref="GlobalClipNorm"/> or <see cref="ClipValue"/> is set.</exception>
    public float? ClipNorm
    {
        get => _clipNorm;
        set => _clipNorm = CheckClip(value, nameof(ClipNorm), _globalClipNorm is null && _clipValue is null);
    }

    /// <summary>
    /// When set, all gradients together are rescaled so that their joint L2 norm is at most this value (Keras
    /// <c>global_clipnorm</c>); a non-finite norm makes every gradient NaN, as in Keras.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a positive finite number.</exception>
    /// <exception cref="InvalidOperationException">Set while <see cref="ClipNorm"/> or <see cref="ClipValue"/> is set.</exception>
    public float? GlobalClipNorm
    {
        get => _globalClipNorm;
        set => _globalClipNorm = CheckClip(value, nameof(GlobalClipNorm), _clipNorm is null && _clipValue is null);
    }

    /// <summary>When set, every gradient element is clipped to <c>[−ClipValue, ClipValue]</c> (Keras <c>clipvalue</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Set to a value that is not a positive finite number.</exception>
    /// <exception cref="InvalidOperationException">Set while <see cref="ClipNorm"/> or <see cref="GlobalClipNorm"/> is set.</exception>
    public float? ClipValue
    {
        get => _clipValue;
        set => _clipValue = CheckClip(value, nameof(ClipValue), _clipNorm is null && _globalClipNorm is null);
    }

    /// <summary>Steps taken (Keras <c>optimizer.iterations</c>); restored by <see cref="SetState"/>.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Applies one update: <paramref name="gradients"/> (∂loss/∂θ, as <see cref="ISequentialModel.Gradients"/> holds them)
    /// are clipped in place if clipping is set, then <paramref name="parameters"/> are updated.
    /// </summary>
    /// <param name="parameters">The model's flat parameters.</param>
    /// <param name="gradients">Their gradients, same layout; may be modified by clipping.</param>
    /// <param name="info">The model's layout; its parameter tensors are the units of <see cref="ClipNorm"/>.</param>
    /// <exception cref="ArgumentException">The buffers' lengths do not match each other, the layout, or the state.</exception>
    public void Step(Span<float> parameters, Span<float> gradients, ModelInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (gradients.Length != parameters.Length)
            throw new ArgumentException($"{Name}: gradients have {gradients.Length} floats; expected {parameters.Length} (same as parameters)", nameof(gradients));
        int count = LayoutCount(info);
        if (parameters.Length != count)
            throw new ArgumentException($"{Name}: parameters have {parameters.Length} floats; expected {count} (model '{info.Name}')", nameof(parameters));
        HostSlots(count, nameof(parameters));
        if (DeviceState is { } device)
        {
            device.PullState(); // the state lived on a device: the host copy is the current one from here on
            DeviceState = null;
        }

        float learningRate = LearningRate;
        foreach (var (start, length) in _frozen) gradients.Slice(start, length).Clear();
        Clip(gradients, info);
        try
        {
            foreach (var (start, length) in _trainable)
            {
                (_rangeStart, _rangeLength) = (start, length);
                Update(parameters.Slice(start, length), gradients.Slice(start, length), learningRate);
            }
        }
        finally
        {
            _rangeLength = -1;
        }
        // State that decays geometrically while a gradient stays zero (Adam's m by β₁ a step, its v by β₂, momentum,
        // RMSprop's averages) reaches the subnormal range and, under round-to-nearest, stays there (the smallest
        // subnormal times a factor above ½ rounds back to itself); every later step then does ~100-cycle operations
        // on it. A saturated LSTM(32) (W5) spent 75 % of each training step in Adam on 4,352 subnormal m values.
        // Every 16th step, values below 2⁻¹⁰⁰ go to zero, as in the recurrent cells: a factor above ½ needs more
        // than 16 steps to fall from 2⁻¹⁰⁰ into the subnormal range, and a smaller one leaves it for zero by itself.
        // Such values move no float32 parameter update (α·m/(√v + ε) of them lies 20+ binary orders below any weight
        // of ordinary size), so parameters are bit-identical unless a weight is itself below about 10⁻¹⁹.
        if (Iterations % FlushPeriod == FlushPeriod - 1 && _slots is not null)
            foreach (var slot in _slots) Underflow.Flush(slot);
        Iterations++;
    }

    /// <summary>Steps between flushes of the optimizer state's near-subnormal values (see <see cref="Step"/>); tests raise it to compare with no flush.</summary>
    internal static long FlushPeriod = 16;

    /// <summary>
    /// The device holding this optimizer's current state while a model trains on a device (ModelGen.Gpu); null when the
    /// host's buffers are current. Reading the state pulls it first; restoring a state or stepping on the host detaches it.
    /// </summary>
    internal IDeviceOptimizerState? DeviceState { get; set; }

    /// <summary>The host state buffers, created (zeros) for <paramref name="count"/> parameters on first use, as <see cref="Step"/> creates them.</summary>
    /// <exception cref="ArgumentException">The state is for another parameter count.</exception>
    internal float[][] HostSlots(int count, string parameterName = "parameters")
    {
        if (_slots is null)
        {
            var slots = new float[_slotNames.Length][];
            for (int i = 0; i < slots.Length; i++) slots[i] = new float[count];
            _slots = slots;
            StateLength = count;
        }
        else if (StateLength != count)
        {
            throw new ArgumentException($"{Name}: this optimizer's state is for {StateLength} parameters; got {count}. Use one optimizer per model.", parameterName);
        }
        return _slots;
    }

    /// <summary>Counts a step a device applied (Keras <c>iterations += 1</c>).</summary>
    internal void CountStep() => Iterations++;

    /// <summary>The runs of trainable parameters of <paramref name="info"/> (frozen layers left out), as <see cref="Step"/> updates them.</summary>
    internal (int Start, int Length)[] TrainableRuns(ModelInfo info)
    {
        LayoutCount(info);
        return _trainable;
    }

    /// <summary>Number of parameters the state is sized for; 0 before the first <see cref="Step"/> (or after restoring an empty state).</summary>
    public int StateLength { get; private set; }

    /// <summary>
    /// The algorithm's update of every parameter, after clipping: called once per step with all parameters, or, when the
    /// model has frozen layers, once per run of consecutive trainable ones (<see cref="Slot"/> then returns the matching
    /// slice). An implementation must treat each element on its own (as every Keras optimizer's update does).
    /// </summary>
    /// <param name="parameters">Parameters to update in place.</param>
    /// <param name="gradients">Clipped gradients, same length.</param>
    /// <param name="learningRate">The learning rate for this step.</param>
    protected abstract void Update(Span<float> parameters, ReadOnlySpan<float> gradients, float learningRate);

    /// <summary>The per-parameter state buffer <paramref name="index"/> (named by the constructor's <c>slotNames</c>); valid inside <see cref="Update"/>.</summary>
    /// <param name="index">Slot index.</param>
    /// <returns>The buffer, one float per parameter <see cref="Update"/> was given (the slice of the whole buffer for that range).</returns>
    /// <exception cref="InvalidOperationException">Called before the first <see cref="Step"/>.</exception>
    protected Span<float> Slot(int index)
    {
        if (_slots is null) throw new InvalidOperationException($"{Name}: state is created by the first Step");
        return _rangeLength < 0 ? _slots[index] : _slots[index].AsSpan(_rangeStart, _rangeLength);
    }

    /// <summary>
    /// The optimizer's state, for weight files: <c>iteration</c> (two floats, <c>[n mod 2²⁴, n / 2²⁴]</c>, each exact in
    /// float32), <c>learning_rate</c> (one float), then each per-parameter buffer by its Keras name (e.g. <c>momentum</c>,
    /// <c>velocity</c>) in the flat parameter layout; the buffers are empty before the first step. Values are copies.
    /// </summary>
    /// <returns>Named state arrays, in a fixed order.</returns>
    public IReadOnlyList<(string Name, float[] Values)> GetState()
    {
        DeviceState?.PullState();
        var state = new List<(string Name, float[] Values)>(2 + _slotNames.Length)
        {
            (IterationStateName, [Iterations % IterationRadix, Iterations / IterationRadix]),
            (LearningRateStateName, [_learningRate]),
        };
        for (int i = 0; i < _slotNames.Length; i++)
            state.Add((_slotNames[i], _slots is null ? [] : (float[])_slots[i].Clone()));
        return state;
    }

    /// <summary>
    /// The state as <see cref="GetState"/> names it, without copying: views of the live buffers, valid until the next
    /// <see cref="Step"/> or <see cref="SetState"/>. Weight files stream it out this way.
    /// </summary>
    internal (string Name, ReadOnlyMemory<float> Values)[] StateView()
    {
        DeviceState?.PullState();
        var state = new (string Name, ReadOnlyMemory<float> Values)[2 + _slotNames.Length];
        state[0] = (IterationStateName, new float[] { Iterations % IterationRadix, Iterations / IterationRadix });
        state[1] = (LearningRateStateName, new float[] { _learningRate });
        for (int i = 0; i < _slotNames.Length; i++)
            state[2 + i] = (_slotNames[i], _slots is null ? ReadOnlyMemory<float>.Empty : _slots[i]);
        return state;
    }

    /// <summary>
    /// Restores a state from <see cref="GetState"/> of an optimizer of the same kind and settings. Everything is checked
    /// before anything changes: names and order, lengths, and — once this optimizer has taken a step — the parameter count.
    /// The saved learning rate replaces <see cref="LearningRate"/> unless a <see cref="Schedule"/> is set (the schedule then
    /// follows the restored <see cref="Iterations"/>).
    /// </summary>
    /// <param name="state">Named arrays, as <see cref="GetState"/> returns them.</param>
    /// <exception cref="ArgumentException">The state does not fit; the message says what differs. Nothing was changed.</exception>
    public void SetState(IReadOnlyList<(string Name, float[] Values)> state) => RestoreState(state, copy: true);

    /// <summary>As the public overload; with <paramref name="copy"/> false the arrays are taken over (weight files hand
    /// over arrays they read and no longer use, so a large state is held once, not twice).</summary>
    internal void RestoreState(IReadOnlyList<(string Name, float[] Values)> state, bool copy)
    {
        ArgumentNullException.ThrowIfNull(state);
        int expectedEntries = 2 + _slotNames.Length;
        if (state.Count != expectedEntries)
            throw new ArgumentException($"{Name}: state has {state.Count} entries; expected {expectedEntries} ({ExpectedNames()})", nameof(state));
        for (int i = 0; i < expectedEntries; i++)
        {
            string expected = i == 0 ? IterationStateName : i == 1 ? LearningRateStateName : _slotNames[i - 2];
            if (!string.Equals(state[i].Name, expected, StringComparison.Ordinal))
                throw new ArgumentException($"{Name}: state entry {i} is '{state[i].Name}'; expected '{expected}' ({ExpectedNames()})", nameof(state));
            if (state[i].Values is null)
                throw new ArgumentException($"{Name}: state entry '{expected}' has no values", nameof(state));
        }

        var iteration = state[0].Values;
        if (iteration.Length != 2 || !IsCount(iteration[0]) || !IsCount(iteration[1]) || iteration[0] >= IterationRadix)
            throw new ArgumentException($"{Name}: state entry '{IterationStateName}' must be two whole numbers [n mod 2^24, n / 2^24]; got [{Join(iteration)}]", nameof(state));
        var learningRate = state[1].Values;
        if (learningRate.Length != 1 || !(learningRate[0] >= 0f) || float.IsPositiveInfinity(learningRate[0]))
            throw new ArgumentException($"{Name}: state entry '{LearningRateStateName}' must be one finite number ≥ 0; got [{Join(learningRate)}]", nameof(state));

        int length = _slotNames.Length == 0 ? StateLength : state[2].Values.Length;
        for (int i = 0; i < _slotNames.Length; i++)
        {
            int actual = state[2 + i].Values.Length;
            if (actual != length)
                throw new ArgumentException($"{Name}: state entry '{_slotNames[i]}' has {actual} floats; expected {length} (as '{_slotNames[0]}')", nameof(state));
        }
        if (_slots is not null && length != StateLength)
            throw new ArgumentException($"{Name}: state is for {length} parameters; this optimizer's model has {StateLength}", nameof(state));

        DeviceState = null; // the restored host state is the current one; a device uploads it at its next step
        Iterations = (long)iteration[0] + (long)iteration[1] * IterationRadix;
        if (Schedule is null) _learningRate = learningRate[0];
        if (_slotNames.Length == 0) return;
        if (length == 0)
        {
            _slots = null;
            StateLength = 0;
            return;
        }
        var slots = new float[_slotNames.Length][];
        for (int i = 0; i < slots.Length; i++) slots[i] = copy ? (float[])state[2 + i].Values.Clone() : state[2 + i].Values;
        _slots = slots;
        StateLength = length;
    }

    private string ExpectedNames() => string.Join(", ", [IterationStateName, LearningRateStateName, .. _slotNames]);

    private static bool IsCount(float v) => v >= 0f && v == MathF.Floor(v) && v < IterationRadix;

    private static string Join(float[] values) => string.Join(", ", Array.ConvertAll(values, v => v.ToString(CultureInfo.InvariantCulture)));

    private float? CheckClip(float? value, string what, bool othersClear)
    {
        if (value is null) return null;
        if (!(value.Value > 0f) || float.IsPositiveInfinity(value.Value))
            throw new ArgumentOutOfRangeException(nameof(value), value, $"{what} must be a positive finite number, or null");
        if (!othersClear)
            throw new InvalidOperationException($"{Name}: only one of ClipNorm, GlobalClipNorm and ClipValue can be set (as in Keras); clear the other first");
        return value;
    }

    /// <summary>Total floats in <paramref name="info"/>'s parameter tensors, after checking each lies inside that total; cached per layout instance.</summary>
    private int LayoutCount(ModelInfo info)
    {
        if (ReferenceEquals(info, _checkedInfo)) return _checkedCount;
        long total = 0;
        var layers = info.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var tensors = layers[i].Parameters;
            for (int j = 0; j < tensors.Count; j++) total += tensors[j].Length;
        }
        for (int i = 0; i < layers.Count; i++)
        {
            var tensors = layers[i].Parameters;
            for (int j = 0; j < tensors.Count; j++)
            {
                var p = tensors[j];
                if (p.Offset < 0 || p.Length < 0 || p.Offset + (long)p.Length > total)
                    throw new ArgumentException($"{Name}: parameter {layers[i].Name}/{p.Name} at [{p.Offset}, {p.Offset + p.Length}) lies outside the {total} parameters of model '{info.Name}'", nameof(info));
            }
        }
        _checkedCount = checked((int)total);
        (_trainable, _frozen) = (Runs(info, true), Runs(info, false));
        _checkedInfo = info;
        return _checkedCount;
    }

    /// <summary>The parameter runs of the layers whose <see cref="LayerInfo.Trainable"/> is <paramref name="trainable"/>, adjacent ones merged, in order.</summary>
    private static (int Start, int Length)[] Runs(ModelInfo info, bool trainable)
    {
        var runs = new List<(int Start, int Length)>();
        foreach (var layer in info.Layers)
        {
            if (layer.Trainable != trainable) continue;
            foreach (var p in layer.Parameters)
            {
                if (p.Length == 0) continue;
                if (runs.Count > 0 && runs[^1].Start + runs[^1].Length == p.Offset) runs[^1] = (runs[^1].Start, runs[^1].Length + p.Length);
                else runs.Add((p.Offset, p.Length));
            }
        }
        return [.. runs];
    }

    private void Clip(Span<float> gradients, ModelInfo info)
    {
        if (_clipNorm is float clipNorm)
        {
            // Keras: g · c / max(‖g‖, c) per tensor; a NaN norm propagates.
            var layers = info.Layers;
            for (int i = 0; i < layers.Count; i++)
            {
                var tensors = layers[i].Parameters;
                for (int j = 0; j < tensors.Count; j++)
                {
                    var g = gradients.Slice(tensors[j].Offset, tensors[j].Length);
                    float norm = TensorPrimitives.Norm(g);
                    if (!(norm <= clipNorm)) TensorPrimitives.Multiply(g, clipNorm / norm, g);
                }
            }
        }
        else if (_globalClipNorm is float globalClipNorm)
        {
            // Keras: g · c · min(1/‖g‖, 1/c), made NaN when ‖g‖ is not finite.
            float norm = TensorPrimitives.Norm(gradients);
            if (!float.IsFinite(norm)) gradients.Fill(float.NaN);
            else if (norm > globalClipNorm) TensorPrimitives.Multiply(gradients, globalClipNorm / norm, gradients);
        }
        else if (_clipValue is float clipValue)
        {
            TensorPrimitives.Min(gradients, clipValue, gradients);
            TensorPrimitives.Max(gradients, -clipValue, gradients);
        }
    }
}

/// <summary>A device that holds an optimizer's current state (ModelGen.Gpu's training engine).</summary>
internal interface IDeviceOptimizerState
{
    /// <summary>Copies the device's state buffers into the optimizer's host buffers.</summary>
    void PullState();
}
