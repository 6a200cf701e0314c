using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Raft.Model.Testing;
using Raft.Core.Node;

namespace Raft.Properties.Architecture;

/// <summary>
/// Raft.Core is a pure state machine: no threads, tasks, locks, timers, clocks, I/O, global
/// randomness or static mutable state, and no package references. Checked on the compiled
/// assembly's metadata, so nothing can slip in through a using alias or a fully qualified name.
/// </summary>
public sealed class PurityTests
{
    private static readonly string[] ForbiddenNamespaces =
    [
        "System.Threading", "System.Threading.Tasks", "System.Timers", "System.IO", "System.Net",
        "System.Net.Sockets", "System.Net.Http", "System.Diagnostics",
    ];

    private static readonly string[] ForbiddenTypes =
    [
        "System.Random", "System.DateTime", "System.DateTimeOffset", "System.Environment", "System.TimeProvider",
        "System.GC", "System.Console", "System.AppDomain",
    ];

    private static List<string> ReferencedTypeNames(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        MetadataReader md = pe.GetMetadataReader();
        var names = new List<string>();
        foreach (TypeReferenceHandle h in md.TypeReferences)
        {
            TypeReference tr = md.GetTypeReference(h);
            string ns = md.GetString(tr.Namespace);
            names.Add(ns.Length == 0 ? md.GetString(tr.Name) : $"{ns}.{md.GetString(tr.Name)}");
        }
        return names;
    }

    [Fact]
    public void Core_ReferencesNoThreadsClocksIoOrGlobalRandomness()
    {
        List<string> referenced = ReferencedTypeNames(typeof(RaftNode).Assembly);
        Assert.NotEmpty(referenced);
        var bad = referenced.Where(n =>
            ForbiddenTypes.Contains(n) ||
            ForbiddenNamespaces.Any(ns => n.StartsWith(ns + ".", StringComparison.Ordinal) && !IsCompilerAttribute(n)))
            .ToList();
        Assert.True(bad.Count == 0, "Raft.Core references forbidden types: " + string.Join(", ", bad));
    }

    [Fact]
    public void TheCheck_WouldCatchAForbiddenReference()
    {
        // Raft.Model legitimately uses tasks (the lab runtime): the same scan must flag it.
        List<string> referenced = ReferencedTypeNames(typeof(Raft.Model.Testing.LabRuntime).Assembly);
        Assert.Contains(referenced, n => n.StartsWith("System.Threading.", StringComparison.Ordinal));
    }

    [Fact]
    public void Core_HasNoStaticMutableState()
    {
        var mutable = typeof(RaftNode).Assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            .Where(f => !f.IsLiteral && !f.IsInitOnly)
            .Select(f => $"{f.DeclaringType!.FullName}.{f.Name}")
            .ToList();
        Assert.True(mutable.Count == 0, "static mutable fields in Raft.Core: " + string.Join(", ", mutable));
    }

    [Fact]
    public void Core_ReferencesOnlyTheFramework()
    {
        var refs = typeof(RaftNode).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        Assert.All(refs, r => Assert.True(r.StartsWith("System", StringComparison.Ordinal) || r == "netstandard", $"Raft.Core references {r}"));
    }

    [Fact]
    public void DependenciesPointOneWay_CoreKnowsNothingOfTheModel()
    {
        var refs = typeof(RaftNode).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain("Raft.Model", refs);
        var modelRefs = typeof(Raft.Model.Simulation.World).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("Raft.Core", modelRefs);
        Assert.DoesNotContain("Raft.Properties", modelRefs);
    }

    /// <summary>Debugger attributes the compiler emits (e.g. for auto-properties) are not behaviour.</summary>
    private static bool IsCompilerAttribute(string name) =>
        name.StartsWith("System.Diagnostics.Debugg", StringComparison.Ordinal) || name == "System.Diagnostics.CodeAnalysis";
}
