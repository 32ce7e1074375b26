using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Gpu.Cells;

/// <summary>
/// SimpleRNN, LSTM and GRU (both forms) on the GPU. Host: the input projection of all steps as one tiled GEMM, the
/// recurrence kernel (one launch per sequence on chip, or one per step), the weight gradients as GEMMs after the loop.
/// Kernels: explicitly grouped; group g runs samples g·SamplesPerGroup…; thread work item e is (sample s, unit j),
/// always the same thread for the same element, so an element's own values (c, ∂c, ∂h[t-1]) need no barrier; the
/// state h[t-1] the products read goes through double-buffered shared memory, and so do the gate gradients the backward
/// products reduce on chip (one launch per step reads them back from global memory instead, so its shared memory stays a
/// few KB at any width), with
/// one <c>Group.Barrier()</c> per phase.
/// </summary>
internal static class GpuRecurrentCell
{
    private enum Form { SimpleRnn, Lstm, GruAfter, GruBefore }

    private static Form FormOf(CellShape cell) => cell.Cell switch
    {
        CellKind.SimpleRnn => Form.SimpleRnn,
        CellKind.Lstm => Form.Lstm,
        CellKind.Gru when cell.ResetAfter => Form.GruAfter,
        CellKind.Gru => Form.GruBefore,
        CellKind.Dense or null => throw new InvalidOperationException($"{cell.Kind} is not recurrent"),
    };

    public static void Write(CodeWriter w, CellShape cell, GpuScheme scheme)
    {
        var form = FormOf(cell);
        bool onChip = scheme.Kind == GpuSchemeKind.OnChip;
        w.Line("/// <summary>Samples each group runs.</summary>");
        w.Line($"public const int SamplesPerGroup = {scheme.SamplesPerGroup};");
        w.Line("/// <summary>Work items of a group: SamplesPerGroup × Units.</summary>");
        w.Line($"public const int Slots = {scheme.SamplesPerGroup * cell.Units};");
        w.Line("/// <summary>Gate values of a group: SamplesPerGroup × Width.</summary>");
        w.Line($"public const int GateSlots = {scheme.SamplesPerGroup * cell.Width};");
        w.Line();
        w.Line(form == Form.Lstm
            ? "/// <summary>Floats of device scratch <see cref=\"Backward\"/> needs: ∂c carried back through time [batch, Units].</summary>"
            : "/// <summary>Floats of device scratch <see cref=\"Backward\"/> needs: none.</summary>");
        w.Line("/// <param name=\"batch\">Samples.</param>");
        w.Line("/// <returns>The length in floats.</returns>");
        w.Line(form == Form.Lstm ? "public static long ScratchLength(long batch) => batch * Units;" : "public static long ScratchLength(long batch) => 0;");
        w.Line();
        var forwardViews = new List<string> { "H", "RecurrentKernel", "RecurrentMask", "MaskedStates" };
        var backwardViews = new List<string> { "H", "Dh", "RecurrentKernel", "RecurrentMask", "MaskedStates", "DInitial" };
        var (forwardOwn, backwardOwn) = form switch
        {
            Form.Lstm => ("Gates C TanhC", "Gates TanhC C DGates Dc"),
            Form.GruAfter => ("Gates Recurrent Bias", "Gates Recurrent DGates DRecurrent"),
            Form.GruBefore => ("Gates ResetState", "Gates DGates"),
            Form.SimpleRnn => ("", ""),
        };
        forwardViews.AddRange(forwardOwn.Split(Space, StringSplitOptions.RemoveEmptyEntries));
        backwardViews.AddRange(backwardOwn.Split(Space, StringSplitOptions.RemoveEmptyEntries));
        Args(w, "ForwardArgs", "The forward kernel's arguments.", forwardViews, "Steps Batch T0 T1 HasMask HasDropout");
        Args(w, "BackwardArgs", "The backward kernel's arguments.", backwardViews, "Steps Batch T0 T1 HasMask HasDropout HasInitial");
        HostForward(w, cell, form, scheme, forwardViews);
        HostBackward(w, cell, form, scheme, backwardViews);
        Launchers(w, cell);
        ForwardKernel(w, cell, form, onChip);
        BackwardKernel(w, cell, form, onChip);
    }

    private static readonly char[] Space = { ' ' };

