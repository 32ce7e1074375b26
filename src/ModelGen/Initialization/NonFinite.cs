using System;
using System.Numerics.Tensors;

namespace ModelGen;

/// <summary>Where values given to the model stop being finite, for the setters that refuse NaN and ±∞ and name the place.</summary>
internal static class NonFinite
{
    /// <summary>The index of the first NaN or ±∞ in <paramref name="values"/>, or −1 when every value is finite.</summary>
    public static int IndexIn(ReadOnlySpan<float> values)
    {
        if (TensorPrimitives.IsFiniteAll(values)) return -1;
        int at = 0;
        while (float.IsFinite(values[at])) at++;
        return at;
    }
}
