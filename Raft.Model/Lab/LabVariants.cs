using Raft.Core.Node;
using Raft.Model.Simulation;
using Raft.Model.Variants;
using Raft.Model.Contract;

namespace Raft.Model.Lab;

/// <summary>
/// Deliberately broken servers for testing the tester itself, built from the correct core by a
/// node factory (nothing in Raft.Core changes). Select one with
/// <c>LabSuite.Run(test, seed, log, factory)</c> or <c>raftverify lab --variant NAME</c>.
/// </summary>
public static class LabVariants
{
    /// <summary>The forgets-snapshot-on-restart variant (see <see cref="Variants.ForgetsSnapshotOnRestart"/>): TestSnapshotInit2D exists to catch it.</summary>
    public static NodeFactory ForgetsSnapshotOnRestart => Variants.ForgetsSnapshotOnRestart.Factory;

    /// <summary>The catalog name of a variant's factory (in the catalog or not), or null for any other factory.</summary>
    public static string? NameOf(NodeFactory factory) =>
        BugCatalog.Listed.Concat(BugCatalog.Uncatalogued).FirstOrDefault(b => ReferenceEquals(b.Factory, factory))?.Name;
}