    private static void Args(CodeWriter w, string name, string doc, List<string> views, string ints)
    {
        w.Line($"/// <summary>{doc} Views not given are a one-float stand-in, with a flag saying so.</summary>");
        using (w.Block($"public struct {name}"))
        {
            foreach (var v in views)
            {
                w.Line($"/// <summary>{FieldDoc(v)}</summary>");
                w.Line($"public ArrayView<float> {v};");
            }
            w.Line($"/// <summary>{FieldDoc("Mask")}</summary>");
            w.Line("public ArrayView<byte> Mask;");
            foreach (var i in ints.Split(Space))
            {
                w.Line($"/// <summary>{FieldDoc(i)}</summary>");
                w.Line($"public int {i};");
            }
        }
        w.Line();
    }

    /// <summary>What a kernel argument holds, with its layout (time-major rows t·batch + b).</summary>
    private static string FieldDoc(string field) => field switch
    {
        "H" => "h [(steps+1)·batch, Units], block 0 the initial state.",
        "Dh" => "∂loss/∂h[t] [steps·batch, Units]; a masked step's is moved to the step before.",
        "RecurrentKernel" => "U [Units, Width].",
        "RecurrentMask" => "The recurrent dropout mask [batch, Units] (flag HasDropout).",
        "MaskedStates" => "h[t-1] ⊙ the recurrent dropout mask [steps·batch, Units]: what the recurrent products read (flag HasDropout).",
        "DInitial" => "∂loss/∂(initial h) [batch, Units], added to (flag HasInitial).",
        "Gates" => "Gate pre-activations x·W + b on entry to forward, the gate values after [steps·batch, Width].",
        "C" => "c [(steps+1)·batch, Units], block 0 the initial cell state.",
        "TanhC" => "tanh(c[t]) [steps·batch, Units].",
        "Recurrent" => "h[t-1]·U + b_rec [steps·batch, Width], kept for backward.",
        "Bias" => "b [2·Width]: the input bias, then the recurrent bias b_rec.",
        "ResetState" => "r ⊙ h[t-1] [steps·batch, Units], kept for backward.",
        "DGates" => "∂loss/∂(gate pre-activations) [steps·batch, Width].",
        "DRecurrent" => "∂loss/∂(h[t-1]·U + b_rec) [steps·batch, Width].",
        "Dc" => "∂loss/∂c carried back through time [batch, Units] (the caller's scratch).",
        "Mask" => "The step mask [steps·batch], 0 where a step is skipped (flag HasMask).",
        "Steps" => "Time steps.",
        "Batch" => "Samples.",
        "T0" => "The first step this launch runs (0 on chip; the step itself when one launch runs one step).",
        "T1" => "One past the last step this launch runs.",
        "HasMask" => "1 when the step mask was given.",
        "HasDropout" => "1 when the recurrent dropout mask was given.",
        "HasInitial" => "1 when ∂loss/∂(initial h) is wanted.",
        _ => throw new InvalidOperationException(field),
    };

    private static string HostView(string field) => field switch
    {
        "H" => "h",
        "Dh" => "dh",
        "RecurrentKernel" => "recurrentKernel",
        "RecurrentMask" => "CellKernels.OrDummy(device, recurrentMask)",
        "MaskedStates" => "CellKernels.OrDummy(device, maskedStates)",
        "DInitial" => "CellKernels.OrDummy(device, dInitial)",
        "Gates" => "gates",
        "C" => "c",
        "TanhC" => "tanhC",
        "Recurrent" => "recurrent",
        "Bias" => "CellKernels.OrDummy(device, bias)",
        "ResetState" => "resetState",
        "DGates" => "dGates",
        "DRecurrent" => "dRecurrent",
        "Dc" => "scratch",
        _ => throw new InvalidOperationException(field),
    };

    private static void FillArgs(CodeWriter w, string type, List<string> views, bool backward)
    {
        w.Line($"var args = new {type}");
        w.Line("{");
        using (w.Indent())
        {
            foreach (var v in views) w.Line($"{v} = {HostView(v)},");
            w.Line("Mask = CellKernels.OrDummy(device, mask),");
            w.Line("Steps = steps, Batch = batch, T0 = 0, T1 = steps,");
            w.Line("HasMask = CellKernels.Given(mask) ? 1 : 0, HasDropout = CellKernels.Given(recurrentMask) ? 1 : 0,");
            if (backward) w.Line("HasInitial = CellKernels.Given(dInitial) ? 1 : 0,");
        }
        w.Line("};");
    }

