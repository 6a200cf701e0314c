namespace Raft.Model.Simulation;

/// <summary>
/// The named streams a run's seed is split into (<see cref="Raft.Core.Determinism.Rng.Derive"/>):
/// each source of randomness draws from its own stream, so adding a draw to one never shifts
/// another. The numbers are part of the trace format: changing one changes every recorded run.
/// </summary>
public static class SeedStream
{
    /// <summary>The network's fates: delays, losses, reordering and duplicates of messages.</summary>
    public const ulong Network = 1;
    /// <summary>The tester's own randomness (the Go tests' rand).</summary>
    public const ulong Tester = 2;
    /// <summary>The phase of each node's tick clock at the start of an explored schedule.</summary>
    public const ulong TickPhase = 3;
    /// <summary>The exploration strategy's choices.</summary>
    public const ulong Strategy = 5;
    /// <summary>The guided strategy's planning of a schedule: whether it is fresh or a mutation, of which corpus entry, and how.</summary>
    public const ulong Guide = 6;
    /// <summary>The order in which a guided run runs the schedules of a corpus it loaded (from the run's seed).</summary>
    public const ulong CorpusOrder = 7;
    /// <summary>Swarm testing's draw of a schedule's parameters (the first draws).</summary>
    public const ulong Swarm = 77;
    /// <summary>Swarm testing's later draws (core options, workload, liveness network), kept apart so the first draws never move.</summary>
    public const ulong SwarmMore = 78;
    /// <summary>The base of the per-node, per-incarnation seeds the cluster gives its nodes.</summary>
    public const ulong NodeBase = 1000;

    /// <summary>The key-value clients' operation sequences (World.Clients.cs).</summary>
    public const ulong Clients = 79;

    /// <summary>The phase of each node's clock under a shared clock (<see cref="WorldOptions.SharedClock"/>).</summary>
    public const ulong ClockPhases = 80;
}
