using Raft.Core.Node;
using Raft.Model.Events;
using Raft.Model.Contract;
using Ready = Raft.Model.Contract.Ready;

namespace Raft.Model.Simulation;

/// <summary>
/// Asynchronous Ready handling (<see cref="AsyncReady"/>), as etcd's async storage writes
/// (raft's <c>AsyncStorageWrites</c>) handle output: taking a Ready, persisting it, sending its
/// messages and applying its committed entries are separate, and the node keeps running between
/// them. Here each part is an event the world lists (<see cref="EventKind.Persist"/>,
/// <see cref="EventKind.Send"/>, <see cref="EventKind.Apply"/>) and a strategy schedules like any
/// other, so deliveries, timers, proposals and service snapshots to a node can run between its
/// <c>TryGetReady</c> and its <c>Advance</c>.
/// <para><b>The rule.</b> The node contract (<c>IRaftNode</c>, <c>Ready</c>) fixes the order of a
/// Ready's parts, and the world keeps it and nothing stricter:</para>
/// <list type="number">
/// <item>A Ready is taken (<c>TryGetReady</c>) right after the input that produced it, when no Ready
/// of the node is in hand, and right after the previous one is acknowledged.</item>
/// <item>Persist first: every message waits for it (Ready: "Send … only after step 1"). etcd holds
/// back only its responses (votes and append acknowledgements, <c>msgsAfterAppend</c>), because its
/// leader counts its own entries only once its own write is acknowledged
/// (<c>MsgStorageAppendResp</c>); this core counts a leader's entries at once, so an AppendEntries
/// sent before the leader's write could let it commit an entry a majority does not hold.</item>
/// <item>Then send, then apply: the Ready's snapshot first, then its committed entries in index
/// order, each exactly once, and only after the persist (etcd applies only what is durable
/// locally).</item>
/// <item>Advance runs in the step of the Ready's last part, acknowledging exactly what it carried;
/// then the node's next Ready (the output of the inputs that ran in between) is taken.</item>
/// <item>While a Ready is in hand, the node may be given input, and then <see cref="EventKind.Retake"/>
/// takes its output again before Advance (the contract allows it: <c>TryGetReady</c> returns the
/// output since the last Advance, so the second Ready holds the first). The world persists it
/// again (writing the same entries again), sends only the messages not yet sent, and applies only
/// the entries not yet applied.</item>
/// </list>
/// <para>A crash while a Ready is in hand loses what was not made durable: its unsent messages,
/// its unapplied entries and, before its persist, its writes. Every persist and apply is shown to
/// the invariant checker as in synchronous handling (ObserveReady before the write, ObserveWritten
/// after it, ObserveApply for each entry).</para>
/// </summary>
public sealed partial class Cluster
{
    /// <summary>A node's Ready in hand: taken and not yet acknowledged, and how far its handling got.</summary>
    private struct InHand
    {
        public Ready? Ready;
        public bool Persisted;
        public int Sent;              // messages of Ready.Messages already sent (a retaken Ready starts with the old ones)
        public long AppliedThrough;   // the highest committed index applied from it
        public long SnapshotApplied;  // the snapshot index installed from it (0: none)
        public bool InputSince;       // the node had input since the Ready was (re)taken
        public long TakenAt;          // the world's clock when it was taken (timed mode bounds its handling)
        public long Age;              // the world's next message id when it was taken (orders parts among messages)
        public byte[]? Held;          // the snapshot the node held when it was taken (the persister's Save(state, snapshot))
        public bool HeldBound;
    }

    private readonly InHand[] _hand;

    /// <summary>Whether output is handled as separate events (see the class remarks); false once <see cref="FinishReadies"/> switched to synchronous handling.</summary>
    public bool AsyncReady { get; private set; }

    /// <summary>The world's clock and its next message id, read when a Ready is taken (set by the world).</summary>
    public Func<long> Clock { get; set; } = static () => 0;
    public Func<long> NextMessageId { get; set; } = static () => 0;

    /// <summary>Readies taken so far (a timer's firing ends when its node's output is taken).</summary>
    public long ReadiesTaken { get; private set; }