    private static void Run(CodeWriter w, GpuScheme scheme, string launcher, bool backward)
    {
        if (scheme.Kind == GpuSchemeKind.OnChip)
        {
            w.Line($"{launcher}(Config(device, batch), args); // one launch for the whole sequence");
            return;
        }
        using (w.Block(backward ? "for (int t = steps - 1; t >= 0; t--)" : "for (int t = 0; t < steps; t++)"))
        {
            w.Line("args.T0 = t;");
            w.Line("args.T1 = t + 1;");
            w.Line($"{launcher}(Config(device, batch), args); // one launch per step");
        }
    }

    private static void HostForward(CodeWriter w, CellShape cell, Form form, GpuScheme scheme, List<string> views)
    {
        var slots = GpuCellEmitter.DeviceSlots(CellSignature.Forward(cell));
        w.Line("/// <summary>Forward over a time-major batch, as the CPU cell's Forward: h (and c) [(steps+1)·batch, Units], block 0 the initial state.</summary>");
        GpuCellEmitter.ParamDocs(w, slots);
        using (w.Block(GpuCellEmitter.Signature("Forward", slots)))
        {
            w.Line("ArgumentNullException.ThrowIfNull(device);");
            w.Line("int rows = steps * batch, n = batch * Units;");
            w.Line("if (rows <= 0) return;");
            string target = form == Form.SimpleRnn ? "h.SubView(n, (long)rows * Units)" : "gates";
            string bias = form == Form.GruAfter ? "b_in" : "b";
            w.Line($"// x·W + {bias} for every step at once: [steps·batch, {cell.Inputs}] × [{cell.Inputs}, {cell.Width}], one tiled GEMM.");
            w.Line("// An empty x means the caller has written them already (an Embedding folded into this projection).");
            using (w.Block("if (CellKernels.Given(x))"))
            {
                w.Line(cell.UseBias
                    ? $"CellKernels.BiasRows(device, rows, Width, bias, {target}, Width);"
                    : $"CellKernels.Clear(device, {target}, (long)rows * Width); // no bias");
                w.Line($"GpuGemm.Multiply(device, rows, Width, Inputs, x, Inputs, false, kernel, Width, false, {target}, Width, 1f);");
            }
            if (CellSignature.ReadsTokens(cell))
                w.Line($"else if (CellKernels.Given(tokens)) CellKernels.GatherTimeMajor(device, batch, steps, Units, tokens, table, {target}); // the folded Embedding's rows");
            FillArgs(w, "ForwardArgs", views, backward: false);
            Run(w, scheme, "ForwardLauncher(device)", backward: false);
        }
        w.Line();
    }

