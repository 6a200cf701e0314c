using Raft.Core.Messages;
using Raft.Core.Rules;
using Raft.Core.Tracking;

namespace Raft.Core.Node;

/// <summary>Leader election (§5.2, §5.4.1): role changes, campaigns and votes.</summary>
public partial class RaftNode<TRules>
{
    /// <summary>Becomes a follower of <paramref name="term"/>; clears the vote when the term is new.</summary>
    private void BecomeFollower(long term, int leader)
    {
        bool higherTerm = term > Term;
        if (higherTerm) SetTermAndVote(term, None);
        _pendingReads.Clear(); // a deposed leader's unconfirmed reads are never answered
        Role = Role.Follower;
        LeaderId = leader;
        _heartbeatElapsed = 0;
        // §5.2 / students' guide: a higher term alone does not restart the election timer; granting a
        // vote, hearing the current leader or campaigning does (their handlers reset it).
        if (higherTerm && !TRules.RestartsTimerOnHigherTerm) return;
        _electionElapsed = 0;
        ResetRandomizedElectionTimeout();
    }

    /// <summary>§5.2: increment currentTerm, vote for self, reset the election timer, ask every peer for its vote.</summary>
    private void Campaign()
    {
        SetTermAndVote(Term + 1, Id);
        Role = Role.Candidate;
        LeaderId = None;
        _electionElapsed = 0;
        ResetRandomizedElectionTimeout();
        Array.Clear(_votes);
        Array.Clear(_voteResponded);
        _votes[Id] = true;
        _voteResponded[Id] = true;
        if (TallyVotes() == Quorum.VoteOutcome.Won) { BecomeLeader(); return; }
        long lastIndex = Log.LastIndex, lastTerm = Log.LastTerm;
        for (int peer = 0; peer < ClusterSize; peer++)
        {
            if (peer == Id) continue;
            Send(new Message { Type = MessageType.RequestVote, From = Id, To = peer, Term = Term, Index = lastIndex, LogTerm = lastTerm });
        }
    }

    /// <summary>
    /// Figure 2 "Upon election": reinitialise nextIndex/matchIndex and send initial empty
    /// AppendEntries (heartbeats) to every peer. No entry is appended unless
    /// <see cref="RaftOptions.NoOpOnElection"/> is set: the lab's tester expects the first command
    /// of a term at the next free index. With it, the no-op (an empty command) rides these first
    /// AppendEntries, so an entry of the new term commits without waiting for a client (§6.4).
    /// </summary>
    private void BecomeLeader()
    {
        Role = Role.Leader;
        LeaderId = Id;
        _heartbeatElapsed = 0;
        long last = Log.LastIndex;
        for (int peer = 0; peer < ClusterSize; peer++)
            _progress[peer].Reset(last, peer == Id ? last : 0);
        ResetReadTracking();
        if (_options.NoOpOnElection) _progress[Id].MaybeUpdate(Log.Append(new Entry(Term, Array.Empty<byte>())));
        if (LeaseReads) StartRound();
        BroadcastHeartbeat();
        if (_options.NoOpOnElection) MaybeCommit();
    }

    /// <summary>
    /// RequestVote receiver (Figure 2): grant if we have not voted for another candidate in this
    /// term and the candidate's log is at least as up-to-date as ours (§5.4.1). Granting resets
    /// our election timer. The vote is in the hard state, so it is durable before the reply leaves.
    /// </summary>
    private void HandleRequestVote(in Message m)
    {
        bool grant = TRules.GrantsVote(VotedFor, m.From, Log.IsUpToDate(m.Index, m.LogTerm));
        if (grant)
        {
            SetTermAndVote(Term, m.From);
            _electionElapsed = 0;
        }
        Send(new Message { Type = MessageType.RequestVoteResponse, From = Id, To = m.From, Term = Term, Reject = !grant });
    }

    private void StepCandidate(in Message m)
    {
        if (m.Type != MessageType.RequestVoteResponse) return;
        if (_voteResponded[m.From]) return; // a duplicated reply counts once
        _voteResponded[m.From] = true;
        _votes[m.From] = !m.Reject;
        if (TallyVotes() == Quorum.VoteOutcome.Won) BecomeLeader();
    }

    /// <summary>A candidate's tally for <paramref name="peer"/>: whether it answered this term's RequestVote, and whether it granted it.</summary>
    public (bool Responded, bool Granted) VoteFrom(int peer) => (_voteResponded[peer], _votes[peer]);

    private Quorum.VoteOutcome TallyVotes()
    {
        int granted = 0, rejected = 0;
        for (int i = 0; i < ClusterSize; i++)
        {
            if (!_voteResponded[i]) continue;
            if (_votes[i]) granted++; else rejected++;
        }
        return Quorum.TallyWithQuorum(granted, rejected, TRules.QuorumSize(ClusterSize));
    }
}
