using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Model;

namespace ModelGen.Generators.Parsing;

/// <summary>
/// Reads a <c>[Sequential]</c> class and its layer attributes into a <see cref="ModelSpec"/>: what was
/// written, with locations as plain values. No rule is checked here; attributes the compiler cannot bind
/// (it reports those itself) are skipped.
/// </summary>
internal static class ModelParser
{
    public const string SequentialAttribute = "ModelGen.SequentialAttribute";

    private static readonly Dictionary<string, LayerKind> LayerAttributes = new()
    {
        ["EmbeddingAttribute"] = LayerKind.Embedding,
        ["SimpleRnnAttribute"] = LayerKind.SimpleRnn,
        ["LstmAttribute"] = LayerKind.Lstm,
        ["GruAttribute"] = LayerKind.Gru,
        ["DenseAttribute"] = LayerKind.Dense,
        ["MaskingAttribute"] = LayerKind.Masking,
        ["DropoutAttribute"] = LayerKind.Dropout,
        ["SpatialDropout1DAttribute"] = LayerKind.SpatialDropout1D,
        ["BidirectionalAttribute"] = LayerKind.Bidirectional,
        ["TimeDistributedAttribute"] = LayerKind.TimeDistributed,
    };

    public static ModelSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not ClassDeclarationSyntax declaration)
            return null;

        int? timeSteps = null, features = null;
        var sequential = context.Attributes.FirstOrDefault();
        if (sequential is not null)
        {
            foreach (var named in sequential.NamedArguments)
            {
                if (named.Value.Value is not int value) continue;
                if (named.Key == "TimeSteps") timeSteps = value;
                else if (named.Key == "Features") features = value;
            }
        }

        var layers = ImmutableArray.CreateBuilder<LayerSpec>();
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error) continue;
            if (attributeClass.ContainingNamespace?.ToDisplayString() != "ModelGen") continue;
            if (!LayerAttributes.TryGetValue(attributeClass.Name, out var kind)) continue;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            int onDeclaration = syntax?.FirstAncestorOrSelf<ClassDeclarationSyntax>() == declaration ? 0 : 1;
            layers.Add(ReadLayer(kind, attribute, onDeclaration, LocationInfo.From(syntax), syntax?.SpanStart ?? 0));
        }

        var containing = ImmutableArray.CreateBuilder<ContainingType>();
        for (var outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
            containing.Insert(0, new ContainingType(Keyword(outer), outer.Name, IsPartial(outer, cancellationToken)));

        return new ModelSpec(
            Namespace: NamespaceOf(type),
            ContainingTypes: containing.ToImmutable().ToEquatableArray(),
            ClassName: type.Name,
            Accessibility: SyntaxFacts.GetText(type.DeclaredAccessibility),
            IsPartial: IsPartial(type, cancellationToken),
            IsGeneric: type.IsGenericType,
            IsStatic: type.IsStatic,
            TimeSteps: timeSteps,
            Features: features,
            ClassLocation: new LocationInfo(declaration.SyntaxTree.FilePath, declaration.Identifier.Span, declaration.SyntaxTree.GetLineSpan(declaration.Identifier.Span, cancellationToken).Span),
            SequentialLocation: LocationInfo.From(sequential?.ApplicationSyntaxReference?.GetSyntax(cancellationToken)),
            Layers: OrderLayers(layers).ToEquatableArray());
    }

    // Attributes of one declaration come back in source order already; order by declaration, then position.
    private static IEnumerable<LayerSpec> OrderLayers(ImmutableArray<LayerSpec>.Builder layers)
        => layers.Select((layer, index) => (layer, index)).OrderBy(p => p.layer.Declaration).ThenBy(p => p.index).Select(p => p.layer);

    private static LayerSpec ReadLayer(LayerKind kind, AttributeData attribute, int declaration, LocationInfo? location, int position)
    {
        var args = attribute.ConstructorArguments;
        int first = args.Length > 0 && args[0].Value is int a ? a : 0;
        int second = args.Length > 1 && args[1].Value is int b ? b : 0;
        double value = args.Length > 0 ? Number(args[0].Value) : 0;
        string? name = null, activation = null;
        bool returnSequences = false, resetAfter = true;
        var options = LayerOptions.Default with { Value = kind is LayerKind.Masking or LayerKind.Dropout or LayerKind.SpatialDropout1D ? value : 0 };
        foreach (var named in attribute.NamedArguments)
        {
            var v = named.Value.Value;
            switch (named.Key)
            {
                case "Name": name = v as string; break;
                case "Activation": activation = v as string ?? "null"; break;
                case "ReturnSequences": returnSequences = v is true; break;
                case "ResetAfter": resetAfter = v is not false; break;
                case "ReturnState": options = options with { ReturnState = v is true }; break;
                case "GoBackwards": options = options with { GoBackwards = v is true }; break;
                case "Stateful": options = options with { Stateful = v is true }; break;
                case "Dropout": options = options with { Dropout = Number(v) }; break;
                case "RecurrentDropout": options = options with { RecurrentDropout = Number(v) }; break;
                case "UseBias": options = options with { UseBias = v is not false }; break;
                case "RecurrentActivation": options = options with { RecurrentActivation = v as string ?? "null" }; break;
                case "MaskZero": options = options with { MaskZero = v is true }; break;
                case "MergeMode": options = options with { MergeMode = v as string ?? "null" }; break;
            }
        }
        string attributeName = attribute.AttributeClass!.Name.Substring(0, attribute.AttributeClass.Name.Length - "Attribute".Length);
        var spec = kind == LayerKind.Embedding
            ? new LayerSpec(kind, attributeName, name, Units: second, InputDim: first, activation, returnSequences, resetAfter, declaration, location)
            : new LayerSpec(kind, attributeName, name, Units: kind is LayerKind.Embedding or LayerKind.SimpleRnn or LayerKind.Lstm or LayerKind.Gru or LayerKind.Dense ? first : 0,
                InputDim: 0, activation, returnSequences, resetAfter, declaration, location);
        return spec with { Options = options };
    }

    private static double Number(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => 0,
    };

    // Raw names (no '@'), joined by '.'; the emitter escapes keywords.
    private static string? NamespaceOf(INamedTypeSymbol type)
    {
        var parts = new List<string>();
        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace) parts.Insert(0, ns.Name);
        return parts.Count == 0 ? null : string.Join(".", parts);
    }

    private static bool IsPartial(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        foreach (var reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax(cancellationToken) is TypeDeclarationSyntax syntax && !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                return false;
        }
        return true;
    }

    private static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };
}