    private static void HostBackward(CodeWriter w, CellShape cell, Form form, GpuScheme scheme, List<string> views)
    {
        var slots = GpuCellEmitter.DeviceSlots(CellSignature.Backward(cell));
        w.Line("/// <summary>Back-propagation through time, as the CPU cell's Backward: adds to the parameter gradients, writes dx unless it is empty.</summary>");
        GpuCellEmitter.ParamDocs(w, slots);
        using (w.Block(GpuCellEmitter.Signature("Backward", slots)))
        {
            w.Line("ArgumentNullException.ThrowIfNull(device);");
            w.Line("int rows = steps * batch, n = batch * Units;");
            w.Line("if (CellKernels.Given(dInitial)) CellKernels.Clear(device, dInitial, n);");
            if (form == Form.Lstm)
            {
                w.Line("if (CellKernels.Given(dFinalCell)) CellKernels.Copy(device, dFinalCell, scratch, n); // ∂loss/∂(final c)");
                w.Line("else CellKernels.Clear(device, scratch, n);");
            }
            using (w.Block("if (rows > 0)"))
            {
                FillArgs(w, "BackwardArgs", views, backward: true);
                Run(w, scheme, "BackwardLauncher(device)", backward: true);
            }
            if (form == Form.Lstm) w.Line("if (CellKernels.Given(dInitialCell)) CellKernels.Copy(device, scratch, dInitialCell, n); // ∂c[-1]");
            w.Line("if (rows <= 0) return;");
            w.Line("var previous = CellKernels.Given(recurrentMask) ? maskedStates : h; // the states the recurrent products read");
            string dz = form switch
            {
                Form.SimpleRnn => "dh",
                Form.GruAfter => "dRecurrent",
                Form.Lstm or Form.GruBefore => "dGates",
            };
            string dzIn = form == Form.SimpleRnn ? "dh" : "dGates";
            w.Line("// After the loop, the weight gradients as GEMMs over all steps.");
            if (form == Form.GruBefore)
            {
                w.Line("GpuGemm.Multiply(device, Units, 2 * Units, rows, previous, Units, true, dGates, Width, false, dRecurrentKernel, Width, 1f); // dU_zr += h[t-1]ᵀ·dZ_zr");
                w.Line("GpuGemm.Multiply(device, Units, Units, rows, resetState, Units, true, dGates.SubView(2 * Units, dGates.Length - 2 * Units), Width, false,");
                w.Line("    dRecurrentKernel.SubView(2 * Units, dRecurrentKernel.Length - 2 * Units), Width, 1f); // dU_h += (r⊙h[t-1])ᵀ·dZ_h");
            }
            else w.Line($"GpuGemm.Multiply(device, Units, Width, rows, previous, Units, true, {dz}, Width, false, dRecurrentKernel, Width, 1f); // dU += h[t-1]ᵀ·dZ");
            w.Line($"if (CellKernels.Given(x)) GpuGemm.Multiply(device, Inputs, Width, rows, x, Inputs, true, {dzIn}, Width, false, dKernel, Width, 1f); // dW += xᵀ·dZ");
            if (cell.UseBias)
            {
                w.Line($"CellKernels.AddColumnSums(device, rows, Width, {dzIn}, Width, dBias); // db += Σ_rows dZ");
                if (form == Form.GruAfter) w.Line("CellKernels.AddColumnSums(device, rows, Width, dRecurrent, Width, dBias.SubView(Width, Width)); // db_rec");
            }
            w.Line($"if (CellKernels.Given(dx)) GpuGemm.Multiply(device, rows, Inputs, Width, {dzIn}, Width, false, kernel, Width, true, dx, Inputs, 0f); // dx = dZ·Wᵀ");
        }
        w.Line();
    }

    private static void Launchers(CodeWriter w, CellShape cell)
    {
        w.Line("/// <summary>");
        w.Line("/// ⌈batch / SamplesPerGroup⌉ groups of Slots threads rounded up to the device's warp, at most the device's largest");
        w.Line("/// group and at most 256 (so up to 255 registers per thread fit a 64 K register file: a larger group could fail to");
        w.Line("/// launch on CUDA); the kernels loop over work items, so any group size is correct.");
        w.Line("/// </summary>");
        using (w.Block("private static KernelConfig Config(GpuDevice device, int batch)"))
        {
            w.Line("int threads = Math.Min(Math.Min(device.MaxGroupSize, 256), (Slots + device.WarpSize - 1) / device.WarpSize * device.WarpSize);");
            w.Line("return new KernelConfig((batch + SamplesPerGroup - 1) / SamplesPerGroup, threads);");
        }
        w.Line();
        w.Line("private static Action<KernelConfig, ForwardArgs> ForwardLauncher(GpuDevice device)");
        w.Line($"    => device.Kernel((typeof({cell.TypeName}), \"Forward\"), static acc => acc.LoadStreamKernel<ForwardArgs>(ForwardKernel));");
        w.Line();
        w.Line("private static Action<KernelConfig, BackwardArgs> BackwardLauncher(GpuDevice device)");
        w.Line($"    => device.Kernel((typeof({cell.TypeName}), \"Backward\"), static acc => acc.LoadStreamKernel<BackwardArgs>(BackwardKernel));");
        w.Line();
    }

    // ------------------------------------------------------------------ kernel pieces

    private static void SharedWeights(CodeWriter w, CellShape cell, bool onChip)
    {
        if (!onChip) return;
        w.Line($"var us = SharedMemory.Allocate<float>({cell.Units * cell.Width}); // U [Units, Width], loaded once");
    }

    private static void LoadWeights(CodeWriter w, CellShape cell, bool onChip)
    {
        if (!onChip) return;
        w.Line($"for (int e = Group.IdxX; e < {cell.Units * cell.Width}; e += Group.DimX) us[e] = a.RecurrentKernel[e];");
    }

    private static string U(bool onChip) => onChip ? "us" : "a.RecurrentKernel";

    private const string Items = "for (int e = Group.IdxX; e < Slots; e += Group.DimX)";
    private const string Item = "int s = e / Units, j = e - s * Units, b = first + s;";

