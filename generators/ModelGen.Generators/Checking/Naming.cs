using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.Linq;
using System.Text;
using ModelGen.Generators.Declaration;
using ModelGen.Generators.Diagnostics;
using ModelGen.Generators.Layers;
using ModelGen.Generators.Model;
using ModelGen.Generators.Shared;

namespace ModelGen.Generators.Checking;

/// <summary>Layer names: explicit ones checked, Keras's defaults for the rest, and unique C# identifiers.</summary>
internal static class Naming
{
    /// <summary>Explicit names, checked; Keras default names (<c>lstm</c>, <c>lstm_1</c> …) for the rest.</summary>
    public static string[] AssignNames(ModelSpec spec, ImmutableArray<DiagnosticInfo>.Builder diagnostics)
    {
        var names = new string[spec.Layers.Count];
        var taken = new HashSet<string>();
        var reported = new HashSet<string>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            var layer = spec.Layers[i];
            if (layer.Name is null) continue;
            names[i] = layer.Name;
            if (!IsValidName(layer.Name))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.InvalidName, layer.At("Name"), Shorten(layer.Name)));
            else if (!taken.Add(layer.Name) && reported.Add(layer.Name))
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.DuplicateName, layer.At("Name"), layer.Name, spec.ClassName));
        }
        var counters = new Dictionary<string, int>();
        for (int i = 0; i < spec.Layers.Count; i++)
        {
            if (names[i] is not null) continue;
            string prefix = LayerKinds.Of(spec.Layers[i].Kind).DefaultName;
            counters.TryGetValue(prefix, out int n);
            string candidate;
            do { candidate = n == 0 ? prefix : prefix + "_" + n; n++; } while (!taken.Add(candidate));
            counters[prefix] = n;
            names[i] = candidate;
        }
        return names;
    }

    /// <summary>The longest layer name: its identifier, with the longest suffix, must stay a usable C# member name.</summary>
    public const int MaxNameLength = 200;

    private static bool IsValidName(string name)
        => name.Length > 0 && name.Length <= MaxNameLength && (char.IsLetter(name[0]) || name[0] == '_')
            && name.All(c => c < 128 && (char.IsLetterOrDigit(c) || c == '_' || c == '-' || c == '.'));

    /// <summary>A name as messages show it: long ones cut to their first 40 characters and their length.</summary>
    public static string Shorten(string name)
        => name.Length <= 60 ? name : $"{name.Substring(0, 40)}… ({name.Length.ToString(CultureInfo.InvariantCulture)} characters)";

    /// <summary>
    /// The members every generated model class has, whatever its layers (public surface and private workspace), which a
    /// model class may not be named like (CS0542).
    /// </summary>
    /// <remarks>Kept honest by <c>GeneratedMemberNameTests</c>, which compiles models using every option and checks that
    /// each member of the generated class is one of these or a per-layer name.</remarks>
    private static readonly string[] FixedMembers =
    {
        "ParameterCount", "VocabularySize", "InputFeatures", "TimeSteps", "OutputUnits", "Metadata", "Info", "Summary", "Parameters",
        "Gradients", "Initialize", "SeedDropout", "CreateParameters", "EnsureWorkspace", "OutputLength", "OutputMask", "ResetStates",
        "Forward", "Backward", "CreateWorker", "HoldsInitialState", "WorkspaceBytes", "WorkspaceSize", "OutputActivation",
        "OutputLogits", "BackwardFromLogits",
        "_pass", "s_workerParameters", "_random", "_batch", "_steps", "_rowCapacity", "_batchCapacity", "_haveForward", "_tokens",
        "_input", "_inputGradient", "_mask", "_outputMask", "_folded", "_distinctWords", "_foldSource",
    };

    /// <summary>The generated member <paramref name="className"/> would collide with, or null.</summary>
    public static string? MemberNamed(string className, IEnumerable<string> layerIdentifiers)
        => IsGeneratedMember(className, layerIdentifiers) ? className : null;

    /// <summary>True when the generated model class may have a member named <paramref name="name"/> (its fixed members, or one of a layer's).</summary>
    public static bool IsGeneratedMember(string name, IEnumerable<string> layerIdentifiers)
    {
        if (FixedMembers.Contains(name)) return true;
        foreach (var identifier in layerIdentifiers)
        {
            foreach (var suffix in MemberSuffixes)
                if (name == identifier + suffix || name == ModelPlan.FieldName(identifier, suffix)) return true;
            if (name == "Set" + identifier + "InitialState") return true;
        }
        return false;
    }

    /// <summary>
    /// Every suffix a generated member appends to a layer identifier (the plan's tensor, flag and state roles and the
    /// parameter views), as written and behind the Bidirectional copies' Forward and Backward. Identifiers are chosen
    /// so that no two layers produce the same member, e.g. layers 'a' and 'a_recurrent' would both give
    /// <c>ARecurrentKernel</c>.
    /// </summary>
    private static readonly string[] MemberSuffixes = ModelPlan.MemberSuffixes
        .Concat(ModelPlan.MemberSuffixes.Select(s => "Forward" + s))
        .Concat(ModelPlan.MemberSuffixes.Select(s => "Backward" + s))
        .ToArray();

    /// <summary><c>simple_rnn_1</c> → <c>SimpleRnn1</c>; unique within the model, members included.</summary>
    public static string UniqueIdentifier(string name, HashSet<string> used)
    {
        var sb = new StringBuilder();
        bool upper = true;
        foreach (char c in name)
        {
            if (!char.IsLetterOrDigit(c)) { upper = true; continue; }
            sb.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }
        string baseName = sb.Length == 0 || char.IsDigit(sb[0]) ? "Layer" + sb : sb.ToString();
        string candidate = baseName;
        for (int n = 2; MemberSuffixes.Any(s => used.Contains(candidate + s)) || used.Contains("Set" + candidate + "InitialState"); n++) candidate = baseName + "_" + n.ToString(CultureInfo.InvariantCulture);
        foreach (var suffix in MemberSuffixes) used.Add(candidate + suffix);
        return candidate;
    }
}