    /// <summary>A node's Ready in hand, as the world and the state hash see it.</summary>
    public readonly record struct HandView(Ready Ready, bool Persisted, int Sent, long AppliedThrough, long SnapshotApplied, bool InputSince, long TakenAt, long Age);

    /// <summary>Node <paramref name="i"/>'s Ready in hand, if it has one.</summary>
    public bool TryGetHand(int i, out HandView hand)
    {
        if (!AsyncReady || _hand[i].Ready is not { } r) { hand = default; return false; }
        ref InHand h = ref _hand[i];
        hand = new HandView(r, h.Persisted, h.Sent, h.AppliedThrough, h.SnapshotApplied, h.InputSince, h.TakenAt, h.Age);
        return true;
    }

    /// <summary>The part of node <paramref name="i"/>'s Ready that may run now: persist, then send, then apply.</summary>
    public bool TryNextPart(int i, out EventKind part)
    {
        part = EventKind.Persist;
        if (!AsyncReady || _hand[i].Ready is not { } r) return false;
        ref InHand h = ref _hand[i];
        if (!h.Persisted) return true;
        part = EventKind.Send;
        if (h.Sent < r.Messages.Count) return true;
        part = EventKind.Apply;
        return ApplyPending(r, h);
    }

    /// <summary>Whether any node has a Ready in hand.</summary>
    public bool AnyReadyInHand
    {
        get
        {
            if (!AsyncReady) return false;
            for (int i = 0; i < _hand.Length; i++) if (_hand[i].Ready is not null) return true;
            return false;
        }
    }

    /// <summary>Whether node <paramref name="i"/> had input since its Ready in hand was taken, so taking it again may bring more.</summary>
    public bool CanRetake(int i) => AsyncReady && _hand[i].Ready is not null && _hand[i].InputSince;

    private static bool ApplyPending(Ready r, in InHand h) =>
        (r.SnapshotToApply && h.SnapshotApplied != r.SnapshotIndex) || r.FirstCommittedIndex + r.CommittedEntries.Count - 1 > h.AppliedThrough;

    /// <summary>After an input: take the node's output if no Ready is in hand, else note that more may have come.</summary>
    private void TakeOrNote(int i)
    {
        IRaftNode? node = _nodes[i];
        if (node is null) return;
        if (_hand[i].Ready is not null) { _hand[i].InputSince = true; return; }
        if (Take(i, node)) Settle(i, node);
    }

    private bool Take(int i, IRaftNode node)
    {
        if (!node.TryGetReady(out Ready r)) return false;
        ReadiesTaken++;
        _hand[i] = new InHand
        {
            Ready = r,
            Persisted = !r.MustPersist,
            AppliedThrough = r.FirstCommittedIndex - 1,
            TakenAt = Clock(),
            Age = NextMessageId(),
        };
        NoteReads(i, r); // confirmed reads are not durable state: the service may use them from the moment they are taken
        CaptureHeld(i, node);
        return true;
    }

    private void CaptureHeld(int i, IRaftNode node)
    {
        Func<byte[]?>? held = Disks[i].HeldSnapshot;
        _hand[i].HeldBound = held is not null;
        _hand[i].Held = held?.Invoke();
    }

    /// <summary>
    /// Once every part of the Ready in hand has run: Advance, then take the next Ready (what the
    /// node produced meanwhile), until a Ready has a part left or the node has no output.
    /// </summary>
    private void Settle(int i, IRaftNode node)
    {
        for (int readies = 0; ; readies++)
        {
            if (_nodes[i] != node || TryNextPart(i, out _)) return;
            if (readies >= MaxReadiesPerDrain)
            {
                if (CheckInvariants) Checker.ObserveCoreError(i, new InvalidOperationException($"livelock: node {i} still has a Ready after {MaxReadiesPerDrain} in a row"));
                return;
            }
            _hand[i] = default;
            node.Advance();
            ServiceSnapshotAfterAdvance(i, node);
            if (!Take(i, node)) return;
        }
    }

