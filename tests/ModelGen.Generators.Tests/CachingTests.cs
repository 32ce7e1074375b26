using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;
using Shouldly;

namespace ModelGen.Generators.Tests;

/// <summary>
/// The incremental pipeline caches: a second run on an unchanged (or unrelatedly changed) compilation serves every
/// tracked step from cache, and no step output holds on to a symbol, syntax node or compilation.
/// </summary>
public sealed class CachingTests
{
    /// <summary>Every step name in <see cref="TrackingNames"/>, found by reflection so a new step is covered too.</summary>
    private static readonly string[] AllTrackingNames = typeof(TrackingNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToArray();

    // Two valid models sharing the LSTM cell, an invalid one and layers without [Sequential], so that every step has outputs.
    private const string Source = """
        using ModelGen;

        namespace Demo;

        [Sequential(Features = 2)]
        [Lstm(8, ReturnSequences = true)]
        [Gru(4)]
        [Dense(1, Activation = "sigmoid")]
        public partial class FirstModel;

        [Sequential(TimeSteps = 3)]
        [Embedding(20, 2)]
        [Lstm(8)]
        [Dense(2, Activation = "softmax")]
        public partial class SecondModel;

        [Sequential(Features = 1)]
        [Lstm(4)]
        [Lstm(4)]
        public partial class BrokenModel;

        [Dense(1)]
        public partial class ForgottenModel;
        """;

    [Fact]
    public void TrackingNames_AreTheSixPipelineSteps()
        => AllTrackingNames.ShouldBe(new[] { "Parse", "Check", "Diagnostics", "Model", "Cells", "Orphans" }, ignoreOrder: true);

    [Fact]
    public void SecondRun_OnClonedCompilation_IsFullyCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var first = GeneratorHarness.Run(compilation);
        var second = GeneratorHarness.Run(compilation.Clone(), first.Driver);

        AssertAllCached(first, second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void SecondRun_AfterAddingAnUnrelatedTree_IsFullyCached()
    {
        var compilation = GeneratorHarness.CreateCompilation(Source);
        var first = GeneratorHarness.Run(compilation);
        var changed = compilation.AddSyntaxTrees(GeneratorHarness.ParseTree("namespace Demo; public static class Unrelated { public static int Answer => 42; }", "Unrelated.cs"));
        var second = GeneratorHarness.Run(changed, first.Driver);

        AssertAllCached(first, second);
        AssertSameOutput(first, second);
    }

    [Fact]
    public void MovingAModelDown_ReparsesButDoesNotReEmit()
    {
        const string Valid = """
            using ModelGen;

            namespace Demo;

            [Sequential(Features = 2)]
            [Lstm(8)]
            [Dense(1)]
            public partial class MovedModel;
            """;
        var compilation = GeneratorHarness.CreateCompilation(Valid);
        var first = GeneratorHarness.Run(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var moved = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From("\n\n\n// a comment\n\n" + Valid)));
        var second = GeneratorHarness.Run(moved, first.Driver);

        Reasons(second, TrackingNames.Parse).ShouldAllBe(r => r == IncrementalStepRunReason.Modified);
        foreach (var step in new[] { TrackingNames.Check, TrackingNames.Diagnostics, TrackingNames.Model, TrackingNames.Cells })
            Reasons(second, step).ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged, step);
        Reasons(second, TrackingNames.Model).ShouldNotBeEmpty();
        AssertSameOutput(first, second);
    }

    [Fact]
    public void MovingAnInvalidModelDown_MovesItsDiagnostic()
    {
        const string Invalid = """
            using ModelGen;
            [Sequential(Features = 1)]
            [Lstm(4)]
            [Lstm(4)]
            public partial class BrokenModel;
            """;
        var compilation = GeneratorHarness.CreateCompilation(Invalid);
        var first = GeneratorHarness.Run(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var second = GeneratorHarness.Run(compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From("\n\n" + Invalid))), first.Driver);

