using System.Linq;
using Microsoft.CodeAnalysis.CSharp;

namespace ModelGen.Generators.Shared;

/// <summary>A type enclosing the model class (for nested models).</summary>
internal sealed record ContainingType(string Keyword, string Name, bool IsPartial);

/// <summary>
/// The type to emit into: namespace, nesting and accessibility, with the names derived from them (full name, hint
/// name, escaped identifiers) computed here once. Plain equatable data.
/// </summary>
internal sealed record TypeHierarchy(string? Namespace, EquatableArray<ContainingType> ContainingTypes, string ClassName, string Accessibility)
{
    /// <summary>Fully qualified name without <c>global::</c>, for hint names and messages.</summary>
    public string FullName
    {
        get
        {
            string prefix = Namespace is null ? "" : Namespace + ".";
            foreach (var t in ContainingTypes) prefix += t.Name + ".";
            return prefix + ClassName;
        }
    }

    /// <summary>
    /// <c>{prefix}.Namespace.Outer+Inner.g.cs</c>: the namespace and the nesting are told apart, and each emitted part
    /// has its own prefix, so two types never share a hint name.
    /// </summary>
    public string HintName(string prefix)
    {
        string nesting = string.Join("+", ContainingTypes.Select(t => t.Name).Concat(new[] { ClassName }));
        return Namespace is null ? $"{prefix}.{nesting}.g.cs" : $"{prefix}.{Namespace}.{nesting}.g.cs";
    }

    /// <summary>Prefixes C# keywords with '@' (a class named <c>@event</c> is declared as <c>event</c> in metadata).</summary>
    public static string Escape(string identifier)
        => SyntaxFacts.GetKeywordKind(identifier) != SyntaxKind.None
            || SyntaxFacts.GetContextualKeywordKind(identifier) is SyntaxKind.VarKeyword
            ? "@" + identifier : identifier;
}