    /// <summary>
    /// Runs <paramref name="part"/> of node <paramref name="i"/>'s Ready in hand, which must be the
    /// part <see cref="TryNextPart"/> names; if it was the last, the Ready is acknowledged.
    /// </summary>
    public StepOutcome RunPart(int i, EventKind part)
    {
        IRaftNode node = _nodes[i] ?? throw new InvalidOperationException($"node {i} is down: it has no Ready in hand");
        if (!TryNextPart(i, out EventKind next) || next != part)
            throw new InvalidOperationException($"{StepDiff.Name(part)} of node {i}'s Ready is not enabled");
        ref InHand h = ref _hand[i];
        Ready r = h.Ready!;
        StepOutcome outcome;
        switch (part)
        {
            case EventKind.Persist:
                if (CheckInvariants) Checker.ObserveReady(i, r, node);
                Disks[i].Persist(r, h.Held, h.HeldBound);
                if (CheckInvariants) Checker.ObserveWritten(i, node);
                h.Persisted = true;
                outcome = StepOutcome.PersistedFrom(r.PersistFrom, r.EntriesToPersist.Count);
                if (_crashAfterPersist[i] && r.MustPersist)
                {
                    Crash(i);
                    return outcome;
                }
                break;
            case EventKind.Send:
            {
                IReadOnlyList<Envelope> messages = r.Messages;
                int from = h.Sent, count = messages.Count;
                h.Sent = count;
                for (int k = from; k < count; k++) SendFrom(i, messages[k]);
                outcome = StepOutcome.SentMessages(count - from);
                break;
            }
            default:
            {
                bool snapshot = r.SnapshotToApply && h.SnapshotApplied != r.SnapshotIndex;
                if (snapshot) h.SnapshotApplied = r.SnapshotIndex;
                long after = Math.Max(h.AppliedThrough, r.FirstCommittedIndex - 1);
                int applied = Apply(i, r, snapshot, after);
                h.AppliedThrough = Math.Max(after, r.FirstCommittedIndex + r.CommittedEntries.Count - 1);
                outcome = StepOutcome.AppliedThrough(h.AppliedThrough, applied + (snapshot ? 1 : 0));
                break;
            }
        }
        Settle(i, node);
        AfterEvent(i);
        return outcome;
    }

    /// <summary>
    /// Takes node <paramref name="i"/>'s output again before Advance (<see cref="EventKind.Retake"/>):
    /// the Ready now holds everything since the last Advance. What was sent or applied from the first
    /// is not sent or applied again; the persist runs again (the same entries, and what came since).
    /// </summary>
    public StepOutcome Retake(int i)
    {
        IRaftNode node = _nodes[i] ?? throw new InvalidOperationException($"node {i} is down: it has no Ready in hand");
        if (!CanRetake(i)) throw new InvalidOperationException($"retake of node {i}'s Ready is not enabled");
        ref InHand h = ref _hand[i];
        h.InputSince = false;
        if (node.TryGetReady(out Ready r))
        {
            ReadiesTaken++;
            int count = r.Messages.Count;
            if (count < h.Sent && CheckInvariants)
                Checker.ObserveCoreError(i, new InvalidOperationException($"node {i}'s second Ready before Advance holds {count} messages, fewer than the {h.Sent} already sent from the first: TryGetReady must return the output since the last Advance"));
            h.Ready = r;
            h.Persisted = !r.MustPersist;
            h.Sent = Math.Min(h.Sent, count);
            h.AppliedThrough = Math.Max(h.AppliedThrough, r.FirstCommittedIndex - 1);
            NoteReads(i, r);
            CaptureHeld(i, node);
        }
        Settle(i, node);
        AfterEvent(i);
        return StepOutcome.Done;
    }

    /// <summary>
    /// Runs every part of every Ready in hand, in node order and part order, and handles output
    /// synchronously from then on (the liveness phase's heal: the world becomes the lab's).
    /// </summary>
    public void FinishReadies()
    {
        if (!AsyncReady) return;
        for (int i = 0; i < Size; i++)
            while (TryNextPart(i, out EventKind part)) RunPart(i, part);
        AsyncReady = false;
    }
}
