using Raft.Model.Simulation;

namespace Raft.Properties.Architecture;

/// <summary>
/// The namespaces of Raft.Model form layers, and a namespace uses only the layers below its own
/// (docs/design.md, "The layers of Raft.Model"). Checked on the compiled assembly's metadata, as
/// <see cref="PurityTests"/> checks Raft.Core, so a fully qualified name, a lambda or a generic
/// argument cannot hide a reference. Namespaces in one layer are peers: they may not use each
/// other either. A namespace's sub-namespaces (Exploration.Strategies, Traces.Pictures) belong
/// to its layer.
/// </summary>
public sealed class LayeringTests
{
    private const string Root = "Raft.Model";

    /// <summary>Raft.Model's layers, lowest first.</summary>
    public static readonly string[][] Layers =
    [
        ["Text"],
        ["Contract", "Histories"],
        ["Network", "Storage", "Services"],
        ["Events", "Invariants", "Nodes"],
        ["Simulation"],
        ["Testing", "Variants"],
        ["Exploration"],
        ["Traces"],
        ["Lab", "Shrinking"],
    ];

    /// <summary>Every reference that breaks <paramref name="layers"/>, one line each, naming both types.</summary>
    public static List<string> Violations(IEnumerable<TypeDependency> dependencies, string root, string[][] layers)
    {
        var rank = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < layers.Length; i++)
            foreach (string ns in layers[i]) rank.Add(ns, i);
        var bad = new List<string>();
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (TypeDependency d in dependencies)
        {
            string from = LayerName(d.FromNamespace, root), to = LayerName(d.ToNamespace, root);
            if (from == to) continue;
            if (!rank.TryGetValue(from, out int rf)) { unmapped.Add(d.FromNamespace); continue; }
            if (!rank.TryGetValue(to, out int rt)) { unmapped.Add(d.ToNamespace); continue; }
            if (rt > rf) bad.Add($"{d}: {from} may not use {to}, a layer above it");
            else if (rt == rf) bad.Add($"{d}: {from} may not use {to}, its peer in the same layer");
        }
        bad.AddRange(unmapped.Select(ns => $"{ns} is in no layer: add it to {nameof(LayeringTests)}.{nameof(Layers)} and docs/design.md"));
        return bad;
    }

    /// <summary>The layer a namespace belongs to: the first part after the root ("Exploration" for Raft.Model.Exploration.Strategies).</summary>
    public static string LayerName(string ns, string root)
    {
        if (ns == root) return "";
        string rest = ns.Substring(root.Length + 1);
        int dot = rest.IndexOf('.');
        return dot < 0 ? rest : rest[..dot];
    }

    /// <summary>The map as docs/design.md writes it: peers joined by " / ", layers by " → ", lowest first.</summary>
    public static string MapLine(string[][] layers) =>
        string.Join(" → ", layers.Select(l => string.Join(" / ", l.Select(ns => $"`{ns}`"))));

    private static IReadOnlyList<TypeDependency> Model() => NamespaceDependencies.Scan(typeof(World).Assembly, Root);

    [Fact]
    public void RaftModel_EachNamespaceUsesOnlyTheLayersBelowIt()
    {
        List<string> bad = Violations(Model(), Root, Layers);
        Assert.True(bad.Count == 0, "Raft.Model breaks its layering:\n" + string.Join("\n", bad));
    }

    [Fact]
    public void EveryLayerInTheMap_Exists()
    {
        // a layer that uses no other and that none uses yet (Histories) still exists when it holds a type
        var present = Model().SelectMany(d => new[] { d.FromNamespace, d.ToNamespace })
            .Concat(typeof(World).Assembly.GetTypes().Select(t => t.Namespace ?? "").Where(ns => ns.StartsWith(Root + ".", StringComparison.Ordinal)))
            .Select(ns => LayerName(ns, Root)).ToHashSet();
        Assert.All(Layers.SelectMany(l => l), ns => Assert.Contains(ns, present));
    }

    [Fact]
    public void TheDesignDocument_DrawsTheSameMap()
    {
        string design = File.ReadAllText(Path.Combine(Path.GetDirectoryName(Hardening.Cli.CorpusDir())!, "docs", "design.md"));
        Assert.Contains(MapLine(Layers), design, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCheck_WouldCatchAnUpwardReference()
    {
        // the same scan against a deliberately wrong order: Events above Simulation, which records typed events
        string[][] wrong =
        [
            ["Network", "Storage", "Services"],
            ["Invariants"],
            ["Simulation"],
            ["Events"],
            ["Testing", "Variants"],
            ["Exploration"],
            ["Traces"],
            ["Lab", "Shrinking"],
        ];
        List<string> bad = Violations(Model(), Root, wrong);
        Assert.Contains(bad, b => b.StartsWith("Raft.Model.Simulation.World -> Raft.Model.Events.", StringComparison.Ordinal) && b.EndsWith("Simulation may not use Events, a layer above it", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCheck_WouldCatchAPeerReference_AndAnUnmappedNamespace()
    {
        string[][] wrong = Layers.Select(l => l.Contains("Exploration") ? new[] { "Exploration", "Traces" } : l).Where(l => !l.SequenceEqual(["Traces"])).ToArray();
        List<string> bad = Violations(Model(), Root, wrong);
        Assert.Contains(bad, b => b.StartsWith("Raft.Model.Traces.TraceFile -> Raft.Model.Exploration.", StringComparison.Ordinal) && b.EndsWith("its peer in the same layer", StringComparison.Ordinal));
        List<string> unmapped = Violations(Model(), Root, Layers.Where(l => !l.Contains("Variants")).ToArray());
        Assert.Contains("Raft.Model.Variants is in no layer: add it to LayeringTests.Layers and docs/design.md", unmapped);
    }

    [Fact]
    public void TheScan_SeesReferencesHiddenInBodiesLambdasGenericsAndStateMachines()
    {
        const string root = "Raft.Properties.Architecture.LayeringFixture";
        IReadOnlyList<TypeDependency> deps = NamespaceDependencies.Scan(typeof(LayeringTests).Assembly, root);
        List<string> seen = deps.Select(d => d.ToString()).ToList();
        string upper = root + ".Upper.", lower = root + ".Lower.";
        Assert.Contains(upper + "InAMethodBody -> " + lower + "BodyTarget", seen);
        Assert.Contains(upper + "InALambda -> " + lower + "LambdaTarget", seen);
        Assert.Contains(upper + "AsAGenericArgument -> " + lower + "GenericTarget", seen);
        Assert.Contains(upper + "InTypeof -> " + lower + "TypeofTarget", seen);
        Assert.Contains(upper + "InAnAsyncMethod -> " + lower + "AsyncTarget", seen);
        Assert.Contains(upper + "AsABaseType -> " + lower + "BaseTarget", seen);
        Assert.Contains(upper + "InAnAttribute -> " + lower + "MarkerAttribute", seen);
        Assert.Contains(upper + "InAStaticCall -> " + lower + "StaticTarget", seen);
        Assert.DoesNotContain(seen, s => s.StartsWith(lower, StringComparison.Ordinal)); // Lower uses nothing of Upper
        Assert.Empty(Violations(deps, root, [["Lower"], ["Upper"]]));
        Assert.Equal(seen.Count, Violations(deps, root, [["Upper"], ["Lower"]]).Count); // upside down, every reference is caught
    }
}
