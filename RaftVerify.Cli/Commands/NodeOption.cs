using System.CommandLine;
using Raft.Model.Contract;

namespace RaftVerify.Cli.Commands;

/// <summary>
/// <c>--node PATH.dll[:TYPE]</c>: run another Raft implementation (an <see cref="IRaftImplementation"/>
/// in that assembly) instead of Raft.Core. Traces record it, so replay and shrink load it again
/// without the option; given to replay or shrink, it overrides the recorded one (the assembly moved).
/// </summary>
public static class NodeOption
{
    public static Option<string?> Create(string purpose) => new("--node")
    {
        Description = purpose + ": PATH.dll[:TYPE], a public class implementing Raft.Model.Contract.IRaftImplementation (TYPE may be left out when the assembly has one); see docs/bring-your-own-raft.md",
    };

    /// <summary>The implementation <paramref name="spec"/> names, or a usage error (exit 2) with the reason.</summary>
    public static (NodeFactory Factory, NodeSource Source) Load(string spec)
    {
        try
        {
            NodeFactory factory = NodeLoader.Load(spec, out NodeSource source);
            return (factory, source);
        }
        catch (NodeLoadException e)
        {
            throw new UsageException(e.Message);
        }
    }

    /// <summary>
    /// A trace's nodes: the implementation <paramref name="spec"/> names, else the one the trace
    /// records, else Raft.Core (with the trace's catalog bug). A trace made by a C# factory, or one
    /// whose assembly cannot be loaded, is a usage error that says what to do.
    /// </summary>
    public static Raft.Model.Traces.TraceFile Resolve(Raft.Model.Traces.TraceFile trace, string? spec)
    {
        if (spec is not null)
        {
            if (trace.Settings.Bug != "none") throw new UsageException($"this trace ran the catalog bug {trace.Settings.Bug} of Raft.Core: --node does not apply");
            var (factory, source) = Load(spec);
            return trace.WithFactory(factory, source);
        }
        if (trace.Settings.Node is not { } node) return trace;
        if (!node.IsLoadable)
            throw new UsageException($"this trace ran {node.Name}, which a trace cannot name: replay it from C# (TraceFile.WithFactory), or make the nodes an IRaftImplementation and pass --node PATH.dll[:TYPE]");
        try
        {
            NodeFactory factory = NodeLoader.Load(node.Spec, out NodeSource loaded);
            return trace.WithFactory(factory, loaded);
        }
        catch (NodeLoadException e)
        {
            throw new UsageException($"this trace ran {node.Name} ({node.Spec}): {e.Message}; pass --node PATH.dll[:TYPE] if it moved");
        }
    }
}
