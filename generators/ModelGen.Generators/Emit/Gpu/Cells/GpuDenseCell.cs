using ModelGen.Generators.Cells;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Emit.Gpu.Cells;

/// <summary>The Dense cell on the GPU: bias rows, one tiled GEMM, the activation as one element-wise kernel (softmax per row).</summary>
internal static class GpuDenseCell
{
    public static void Write(CodeWriter w, CellShape cell)
    {
        var a = cell.Activation;
        bool elementwise = a is not (Activation.Linear or Activation.Softmax);
        w.Line("/// <summary>Floats of device scratch <see cref=\"Backward\"/> needs: none.</summary>");
        w.Line("/// <param name=\"batch\">Rows.</param>");
        w.Line("/// <returns>0.</returns>");
        w.Line("public static long ScratchLength(long batch) => 0;");
        w.Line();
        w.Line("/// <summary>y [rows, Units] = activation(x [rows, Inputs]·kernel + bias); the values before the activation into logits unless it is empty.</summary>");
        GpuCellEmitter.ParamDocs(w, CellSignature.Forward(cell));
        using (w.Block(GpuCellEmitter.Signature("Forward", CellSignature.Forward(cell))))
        {
            w.Line("if (rows <= 0) return;");
            w.Line(cell.UseBias ? "CellKernels.BiasRows(device, rows, Units, bias, y, Units);" : "CellKernels.Clear(device, y, (long)rows * Units); // no bias");
            w.Line($"// y += x·W: [rows, {cell.Inputs}] × [{cell.Inputs}, {cell.Units}], one tiled GEMM");
            w.Line("GpuGemm.Multiply(device, rows, Units, Inputs, x, Inputs, false, kernel, Units, false, y, Units, 1f);");
            if (a != Activation.Linear) w.Line("if (CellKernels.Given(logits)) CellKernels.Copy(device, y, logits, (long)rows * Units); // the output layer's logits");
            if (a == Activation.Softmax) w.Line("CellKernels.SoftmaxRows(device, rows, Units, y);");
            else if (elementwise)
            {
                w.Line("var activate = device.Kernel((typeof(" + cell.TypeName + "), \"Activate\"), static acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>>(ActivateKernel));");
                w.Line("activate(rows * Units, y);");
            }
        }
        w.Line();
        w.Line("/// <summary>Backward: dy [rows, Units] holds ∂loss/∂y and becomes ∂loss/∂(x·W + b). Adds to dKernel and dBias; writes dx unless it is empty.</summary>");
        GpuCellEmitter.ParamDocs(w, CellSignature.Backward(cell));
        using (w.Block(GpuCellEmitter.Signature("Backward", CellSignature.Backward(cell))))
        {
            w.Line("if (rows <= 0) return;");
            if (a == Activation.Softmax) w.Line("if (!fromLogits) CellKernels.SoftmaxBackwardRows(device, rows, Units, y, dy);");
            else if (elementwise)
            {
                using (w.Block("if (!fromLogits)"))
                {
                    w.Line("var slope = device.Kernel((typeof(" + cell.TypeName + "), \"Slope\"), static acc => acc.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<float>>(SlopeKernel));");
                    w.Line("slope(rows * Units, y, dy);");
                }
            }
            w.Line("GpuGemm.Multiply(device, Inputs, Units, rows, x, Inputs, true, dy, Units, false, dKernel, Units, 1f); // dW += xᵀ·dz");
            if (cell.UseBias) w.Line("CellKernels.AddColumnSums(device, rows, Units, dy, Units, dBias); // db += Σ_rows dz");
            w.Line("if (CellKernels.Given(dx)) GpuGemm.Multiply(device, rows, Inputs, Units, dy, Units, false, kernel, Units, true, dx, Inputs, 0f); // dx = dz·Wᵀ");
        }
        if (!elementwise) return;
        var e = new GpuDialect()
            .Bind("yr", _ => "y[i]", (_, v) => $"y[i] = {v};")
            .Bind("d", _ => "dy[i]", (_, v) => $"dy[i] = {v};");
        w.Line();
        w.Line("/// <summary>The activation in place, one thread per element.</summary>");
        w.Line("/// <param name=\"i\">The element.</param>");
        w.Line("/// <param name=\"y\">The values.</param>");
        using (w.Block("public static void ActivateKernel(Index1D i, ArrayView<float> y)"))
            w.Line(e.Store("yr", 0, e.Activate(a, e.Load("yr"))));
        w.Line();
        w.Line("/// <summary>dz = dy ⊙ activation'(z), written from the output, one thread per element.</summary>");
        w.Line("/// <param name=\"i\">The element.</param>");
        w.Line("/// <param name=\"y\">The outputs.</param>");
        w.Line("/// <param name=\"dy\">∂loss/∂y, replaced by ∂loss/∂z.</param>");
        using (w.Block("public static void SlopeKernel(Index1D i, ArrayView<float> y, ArrayView<float> dy)"))
            ActivationMath.GradientRow(w, e, a);
    }
}
