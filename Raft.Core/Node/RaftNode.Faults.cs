using Raft.Core.Messages;

namespace Raft.Core.Node;

/// <summary>
/// The broken behaviours of <see cref="InjectedFault"/>, kept apart from the protocol so the
/// correct paths stay readable. Reached only when a fault is set (never through the public API).
/// </summary>
public sealed partial class RaftNode
{
    /// <summary>Handles a lower-term message the broken way; false to fall back to the correct handling.</summary>
    private bool StepStaleWithFault(in Message m)
    {
        if ((_faults & InjectedFault.LowerTermAppendAccepted) != 0 && m.Type == MessageType.AppendEntries)
        {
            if (Role != Role.Follower) BecomeFollower(Term, m.From);
            HandleAppendEntries(m);
            return true;
        }
        if ((_faults & InjectedFault.StaleReplyApplied) != 0 && Role == Role.Leader && m.Type == MessageType.AppendEntriesResponse)
        {
            StepLeader(m);
            return true;
        }
        if ((_faults & InjectedFault.StaleVotesCounted) != 0 && Role == Role.Candidate && m.Type == MessageType.RequestVoteResponse)
        {
            StepCandidate(m);
            return true;
        }
        return false;
    }

    /// <summary>AppendEntries receiver with the truncation or commit rule broken.</summary>
    private bool AppendWithFault(int leader, long prev, long prevTerm, ReadOnlySpan<Entry> entries, long leaderCommit)
    {
        if (!Log.MatchTerm(prev, prevTerm)) return false;
        if ((_faults & InjectedFault.TruncateWithoutConflict) != 0 && entries.Length > 0)
            Log.ReplaceAfter(prev, entries);
        else
            Log.MaybeAppend(prev, prevTerm, entries, leaderCommit: 0, out _);
        long lastNew = prev + entries.Length;
        long commitTo = (_faults & InjectedFault.CommitBeyondLastNewEntry) != 0 ? Math.Min(leaderCommit, Log.LastIndex) : Math.Min(leaderCommit, lastNew);
        Log.CommitTo(commitTo);
        ReplyAppend(leader, reject: false, lastNew, 0, 0);
        return true;
    }
}
