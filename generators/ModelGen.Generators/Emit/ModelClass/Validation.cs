using System.Linq;
using ModelGen.Generators.Model;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.ModelClass;

/// <summary>
/// Argument checks at the top of the passes, the same for every backend: each names the model, what was expected and
/// what came, and throws before anything is changed.
/// </summary>
internal static class Validation
{
    private static string InputType(CheckedModel m) => m.TakesTokens ? "int" : "float";

    private static string PerStep(CheckedModel m) => m.TakesTokens ? "1" : "InputFeatures";

    private static string ShapeWords(CheckedModel m) => m.TakesTokens ? "[batch, steps] token ids" : "[batch, steps, features]";

    /// <summary>The Forward overload that infers the length from the input, delegating to the one that takes it.</summary>
    public static void InferredLengthForward(CodeWriter w, CheckedModel m)
    {
        string perStep = PerStep(m);
        w.Line($"/// <summary>Runs the model on a batch of {Shapes.Input(m)}, batch-major; infers the length from the input.</summary>");
        using (w.Block($"public void Forward(global::System.ReadOnlySpan<{InputType(m)}> input, int batchSize, global::System.Span<float> output, bool training = false)"))
        {
            if (m.TimeSteps is not null) w.Line("Forward(input, batchSize, TimeSteps, output, training);");
            else
            {
                w.Line($"if (batchSize <= 0) throw new global::System.ArgumentOutOfRangeException(nameof(batchSize), batchSize, \"model '{m.Type.ClassName}': batch size must be positive\");");
                w.Line($"if (input.Length == 0 || input.Length % ((long)batchSize * {perStep}) != 0)");
                w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}' expects {ShapeWords(m)} input, a multiple of batchSize·{(m.TakesTokens ? "1" : m.InputFeatures.ToString())} = {{(long)batchSize * {perStep}}} values, but got {{input.Length}}\", nameof(input));");
                w.Line($"Forward(input, batchSize, (int)(input.Length / ((long)batchSize * {perStep})), output, training);");
            }
        }
        w.Line();
    }

    /// <summary>The signature of the main Forward.</summary>
    public static string ForwardSignature(CheckedModel m)
        => $"public void Forward(global::System.ReadOnlySpan<{InputType(m)}> input, int batchSize, int timeSteps, global::System.Span<float> output, bool training = false)";

    /// <summary>Checks of Forward's arguments and of the initial states' batch sizes.</summary>
    public static void ForwardArguments(CodeWriter w, CheckedModel m)
    {
        string perStep = PerStep(m);
        SizeArguments(w, m, "batchSize", "timeSteps");
        w.Line($"if (input.Length != (long)batchSize * timeSteps * {perStep})");
        w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}' expects input {ShapeWords(m)} = [{{batchSize}}, {{timeSteps}}{(m.TakesTokens ? "" : ", {InputFeatures}")}], {{(long)batchSize * timeSteps * {perStep}}} values, but got {{input.Length}}\", nameof(input));");
        w.Line("int outputLength = OutputLength(batchSize, timeSteps);");
        w.Line("if (output.Length != outputLength)");
        w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}' writes {Shapes.Output(m).Replace("batch", "{batchSize}").Replace("steps", "{timeSteps}")} = {{outputLength}} floats, but the output buffer holds {{output.Length}}\", nameof(output));");
        foreach (var l in m.Layers.Where(l => l.IsRecurrent))
            foreach (var d in l.Directions)
                w.Line($"{Field(d, StateMember.Initial)}.CheckBatch(batchSize);");
    }

    /// <summary>
    /// The device runner's checks of a batch already on the device (<c>GpuRunner.Forward(view, batch, steps, training)</c>,
    /// which the training loop calls without the model's own Forward): the same sizes the CPU Forward checks.
    /// </summary>
    public static void DeviceForwardArguments(CodeWriter w, CheckedModel m)
    {
        string perStep = PerStep(m);
        SizeArguments(w, m, "batch", "steps");
        w.Line($"if (input.Length < (long)batch * steps * {perStep})");
        w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}' expects input {ShapeWords(m)} = [{{batch}}, {{steps}}{(m.TakesTokens ? "" : ", {InputFeatures}")}], {{(long)batch * steps * {perStep}}} values, but the device view holds {{input.Length}}\", nameof(input));");
    }

    // The batch size and step count of a pass, named as the calling method names them.
    private static void SizeArguments(CodeWriter w, CheckedModel m, string batch, string steps)
    {
        w.Line($"if ({batch} <= 0) throw new global::System.ArgumentOutOfRangeException(nameof({batch}), {batch}, \"model '{m.Type.ClassName}': batch size must be positive\");");
        if (m.TimeSteps is not null)
            w.Line($"if ({steps} != TimeSteps) throw new global::System.ArgumentOutOfRangeException(nameof({steps}), {steps}, $\"model '{m.Type.ClassName}' was declared with TimeSteps = {{TimeSteps}}, but was called with {{{steps}}} steps (leave TimeSteps unset to accept any length)\");");
        else
            w.Line($"if ({steps} <= 0) throw new global::System.ArgumentOutOfRangeException(nameof({steps}), {steps}, \"model '{m.Type.ClassName}': time steps must be positive\");");
    }

    /// <summary>Checks of Backward's arguments against the last forward pass.</summary>
    public static void BackwardArguments(CodeWriter w, CheckedModel m)
    {
        w.Line($"if (!_haveForward) throw new global::System.InvalidOperationException(\"model '{m.Type.ClassName}': call Forward before Backward\");");
        w.Line("int batch = _batch, steps = _steps, rows = batch * steps;");
        w.Line("if (outputGradient.Length != OutputLength(batch, steps))");
        w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}': the output gradient must be shaped like the last output, {{OutputLength(batch, steps)}} floats, but holds {{outputGradient.Length}}\", nameof(outputGradient));");
        if (m.TakesTokens)
        {
            w.Line("if (!inputGradient.IsEmpty)");
            w.Line($"    throw new global::System.ArgumentException(\"model '{m.Type.ClassName}' takes token ids, which have no gradient: pass an empty input gradient\", nameof(inputGradient));");
        }
        else
        {
            w.Line("if (!inputGradient.IsEmpty && inputGradient.Length != rows * InputFeatures)");
            w.Line($"    throw new global::System.ArgumentException($\"model '{m.Type.ClassName}': the input gradient must be empty or shaped like the last input, {{rows * InputFeatures}} floats, but holds {{inputGradient.Length}}\", nameof(inputGradient));");
        }
    }
}
