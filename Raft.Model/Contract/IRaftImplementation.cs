using Raft.Core.Node;

namespace Raft.Model.Contract;

/// <summary>
/// A Raft implementation the command line can load from an assembly
/// (<c>dotnet raftverify explore --node PATH.dll[:TYPE]</c>, and <c>lab</c>, <c>replay</c>,
/// <c>shrink</c>, <c>show</c>): a public, non-abstract class with a public parameterless
/// constructor. Traces record the assembly, the type and <see cref="Name"/>, so a trace replays
/// on the implementation that made it.
/// </summary>
public interface IRaftImplementation
{
    /// <summary>A short name for reports and traces, e.g. "myraft".</summary>
    string Name { get; }

    /// <summary>Builds node <paramref name="id"/> of a cluster of <paramref name="clusterSize"/> (see <see cref="NodeFactory"/>).</summary>
    IRaftNode Create(int id, int clusterSize, ulong seed, RaftOptions options, PersistedState state);
}

public static class RaftImplementations
{
    /// <summary>The implementation's <see cref="IRaftImplementation.Create"/> as a <see cref="NodeFactory"/>.</summary>
    public static NodeFactory AsFactory(this IRaftImplementation implementation)
    {
        ArgumentNullException.ThrowIfNull(implementation);
        return implementation.Create;
    }
}
