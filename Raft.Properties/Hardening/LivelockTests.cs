using Raft.Model.Contract;
using Raft.Model.Nodes;
using Ready = Raft.Model.Contract.Ready;
using System.Diagnostics;
using Raft.Model.Testing;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Lab;
using Raft.Model.Simulation;
using Raft.Properties.Contract;

namespace Raft.Properties.Hardening;

/// <summary>
/// Deliberately livelocking cores (test-only <see cref="IRaftNode"/> wrappers around the real one):
/// the lab must report a failure with its seed, quickly, instead of hanging the suite.
/// </summary>
public sealed class LivelockTests
{
    /// <summary>The real core, except that it always has another Ready: "Tick never lets time matter", the world's drain never ends.</summary>
    private sealed class AlwaysReady(IRaftNode inner) : ForwardingNode(inner)
    {
        private readonly Ready _empty = new() { EntriesToPersist = ArraySegment<Entry>.Empty, CommittedEntries = ArraySegment<Entry>.Empty };
        private bool _innerReady;

        public override bool TryGetReady(out Ready ready)
        {
            _innerReady = Inner.TryGetReady(out ready);
            if (!_innerReady) ready = _empty;
            return true;
        }

        public override void Advance()
        {
            if (_innerReady) Inner.Advance();
        }
    }

    /// <summary>The real core, plus: every message it is handed is answered by two copies sent straight back, forever (a message storm).</summary>
    private sealed class EchoStorm(IRaftNode inner) : ForwardingNode(inner)
    {
        private const long Marker = long.MaxValue - 7; // the echoes' term: never handed to the real core
        private readonly List<Envelope> _echoes = new();
        private readonly Ready _own = new() { EntriesToPersist = ArraySegment<Entry>.Empty, CommittedEntries = ArraySegment<Entry>.Empty };
        private bool _innerReady;

        public override void Step(in Envelope m)
        {
            if (m.Term != Marker) Inner.Step(m);
            if (m.From == Id) return;
            var echo = new Envelope { Type = m.Type, From = Id, To = m.From, Term = Marker };
            _echoes.Add(echo);
            _echoes.Add(echo);
        }

        public override bool TryGetReady(out Ready ready)
        {
            _innerReady = Inner.TryGetReady(out ready);
            if (_innerReady) { ready.MessageBuffer.AddRange(_echoes); _echoes.Clear(); return true; }
            if (_echoes.Count == 0) return false;
            _own.MessageBuffer.Clear();
            _own.MessageBuffer.AddRange(_echoes);
            _echoes.Clear();
            ready = _own;
            return true;
        }

        public override void Advance()
        {
            if (_innerReady) Inner.Advance();
        }
    }

    private static NodeFactory Wrap(Func<IRaftNode, IRaftNode> wrap) =>
        (id, n, seed, options, state) => wrap(CoreNodes.Standard(id, n, seed, options, state));

    [Fact]
    public void ACoreThatAlwaysHasOutput_FailsTheLabTestInsteadOfHanging()
    {
        var clock = Stopwatch.StartNew();
        var failure = Assert.Throws<LabFailure>(() => LabSuite.Run(LabSuite.Get("TestInitialElection2A"), 7, factory: Wrap(n => new AlwaysReady(n))));
        Assert.True(failure.Message.Contains("livelock", StringComparison.Ordinal), failure.Message);
        Assert.Contains("seed", failure.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ACoreWhoseMessagesMultiply_FailsTheLabTestInsteadOfHanging()
    {
        var clock = Stopwatch.StartNew();
        var failure = Assert.Throws<LabFailure>(() => LabSuite.Run(LabSuite.Get("TestInitialElection2A"), 7, factory: Wrap(n => new EchoStorm(n))));
        Assert.True(failure.Message.Contains("message storm", StringComparison.Ordinal), failure.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
    }
}
