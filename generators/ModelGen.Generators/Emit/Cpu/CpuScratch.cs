using System.Linq;

namespace ModelGen.Generators.Emit.Cpu;

/// <summary>
/// One CPU cell's backward scratch, declared once: the cell's <c>ScratchLength</c>, its doc and every region's slice
/// come from this list, so the length and the offsets cannot disagree.
/// </summary>
internal sealed class CpuScratch
{
    private readonly (string Name, string Length, string Purpose)[] _regions;

    /// <param name="regions">Each region: its name, its length as C# in <c>batch</c> and the cell's constants, and what it holds.</param>
    public CpuScratch(params (string Name, string Length, string Purpose)[] regions) => _regions = regions;

    /// <summary>Transposed recurrent kernel, transposed kernel, then the carries every recurrent cell has.</summary>
    public static CpuScratch Recurrent(string weightWidth, params (string Name, string Length, string Purpose)[] own)
        => new(new[]
            {
                ("recurrentT", $"{weightWidth} * Units", "Uᵀ"),
                ("kernelT", $"{weightWidth} * Inputs", "Wᵀ"),
            }
            .Concat(own)
            .Concat(new[]
            {
                ("sink", "batch * Units", "∂h[-1] when the initial state's gradient is not wanted"),
                ("carry", "batch * Units", "∂(h[t-1] ⊙ m) under recurrent dropout"),
            })
            .ToArray());

    /// <summary>The total, e.g. <c>Width * Units + Width * Inputs + batch * Units + batch * Units</c>.</summary>
    public string Length => string.Join(" + ", _regions.Select(r => r.Length));

    /// <summary>The regions in words, one line each, for the cell's doc comment.</summary>
    public string[] Doc => _regions.Select(r => $"{r.Name} [{r.Length}]: {r.Purpose}").ToArray();

    /// <summary><c>scratch.Slice(offset, length)</c> of region <paramref name="name"/>.</summary>
    public string Slice(string name)
    {
        int index = System.Array.FindIndex(_regions, r => r.Name == name);
        if (index < 0) throw new System.InvalidOperationException($"no scratch region '{name}'");
        string offset = index == 0 ? "0" : string.Join(" + ", _regions.Take(index).Select(r => r.Length));
        return $"scratch.Slice({offset}, {_regions[index].Length})";
    }
}
