using Raft.Core.Node;
using Raft.Model.Simulation;

namespace Raft.Model.Lab;

/// <summary>
/// Deliberately broken servers for testing the tester itself, built from the correct core by a
/// node factory (nothing in Raft.Core changes). Select one with
/// <c>LabSuite.Run(test, seed, log, factory)</c> or <c>raftverify lab --variant NAME</c>.
/// </summary>
public static class LabVariants
{
    /// <summary>The forgets-snapshot-on-restart variant (see <see cref="Variants.ForgetsSnapshotOnRestart"/>): TestSnapshotInit2D exists to catch it.</summary>
    public static Cluster.NodeFactory ForgetsSnapshotOnRestart => Variants.ForgetsSnapshotOnRestart.Factory;

    /// <summary>Every variant by the name the CLI takes: the bug catalog's, in the catalog or not.</summary>
    public static IReadOnlyDictionary<string, Cluster.NodeFactory> ByName { get; } =
        Exploration.BugCatalog.All.Concat(Exploration.BugCatalog.Uncatalogued).ToDictionary(b => b.Name, b => b.Factory);

    /// <summary>The CLI name of a variant, or null for a factory not listed here.</summary>
    public static string? NameOf(Cluster.NodeFactory factory) =>
        ByName.FirstOrDefault(kv => ReferenceEquals(kv.Value, factory)).Key;
}