    /// <summary>
    /// <c>acc_g += Σ_k state[k]·U[k, offset_g + j]</c> for each (acc, offset): the recurrent product of one column per
    /// gate, unrolled on chip (U from shared memory), a counted loop per step otherwise.
    /// </summary>
    private static void Columns(CodeWriter w, CellShape cell, bool onChip, Func<string, string> state, (string Acc, int Offset)[] outs)
    {
        foreach (var (acc, _) in outs) w.Line($"float {acc} = 0f;");
        if (onChip)
        {
            w.Line("float hk;");
            for (int k = 0; k < cell.Units; k++)
            {
                var line = new System.Text.StringBuilder($"hk = {state(k.ToString(System.Globalization.CultureInfo.InvariantCulture))};");
                foreach (var (acc, off) in outs) line.Append($" {acc} += hk * us[{k * cell.Width + off} + j];");
                w.Line(line.ToString());
            }
            return;
        }
        using (w.Block("for (int k = 0; k < Units; k++)"))
        {
            w.Line($"float hk = {state("k")};");
            w.Line("int uk = k * Width + j;");
            foreach (var (acc, off) in outs) w.Line($"{acc} += hk * a.RecurrentKernel[uk{(off == 0 ? "" : " + " + off)}];");
        }
    }

    /// <summary>
    /// <c>acc += Σ_q dz[from + q]·U[j, from + q]</c>, q &lt; count: the gradient through the recurrent product, dz read
    /// from shared memory on chip, else from where the step stored it in global memory (<see cref="StoredGradients"/>).
    /// </summary>
    private static void Rows(CodeWriter w, Form form, bool onChip, string acc, int from, int count)
    {
        w.Line("int jw = j * Width;");
        if (onChip)
        {
            for (int q = from; q < from + count; q++) w.Line($"{acc} += gz[zb + {q}] * us[jw + {q}];");
            return;
        }
        var (view, rowBase) = StoredGradients(form);
        w.Line($"for (int q = {from}; q < {from + count}; q++) {acc} += {view}[{rowBase} + q] * a.RecurrentKernel[jw + q];");
    }

    /// <summary>The global view (and its row base) that holds the gradients the backward recurrent product reduces.</summary>
    private static (string View, string RowBase) StoredGradients(Form form) => form switch
    {
        Form.SimpleRnn => ("a.Dh", "row"),
        Form.GruAfter => ("a.DRecurrent", "gb"),
        Form.Lstm or Form.GruBefore => ("a.DGates", "gb"),
    };

    /// <summary>Stores a gate gradient in <paramref name="view"/> and, on chip, in the shared buffer the recurrent product reads.</summary>
    private static string StoreGradient(bool onChip, string view, string rowBase, int offset, string value) => onChip
        ? $"{{ float q = {value}; {view}[{GpuDialect.Index(rowBase, offset)}] = q; gz[{GpuDialect.Index("zb", offset)}] = q; }}"
        : $"{view}[{GpuDialect.Index(rowBase, offset)}] = {value};";

