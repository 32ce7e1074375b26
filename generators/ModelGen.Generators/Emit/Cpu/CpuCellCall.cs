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
    /// Writes <c>Cell.Method(arguments);</c>. <paramref name="bind"/> gives each slot's argument, or null to leave an
    /// optional slot out.
    /// </summary>
    public static void Write(CodeWriter w, CellShape cell, string method, IReadOnlyList<Slot> slots, Func<Slot, string?> bind)
    {
        var arguments = new List<string>();
        foreach (var slot in slots)
        {
            string? argument = bind(slot);
            if (argument is null)
            {
                if (!slot.Optional) throw new InvalidOperationException($"no argument for {cell.TypeName}.{method}'s '{slot.Name}'");
                continue;
            }
            arguments.Add(argument);
        }
        w.Line($"{CellPrefix}{cell.TypeName}.{method}({string.Join(", ", arguments)});");
    }
}
