using System;
using System.Collections.Generic;
using System.Linq;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// A call of a cell's Forward or Backward from the model's pass, its arguments bound to the cell's slots
/// (<see cref="CellSignature"/>) by source, so the argument list is never rebuilt by hand.
/// </summary>
internal static class CpuCellCall
{
    /// <summary>
    /// Writes <c>Cell.Method(steps, batch, name: argument, …);</c>: the counts by position, every other argument by its
    /// slot's name, optional slots left out when they get nothing (or <c>default</c>), one argument per line when the
    /// call is long. <paramref name="bind"/> gives each slot's argument, or null for nothing.
    /// </summary>
    public static void Write(CodeWriter w, CellShape cell, string method, IReadOnlyList<Slot> slots, Func<Slot, string?> bind)
    {
        var arguments = new List<string>();
        foreach (var slot in slots)
        {
            string? argument = bind(slot);
            if (argument is null || argument == "default" && slot.Optional)
            {
                if (!slot.Optional) throw new InvalidOperationException($"no argument for {cell.TypeName}.{method}'s '{slot.Name}'");
                continue;
            }
            arguments.Add(slot.Type == SlotType.Count ? argument : $"{slot.Name}: {argument}");
        }
        w.Call($"{CellPrefix}{cell.TypeName}.{method}", arguments.ToArray());
    }
}
