using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Shared;
using ModelGen.Generators.Shared.Attributes;

namespace ModelGen.Generators.Declaration;

/// <summary>
/// Reads a <c>[Sequential]</c> class and its layer attributes into a <see cref="ModelSpec"/>: what was
/// written, with locations as plain values. No rule is checked here; attributes the compiler cannot bind
/// (it reports those itself) are skipped.
/// </summary>
internal static class ModelParser
{
    /// <summary>The runtime namespace of every ModelGen attribute.</summary>
    public const string AttributeNamespace = "ModelGen";

    public const string SequentialAttribute = AttributeNamespace + "." + nameof(Shared.Attributes.SequentialAttribute);

    // Defaults, read from the attributes themselves (their sources are compiled into the generator).
    private static readonly bool DefaultResetAfter = new GruAttribute(1).ResetAfter;
    private static readonly bool DefaultUseBias = new LstmAttribute(1).UseBias;

    /// <summary>
    /// <see cref="Parse"/>, or when it throws, a spec that carries the failure (<see cref="ModelSpec.ParseFailure"/>), so
    /// the user gets MG0999 with the exception's message rather than no model and no word.
    /// </summary>
    public static ModelSpec? ParseOrFailure(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            return Parse(context, cancellationToken);
        }
        catch (System.OperationCanceledException) { throw; }
        catch (System.Exception e)
        {
            return Failure(context.TargetSymbol.Name, LocationInfo.From(context.TargetNode), e);
        }
    }

    /// <summary>
    /// MG0024 for a type that carries layer attributes but no <c>[Sequential]</c>, reported by the provider of its first
    /// layer attribute only (so once per type); null when the type is a model or another attribute comes first.
    /// </summary>
    public static DiagnosticInfo? OrphanLayers(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        try
        {
            if (context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.Length == 0) return null;
            AttributeData? first = null;
            foreach (var attribute in type.GetAttributes())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var attributeClass = attribute.AttributeClass;
                if (attributeClass?.ContainingNamespace?.ToDisplayString() != AttributeNamespace) continue;
                if (attributeClass.Name == nameof(Shared.Attributes.SequentialAttribute)) return null;
                if (first is null && LayerKinds.FromAttributeClass(attributeClass.Name) is not null) first = attribute;
            }
            if (first is null || !SymbolEqualityComparer.Default.Equals(first.AttributeClass, context.Attributes[0].AttributeClass)) return null;
            var location = LocationInfo.From(first.ApplicationSyntaxReference?.GetSyntax(cancellationToken));
            return DiagnosticInfo.Create(Diagnostics.DiagnosticDescriptors.LayersWithoutSequential, location, type.Name);
        }
        catch (System.OperationCanceledException) { throw; }
        catch (System.Exception) { return null; }
    }

    /// <summary>A spec that stands for a declaration that could not be read, with the exception that stopped it.</summary>
    internal static ModelSpec Failure(string className, LocationInfo? location, System.Exception exception)
        => new(null, EquatableArray<ContainingType>.Empty, className, "public", IsPartial: true, IsGeneric: false, IsStatic: false,
            TimeSteps: null, Features: null, location, location, EquatableArray<LayerSpec>.Empty)
        {
            ParseFailure = exception.GetType().Name + ": " + exception.Message,
        };

    public static ModelSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || context.TargetNode is not TypeDeclarationSyntax declaration)
            return null;

        int? timeSteps = null, features = null;
        var sequential = context.Attributes.FirstOrDefault();
        if (sequential is not null)
        {
            foreach (var named in sequential.NamedArguments)
            {
                if (named.Value.Value is not int value) continue;
                if (named.Key == nameof(Shared.Attributes.SequentialAttribute.TimeSteps)) timeSteps = value;
                else if (named.Key == nameof(Shared.Attributes.SequentialAttribute.Features)) features = value;
            }
        }

        var layers = ImmutableArray.CreateBuilder<LayerSpec>();
        bool bindingErrors = sequential is not null && !Binds(sequential);
        foreach (var attribute in type.GetAttributes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var attributeClass = attribute.AttributeClass;
            if (attributeClass is null || attributeClass.TypeKind == TypeKind.Error) continue;
            if (attributeClass.ContainingNamespace?.ToDisplayString() != AttributeNamespace) continue;
            if (LayerKinds.FromAttributeClass(attributeClass.Name) is not { } kind) continue;
            if (!Binds(attribute)) bindingErrors = true;
            var syntax = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken);
            int onDeclaration = syntax?.FirstAncestorOrSelf<TypeDeclarationSyntax>() == declaration ? 0 : 1;
            layers.Add(ReadLayer(kind, attribute, onDeclaration, LocationInfo.From(syntax), syntax?.SpanStart ?? 0) with
            {
                Arguments = ArgumentSites(attribute, syntax as AttributeSyntax),
            });
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
            Layers: OrderLayers(layers).ToEquatableArray())
        {
            TypeKeyword = Keyword(type),
            HasBindingErrors = bindingErrors,
            DeclaresConstructors = type.InstanceConstructors.Any(c => !c.IsImplicitlyDeclared),
            ShapeProblem = ShapeProblem(type, cancellationToken),
            DeclaredMembers = type.GetMembers().Where(m => !m.IsImplicitlyDeclared && m.CanBeReferencedByName).Select(m => m.Name)
                .Concat(type.GetTypeMembers().Select(t => t.Name)).Distinct().OrderBy(n => n, System.StringComparer.Ordinal).ToEquatableArray(),
            InheritedMembers = Inherited(type).ToEquatableArray(),
            SequentialArguments = sequential is null ? EquatableArray<ArgumentSite>.Empty
                : ArgumentSites(sequential, sequential.ApplicationSyntaxReference?.GetSyntax(cancellationToken) as AttributeSyntax),
            BaseModel = type.BaseType is { } baseType && baseType.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == SequentialAttribute)
                ? baseType.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat) : null,
        };
    }

    // Each argument's key and text: `Name = value` by the property's name, a positional or `name: value` argument by
    // its constructor parameter's name (a positional one by its place: C# puts none after a `name:` argument that is
    // out of place, nor after a `Name = value` one).
    private static EquatableArray<ArgumentSite> ArgumentSites(AttributeData attribute, AttributeSyntax? syntax)
    {
        if (syntax?.ArgumentList is not { } list) return EquatableArray<ArgumentSite>.Empty;
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        var sites = ImmutableArray.CreateBuilder<ArgumentSite>();
        int position = 0;
        foreach (var argument in list.Arguments)
        {
            string? key = argument.NameEquals is { } equals ? equals.Name.Identifier.ValueText
                : argument.NameColon is { } colon ? colon.Name.Identifier.ValueText
                : position < parameters.Length ? parameters[position].Name : null;
            if (argument.NameEquals is null) position++; // a `name:` argument before a positional one stands in its place
            if (key is not null && LocationInfo.From(argument) is { } location) sites.Add(new ArgumentSite(key, location));
        }
        return sites.ToImmutable().ToEquatableArray();
    }

    // False when C# could not bind the attribute's arguments (an undefined name, a wrong type or count): the compiler
    // reports that at the argument, and the values read from it would be defaults the user never wrote.
    private static bool Binds(AttributeData attribute)
        => attribute.AttributeConstructor is not null
            && !attribute.ConstructorArguments.Any(a => a.Kind == TypedConstantKind.Error)
            && !attribute.NamedArguments.Any(a => a.Value.Kind == TypedConstantKind.Error);

    private static string? ShapeProblem(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        if (type.IsFileLocal) return "is file-local (its generated part, in a file of its own, would be another type)";
        if (type.IsAbstract && !type.IsStatic) return "is abstract (the generated code creates instances of it)";
        foreach (var reference in type.DeclaringSyntaxReferences)
            if (reference.GetSyntax(cancellationToken) is ClassDeclarationSyntax { ParameterList: not null })
                return "has a primary constructor (the generated constructors cannot call it)";
        return null;
    }

    // Members a derived class would hide (CS0108) or collide with: accessible ones of every base class but object.
    private static IEnumerable<InheritedMember> Inherited(INamedTypeSymbol type)
    {
        var seen = new HashSet<string>(System.StringComparer.Ordinal);
        for (var b = type.BaseType; b is not null && b.SpecialType != SpecialType.System_Object; b = b.BaseType)
        {
            foreach (var m in b.GetMembers())
            {
                if (m.IsImplicitlyDeclared || !m.CanBeReferencedByName || m.DeclaredAccessibility == Accessibility.Private || m is IMethodSymbol { MethodKind: MethodKind.Constructor or MethodKind.StaticConstructor }) continue;
                if (seen.Add(m.Name)) yield return new InheritedMember(m.Name, b.Name);
            }
            foreach (var t in b.GetTypeMembers())
                if (t.DeclaredAccessibility != Accessibility.Private && seen.Add(t.Name)) yield return new InheritedMember(t.Name, b.Name);
        }
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
        string? name = null;
        // The Activation layer takes its activation as its constructor's argument; other layers as a named option.
        string? activation = kind == LayerKind.Activation ? (args.Length > 0 ? args[0].Value as string : null) ?? "null" : null;
        bool returnSequences = false, resetAfter = DefaultResetAfter;
        var options = LayerOptions.Default with
        {
            UseBias = DefaultUseBias,
            MaskValue = kind == LayerKind.Masking ? value : 0,
            Rate = LayerKinds.Of(kind).IsDropoutLayer ? value : 0,
            Repeats = kind == LayerKind.RepeatVector ? first : 0,
        };
        foreach (var named in attribute.NamedArguments)
        {
            var v = named.Value.Value;
            switch (named.Key)
            {
                case nameof(LayerAttribute.Name): name = v as string; break;
                case nameof(DenseAttribute.Activation): activation = v as string ?? "null"; break;
                case nameof(RecurrentLayerAttribute.ReturnSequences): returnSequences = v is true; break;
                case nameof(GruAttribute.ResetAfter): resetAfter = v is not false; break;
                case nameof(RecurrentLayerAttribute.ReturnState): options = options with { ReturnState = v is true }; break;
                case nameof(RecurrentLayerAttribute.GoBackwards): options = options with { GoBackwards = v is true }; break;
                case nameof(RecurrentLayerAttribute.Stateful): options = options with { Stateful = v is true }; break;
                case nameof(RecurrentLayerAttribute.Dropout): options = options with { Dropout = Number(v) }; break;
                case nameof(RecurrentLayerAttribute.RecurrentDropout): options = options with { RecurrentDropout = Number(v) }; break;
                case nameof(RecurrentLayerAttribute.UseBias): options = options with { UseBias = v is not false }; break;
                case nameof(GatedLayerAttribute.RecurrentActivation): options = options with { RecurrentActivation = v as string ?? "null" }; break;
                case nameof(EmbeddingAttribute.MaskZero): options = options with { MaskZero = v is true }; break;
                case nameof(BidirectionalAttribute.MergeMode): options = options with { MergeMode = v as string ?? "null" }; break;
                case nameof(LayerAttribute.Trainable): options = options with { Trainable = v is not false }; break;
                case nameof(LstmAttribute.UnitForgetBias): options = options with { UnitForgetBias = v is not false }; break;
                case nameof(RecurrentLayerAttribute.KernelInitializer): options = options with { KernelInitializer = v as string }; break;
                case nameof(EmbeddingAttribute.EmbeddingsInitializer): options = options with { KernelInitializer = v as string }; break;
                case nameof(RecurrentLayerAttribute.RecurrentInitializer): options = options with { RecurrentInitializer = v as string }; break;
                case nameof(RecurrentLayerAttribute.BiasInitializer): options = options with { BiasInitializer = v as string }; break;
                case nameof(RecurrentLayerAttribute.KernelRegularizer): options = options with { KernelRegularizer = v as string }; break;
                case nameof(EmbeddingAttribute.EmbeddingsRegularizer): options = options with { KernelRegularizer = v as string }; break;
                case nameof(RecurrentLayerAttribute.RecurrentRegularizer): options = options with { RecurrentRegularizer = v as string }; break;
                case nameof(RecurrentLayerAttribute.BiasRegularizer): options = options with { BiasRegularizer = v as string }; break;
            }
        }
        var info = LayerKinds.Of(kind);
        var spec = kind == LayerKind.Embedding
            ? new LayerSpec(kind, info.AttributeName, name, Units: second, InputDim: first, activation, returnSequences, resetAfter, declaration, location)
            : new LayerSpec(kind, info.AttributeName, name, Units: info.HasUnits ? first : 0, InputDim: 0, activation, returnSequences, resetAfter, declaration, location);
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
