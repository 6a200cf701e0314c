using System.Diagnostics;
using System.Text;
using Raft.Etcd;
using Xunit.Abstractions;

namespace Raft.Properties.Etcd;

public sealed class EtcdShimTests(ITestOutputHelper output)
{
    private static bool Committed(EtcdLoop loop, string text) =>
        loop.Applied.All(a => a.Any(e => e.Kind == EtcdEntryKind.Command && Encoding.UTF8.GetString(e.Data) == text));

    [Fact]
    public void Hello_names_etcd_3_4_and_the_protocol_version()
    {
        using var shim = EtcdShim.Launch();
        shim.Hello();
        var hello = Assert.IsType<EtcdHelloResult>(Assert.Single(shim.Flush()));
        Assert.Equal(EtcdShim.ProtocolVersion, hello.ProtocolVersion);
        Assert.StartsWith("3.4.", hello.EtcdVersion);
    }

    [Fact]
    public void Three_nodes_elect_a_leader_and_commit_a_proposal()
    {
        using var loop = new EtcdLoop(3, seed: 7);
        Assert.True(loop.RunUntil(() => loop.Leader() >= 0, 200), "no leader within 200 rounds");
        int leader = loop.Leader();

        var follower = loop.Propose((leader + 1) % 3, "nope"u8.ToArray());
        Assert.False(follower.Accepted);
        Assert.False(follower.IsLeader);

        var p = loop.Propose(leader, "hello"u8.ToArray());
        Assert.True(p.Accepted && p.IsLeader);
        Assert.True(loop.RunUntil(() => Committed(loop, "hello"), 50), "proposal not applied on every node");
        foreach (var applied in loop.Applied)
        {
            var e = applied.Single(x => x.Kind == EtcdEntryKind.Command);
            Assert.Equal((p.Index, p.Term), (e.Index, e.Term));
            Assert.Contains(applied, x => x.Kind == EtcdEntryKind.Empty && x.Term == p.Term); // the leader's own entry
        }

        loop.Shim.Status(leader);
        var st = Assert.IsType<EtcdStatusResult>(Assert.Single(loop.Shim.Flush())).Status;
        Assert.Equal(EtcdRole.Leader, st.Role);
        Assert.Equal(leader, st.Leader);
        Assert.Equal(p.Index, st.HardState.Commit);
        Assert.Equal(3, st.Progress.Count);
        Assert.All(st.Progress, pr => Assert.Equal(p.Index, pr.Match));
    }

