using System;

// The generator compiles this file too (linked into ModelGen.Generators), so attribute names and defaults exist
// once: the parser reads option names with nameof and defaults from instances of these types.
#if MODELGEN_GENERATOR
namespace ModelGen.Generators.Shared.Attributes;
#else
namespace ModelGen;
#endif

/// <summary>
/// Marks a <c>partial</c> class as a Keras-<c>Sequential</c> model. The layer attributes on the same
/// declaration, in source order, are the layers; the ModelGen source generator expands the class at
/// compile time into forward and backward code specialised to every shape.
/// </summary>
/// <example>
/// <code>
/// [Sequential(TimeSteps = 4, Features = 1)]
/// [SimpleRnn(10)]
/// [Dense(1)]
/// public partial class SequenceModel;
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class SequentialAttribute : Attribute
{
    /// <summary>
    /// Time steps per sample. Leave it unset to accept any sequence length at run time
    /// (Keras <c>input_shape=[None, features]</c>).
    /// </summary>
    public int TimeSteps { get; set; }

    /// <summary>
    /// Features per time step. Leave it unset when the first layer is an <see cref="EmbeddingAttribute"/>,
    /// which is fed token ids.
    /// </summary>
    public int Features { get; set; }
}
