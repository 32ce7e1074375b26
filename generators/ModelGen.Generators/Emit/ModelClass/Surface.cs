using System.Linq;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;
using static ModelGen.Generators.Emit.ModelClass.Members;

namespace ModelGen.Generators.Emit.ModelClass;

/// <summary>The model's public surface that no backend changes: constants, metadata, parameters and their named views.</summary>
internal static class Surface
{
    public static void Constants(CodeWriter w, CheckedModel m)
    {
        void Constant(string doc, string name, int value)
        {
            w.Line($"/// <summary>{doc}</summary>");
            w.Line($"public const int {name} = {value};");
            w.Line();
        }
        Constant(m.Layers.All(l => l.Trainable) ? "Trainable parameters (Keras's count)."
            : "Parameters (Keras's count), those of frozen layers included (Metadata.TrainableParameterCount counts the others).", "ParameterCount", m.ParameterCount);
        if (m.TakesTokens) Constant("Vocabulary size: token ids run from 0 to VocabularySize − 1.", "VocabularySize", m.VocabularySize);
        else Constant("Features per time step of the input.", "InputFeatures", m.InputFeatures);
        if (m.TimeSteps is int steps) Constant("Time steps per sample, as declared.", "TimeSteps", steps);
        Constant($"Units of the output layer; the output is {Shapes.Output(m)}.", "OutputUnits", m.Output.OutputWidth);
    }

    public static void Metadata(CodeWriter w, CheckedModel m)
    {
        w.Line("/// <summary>The layer table, shapes and parameter layout (what <see cref=\"Summary\"/> prints).</summary>");
        w.Line($"public static {G}ModelInfo Metadata {{ get; }} = new(");
        using (w.Indent())
        {
            w.Line($"\"{m.Type.ClassName}\", TimeSteps: {(m.TimeSteps?.ToString() ?? "null")}, InputFeatures: {m.InputFeatures}, VocabularySize: {m.VocabularySize},");
            w.Line($"OutputUnits: {m.Output.OutputWidth}, OutputIsSequence: {(m.Output.OutputIsSequence ? "true" : "false")},");
            w.Line($"Layers: new {G}LayerInfo[]");
            w.Line("{");
            using (w.Indent())
            {
                foreach (var l in m.Layers)
                {
                    w.Line($"new(\"{l.Name}\", \"{l.KerasType}\", \"{Shapes.Keras(m, l)}\", {l.ParameterCount}, new {G}ParameterInfo[]");
                    w.Line("{");
                    using (w.Indent())
                    {
                        foreach (var p in l.Parameters)
                            w.Line($"new(\"{p.KerasName}\", {p.Offset}, {p.Rows}, {p.Columns}, {G}Initializer.{p.Init}){WeightOptionsText(p)},");
                    }
                    w.Line($"}}{(l.Stateful ? ", Stateful: true" : "")}{(l.Trainable ? "" : ", Trainable: false")}),");
                }
            }
            w.Line("});");
        }
        w.Line();
        w.Line("/// <inheritdoc/>");
        w.Line($"public {G}ModelInfo Info => Metadata;");
        w.Line();
        w.Line("/// <summary>The Keras <c>model.summary()</c> table.</summary>");
        w.Line("public string Summary() => Metadata.Summary();");
        w.Line();
    }

    // A view's declared initializer arguments, unit_forget_bias and regularizer as an object initializer; empty for Keras's defaults.
    private static string WeightOptionsText(ParamView p)
    {
        var parts = new System.Collections.Generic.List<string>();
        if (p.InitArguments.Count > 0)
            parts.Add($"InitializerArguments = new float[] {{ {string.Join(", ", p.InitArguments.Select(Checking.KerasCalls.Literal))} }}");
        if (p.UnitForgetBias) parts.Add("UnitForgetBias = true");
        if (p.Regularizer is { } r) parts.Add($"Regularizer = new {G}Regularizer({Checking.KerasCalls.Literal(r.L1)}, {Checking.KerasCalls.Literal(r.L2)})");
        return parts.Count == 0 ? "" : " { " + string.Join(", ", parts) + " }";
    }

