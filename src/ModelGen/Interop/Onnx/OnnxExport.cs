using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using ModelGen.Interop.Onnx;

namespace ModelGen.Interop;

/// <summary>
/// Writes a generated model as an ONNX model (opset 17) that ONNX Runtime runs with the model's inference results.
/// </summary>
/// <remarks>
/// <para>Graph: input <c>input</c>, float <c>[batch, steps, features]</c> or int32 token ids <c>[batch, steps]</c>
/// (batch-major like <c>Forward</c>; <c>batch</c> is symbolic, <c>steps</c> too when the model declares no
/// <c>TimeSteps</c>); output <c>output</c>, <c>[batch, units]</c> or <c>[batch, steps, units]</c>.</para>
/// <para>Layers: Embedding → <c>Gather</c>; Dense / TimeDistributed → <c>MatMul</c> + <c>Add</c> and the activation
/// (<c>Tanh</c>, <c>Sigmoid</c>, <c>Relu</c>, <c>Softmax</c>); SimpleRnn / Lstm / Gru → ONNX <c>RNN</c> / <c>LSTM</c> /
/// <c>GRU</c> with <c>layout = 0</c> between explicit <c>Transpose</c>s (ONNX Runtime's CPU kernels refuse
/// <c>layout = 1</c>), gates reordered (LSTM Keras i, f, c, o → ONNX i, o, f, c), <c>linear_before_reset = 1</c> for
/// <c>ResetAfter</c> GRUs and 0 otherwise, <c>hard_sigmoid</c> as <c>HardSigmoid(1/6, 0.5)</c>, an LSTM's or GRU's
/// <c>Activation</c> as the operator's candidate (and LSTM output) activation (<c>Relu</c>, <c>Sigmoid</c>, <c>Affine(1, 0)</c>
/// for linear; refused with <c>hard_sigmoid</c> gates when linear); Bidirectional → one
/// <c>direction = "bidirectional"</c> operator and the merge (concat, sum, mul, ave); <c>GoBackwards</c> → the input
/// reversed in time; Activation → the same operators as Dense's activation;
/// RepeatVector → <c>Unsqueeze</c> + <c>Tile</c>; GlobalAveragePooling1D → <c>ReduceMean</c> over the steps, or with a
/// mask <c>Σ x·mask / Σ mask</c> as Keras; GlobalMaxPooling1D → <c>ReduceMax</c> over every step (Keras 3 reads no
/// mask there); Flatten → <c>Reshape</c> to <c>[batch, steps·features]</c>. Dropout layers and dropout rates are left out (inference).</para>
/// <para>Masks (Embedding <c>MaskZero</c>, Masking): each row's real steps are gathered to the front in order (a
/// <c>TopK</c> sort, so they may lie anywhere: padding before, after, or masked steps between real ones) and the
/// recurrent operator runs over them with <c>sequence_lens</c>, so its state skips the masked steps as Keras's masked
/// loop does; each step then takes the output of the last real step at or before it, which gives Keras's values
/// (a single layer carries its last output over masked steps, with zeros before its first real step; a Bidirectional
/// layer, which sets Keras's <c>zero_output_for_mask</c>, has zeros at masked steps). A <c>GoBackwards</c> layer
/// reads the input and its mask reversed.</para>
/// <para>Not exported: <c>Stateful</c> state across calls (the ONNX model starts every call from zeros). Refused:
/// a model that holds an initial state set with a <c>Set…InitialState</c>
/// method (its <c>Predict</c> starts from that state, the ONNX model would start from zeros: call
/// <c>ResetStates()</c> first).</para>
/// </remarks>
public static class OnnxExport
{
    /// <summary>The opset written.</summary>
    public const int Opset = 17;

