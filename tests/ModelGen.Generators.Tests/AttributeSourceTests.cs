using System;
using System.Globalization;
using System.Linq;
using System.Reflection;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Layers;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The generator compiles the runtime's attribute sources in and reads names and defaults from them. These tests hold
/// the runtime's attribute types (as users see them) against what the generator does, so a new attribute, option or
/// default that the generator does not read fails here.
/// </summary>
public sealed class AttributeSourceTests
{
    private static readonly Type[] RuntimeLayerAttributes = typeof(global::ModelGen.LayerAttribute).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(global::ModelGen.LayerAttribute)) && !t.IsAbstract)
        .ToArray();

    [Fact]
    public void EveryLayerAttribute_HasOneLayerKindRow_AndNoRowIsOrphaned()
        => LayerKinds.All.Select(k => k.AttributeClass).ShouldBe(RuntimeLayerAttributes.Select(t => t.Name), ignoreOrder: true);

    [Fact]
    public void DefaultActivations_AreTheRuntimeAttributesOwn()
    {
        LayerKinds.Of(LayerKind.SimpleRnn).DefaultActivation.ShouldBe(new global::ModelGen.SimpleRnnAttribute(1).Activation);
        LayerKinds.Of(LayerKind.Dense).DefaultActivation.ShouldBe(new global::ModelGen.DenseAttribute(1).Activation);
    }

    [Fact]
    public void ParsedDefaults_AreTheRuntimeAttributesOwn()
    {
        var spec = GeneratorHarness.ParseSingle("using ModelGen;\n[Sequential(Features = 2)] [Bidirectional] [Gru(4)] [Dense(1)] partial class M;");
        var gru = spec.Layers[1];
        gru.ResetAfter.ShouldBe(new global::ModelGen.GruAttribute(4).ResetAfter);
        gru.Options.UseBias.ShouldBe(new global::ModelGen.GruAttribute(4).UseBias);
        spec.Layers[2].Options.UseBias.ShouldBe(new global::ModelGen.DenseAttribute(1).UseBias);
        // Unset text options stay null and resolve to the attribute's default in the checker.
        var model = Checking.ModelChecker.Check(spec).Model.ShouldNotBeNull();
        model.Layers[0].Merge.ToString().ToLowerInvariant().ShouldBe(new global::ModelGen.BidirectionalAttribute().MergeMode);
        model.Layers[0].Cell.RecurrentActivation.ToString().ToLowerInvariant().ShouldBe(new global::ModelGen.GruAttribute(4).RecurrentActivation);
    }

    public static TheoryData<string, string> SettableOptions()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in RuntimeLayerAttributes)
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                data.Add(type.Name, property.Name);
        return data;
    }

    /// <summary>
    /// Every option a user can set on a layer attribute changes what the parser reads: an option the runtime gains and
    /// the generator ignores would otherwise be accepted silently and do nothing.
    /// </summary>
    [Theory]
    [MemberData(nameof(SettableOptions))]
    public void EverySettableOption_IsReadByTheParser(string attributeClass, string option)
    {
        var type = RuntimeLayerAttributes.Single(t => t.Name == attributeClass);
        var property = type.GetProperty(option)!;
        string attribute = attributeClass.Substring(0, attributeClass.Length - "Attribute".Length);
        string arguments = attribute switch
        {
            "Embedding" => "10, 4",
            "Masking" or "Dropout" or "SpatialDropout1D" => "0.5",
            "Bidirectional" or "TimeDistributed" or "GlobalAveragePooling1D" or "GlobalMaxPooling1D" or "Flatten" => "",
            "Activation" => "\"relu\"",
            _ => "3",
        };
        string value = property.PropertyType == typeof(bool)
            ? (!(bool)property.GetValue(Activator.CreateInstance(type, ConstructorArguments(type)))!).ToString().ToLowerInvariant()
            : property.PropertyType == typeof(string) ? "\"other\""
            : property.PropertyType == typeof(double) ? "0.25"
            : throw new InvalidOperationException($"no test value for {property.PropertyType}");
        string plain = arguments.Length == 0 ? $"[{attribute}]" : $"[{attribute}({arguments})]";
        string set = $"[{attribute}({(arguments.Length == 0 ? "" : arguments + ", ")}{option} = {value})]";

        var before = GeneratorHarness.ParseSingle($"using ModelGen;\n[Sequential(Features = 2)] {plain} partial class M;").Layers[0];
        var after = GeneratorHarness.ParseSingle($"using ModelGen;\n[Sequential(Features = 2)] {set} partial class M;").Layers[0];
        (after with { Location = before.Location, Arguments = before.Arguments }).ShouldNotBe(before, $"{set} reads the same as {plain}");
    }

    private static object[] ConstructorArguments(Type type)
        => type.GetConstructors()[0].GetParameters().Select(p => p.ParameterType == typeof(int) ? (object)3 : p.ParameterType == typeof(string) ? "relu" : 0.5).ToArray();
}