        Reasons(second, TrackingNames.Diagnostics).ShouldAllBe(r => r == IncrementalStepRunReason.Modified);
        first.GeneratorDiagnostics.Single().Location.GetLineSpan().StartLinePosition.Line.ShouldBe(3);
        second.GeneratorDiagnostics.Single().Location.GetLineSpan().StartLinePosition.Line.ShouldBe(5);
    }

    [Fact]
    public void ChangingAModel_ReEmitsIt()
    {
        var compilation = GeneratorHarness.CreateCompilation(TestModels.LstmModel);
        var first = GeneratorHarness.Run(compilation);
        var tree = compilation.SyntaxTrees.Single();
        var changed = compilation.ReplaceSyntaxTree(tree, tree.WithChangedText(SourceText.From(TestModels.LstmModel.Replace("[Lstm(12)]", "[Lstm(13)]", StringComparison.Ordinal))));
        var second = GeneratorHarness.Run(changed, first.Driver);

        Reasons(second, TrackingNames.Model).ShouldBe(new[] { IncrementalStepRunReason.Modified });
        Reasons(second, TrackingNames.Cells).ShouldContain(r => r == IncrementalStepRunReason.Modified || r == IncrementalStepRunReason.New);
        second.HintNames.ShouldContain("Cells.Lstm_I2_H13.g.cs");
        second.HintNames.ShouldNotContain("Cells.Lstm_I2_H12.g.cs");
    }

    [Fact]
    public void StepOutputs_HoldNoSymbolsSyntaxOrCompilations()
    {
        var first = GeneratorHarness.Run(GeneratorHarness.CreateCompilation(Source));
        foreach (var name in AllTrackingNames)
        {
            var outputs = first.Outputs(name).ToList();
            outputs.ShouldNotBeEmpty(name);
            foreach (var output in outputs) AssertObjectGraph(output, name);
        }
    }

    private static IncrementalStepRunReason[] Reasons(GeneratorRun run, string step)
        => run.Result.TrackedSteps.TryGetValue(step, out var steps)
            ? steps.SelectMany(s => s.Outputs).Select(o => o.Reason).ToArray()
            : Array.Empty<IncrementalStepRunReason>();

    private static void AssertAllCached(GeneratorRun first, GeneratorRun second)
    {
        foreach (var name in AllTrackingNames)
        {
            first.Result.TrackedSteps.ShouldContainKey(name);
            second.Result.TrackedSteps.ShouldContainKey(name);
            var reasons = Reasons(second, name);
            reasons.ShouldNotBeEmpty(name);
            reasons.ShouldAllBe(r => r == IncrementalStepRunReason.Cached || r == IncrementalStepRunReason.Unchanged, $"step {name}: {string.Join(", ", reasons)}");
            Reasons(first, name).Length.ShouldBe(reasons.Length, name);
        }
    }

    private static void AssertSameOutput(GeneratorRun first, GeneratorRun second)
    {
        second.HintNames.ShouldBe(first.HintNames);
        foreach (var hint in first.HintNames) second.Source(hint).ShouldBe(first.Source(hint));
        second.GeneratorDiagnostics.Select(d => d.ToString()).ShouldBe(first.GeneratorDiagnostics.Select(d => d.ToString()));
    }

    /// <summary>Walks an output's object graph (fields and collection items) and fails on anything that pins a compilation.</summary>
    private static void AssertObjectGraph(object output, string step)
    {
        var visited = new HashSet<object>(ReferenceEqualityComparer.Instance);
        Visit(output, step);

        void Visit(object? node, string path)
        {
            if (node is null || !visited.Add(node)) return;
            node.ShouldNotBeAssignableTo<Compilation>(path);
            node.ShouldNotBeAssignableTo<ISymbol>(path);
            node.ShouldNotBeAssignableTo<SyntaxNode>(path);
            node.ShouldNotBeAssignableTo<SyntaxTree>(path);
            node.ShouldNotBeAssignableTo<SemanticModel>(path);
            if (node is Location location) location.IsInSource.ShouldBeFalse(path);

            var type = node.GetType();
            if (type.IsPrimitive || type.IsEnum || type == typeof(string) || node is MemberInfo) return;
            if (node is IEnumerable items)
            {
                int i = 0;
                foreach (var item in items) Visit(item, $"{path}[{i++}]");
                return;
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
                    Visit(field.GetValue(node), $"{path}.{field.Name}");
        }
    }
}
