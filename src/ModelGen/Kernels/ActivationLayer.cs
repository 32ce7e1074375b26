using System;
using System.Numerics.Tensors;

namespace ModelGen.Kernels;

/// <summary>An activation function, by the name Keras gives it (<c>"relu"</c> is <see cref="Relu"/>).</summary>
public enum ActivationKind
{
    /// <summary><c>y = x</c>.</summary>
    Linear,
    /// <summary><c>y = tanh(x)</c>.</summary>
    Tanh,
    /// <summary><c>y = 1 / (1 + e^−x)</c>.</summary>
    Sigmoid,
    /// <summary><c>y = max(x, 0)</c>.</summary>
    Relu,
    /// <summary>Softmax over each row's values.</summary>
    Softmax,
    /// <summary><c>y = clip(x / 6 + 1/2, 0, 1)</c> (Keras 3, PyTorch).</summary>
    HardSigmoid,
}

/// <summary>
/// Keras's <c>Activation</c> layer for the generated code: an activation applied to <c>[rows, width]</c> values (softmax
/// per row), and its gradient from the output. The same functions the Dense cell applies (<see cref="FastMath"/>).
/// Allocates nothing.
/// </summary>
public static class ActivationLayer
{
    /// <summary><c>y = activation(x)</c> for <paramref name="rows"/> rows of <paramref name="width"/> values.</summary>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Rows (steps·batch for a sequence, batch otherwise).</param>
    /// <param name="width">Values per row (softmax normalises each row).</param>
    /// <param name="x">The input <c>[rows, width]</c>.</param>
    /// <param name="y">The output <c>[rows, width]</c>.</param>
    /// <exception cref="ArgumentException">A span is shorter than <c>rows·width</c>.</exception>
    public static void Forward(ActivationKind activation, int rows, int width, ReadOnlySpan<float> x, Span<float> y)
    {
        int n = Check(rows * width, x.Length, y.Length);
        x = x.Slice(0, n);
        y = y.Slice(0, n);
        switch (activation)
        {
            case ActivationKind.Linear: x.CopyTo(y); break;
            case ActivationKind.Tanh: FastMath.Tanh(x, y); break;
            case ActivationKind.Sigmoid: FastMath.Sigmoid(x, y); break;
            case ActivationKind.HardSigmoid: FastMath.HardSigmoid(x, y); break;
            case ActivationKind.Relu: TensorPrimitives.Max(x, 0f, y); break;
            case ActivationKind.Softmax:
                x.CopyTo(y);
                MatrixOps.SoftmaxRows(rows, width, y);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation");
        }
    }

    /// <summary>
    /// <c>dx = dy ⊙ activation'</c>, the slope written from the output <paramref name="y"/> (tanh: 1 − y², sigmoid:
    /// y(1 − y), relu: 1 where y &gt; 0, hard sigmoid: 1/6 where 0 &lt; y &lt; 1, softmax: y ⊙ (dy − Σ dy·y));
    /// nothing when <paramref name="dx"/> is empty.
    /// </summary>
    /// <param name="activation">The function.</param>
    /// <param name="rows">Rows.</param>
    /// <param name="width">Values per row.</param>
    /// <param name="y">The forward pass's output <c>[rows, width]</c>.</param>
    /// <param name="dy">∂loss/∂output <c>[rows, width]</c>.</param>
    /// <param name="dx">∂loss/∂input <c>[rows, width]</c>, overwritten.</param>
    /// <exception cref="ArgumentException">A span is shorter than <c>rows·width</c>.</exception>
    public static void Backward(ActivationKind activation, int rows, int width, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dx.IsEmpty) return;
        int n = Check(rows * width, y.Length, dy.Length);
        Check(n, dx.Length, dx.Length);
        y = y.Slice(0, n);
        dy = dy.Slice(0, n);
        dx = dx.Slice(0, n);
        switch (activation)
        {
            case ActivationKind.Linear: dy.CopyTo(dx); break;
            case ActivationKind.Softmax: MatrixOps.SoftmaxBackwardRows(rows, width, y, dy, dx); break;
            case ActivationKind.Tanh:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
                break;
            case ActivationKind.Sigmoid:
                for (int i = 0; i < n; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
                break;
            case ActivationKind.HardSigmoid:
                for (int i = 0; i < n; i++) dx[i] = y[i] > 0 && y[i] < 1 ? dy[i] * (1f / 6f) : 0;
                break;
            case ActivationKind.Relu:
                for (int i = 0; i < n; i++) dx[i] = y[i] > 0 ? dy[i] : 0;
                break;
            default: throw new ArgumentOutOfRangeException(nameof(activation), activation, "not an activation");
        }
    }

    private static int Check(int needed, int first, int second)
    {
        if (first < needed || second < needed)
            throw new ArgumentException($"the activation needs {needed} values per span, but got {first} and {second}");
        return needed;
    }
}
