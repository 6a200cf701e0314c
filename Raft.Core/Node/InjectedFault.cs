namespace Raft.Core.Node;

/// <summary>
/// Deliberate departures from the protocol, used only to test the tester: the exploration
/// engine must find each of them. Internal to the core (visible to Raft.Model alone), so no
/// broken behaviour is reachable through the public API; the correct core has none set and
/// pays one predictable branch on a few cold paths.
/// </summary>
[Flags]
internal enum InjectedFault : uint
{
    None = 0,
    /// <summary>RequestVote granted without the §5.4.1 up-to-date check.</summary>
    VoteWithoutLogCheck = 1 << 0,
    /// <summary>A leader commits entries of earlier terms by counting replicas (the Figure 8 bug).</summary>
    CommitPreviousTermByCounting = 1 << 1,
    /// <summary>A granted vote is answered but never made durable, so a restart forgets it.</summary>
    VoteReplyBeforeDurable = 1 << 2,
}
