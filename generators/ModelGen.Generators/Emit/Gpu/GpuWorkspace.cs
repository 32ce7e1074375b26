using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Emit.Cpu;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Gpu.GpuModelNames;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU passes' workspace: one device buffer per tensor of the plan (the CPU workspace's arrays, same names, same
/// time-major layouts and sizes), grown once for a larger batch or length and freed on Dispose; plus the host arrays the
/// passes stage through (dropout masks drawn with the model's generator, initial and final states, the state gradients
/// the user writes). The Embedding fold is not rendered on the device: the GPU passes gather and scatter unfolded.
/// </summary>
internal static class GpuWorkspace
{
    /// <summary>One buffer or host array: field, element type, length (C# in <c>rows</c> and <c>batch</c>), on the device or the host, and what it holds.</summary>
    internal sealed record Item(string Field, string Element, string Size, bool OnDevice, string Doc);

    private static string TypeOf(PlannedTensor t) => t.Element switch
    {
        ElementType.Float => "float",
        ElementType.Byte => "byte",
        ElementType.Int => "int",
    };

    /// <summary>A tensor's length; a cell's scratch is the GPU cell's own.</summary>
    private static string Size(PlannedTensor t, CheckedLayer owner)
        => t.Size.Basis == SizeBasis.CellScratch ? $"{Cell(owner.Cell)}.ScratchLength(batch)" : CpuWorkspace.Size(t, owner);

    /// <summary>Every buffer and host array, in declaration order.</summary>
    public static IEnumerable<Item> Items(ModelPlan plan)
    {
        var m = plan.Model;
        if (m.TakesTokens) yield return new("_tokens", "int", "rows", true, "the last batch of token ids, batch-major");
        else
        {
            yield return new("_x", "float", $"rows * InputFeatures", true, "the last input, time-major [steps·batch, features]");
            yield return new("_dx", "float", $"rows * InputFeatures", true, "∂loss/∂input, time-major");
        }
        if (m.UsesMask) yield return new("_mask", "byte", "rows", true, "the step mask, time-major: 1 real, 0 padding");
        if (m.OutputMasked)
        {
            yield return new("_outputMask", "byte", "rows", true, "the step mask of the output rows, batch-major");
            yield return new("_outputMaskHost", "byte", "rows", false, "OutputMask on the host");
        }
        if (m.Output.OutputIsSequence) yield return new("_y", "float", "rows * OutputUnits", true, "the output, batch-major");
        if (plan.Logits is not null) yield return new("_logitsHost", "float", $"{(m.Output.OutputIsSequence ? "rows" : "batch")} * OutputUnits", false, "OutputLogits on the host");
        foreach (var layer in plan.Layers)
        {
            var l = layer.Layer;
            foreach (var t in layer.Tensors.Concat(layer.Directions.SelectMany(d => d.Tensors)))
            {
                string size = Size(t, l);
                yield return new(Field(t), TypeOf(t), size, true, $"'{l.Name}': {t.Purpose}");
                if (t.Role is TensorRole.DropoutMask or TensorRole.RecurrentMask or TensorRole.FinalStateGradient or TensorRole.FinalCellStateGradient)
                    yield return new(Host(Field(t)), "float", size, false, $"'{l.Name}': {t.Purpose}, on the host");
            }
            if (!l.IsRecurrent) continue;
            bool cellState = CellSignature.HasCellState(l.Cell);
            int u = l.Cell.Units;
            foreach (var d in l.Directions)
            {
                yield return new(Host(Field(d, StateMember.InitialState)), "float", $"batch * {u}", false, $"'{d.KerasName}': h[-1] staged for the device, or the final h carried");
                yield return new(Field(d, StateMember.InitialStateGradient), "float", $"batch * {u}", true, $"'{d.KerasName}': ∂loss/∂h[-1]");
                if (cellState)
                {
                    yield return new(Host(Field(d, StateMember.FinalCellState)), "float", $"batch * {u}", false, $"'{d.KerasName}': c[-1] staged for the device, or the final c carried");
                    yield return new(Field(d, StateMember.InitialCellStateGradient), "float", $"batch * {u}", true, $"'{d.KerasName}': ∂loss/∂c[-1]");
                }
                if (l.ReturnState) yield return new(Host(Field(d, StateMember.FinalState)), "float", $"batch * {u}", false, $"'{d.KerasName}': the final state read back");
            }
        }
    }

    public static void Write(CodeWriter w, ModelPlan plan)
    {
        w.Line("// Workspace on the device, time-major [steps][batch][…] like the CPU's: grown once for a larger batch or length.");
        w.Line("private int _rowCapacity, _batchCapacity;");
        foreach (var item in Items(plan))
            w.Line(item.OnDevice
                ? $"private {Buffer(item.Element)}? {item.Field}; // {item.Doc}"
                : $"private {item.Element}[] {item.Field} = global::System.Array.Empty<{item.Element}>(); // {item.Doc}");
        foreach (var layer in plan.Layers)
        {
            foreach (var f in layer.Flags) w.Line($"private bool {Field(f)}; // '{layer.Layer.Name}' {f.Purpose}");
            foreach (var d in layer.Directions)
                foreach (var f in d.Flags) w.Line($"private bool {Field(f)}; // '{d.Direction.KerasName}' {f.Purpose}");
        }
        w.Line();
        using (w.Block("private void EnsureWorkspace(int batch, int steps)"))
        {
            w.Line("long wanted = (long)batch * steps;");
            w.Line("if (wanted <= _rowCapacity && batch <= _batchCapacity) return;");
            w.Line($"{G}Memory.CheckWorkspace(\"{plan.Model.Type.ClassName}\", batch, steps, WorkspaceBytes(batch, steps), 0);");
            w.Line("int rows = (int)global::System.Math.Max(wanted, _rowCapacity);");
            w.Line("batch = global::System.Math.Max(batch, _batchCapacity);");
            foreach (var item in Items(plan))
                w.Line(item.OnDevice
                    ? $"{K}Allocate(Device, ref {item.Field}, {item.Size});"
                    : $"{item.Field} = new {item.Element}[{item.Size}];");
            w.Line("_rowCapacity = rows;");
            w.Line("_batchCapacity = batch;");
        }
        w.Line();
        w.Line("/// <summary>Frees the device workspace, then the parameters and gradients.</summary>");
        using (w.Block("protected override void Dispose(bool disposing)"))
        {
            using (w.Block("if (disposing)"))
            {
                foreach (var item in Items(plan).Where(i => i.OnDevice))
                    w.Line($"{K}Free(ref {item.Field});");
                w.Line("_rowCapacity = _batchCapacity = 0;");
            }
            w.Line("base.Dispose(disposing);");
        }
        w.Line();
    }
}
