using System;

namespace ModelGen.Kernels;

/// <summary>
/// The initial-state plumbing of one recurrent layer direction in a generated model (one instance per direction,
/// owned by the model): the initial state its next forward passes start from, set by the user (Keras
/// <c>initial_state</c>, PyTorch <c>h_0</c> and <c>c_0</c>) or carried over by a stateful layer, and the gradient with
/// respect to it after <c>Backward</c>. States are batch-major <c>[samples, units]</c>: h, and for LSTM also c.
/// </summary>
/// <remarks>
/// Generated code calls it; users reach it through the model's <c>Set…InitialState</c>, <c>…InitialStateGradient</c>
/// and <c>ResetStates()</c> members. Like the model that owns it, it is not safe for concurrent use. Buffers grow once
/// for a larger number of samples and are reused: nothing is allocated per pass in steady state.
/// </remarks>
public sealed class RecurrentState
{
    private readonly string _model;
    private readonly string _layer;
    private readonly string _who;
    private readonly int _units;
    private readonly bool _hasCellState;
    private readonly bool _stateful;
    private float[] _h = Array.Empty<float>(), _c = Array.Empty<float>();
    private float[] _hGradient = Array.Empty<float>(), _cGradient = Array.Empty<float>();

    /// <summary>Creates the state of one direction.</summary>
    /// <param name="model">The model class's name, for messages.</param>
    /// <param name="layer">The direction's Keras name (<c>lstm</c>, <c>forward_lstm</c>), for messages.</param>
    /// <param name="who">The direction in words, e.g. <c>'forward_lstm' of 'bidirectional'</c>, for messages.</param>
    /// <param name="units">The layer's units: floats per sample in each state.</param>
    /// <param name="hasCellState">The layer keeps a cell state c beside h (LSTM).</param>
    /// <param name="stateful">The layer carries its final state into the next batch (Keras <c>stateful=True</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="units"/> is not positive.</exception>
    public RecurrentState(string model, string layer, string who, int units, bool hasCellState, bool stateful)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(units);
        _model = model;
        _layer = layer;
        _who = who;
        _units = units;
        _hasCellState = hasCellState;
        _stateful = stateful;
    }

    /// <summary>Samples in the initial state; 0 when there is none (the next pass starts from zeros).</summary>
    public int Samples { get; private set; }

    /// <summary>
    /// The last forward pass started from this initial state and no <see cref="Reset"/> came since (so <c>Backward</c>
    /// computes its gradient; after a reset it does not, see <see cref="StartedFromZeros"/>).
    /// </summary>
    public bool Used { get; private set; }

    /// <summary>
    /// The last forward pass started from zeros (no state held), so the CPU cells left out the products with h[-1] = 0,
    /// at its first step and in the recurrent kernel's gradient; its <c>Backward</c> must do the same (the GPU cells
    /// compute them whatever this says). Set by
    /// <see cref="Begin"/> only: unlike <see cref="Used"/>, <see cref="Reset"/> leaves it as it was, so a pass's
    /// backward matches its forward whatever happens between them. False before the first pass.
    /// </summary>
    public bool StartedFromZeros { get; private set; }

    /// <summary>
    /// Sets the initial state, <c>[samples, units]</c> batch-major; the next batches must have as many samples.
    /// </summary>
    /// <param name="h">The hidden state, a positive multiple of units floats.</param>
    /// <param name="c">The cell state, as long as <paramref name="h"/> (LSTM); empty for layers without one.</param>
    /// <exception cref="ArgumentException">A state is empty or not a whole number of samples, c's length differs from h's, or
    /// a value is NaN or ±∞.</exception>
    public void Set(ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        if (h.IsEmpty || h.Length % _units != 0)
            throw new ArgumentException($"model '{_model}': the initial state of {_who} is [samples, {_units}], a positive multiple of {_units} floats, but holds {h.Length}", nameof(h));
        if (_hasCellState && c.Length != h.Length)
            throw new ArgumentException($"model '{_model}': the initial cell state of {_who} must be as long as h, {h.Length} floats, but holds {c.Length}", nameof(c));
        CheckFinite(h, "h", nameof(h));
        if (_hasCellState) CheckFinite(c, "c", nameof(c));
        int samples = h.Length / _units;
        Grow(samples);
        h.CopyTo(_h);
        if (_hasCellState) c.CopyTo(_c);
        Samples = samples;
    }

    /// <summary>Keras <c>reset_states()</c> for this direction: the next pass starts from zeros.</summary>
    public void Reset()
    {
        Samples = 0;
        Used = false;
    }

    /// <summary>Checks, before a forward pass changes anything, that the batch fits the initial state.</summary>
    /// <exception cref="ArgumentException">An initial state is held for another number of samples.</exception>
    /// <param name="batchSize">Samples in the coming batch.</param>
    public void CheckBatch(int batchSize)
    {
        if (Samples != 0 && Samples != batchSize)
            throw new ArgumentException($"model '{_model}': layer '{_layer}' holds an initial state for {Samples} samples, but the batch has {batchSize}: "
                + (_stateful ? "a stateful layer needs the same batch size until ResetStates()"
                    : "the state has one row per sample of a pass (Predict and Evaluate run all of x as one pass then): set one row for every sample, or call ResetStates()"), nameof(batchSize));
    }

    /// <summary>
    /// Writes the state a forward pass starts from into block 0 of the pass's states: the initial state when one is
    /// held, zeros otherwise.
    /// </summary>
    /// <param name="batch">Samples in the batch (checked with <see cref="CheckBatch"/>).</param>
    /// <param name="h">The pass's h, whose first <c>batch·units</c> floats receive h[-1].</param>
    /// <param name="c">The pass's c (LSTM), likewise; empty for layers without one.</param>
    public void Begin(int batch, Span<float> h, Span<float> c)
    {
        int n = batch * _units;
        Used = Samples != 0;
        StartedFromZeros = !Used;
        if (Used)
        {
            _h.AsSpan(0, n).CopyTo(h);
            if (_hasCellState) _c.AsSpan(0, n).CopyTo(c);
        }
        else
        {
            h.Slice(0, n).Clear();
            if (_hasCellState) c.Slice(0, n).Clear();
        }
    }

    /// <summary>A stateful layer's final state becomes the next batch's initial state.</summary>
    /// <param name="batch">Samples in the batch.</param>
    /// <param name="h">The final h, <c>[batch, units]</c>.</param>
    /// <param name="c">The final c (LSTM), likewise; empty for layers without one.</param>
    public void Carry(int batch, ReadOnlySpan<float> h, ReadOnlySpan<float> c)
    {
        Grow(batch);
        h.Slice(0, batch * _units).CopyTo(_h);
        if (_hasCellState) c.Slice(0, batch * _units).CopyTo(_c);
        Samples = batch;
    }

    /// <summary>∂loss/∂h[-1], <c>[batch, units]</c>, when the last pass started from the initial state; empty otherwise.</summary>
    /// <param name="batch">Samples in the last pass.</param>
    /// <returns>A view of this object's buffer, valid until the next pass.</returns>
    public Span<float> Gradient(int batch) => Used ? _hGradient.AsSpan(0, batch * _units) : default;

    /// <summary>∂loss/∂c[-1] (LSTM), like <see cref="Gradient"/>.</summary>
    /// <param name="batch">Samples in the last pass.</param>
    /// <returns>A view of this object's buffer, valid until the next pass; empty for layers without a cell state.</returns>
    public Span<float> CellGradient(int batch) => Used && _hasCellState ? _cGradient.AsSpan(0, batch * _units) : default;

    private void CheckFinite(ReadOnlySpan<float> state, string what, string parameter)
    {
        int at = NonFinite.IndexIn(state);
        if (at < 0) return;
        throw new ArgumentException(FormattableString.Invariant(
            $"model '{_model}': the initial {what} of {_who} holds {state[at]} at sample {at / _units}, unit {at % _units}; every value must be a finite number"), parameter);
    }

    private void Grow(int samples)
    {
        int n = checked(samples * _units);
        if (_h.Length >= n) return;
        _h = new float[n];
        _hGradient = new float[n];
        if (_hasCellState)
        {
            _c = new float[n];
            _cGradient = new float[n];
        }
    }
}
