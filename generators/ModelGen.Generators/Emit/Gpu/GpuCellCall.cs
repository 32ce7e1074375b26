using System;
using System.Collections.Generic;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// A call of a GPU cell's Forward or Backward (<c>global::ModelGen.Generated.Gpu.{TypeName}</c>) from the model's GPU
/// passes: the device first, then every slot of <see cref="CellSignature"/> by name, as <see cref="Cpu.CpuCellCall"/>
/// binds the CPU cell's; an optional slot that gets nothing is passed as <c>default</c> (an empty view).
/// </summary>
internal static class GpuCellCall
{
    public static void Write(CodeWriter w, CellShape cell, string method, IReadOnlyList<Slot> slots, Func<Slot, string?> bind)
    {
        var arguments = new List<string> { "device" };
        foreach (var slot in GpuCellEmitter.DeviceSlots(slots))
        {
            string? argument = bind(slot);
            if (argument is null)
            {
                if (!slot.Optional) throw new InvalidOperationException($"no argument for GPU {cell.TypeName}.{method}'s '{slot.Name}'");
                argument = "default";
            }
            arguments.Add($"{slot.Name}: {argument}");
        }
        w.Call($"{GpuModelNames.Cell(cell)}.{method}", arguments.ToArray());
    }
}
