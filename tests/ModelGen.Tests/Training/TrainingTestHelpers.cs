using System;
using System.Collections.Generic;

namespace ModelGen.Tests.Training;

internal static class TrainingTestHelpers
{
    /// <summary>A one-layer layout whose parameter tensors are laid out back to back, in the order given.</summary>
    public static ModelInfo Layout(params (string Name, int Rows, int Columns)[] tensors)
    {
        var parameters = new List<ParameterInfo>();
        int offset = 0, total = 0;
        foreach (var (name, rows, columns) in tensors)
        {
            parameters.Add(new ParameterInfo(name, offset, rows, columns, Initializer.Zeros));
            offset += rows * columns;
            total += rows * columns;
        }
        var layer = new LayerInfo("dense", "Dense", "(None, 1)", total, parameters);
        return new ModelInfo("TestModel", 4, 1, 0, 1, false, [layer]);
    }

    /// <summary>kernel 3×4 (12), bias 4, recurrent_kernel 1×5: 21 floats in three tensors, so SIMD loops (8 or 16 lanes) and their scalar tails both run.</summary>
    public static ModelInfo DefaultLayout() => Layout(("kernel", 3, 4), ("bias", 1, 4), ("recurrent_kernel", 1, 5));

    public static float[] RandomFloats(int length, int seed, float low = -1f, float high = 1f)
    {
        var random = new Random(seed);
        var v = new float[length];
        for (int i = 0; i < v.Length; i++) v[i] = (float)(low + random.NextDouble() * (high - low));
        return v;
    }

    public static double[] ToDouble(float[] v) => Array.ConvertAll(v, x => (double)x);

    public static float[] ToFloat(double[] v) => Array.ConvertAll(v, x => (float)x);
}