    /// <summary>Constructors and <c>CreateWorker()</c>: a worker shares the parameters, nothing else.</summary>
    private static void Workers(CodeWriter w, CheckedModel m)
    {
        string name = TypeHierarchy.Escape(m.Type.ClassName);
        string input = m.TakesTokens ? "int" : "float";
        w.Line("// The parameters a worker being created shares: set only inside CreateWorker, on its own thread.");
        w.Line("[global::System.ThreadStatic] private static float[]? s_workerParameters;");
        w.Line();
        w.Line("// One pass at a time on this instance's workspace: a concurrent Forward or Backward throws instead of corrupting it.");
        w.Line($"private {G}Kernels.PassGuard _pass;");
        w.Line();
        if (!m.DeclaresConstructors)
        {
            w.Line("/// <summary>Creates the model, its parameters initialised with Keras's defaults (seed them with <see cref=\"Initialize\"/>).</summary>");
            w.Line($"public {name}() {{ }}");
            w.Line();
        }
        w.Line($"private {name}({G}Kernels.WorkerMarker marker) {{ }}");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// A model of this class sharing this one's <see cref=\"Parameters\"/> (the same array, so it always sees the current");
        w.Line("/// weights), with its own workspace, gradients, states and dropout generator: for passes in parallel, one worker per");
        w.Line("/// thread. Predict and Evaluate use workers from a pool themselves.");
        w.Line("/// </summary>");
        using (w.Block($"public {name} CreateWorker()"))
        {
            w.Line("s_workerParameters = Parameters;");
            w.Line($"try {{ return new {name}(default({G}Kernels.WorkerMarker)); }}");
            w.Line("finally { s_workerParameters = null; }");
        }
        w.Line();
        w.Line($"{G}ISequentialModel<{input}> {G}ISequentialModel<{input}>.CreateWorker() => CreateWorker();");
        w.Line();
    }

    public static void Parameters(CodeWriter w, CheckedModel m)
    {
        w.Line("/// <summary>All parameters, Keras layout; initialised with Keras's defaults when the model is created (a worker shares its model's).</summary>");
        w.Line("public float[] Parameters { get; } = s_workerParameters ?? CreateParameters();");
        w.Line();
        Workers(w, m);
        w.Line("/// <summary>Gradients, same layout as <see cref=\"Parameters\"/>; <see cref=\"Backward(global::System.ReadOnlySpan{float}, global::System.Span{float})\"/> adds to them.</summary>");
        w.Line("public float[] Gradients { get; } = new float[ParameterCount];");
        w.Line();
        if (m.UsesDropout)
        {
            w.Line("/// <summary>Re-initialises every parameter with Keras's default initializers from <paramref name=\"seed\"/>, and reseeds dropout.</summary>");
            w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Fit is training the model on another thread (its own callbacks may call it).</exception>");
            using (w.Block("public void Initialize(int seed)"))
            {
                w.Line($"{G}Initializers.Initialize(this, seed);");
                w.Line("SeedDropout(seed);");
            }
            w.Line();
            w.Line("// Draws the dropout masks of training passes.");
            w.Line($"private global::System.Random _random = new({G}Initializers.NextSeed());");
            w.Line();
            w.Line("/// <summary>Reseeds the generator of dropout masks: the same seed gives the same masks in the same order.</summary>");
            w.Line("public void SeedDropout(int seed) => _random = new global::System.Random(seed);");
        }
        else
        {
            w.Line("/// <summary>Re-initialises every parameter with Keras's default initializers from <paramref name=\"seed\"/>.</summary>");
            w.Line("/// <exception cref=\"global::System.InvalidOperationException\">Fit is training the model on another thread (its own callbacks may call it).</exception>");
            w.Line($"public void Initialize(int seed) => {G}Initializers.Initialize(this, seed);");
        }
        w.Line();
        using (w.Block("private static float[] CreateParameters()"))
        {
            w.Line("var parameters = new float[ParameterCount];");
            w.Line($"{G}Initializers.Initialize(Metadata, parameters, {G}Initializers.NextSeed());");
            w.Line("return parameters;");
        }
        w.Line();
        foreach (var l in m.Layers)
        {
            foreach (var p in l.Parameters)
            {
                string shape = p.Rows == 1 ? $"({p.Columns},)" : $"({p.Rows}, {p.Columns})";
                w.Line($"/// <summary>'{l.Name}' {p.KerasName}, Keras shape {shape}.</summary>");
                w.Line($"public global::System.Span<float> {l.Identifier}{p.PropertySuffix} => Parameters.AsSpan({p.Offset}, {p.Length});");
                w.Line();
                w.Line($"/// <summary>Gradient of '{l.Name}' {p.KerasName}.</summary>");
                w.Line($"public global::System.Span<float> {l.Identifier}{p.PropertySuffix}{ParameterNames.GradientSuffix} => Gradients.AsSpan({p.Offset}, {p.Length});");
                w.Line();
            }
        }
    }
}