    /// <summary>Writes the model as ONNX to <paramref name="path"/> (temporary file, then rename).</summary>
    /// <exception cref="NotSupportedException">A construct with no exact ONNX form; the message names it. Also a model
    /// that holds a state its next <c>Predict</c> would start from (<see cref="ISequentialModel.HoldsInitialState"/>): one
    /// set with a <c>Set…InitialState</c> method, or carried by a stateful layer from earlier passes. The exported model
    /// starts every call from zeros, so it would give other outputs; <c>ResetStates()</c> first.</exception>
    /// <exception cref="InvalidOperationException">The layer attributes on the model class cannot be matched to
    /// <see cref="ModelInfo.Layers"/> (the exporter reads activations, merge modes and masks from them).</exception>
    /// <param name="model">The model to export, with its current weights; inputs are <c>[batch, steps, features]</c> floats
    /// (or <c>[batch, steps]</c> int32 token ids), the batch dimension dynamic (and the steps where the model declares no
    /// <c>TimeSteps</c>).</param>
    /// <param name="path">The <c>.onnx</c> file to write, replaced if it exists.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public static void ExportOnnx(this ISequentialModel model, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.Write(path, ToOnnx(model));
    }

    /// <summary>Writes the model as ONNX to <paramref name="stream"/>.</summary>
    /// <inheritdoc cref="ExportOnnx(ISequentialModel, string)"/>
    public static void ExportOnnx(this ISequentialModel model, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        stream.Write(ToOnnx(model));
    }

    /// <summary>The model as a serialised ONNX <c>ModelProto</c>.</summary>
    /// <inheritdoc cref="ExportOnnx(ISequentialModel, string)"/>
    public static byte[] ToOnnx(this ISequentialModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A held state is part of what Predict computes; the exported operators start every call from zeros, as a new
        // sequence. A stateful layer's carried state is such a state as much as a set one (it starts the next pass), so
        // both are refused: the file is what the model computes now, or there is no file.
        if (model.HoldsInitialState)
            throw new NotSupportedException(model.Info.IsStateful
                ? $"model '{model.Info.Name}' holds a state its next Predict and Forward start from (carried by its stateful layers from earlier passes, or set with a Set…InitialState method); " +
                  "the exported ONNX model starts every call from zeros and would give other outputs. Call ResetStates() before exporting (the file then computes what the model's first pass after it does)"
                : $"model '{model.Info.Name}' holds an initial state set with a Set…InitialState method, which its Predict and Forward start from; " +
                  "the exported ONNX model would start from zeros and give other outputs. Call ResetStates() before exporting (or export a copy without the state)");
        DeviceSync.Pull(model);
        var b = new Builder(model);
        return b.Build();
    }

    private sealed class Builder(ISequentialModel model)
    {
        private readonly OnnxGraph _g = new() { Name = model.Info.Name };
        private readonly ModelInfo _info = model.Info;
        private object Steps => _info.TimeSteps is int t ? t : "steps";

        // Mask state: the float mask [B, T] and what the recurrent layers need from it, built once per orientation
        // (in time order, and reversed for GoBackwards layers).
        private string? _mask;
        private MaskPlan? _plan, _reversedPlan;

        // Lengths32: real steps per row [B] (int32, for sequence_lens). Gather [B, T]: the real steps in order, then
        // the masked ones (the compaction). Index [B, T]: for each step, the compacted position of the last real step
        // at or before it (0 before the first). Seen and Mask [B, T] (float): 1 from a row's first real step on; the mask.
        private sealed record MaskPlan(string Lengths32, string Gather, string Index, string Seen, string Mask);

        public byte[] Build()
        {
            var layers = ModelDeclaration.Read(model);
            string x = "input";
            if (_info.TakesTokens) _g.Input("input", OnnxType.Int32, "batch", Steps);
            else _g.Input("input", OnnxType.Float, "batch", Steps, _info.InputFeatures);
            bool sequence = true;
            object steps = Steps; // of the output, when it is a sequence: a RepeatVector sets its own
            // A layer whose output has no time axis: the mask (and the plan built from it) ends there.
            void EndSequence() { sequence = false; _mask = null; _plan = null; _reversedPlan = null; }
            foreach (var layer in layers)
            {
                var w = LayerWeights.Read(layer.Info);
                switch (layer.Core)
                {
                    case EmbeddingAttribute e:
                        if (e.MaskZero)
                            _mask = _g.Add("Cast", [_g.Add("Not", [_g.Add("Equal", [x, _g.Add("Cast", [_g.Int64Scalar(0)], ("to", (long)OnnxType.Int32))])])], ("to", (long)OnnxType.Float));
                        x = _g.Add("Gather", [Weights(layer.Info.Parameters[0]), x], ("axis", 0L));
                        break;
                    case MaskingAttribute m:
                        {
                            string differs = _g.Add("Cast", [_g.Add("Not", [_g.Add("Equal", [x, _g.Scalar((float)m.MaskValue)])])], ("to", (long)OnnxType.Float));
                            _mask = _g.Add("ReduceMax", [differs], ("axes", new long[] { 2 }), ("keepdims", 0L));
                            x = _g.Add("Mul", [x, _g.Add("Unsqueeze", [_mask, _g.Vector(2)])]);
                            _plan = null;
                            break;
                        }
                    case DropoutAttribute or SpatialDropout1DAttribute:
                        break;
                    case DenseAttribute d:
                        x = Dense(x, w, d);
                        break;
                    case RecurrentLayerAttribute r:
                        x = Recurrent(x, w, r, layer.Attribute as BidirectionalAttribute);
                        if (!r.ReturnSequences) EndSequence();
                        break;
                    case ActivationAttribute a:
                        x = Activate(x, a.Activation, layer.Info.Name); // keeps the shape and the mask
                        break;
                    case RepeatVectorAttribute repeat:
                        // [B, F] → [B, n, F]; no mask comes out of it.
                        x = _g.Add("Tile", [_g.Add("Unsqueeze", [x, _g.Vector(1)]), _g.Vector(1, repeat.N, 1)]);
                        sequence = true;
                        steps = repeat.N;
                        _mask = null;
                        _plan = null;
                        break;
                    case GlobalAveragePooling1DAttribute:
                        if (_mask is null)
                        {
                            x = _g.Add("ReduceMean", [x], ("axes", new long[] { 1 }), ("keepdims", 0L));
                        }
                        else
                        {
                            // Keras: Σ x·mask / Σ mask over the steps (0/0 = NaN for a row with every step masked).
                            string sum = _g.Add("ReduceSum", [_g.Add("Mul", [x, _g.Add("Unsqueeze", [_mask, _g.Vector(2)])]), _g.Vector(1)], ("keepdims", 0L));
                            x = _g.Add("Div", [sum, _g.Add("ReduceSum", [_mask, _g.Vector(1)], ("keepdims", 1L))]);
                        }
                        EndSequence();
                        break;
                    case GlobalMaxPooling1DAttribute:
                        // Over every step, as Keras 3 (it reads no mask).
                        x = _g.Add("ReduceMax", [x], ("axes", new long[] { 1 }), ("keepdims", 0L));
                        EndSequence();
                        break;
                    case FlattenAttribute:
                        // [B, T, F] → [B, T·F], each row's steps one after another (T is fixed: the generator requires it).
                        x = _g.Add("Reshape", [x, _g.Vector(0, -1)]);
                        EndSequence();
                        break;
                    default:
                        throw new NotSupportedException($"layer '{layer.Info.Name}' ({layer.Info.Type}) has no ONNX export");
                }
            }
            _g.AddTo("output", "Identity", [x]);
            if (sequence) _g.Output("output", OnnxType.Float, "batch", steps, _info.OutputUnits);
            else _g.Output("output", OnnxType.Float, "batch", _info.OutputUnits);
            var metadata = new Dictionary<string, string>
            {
                ["modelgen.model"] = _info.Name,
                ["modelgen.signature"] = _info.Signature,
            };
            return _g.ToModel(Opset, "ModelGen", typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0", metadata);
        }

        private string Weights(ParameterInfo p) =>
            _g.Floats(model.Parameters.AsSpan(p.Offset, p.Length), p.Rows == 1 && p.Name.EndsWith("bias", StringComparison.Ordinal) ? [p.Columns] : [p.Rows, p.Columns]);

        private string Dense(string x, LayerWeights w, DenseAttribute d)
        {
            var p = w.Layer.Parameters;
            string y = _g.Add("MatMul", [x, Weights(p[0])]);
            if (p.Count > 1) y = _g.Add("Add", [y, Weights(p[1])]);
            return Activate(y, d.Activation, w.Layer.Name);
        }

        /// <summary>A Dense layer's or an Activation layer's function of x, element by element (softmax over the last axis).</summary>
        private string Activate(string x, string activation, string layer) => activation switch
        {
            "linear" => x,
            "tanh" => _g.Add("Tanh", [x]),
            "sigmoid" => _g.Add("Sigmoid", [x]),
            "relu" => _g.Add("Relu", [x]),
            "softmax" => _g.Add("Softmax", [x], ("axis", -1L)),
            var a => throw new NotSupportedException($"layer '{layer}': activation '{a}' has no ONNX export"),
        };

        private string Recurrent(string x, LayerWeights w, RecurrentLayerAttribute r, BidirectionalAttribute? bidirectional)
        {
            string name = w.Layer.Name;
            int dirs = w.Directions.Count, g = w.Gates, h = w.Units, inputs = w.Inputs;
            // Weights in ONNX layout: W [dirs, G·H, I], R [dirs, G·H, H], B [dirs, 2·G·H] = (Wb, Rb).
            var map = GateLayout.Onnx(g);
            var wAll = new float[dirs * g * h * inputs];
            var rAll = new float[dirs * g * h * h];
            var bAll = new float[dirs * 2 * g * h];
            bool hasBias = w.Directions[0].Bias is not null;
            var p = model.Parameters;
            for (int d = 0; d < dirs; d++)
            {
                var dw = w.Directions[d];
                GateLayout.KerasToGateMajor(p.AsSpan(dw.Kernel.Offset, dw.Kernel.Length), inputs, h, map, wAll.AsSpan(d * g * h * inputs, g * h * inputs));
                GateLayout.KerasToGateMajor(p.AsSpan(dw.RecurrentKernel.Offset, dw.RecurrentKernel.Length), h, h, map, rAll.AsSpan(d * g * h * h, g * h * h));
                if (dw.Bias is { } bias)
                {
                    var target = bAll.AsSpan(d * 2 * g * h, 2 * g * h);
                    GateLayout.KerasToOther(p.AsSpan(bias.Offset, g * h), h, map, target[..(g * h)]);
                    if (w.TwoBiases) GateLayout.KerasToOther(p.AsSpan(bias.Offset + g * h, g * h), h, map, target[(g * h)..]);
                }
            }
            string wName = _g.Floats(wAll, [dirs, g * h, inputs], $"{name}.W");
            string rName = _g.Floats(rAll, [dirs, g * h, h], $"{name}.R");
            string bName = hasBias ? _g.Floats(bAll, [dirs, 2 * g * h], $"{name}.B") : "";

            // Activations: every alpha / beta entry gets the same value, so that readers that consume them by
            // position and readers that consume them only for the functions that take them agree.
            var attributes = new List<OnnxAttribute>
            {
                ("hidden_size", (long)h),
                ("direction", dirs == 2 ? "bidirectional" : "forward"),
                ("layout", 0L),
            };
            var (perDirection, alpha, beta) = Activations(w, r);
            var activations = Enumerable.Repeat(perDirection, dirs).SelectMany(a => a).ToArray();
            attributes.Add(("activations", activations));
            if (alpha is float a0)
            {
                attributes.Add(("activation_alpha", Enumerable.Repeat(a0, activations.Length).ToArray()));
                attributes.Add(("activation_beta", Enumerable.Repeat(beta!.Value, activations.Length).ToArray()));
            }
            if (r is GruAttribute gru) attributes.Add(("linear_before_reset", gru.ResetAfter ? 1L : 0L));
            string op = g switch { 1 => "RNN", 3 => "GRU", _ => "LSTM" };

            // GoBackwards reads the input and its mask reversed in time, and returns its outputs in that order (Keras).
            var plan = _mask is null ? null : Plan(r.GoBackwards);
            string input = x;
            if (r.GoBackwards) input = ReverseTime(input);
            if (plan is not null) input = GatherSteps(input, plan.Gather);
            string timeMajor = _g.Add("Transpose", [input], ("perm", new long[] { 1, 0, 2 }));
            string[] rnnInputs = plan is null ? [timeMajor, wName, rName, bName] : [timeMajor, wName, rName, bName, plan.Lengths32];
            var outs = _g.AddMany(op, rnnInputs, 2, [.. attributes]);
            string y = outs[0], yh = outs[1]; // Y [T, dirs, B, H], Y_h [dirs, B, H]

            var parts = new string[dirs];
            for (int d = 0; d < dirs; d++)
            {
                string last = _g.Add("Gather", [yh, _g.Int64Scalar(d)], ("axis", 0L)); // [B, H]
                if (!r.ReturnSequences)
                {
                    parts[d] = last;
                    continue;
                }
                string seq = _g.Add("Transpose", [_g.Add("Gather", [y, _g.Int64Scalar(d)], ("axis", 1L))], ("perm", new long[] { 1, 0, 2 })); // [B, T, H]
                if (plan is not null)
                {
                    // Back from the compacted order: each step takes the output of the last real step at or before it.
                    // A single layer thus carries its last output over masked steps, with zeros (the initial state)
                    // before its first real step; Keras's Bidirectional zeroes every masked step (it sets
                    // zero_output_for_mask when it returns sequences).
                    seq = GatherSteps(seq, plan.Index);
                    seq = _g.Add("Mul", [seq, _g.Add("Unsqueeze", [dirs == 2 ? plan.Mask : plan.Seen, _g.Vector(2)])]);
                }
                parts[d] = seq;
            }
            if (dirs == 1) return parts[0];
            string mode = bidirectional?.MergeMode ?? "concat";
            return mode switch
            {
                "concat" => _g.Add("Concat", [parts[0], parts[1]], ("axis", -1L)),
                "sum" => _g.Add("Add", [parts[0], parts[1]]),
                "mul" => _g.Add("Mul", [parts[0], parts[1]]),
                "ave" => _g.Add("Mul", [_g.Add("Add", [parts[0], parts[1]]), _g.Scalar(0.5f)]),
                _ => throw new NotSupportedException($"layer '{name}': merge mode '{mode}' has no ONNX export"),
            };
        }

        private static (string[] PerDirection, float? Alpha, float? Beta) Activations(LayerWeights w, RecurrentLayerAttribute r)
        {
            string name = w.Layer.Name;
            if (r is SimpleRnnAttribute s)
            {
                return s.Activation switch
                {
                    "tanh" => (["Tanh"], null, null),
                    "relu" => (["Relu"], null, null),
                    "sigmoid" => (["Sigmoid"], null, null),
                    "linear" => (["Affine"], 1f, 0f),
                    var a => throw new NotSupportedException($"layer '{name}': activation '{a}' has no ONNX export"),
                };
            }
            var gated = (GatedLayerAttribute)r;
            (string gate, float? alpha, float? beta) = gated.RecurrentActivation switch
            {
                "sigmoid" => ("Sigmoid", (float?)null, (float?)null),
                "hard_sigmoid" => ("HardSigmoid", 1f / 6, 0.5f),
                var a => throw new NotSupportedException($"layer '{name}': recurrent activation '{a}' has no ONNX export"),
            };
            // Keras activation= replaces tanh in the candidate (and LSTM's output): ONNX's g (and h) activations.
            (string candidate, float? candidateAlpha, float? candidateBeta) = gated.Activation switch
            {
                "tanh" => ("Tanh", (float?)null, (float?)null),
                "relu" => ("Relu", null, null),
                "sigmoid" => ("Sigmoid", null, null),
                "linear" => ("Affine", 1f, 0f),
                var a => throw new NotSupportedException($"layer '{name}': activation '{a}' has no ONNX export"),
            };
            if (alpha is not null && candidateAlpha is not null)
                throw new NotSupportedException($"layer '{name}': recurrent activation 'hard_sigmoid' with activation 'linear' has no ONNX export " +
                    "(the two would need different activation_alpha values, which runtimes consume differently); use 'sigmoid' gates or another activation");
            return (r is LstmAttribute ? [gate, candidate, candidate] : [gate, candidate], alpha ?? candidateAlpha, beta ?? candidateBeta);
        }

        /// <summary>x [B, T, …] reversed along T.</summary>
        private string ReverseTime(string x) =>
            _g.Add("Slice", [x, _g.Vector(-1), _g.Vector(long.MinValue), _g.Vector(1), _g.Vector(-1)]);

        /// <summary>x [B, T, F] with out[b, t] = x[b, index[b, t]].</summary>
        private string GatherSteps(string x, string index)
        {
            string expanded = _g.Add("Expand", [_g.Add("Unsqueeze", [index, _g.Vector(2)]), _g.Add("Shape", [x])]);
            return _g.Add("GatherElements", [x, expanded], ("axis", 1L));
        }

        /// <summary>
        /// From the mask [B, T] (reversed in time for a GoBackwards layer): the compaction that brings each row's real
        /// steps to the front in order, as Keras's masked loop sees them (the state skips masked steps), wherever they
        /// lie: padding before or after, or masked steps between real ones. Its order is TopK's ascending sort of
        /// <c>t + T·masked</c>, every key distinct. The way back is a running count of real steps.
        /// </summary>
        private MaskPlan Plan(bool reversed)
        {
            if ((reversed ? _reversedPlan : _plan) is { } built) return built;
            string mask = reversed ? ReverseTime(_mask!) : _mask!;
            string real = _g.Add("Cast", [mask], ("to", (long)OnnxType.Int64)); // [B, T], 1 at real steps
            string lengths32 = _g.Add("Cast", [_g.Add("ReduceSum", [real, _g.Vector(1)], ("keepdims", 0L))], ("to", (long)OnnxType.Int32)); // [B]
            string steps = _g.Add("Gather", [_g.Add("Shape", [mask]), _g.Int64Scalar(1)], ("axis", 0L)); // scalar T
            string t = _g.Add("Unsqueeze", [_g.Add("Range", [_g.Int64Scalar(0), steps, _g.Int64Scalar(1)]), _g.Vector(0)]); // [1, T]
            string key = _g.Add("Add", [t, _g.Add("Mul", [_g.Add("Sub", [_g.Int64Scalar(1), real]), steps])]);
            string gather = _g.AddMany("TopK", [key, _g.Add("Unsqueeze", [steps, _g.Vector(0)])], 2, ("axis", 1L), ("largest", 0L), ("sorted", 1L))[1];
            string count = _g.Add("CumSum", [real, _g.Int64Scalar(1)]); // real steps at or before each step
            string index = _g.Add("Max", [_g.Add("Sub", [count, _g.Int64Scalar(1)]), _g.Int64Scalar(0)]);
            string seen = _g.Add("Cast", [_g.Add("Greater", [count, _g.Int64Scalar(0)])], ("to", (long)OnnxType.Float));
            var plan = new MaskPlan(lengths32, gather, index, seen, mask);
            if (reversed) _reversedPlan = plan; else _plan = plan;
            return plan;
        }
    }
}
