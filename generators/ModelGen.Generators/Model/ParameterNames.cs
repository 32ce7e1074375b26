namespace ModelGen.Generators.Model;

/// <summary>The property suffixes of parameter views (<c>LstmKernel</c>, <c>LstmKernelGradient</c>) and their order in a layer.</summary>
internal static class ParameterNames
{
    public const string Kernel = nameof(Kernel);
    public const string RecurrentKernel = nameof(RecurrentKernel);
    public const string Bias = nameof(Bias);
    public const string Embeddings = nameof(Embeddings);
    public const string GradientSuffix = "Gradient";

    public static readonly string[] Suffixes = { Kernel, RecurrentKernel, Bias, Embeddings };
}