    [Fact]
    public void The_same_seed_gives_byte_identical_messages_in_two_processes()
    {
        byte[][] Run(ulong seed)
        {
            using var loop = new EtcdLoop(3, seed);
            int crashed = -1;
            for (var round = 0; round < 300; round++)
            {
                if (round % 25 == 24)
                    for (var n = 0; n < 3; n++) if (loop.IsUp(n)) loop.Propose(n, Encoding.UTF8.GetBytes($"r{round}n{n}"));
                if (round == 120) loop.Crash(crashed = Math.Max(loop.Leader(), 0));
                if (round == 180) loop.Restart(crashed);
                loop.Round();
            }
            return [.. loop.Sent];
        }
        var a = Run(42);
        var b = Run(42);
        var other = Run(43);
        Assert.False(a.Length == other.Length && a.Zip(other).All(p => p.First.AsSpan().SequenceEqual(p.Second)),
            "another seed gave the same messages: the seed does not reach the election jitter");
        Assert.True(a.Length > 100, $"only {a.Length} messages");
        Assert.Equal(a.Length, b.Length);
        for (var i = 0; i < a.Length; i++) Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"message {i} differs");
    }

    [Fact]
    public void A_crashed_node_restarts_from_its_disk_and_keeps_what_was_committed()
    {
        using var loop = new EtcdLoop(3, seed: 3);
        Assert.True(loop.RunUntil(() => loop.Leader() >= 0, 200));
        int leader = loop.Leader();
        Assert.True(loop.Propose(leader, "one"u8.ToArray()).Accepted);
        Assert.True(loop.RunUntil(() => Committed(loop, "one"), 50));

        loop.Crash(leader);
        Assert.True(loop.RunUntil(() => loop.Leader() >= 0 && loop.Leader() != leader, 300), "no new leader");
        int second = loop.Leader();
        Assert.True(loop.Propose(second, "two"u8.ToArray()).Accepted);
        loop.Restart(leader);
        Assert.True(loop.RunUntil(() => Committed(loop, "one") && Committed(loop, "two"), 300), "restarted node did not catch up");
        Assert.True(loop.DiskHardState[leader].Term >= 2);
    }

    [Fact]
    public void A_node_behind_a_compacted_log_catches_up_by_snapshot()
    {
        using var loop = new EtcdLoop(3, seed: 5);
        Assert.True(loop.RunUntil(() => loop.Leader() >= 0, 200));
        int leader = loop.Leader(), lagging = (leader + 1) % 3;
        loop.Crash(lagging);
        for (var i = 0; i < 5; i++) Assert.True(loop.Propose(leader, Encoding.UTF8.GetBytes($"c{i}")).Accepted);
        Assert.True(loop.RunUntil(() => loop.Applied[leader].Count(e => e.Kind == EtcdEntryKind.Command) == 5, 50));
        ulong index = loop.Compact(leader);

        loop.Shim.Status(leader);
        var st = ((EtcdStatusResult)loop.Shim.Flush()[0]).Status;
        Assert.Equal(index, st.SnapshotIndex);

        loop.Restart(lagging);
        Assert.True(loop.RunUntil(() => loop.DiskSnapshot[lagging]?.Index == index, 100), "no snapshot reached the lagging node");
        Assert.True(loop.RunUntil(() => Committed(loop, "c4"), 50));
        Assert.True(loop.Propose(leader, "after"u8.ToArray()).Accepted);
        Assert.True(loop.RunUntil(() => Committed(loop, "after") && Committed(loop, "c0"), 50));
    }

    [Fact]
    public void Ready_persist_advance_may_be_split_and_misuse_is_an_error_result()
    {
        using var shim = EtcdShim.Launch();
        var cfg = new EtcdNodeConfig(1, ElectionTick: 2);
        shim.Start(0, cfg, 1);
        for (var i = 0; i < 5; i++) shim.Tick(0);
        shim.Ready(0);
        var rd = Assert.IsType<EtcdReadyResult>(shim.Flush()[^1]).Ready;
        Assert.NotNull(rd);
        Assert.Empty(rd.Messages);

        shim.Ready(0); // second Ready before advance
        var e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Equal(EtcdShimFailure.CommandFailed, e.Failure);
        Assert.Contains("not advanced", e.Message);

        shim.Propose(0, "between"u8); // other inputs between ready and advance are fine
        shim.Advance(0); // before persist
        e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Equal(1, e.CommandIndex);
        Assert.Contains("before persist", e.Message);

        shim.Persist(0);
        shim.Advance(0);
        shim.Handle(0);
        var results = shim.Flush();
        Assert.IsType<EtcdPersistResult>(results[0]);
        var next = Assert.IsType<EtcdReadyResult>(results[2]).Ready;
        Assert.NotNull(next);
        Assert.Contains(next.CommittedEntries, x => x.Kind == EtcdEntryKind.Command && x.Data.AsSpan().SequenceEqual("between"u8));

        shim.Step(0, [1, 2, 3]);
        Assert.Equal(EtcdShimFailure.CommandFailed, Assert.Throws<EtcdShimException>(() => shim.Flush()).Failure);
        shim.Tick(7);
        Assert.Contains("unknown node 7", Assert.Throws<EtcdShimException>(() => shim.Flush()).Message);
    }

    [Fact]
    public void Read_index_answers_not_leader_on_a_follower_and_a_bad_one_is_an_error_result()
    {
        using var shim = EtcdShim.Launch();
        shim.Start(0, new EtcdNodeConfig(3), 1);
        shim.ReadIndex(0, 5); // a fresh node is a follower
        var r = Assert.IsType<EtcdReadIndexResult>(shim.Flush()[1]);
        Assert.False(r.Accepted);

        shim.AddRaw(EtcdOp.ReadIndex, 0, [1, 2, 3]); // truncated id
        var e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Equal(EtcdShimFailure.CommandFailed, e.Failure);
        Assert.Contains("truncated", e.Message);

        shim.ReadIndex(1, 5); // node 1 never started
        Assert.Contains("not running", Assert.Throws<EtcdShimException>(() => shim.Flush()).Message);
    }

    [Fact]
    public void Garbage_commands_are_error_results_and_a_garbage_frame_ends_the_shim()
    {
        using var shim = EtcdShim.Launch();
        shim.AddRaw((EtcdOp)99, 0, []);
        var e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Equal(EtcdShimFailure.CommandFailed, e.Failure);
        Assert.Contains("unknown command", e.Message);

        shim.AddRaw(EtcdOp.Start, 0, [3, 0, 0]); // truncated start
        e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Contains("truncated", e.Message);

        shim.Hello(); // still in step after both
        Assert.IsType<EtcdHelloResult>(Assert.Single(shim.Flush()));

        e = Assert.Throws<EtcdShimException>(() => shim.ExchangeRaw([0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]).ToArray());
        Assert.Equal(EtcdShimFailure.Exited, e.Failure);
        Assert.Contains("exceeds the limit", e.Message);
        output.WriteLine(e.Message);
        shim.Hello();
        Assert.Equal(EtcdShimFailure.Exited, Assert.Throws<EtcdShimException>(() => shim.Flush()).Failure);
    }

    [Fact]
    public void A_killed_shim_is_a_typed_error_not_a_hang()
    {
        using var shim = EtcdShim.Launch();
        using (var p = Process.GetProcessById(shim.ProcessId))
        {
            p.Kill();
            p.WaitForExit();
        }
        shim.Start(0, new EtcdNodeConfig(3), 1);
        var e = Assert.Throws<EtcdShimException>(() => shim.Flush());
        Assert.Equal(EtcdShimFailure.Exited, e.Failure);
        output.WriteLine(e.Message);
    }

    [Fact]
    public void A_missing_binary_and_a_shim_that_answers_garbage_are_typed_errors()
    {
        var e = Assert.Throws<EtcdShimException>(() => EtcdShim.Launch("/nonexistent/etcd-shim"));
        Assert.Equal(EtcdShimFailure.Missing, e.Failure);

        using var echo = EtcdShim.Launch("/bin/cat"); // echoes our request back as its "response"
        echo.Hello();
        e = Assert.Throws<EtcdShimException>(() => echo.Flush());
        Assert.Equal(EtcdShimFailure.Protocol, e.Failure);
        output.WriteLine(e.Message);
    }

    [Fact]
    public void Throughput_is_printed_not_asserted()
    {
        using var loop = new EtcdLoop(3, seed: 11);
        Assert.True(loop.RunUntil(() => loop.Leader() >= 0, 200));
        var sw = Stopwatch.StartNew();
        long before = loop.Events;
        int handles = 0;
        for (var round = 0; round < 3000; round++)
        {
            int leader = loop.Leader();
            if (leader >= 0) { loop.Shim.Propose(leader, "x"u8); loop.Events++; }
            loop.Round();
            handles += 3;
        }
        sw.Stop();
        long events = loop.Events - before + handles;
        output.WriteLine($"etcd shim: {events} events ({handles} handled Readies) in {sw.Elapsed.TotalMilliseconds:0} ms = {events / sw.Elapsed.TotalSeconds:0} events/s, {3000 / sw.Elapsed.TotalSeconds:0} frames/s");
        Assert.True(loop.Applied.All(a => a.Count > 1000));

        // For comparison: one command per frame (a pipe round trip each).
        sw.Restart();
        for (var i = 0; i < 3000; i++) { loop.Shim.Tick(i % 3); loop.Shim.Flush(); }
        sw.Stop();
        output.WriteLine($"unbatched: {3000 / sw.Elapsed.TotalSeconds:0} commands/s (one frame each)");
    }
}
