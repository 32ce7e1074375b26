using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.Cpu.CpuCellEmitter;
using static ModelGen.Generators.Emit.Cpu.CpuCellParts;

namespace ModelGen.Generators.Emit.Cpu.Cells;

/// <summary>The Dense cell on the CPU: <c>y = activation(x·W + b)</c> per row, softmax per row.</summary>
internal static class DenseCell
{
    private static readonly CpuScratch Scratch = new(("kernelT", "Units * Inputs", "Wᵀ"));

    public static void Write(CodeWriter w, CellShape cell)
    {
        Head(w, cell, "Output width.", Scratch, cell.Activation == Activation.Linear
            ? "/// <summary><paramref name=\"y\"/> [rows, Units] = <paramref name=\"x\"/> [rows, Inputs]·kernel + bias.</summary>"
            : "/// <summary><paramref name=\"y\"/> [rows, Units] = activation(<paramref name=\"x\"/> [rows, Inputs]·kernel + bias); the values before the activation into <paramref name=\"logits\"/> unless it is empty.</summary>",
            recurrent: false);
        using (w.Block(Signature("Forward", CellSignature.Forward(cell))))
        {
            w.Line("y = y.Slice(0, rows * Units);");
            w.Line($"// y = x·W + b: [rows, {cell.Inputs}] × [{cell.Inputs}, {cell.Units}]");
            BiasProduct(w, cell, "rows", "Units", "Inputs", "x", "kernel", "bias.Slice(0, Units)", "y");
            if (cell.Activation != Activation.Linear) w.Line("if (!logits.IsEmpty) y.CopyTo(logits); // the output layer's logits (ILogitOutput)");
            if (cell.Activation == Activation.Softmax) w.Line("MatrixOps.SoftmaxRows(rows, Units, y);");
            else if (cell.Activation != Activation.Linear) w.Line(ApplyInPlace(cell.Activation, "y"));
        }
        w.Line();
        w.Lines("""
            /// <summary>
            /// Backward: <paramref name="dy"/> [rows, Units] holds ∂loss/∂y on entry and is used in place for the
            /// pre-activation gradient. Adds to dKernel and dBias; writes <paramref name="dx"/> [rows, Inputs] unless it is empty.
            /// </summary>
            """);
        if (cell.Activation != Activation.Linear)
            w.Line("/// <remarks>With <paramref name=\"fromLogits\"/>, <paramref name=\"dy\"/> is already ∂loss/∂(x·W + b): the activation's slope is skipped.</remarks>");
        using (w.Block(Signature("Backward", CellSignature.Backward(cell))))
        {
            w.Line("dy = dy.Slice(0, rows * Units);");
            if (cell.Activation == Activation.Softmax)
            {
                w.Line("// dz = y ⊙ (dy − Σ dy⊙y) per row");
                w.Line("if (!fromLogits) MatrixOps.SoftmaxBackwardRows(rows, Units, y, dy, dy);");
            }
            else if (cell.Activation != Activation.Linear)
            {
                w.Line("int slopeCount = fromLogits ? 0 : rows * Units; // from the logits: no activation slope");
                ActivationGradientBlock(w, cell, "y.Slice(0, slopeCount)", "dy", "slopeCount");
            }
            w.Line(cell.UseBias ? "// dW += xᵀ·dz; db += Σ_rows dz" : "// dW += xᵀ·dz");
            w.Line("Gemm.MultiplyAddTransposedA(Inputs, Units, rows, x, Inputs, dy, Units, dKernel, Units);");
            BiasGradient(w, cell, "dy", "dBias.Slice(0, Units)");
            InputGradient(w, "dy", Scratch);
        }
    }
}
