using System;

namespace ModelGen;

/// <summary>Range checks of optimizer hyper-parameters, each returning the value or throwing with the parameter's name.</summary>
internal static class HyperParameter
{
    /// <summary>A decay rate such as β₁ or β₂: in [0, 1).</summary>
    public static float Decay(float value, string name) =>
        value is >= 0f and < 1f ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1)");

    /// <summary>A finite number ≥ 0 (ε, weight decay, an initial accumulator).</summary>
    public static float NonNegative(float value, string name) =>
        value >= 0f && !float.IsPositiveInfinity(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number ≥ 0");
}
