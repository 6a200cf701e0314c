using Raft.Model.Histories;
using Raft.Model.Services;
using Raft.Model.Simulation;

namespace Raft.Model.Lab;

/// <summary>
/// The Lab 3 clerk (client.go), as the tester's async code: one operation at a time, each with the
/// clerk's id and the next sequence number (for the servers' duplicate detection). It calls the
/// server it believes leads; on ErrWrongLeader or a failed call (labrpc's false) it tries the next
/// server with the same sequence number, and after a whole round of servers without success it
/// pauses <see cref="RoundPauseMs"/> (so a clerk in a leaderless cluster does not spin at one
/// virtual instant). Every call is a world step; the answer arrives through the network.
/// </summary>
public sealed class Clerk
{
    /// <summary>The pause after trying every server once without success.</summary>
    public const int RoundPauseMs = 100;

    private readonly KvConfig _cfg;
    private readonly int[] _servers;
    private int _leader;
    private long _seq;

    internal Clerk(KvConfig cfg, int id, int[] servers, bool[] ends)
    {
        _cfg = cfg;
        Id = id;
        _servers = servers;
        Ends = ends;
    }

    /// <summary>The clerk's id (its client id in every operation; also its labrpc ends' owner).</summary>
    public int Id { get; }

    /// <summary>Which of its ends are enabled, by server.</summary>
    internal bool[] Ends { get; }

    public Task<string> Get(string key) => Call(OpKind.Get, key, "");

    public Task Put(string key, string value) => Call(OpKind.Put, key, value);

    public Task Append(string key, string value) => Call(OpKind.Append, key, value);

    private async Task<string> Call(OpKind kind, string key, string value)
    {
        var op = new KvOp(kind, key, value, Id, ++_seq);
        int misses = 0;
        while (true)
        {
            ClerkAnswer answer = await _cfg.Call(_servers[_leader], op);
            if (answer.Err == ClerkErr.OK) return answer.Value;
            _leader = (_leader + 1) % _servers.Length;
            if (++misses % _servers.Length == 0) await _cfg.Sleep(RoundPauseMs);
        }
    }
}
