using System;
using System.Collections.Generic;
using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Gpu;

/// <summary>
/// The GPU rendering of the element-wise vocabulary: scalar <c>float</c> C# for ILGPU kernels, one thread per element
/// <c>j</c> of a row. Each operand is bound to how it is read and written (an <c>ArrayView</c> at a row base, a local,
/// a sum computed by the kernel); activations call <c>ModelGen.Gpu.Kernels.CellMath</c> (exp2-based σ and tanh, no
/// CopySign, no vectors, GPU.md B4).
/// </summary>
internal sealed class GpuDialect : IElementwise
{
    private readonly Dictionary<string, (Func<int, string> Load, Func<int, string, string> Store)> _operands = new(StringComparer.Ordinal);

    /// <summary>Binds <paramref name="operand"/> to <c>view[rowBase + j + offset]</c>.</summary>
    public GpuDialect View(string operand, string view, string rowBase)
        => Bind(operand, o => $"{view}[{Index(rowBase, o)}]", (o, v) => $"{view}[{Index(rowBase, o)}] = {v};");

    /// <summary>Binds <paramref name="operand"/> to code of its own for loads and stores.</summary>
    public GpuDialect Bind(string operand, Func<int, string> load, Func<int, string, string> store)
    {
        _operands[operand] = (load, store);
        return this;
    }

    /// <summary><c>rowBase + j + offset</c>.</summary>
    public static string Index(string rowBase, int offset) => offset == 0 ? $"{rowBase} + j" : $"{rowBase} + j + {offset}";

    public string Load(string operand, int offset = 0) => Get(operand).Load(offset);

    public string Store(string operand, int offset, string value) => Get(operand).Store(offset, value);

    private (Func<int, string> Load, Func<int, string, string> Store) Get(string operand)
        => _operands.TryGetValue(operand, out var binding) ? binding : throw new InvalidOperationException($"GPU dialect: operand '{operand}' is not bound");

    public string One => "1f";

    public string Zero => "0f";

    public string IfPositive(string x, string then, string otherwise) => $"({x} > 0f ? {then} : {otherwise})";

    public string Activate(Activation activation, string x) => activation switch
    {
        Activation.Sigmoid => $"CellMath.Sigmoid({x})",
        Activation.HardSigmoid => $"CellMath.HardSigmoid({x})",
        Activation.Tanh => $"CellMath.Tanh({x})",
        Activation.Relu => $"CellMath.Relu({x})",
        Activation.Linear => $"({x})",
        Activation.Softmax => throw new InvalidOperationException("softmax is a row operation, not an element-wise one"),
    };

    public string Slope(Activation activation, string y) => activation switch
    {
        Activation.Sigmoid => Elementwise.SigmoidSlope(this, y),
        Activation.Tanh => Elementwise.TanhSlope(this, y),
        Activation.HardSigmoid => $"({y} > 0f && {y} < 1f ? 1f / 6f : 0f)",
        Activation.Linear or Activation.Relu or Activation.Softmax => throw new InvalidOperationException($"no slope-from-output form for {activation}"),
    };
}