    private static void ForwardKernel(CodeWriter w, CellShape cell, Form form, bool onChip)
    {
        int u = cell.Units;
        w.Line($"/// <summary>The recurrence, steps T0…T1-1: group g runs samples g·SamplesPerGroup…; {(form == Form.GruBefore ? "two barriers per step (r ⊙ h[t-1] is shared before the candidate's product)" : "one barrier per step")}.</summary>");
        w.Line("/// <param name=\"a\">The arguments.</param>");
        using (w.Block("public static void ForwardKernel(ForwardArgs a)"))
        {
            SharedWeights(w, cell, onChip);
            w.Line("var hs = SharedMemory.Allocate<float>(2 * Slots); // h[t-1] as the products read it, double-buffered");
            if (form == Form.GruBefore) w.Line("var rs = SharedMemory.Allocate<float>(Slots); // r ⊙ h[t-1] of the step");
            w.Line("int first = Grid.IdxX * SamplesPerGroup, n = a.Batch * Units;");
            LoadWeights(w, cell, onChip);
            using (w.Block(Items))
            {
                w.Line(Item);
                w.Line("float v = 0f;");
                using (w.Block("if (b < a.Batch)"))
                {
                    w.Line("int at = a.T0 * n + b * Units + j;");
                    w.Line("v = a.H[at];");
                    using (w.Block("if (a.HasDropout != 0)"))
                    {
                        w.Line("v *= a.RecurrentMask[b * Units + j]; // recurrent dropout: h[t-1] ⊙ m");
                        w.Line("a.MaskedStates[at] = v;");
                    }
                }
                w.Line("hs[e] = v;");
            }
            w.Line("Group.Barrier();");
            using (w.Block("for (int t = a.T0; t < a.T1; t++)"))
            {
                w.Line("int read = ((t - a.T0) & 1) * Slots, write = Slots - read;");
                using (w.Block(Items))
                {
                    w.Line(Item);
                    w.Line("if (b >= a.Batch) continue;");
                    w.Line("int hb = read + s * Units, row = t * n + b * Units, next = row + n, gb = (t * a.Batch + b) * Width;");
                    Func<string, string> hs = k => $"hs[hb + {k}]";
                    switch (form)
                    {
                        case Form.SimpleRnn:
                        {
                            Columns(w, cell, onChip, hs, new[] { ("a0", 0) });
                            var e = new GpuDialect();
                            w.Line($"a.H[next + j] = {e.Activate(cell.Activation, "a.H[next + j] + a0")};");
                            break;
                        }
                        case Form.Lstm:
                        {
                            Columns(w, cell, onChip, hs, new[] { ("a0", 0), ("a1", u), ("a2", 2 * u), ("a3", 3 * u) });
                            var e = new GpuDialect()
                                .Bind("gr", o => $"(a.Gates[{GpuDialect.Index("gb", o)}] + a{o / u})", (o, v) => $"a.Gates[{GpuDialect.Index("gb", o)}] = {v};")
                                .View("cp", "a.C", "row").View("cn", "a.C", "next").View("tc", "a.TanhC", "row").View("hn", "a.H", "next");
                            LstmMath.ForwardRow(w, e, cell);
                            break;
                        }
                        case Form.GruAfter:
                        {
                            Columns(w, cell, onChip, hs, new[] { ("a0", 0), ("a1", u), ("a2", 2 * u) });
                            for (int g = 0; g < 3; g++)
                            {
                                string bias = cell.UseBias ? $" + a.Bias[Width + {(g == 0 ? "" : $"{g * u} + ")}j]" : "";
                                w.Line($"float r{g} = a{g}{bias};");
                                w.Line($"a.Recurrent[gb + j{(g == 0 ? "" : " + " + g * u)}] = r{g}; // h[t-1]·U + b_rec, kept for backward");
                            }
                            var e = new GpuDialect()
                                .View("gr", "a.Gates", "gb")
                                .Bind("rr", o => $"r{o / u}", (_, _) => throw new InvalidOperationException("rr is read only"))
                                .View("hp", "a.H", "row").View("hn", "a.H", "next");
                            GruMath.ResetAfterForwardRow(w, e, cell);
                            break;
                        }
                        case Form.GruBefore:
                        {
                            Columns(w, cell, onChip, hs, new[] { ("a0", 0), ("a1", u) });
                            var e = new GpuDialect()
                                .Bind("gr", o => $"(a.Gates[{GpuDialect.Index("gb", o)}] + a{o / u})", (o, v) => $"a.Gates[{GpuDialect.Index("gb", o)}] = {v};")
                                .Bind("pr", _ => "hs[hb + j]", (_, _) => throw new InvalidOperationException("pr is read only"))
                                .Bind("rhr", _ => "", (_, v) => $"{{ float q = {v}; a.ResetState[row + j] = q; rs[s * Units + j] = q; }}");
                            GruMath.ResetBeforeGatesRow(w, e, cell);
                            break;
                        }
                    }
                    if (form != Form.GruBefore) Finish(w, form);
                }
                if (form == Form.GruBefore)
                {
                    w.Line("Group.Barrier(); // r ⊙ h[t-1] of every unit is in shared memory");
                    using (w.Block(Items))
                    {
                        w.Line(Item);
                        w.Line("if (b >= a.Batch) continue;");
                        w.Line("int row = t * n + b * Units, next = row + n, gb = (t * a.Batch + b) * Width, rb = s * Units;");
                        Columns(w, cell, onChip, k => $"rs[rb + {k}]", new[] { ("a2", 2 * u) });
                        var e = new GpuDialect()
                            .Bind("gr", o => o == 2 * u ? $"(a.Gates[{GpuDialect.Index("gb", o)}] + a2)" : $"a.Gates[{GpuDialect.Index("gb", o)}]",
                                (o, v) => $"a.Gates[{GpuDialect.Index("gb", o)}] = {v};")
                            .View("hp", "a.H", "row").View("hn", "a.H", "next");
                        GruMath.ResetBeforeOutputRow(w, e, cell);
                        Finish(w, form);
                    }
                }
                w.Line("Group.Barrier();");
            }
        }
        w.Line();
    }

    /// <summary>After a forward step: masked samples keep their state; h[t] (⊙ the dropout mask) into the other buffer.</summary>
    private static void Finish(CodeWriter w, Form form)
    {
        using (w.Block("if (a.HasMask != 0 && a.Mask[t * a.Batch + b] == 0)"))
        {
            w.Line("a.H[next + j] = a.H[row + j]; // a masked step keeps the previous state");
            if (form == Form.Lstm) w.Line("a.C[next + j] = a.C[row + j];");
        }
        w.Line("float hNew = a.H[next + j];");
        using (w.Block("if (a.HasDropout != 0)"))
        {
            w.Line("hNew *= a.RecurrentMask[b * Units + j];");
            w.Line("if (t + 1 < a.T1) a.MaskedStates[next + j] = hNew;");
        }
        w.Line("hs[write + s * Units + j] = hNew;");
    }

    private static void BackwardKernel(CodeWriter w, CellShape cell, Form form, bool onChip)
    {
        int u = cell.Units;
        w.Line("/// <summary>Back-propagation through steps T1-1…T0, the same grouping as forward.</summary>");
        w.Line("/// <param name=\"a\">The arguments.</param>");
        using (w.Block("public static void BackwardKernel(BackwardArgs a)"))
        {
            SharedWeights(w, cell, onChip);
            if (onChip) w.Line("var gz = SharedMemory.Allocate<float>(2 * GateSlots); // the step's gradients the recurrent product reduces, double-buffered");
            if (form == Form.GruBefore) w.Line("var carry = SharedMemory.Allocate<float>(Slots); // ∂(what the recurrent products read) of the step");
            w.Line("int first = Grid.IdxX * SamplesPerGroup, n = a.Batch * Units;");
            LoadWeights(w, cell, onChip);
            if (onChip) w.Line("Group.Barrier(); // U is in shared memory");
            using (w.Block("for (int t = a.T1 - 1; t >= a.T0; t--)"))
            {
                if (onChip) w.Line("int buf = ((a.T1 - 1 - t) & 1) * GateSlots;");
                w.Line("bool hasPrev = t > 0 || a.HasInitial != 0; // ∂h[t-1] is wanted");
                using (w.Block(Items))
                {
                    w.Line(Item);
                    w.Line("if (b >= a.Batch) continue;");
                    w.Line($"int row = t * n + b * Units, prev = t > 0 ? row - n : b * Units, gb = (t * a.Batch + b) * Width{(onChip ? ", zb = buf + s * Width" : "")};");
                    w.Line("bool masked = a.HasMask != 0 && a.Mask[t * a.Batch + b] == 0;");
                    Func<int, string, string> both = (o, v) => StoreGradient(onChip, "a.DGates", "gb", o, v);
                    using (w.Block("if (masked)"))
                    {
                        w.Line("// A masked step: ∂h passes straight to ∂h[t-1], the step gets none.");
                        w.Line($"if (hasPrev) {AddPrev("a.Dh[row + j]")}");
                        w.Line("a.Dh[row + j] = 0f;");
                        if (form == Form.Lstm)
                        {
                            w.Line("// c passes through unchanged (∂c carries on), the gates get nothing.");
                            for (int g = 0; g < 4; g++) w.Line(both(g * u, "0f"));
                        }
                    }
                    switch (form)
                    {
                        case Form.SimpleRnn:
                        {
                            var e = new GpuDialect().View("yr", "a.H", "row + n")
                                .Bind("d", _ => "a.Dh[row + j]", (_, v) => StoreGradient(onChip, "a.Dh", "row", 0, v));
                            ActivationMath.GradientRow(w, e, cell.Activation);
                            break;
                        }
                        case Form.Lstm:
                        {
                            using (w.Block("else"))
                            {
                                var e = new GpuDialect().View("g", "a.Gates", "gb").Bind("dg", o => throw new InvalidOperationException("dg is write only"), both)
                                    .View("tc", "a.TanhC", "row").View("cp", "a.C", "row").View("dhr", "a.Dh", "row").View("dcr", "a.Dc", "b * Units");
                                LstmMath.BackwardRow(w, e, cell);
                            }
                            break;
                        }
                        case Form.GruAfter:
                        {
                            w.Line("float dp = 0f;");
                            var e = new GpuDialect().View("g", "a.Gates", "gb").View("rr", "a.Recurrent", "gb")
                                .View("dg", "a.DGates", "gb")
                                .Bind("drc", o => throw new InvalidOperationException("drc is write only"),
                                    (o, v) => StoreGradient(onChip, "a.DRecurrent", "gb", o, v))
                                .View("hp", "a.H", "row").View("dhr", "a.Dh", "row")
                                .Bind("dpr", _ => "dp", (_, v) => $"dp = {v};");
                            GruMath.ResetAfterBackwardRow(w, e, cell);
                            w.Line($"if (hasPrev) {AddPrev("dp")}");
                            break;
                        }
                        case Form.GruBefore:
                        {
                            w.Line("float dp = 0f;");
                            var e = new GpuDialect().View("g", "a.Gates", "gb").Bind("dg", o => throw new InvalidOperationException("dg is write only"), both)
                                .View("hp", "a.H", "row").View("dhr", "a.Dh", "row")
                                .Bind("dpr", _ => "dp", (_, v) => $"dp = {v};");
                            GruMath.ResetBeforeBackwardOutputRow(w, e, cell);
                            w.Line($"if (hasPrev) {AddPrev("dp")}");
                            break;
                        }
                    }
                }
                w.Line(onChip
                    ? "Group.Barrier(); // the step's gradients of every unit are in shared memory"
                    : "Group.Barrier(); // the step's gradients of every unit are stored (a group barrier orders global memory too)");
                if (form == Form.GruBefore)
                {
                    using (w.Block(Items))
                    {
                        w.Line(Item);
                        w.Line("if (b >= a.Batch) continue;");
                        w.Line($"int row = t * n + b * Units, gb = (t * a.Batch + b) * Width{(onChip ? ", zb = buf + s * Width" : "")}, cb = s * Units;");
                        w.Line("float dRS = 0f; // ∂(r ⊙ h[t-1]) = ∂ĥ_pre·U_hᵀ");
                        Rows(w, form, onChip, "dRS", 2 * u, u);
                        w.Line("carry[cb + j] = 0f;");
                        var e = new GpuDialect().View("g", "a.Gates", "gb")
                            .Bind("dg", o => throw new InvalidOperationException("dg is write only"),
                                (o, v) => StoreGradient(onChip, "a.DGates", "gb", o, v))
                            .Bind("hp", _ => "(a.HasDropout != 0 ? a.MaskedStates[row + j] : a.H[row + j])", (_, _) => throw new InvalidOperationException("hp is read only"))
                            .Bind("drs", _ => "dRS", (_, _) => throw new InvalidOperationException("drs is read only"))
                            .View("dpr", "carry", "cb");
                        GruMath.ResetBeforeBackwardResetRow(w, e, cell);
                    }
                    w.Line("Group.Barrier(); // ∂r of every unit is in shared memory");
                }
                using (w.Block(Items))
                {
                    w.Line(Item);
                    w.Line("if (b >= a.Batch || !hasPrev) continue;");
                    w.Line($"int row = t * n + b * Units, prev = t > 0 ? row - n : b * Units, {(onChip ? "zb = buf + s * Width" : "gb = (t * a.Batch + b) * Width")};");
                    if (form == Form.GruBefore)
                    {
                        w.Line("float acc = carry[s * Units + j]; // ∂h[t-1] += dZ_zr·U_zrᵀ");
                        Rows(w, form, onChip, "acc", 0, 2 * u);
                    }
                    else
                    {
                        w.Line("float acc = 0f; // ∂h[t-1] += dZ·Uᵀ");
                        Rows(w, form, onChip, "acc", 0, cell.Width);
                    }
                    w.Line("if (a.HasDropout != 0) acc *= a.RecurrentMask[b * Units + j];");
                    w.Line(AddPrev("acc"));
                }
            }
        }
    }

    private static string AddPrev(string value) => $"{{ if (t > 0) a.Dh[prev + j] += {value}; else a.DInitial[prev + j] += {value}; }}";
}
