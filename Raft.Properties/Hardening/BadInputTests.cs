using System.Text.Json.Nodes;
using Raft.Model.Traces;

namespace Raft.Properties.Hardening;

/// <summary>
/// Each class of bad input (trace files and command-line options) exits 2 with exactly one line
/// on stderr, without control characters, in under 5 s, through the CLI's own entry point.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class BadInputTests() : Raft.Properties.TestSupport.WithTempDirectory("rv-badinput-")
{
    private static string Corpus(string name) => Path.Combine(Cli.CorpusDir(), name + ".trace.jsonl");

    private string Write(string name, string content)
    {
        string path = Path.Combine(Dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    /// <summary>A corpus trace with its header (line 0), a step or the outcome (-1) changed.</summary>
    private string Mutated(Action<JsonObject> change, int line = 0, string trace = "commit-previous-term")
    {
        string[] lines = File.ReadAllLines(Corpus(trace)).Where(l => l.Length > 0).ToArray();
        int k = line < 0 ? lines.Length + line : line;
        var o = JsonNode.Parse(lines[k])!.AsObject();
        change(o);
        lines[k] = o.ToJsonString();
        return Write(Guid.NewGuid().ToString("N") + ".trace.jsonl", string.Join('\n', lines) + "\n");
    }

    private static void ExitsTwoInOneLine(params string[] args)
    {
        foreach (string command in args.Length > 0 && args[0] == "*" ? new[] { "replay", "show", "shrink" } : new[] { "" })
        {
            string[] a = command.Length == 0 ? args : [command, .. args[1..]];
            Cli.Result r = Cli.Run(a);
            Assert.True(r.Code == 2, $"{string.Join(' ', a)}: exit {r.Code}, stderr: {r.Err}, stdout: {r.Out}");
            Assert.Single(r.ErrLines);
            Assert.DoesNotContain(r.Err.TrimEnd('\n', '\r'), c => char.IsControl(c));
            Assert.True(r.Took < TimeSpan.FromSeconds(5), $"{string.Join(' ', a)} took {r.Took}");
        }
    }

    [Fact] public void EmptyFile() => ExitsTwoInOneLine("*", Write("empty.jsonl", ""));
    [Fact] public void BinaryInput() => ExitsTwoInOneLine("*", Write("binary.jsonl", new string(Enumerable.Range(0, 4096).Select(i => (char)(i * 7919 % 256)).ToArray())));
    [Fact] public void NotJson() => ExitsTwoInOneLine("*", Write("garbage.jsonl", "{\"format\":\"raftverify-trace\"\n{]\n"));

    [Fact]
    public void Truncated()
    {
        byte[] bytes = File.ReadAllBytes(Corpus("commit-previous-term"));
        string path = Path.Combine(Dir, "truncated.jsonl");
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        ExitsTwoInOneLine("*", path);
    }

    [Fact] public void Directory_IsNamedAsOne()
    {
        ExitsTwoInOneLine("*", Dir);
        Assert.Contains("is a directory", Cli.Run("replay", Dir).Err, StringComparison.Ordinal);
    }

    [Fact] public void MissingFile() => ExitsTwoInOneLine("*", Path.Combine(Dir, "nope.jsonl"));

    [Fact]
    public void LineLongerThanTheCap()
    {
        string path = Path.Combine(Dir, "longline.jsonl");
        using (var w = new StreamWriter(path)) { w.Write("{\"format\":\""); w.Write(new string('a', TraceReader.MaxLineChars + 10)); w.Write("\"}\n"); }
        ExitsTwoInOneLine("*", path);
    }

    [Fact]
    public void FileLargerThanTheCap()
    {
        string path = Path.Combine(Dir, "huge.jsonl");
        using (var f = new FileStream(path, FileMode.Create)) f.SetLength(TraceReader.MaxFileBytes + 1); // sparse: costs no disk
        ExitsTwoInOneLine("*", path);
    }

    [Fact]
    public void EndlessDevice()
    {
        if (!File.Exists("/dev/zero")) return;
        ExitsTwoInOneLine("replay", "/dev/zero");
    }

    [Fact] public void HugeElectionTicks() => ExitsTwoInOneLine("*", Mutated(h => h["raft"]!["electionTicks"] = 1_000_000_000));
    [Fact] public void ElectionTimeoutTooLongInVirtualTime() => ExitsTwoInOneLine("*", Mutated(h => { h["raft"]!["electionTicks"] = 900_000; h["tickMs"] = 100; }));
    [Fact] public void ElectionTicksThatOverflowTheTimerArithmetic() => ExitsTwoInOneLine("*", Mutated(h => h["swarm"]!["electionTicks"] = 1 << 30));
    [Fact] public void HugeLivenessBound() => ExitsTwoInOneLine("*", Mutated(h => h["livenessBoundMs"] = int.MaxValue));
    [Fact] public void HugeTick() => ExitsTwoInOneLine("*", Mutated(h => h["tickMs"] = int.MaxValue));
    [Fact] public void TooManyNodes() => ExitsTwoInOneLine("*", Mutated(h => h["nodes"] = 1000));
    [Fact] public void TooManySteps() => ExitsTwoInOneLine("*", Mutated(h => h["maxSteps"] = int.MaxValue));
    [Fact] public void NegativeWeight() => ExitsTwoInOneLine("*", Mutated(h => h["swarm"]!["crashWeight"] = -1));
    [Fact] public void NegativeRate() => ExitsTwoInOneLine("*", Mutated(h => h["swarm"]!["faultPerThousand"] = -5));
    [Fact] public void RateAboveAThousand() => ExitsTwoInOneLine("*", Mutated(h => h["swarm"]!["liveDropPerThousand"] = 5000));
    [Fact] public void NegativeIteration() => ExitsTwoInOneLine("*", Mutated(h => h["iteration"] = -1));
    [Fact] public void ViolationNodeOutOfRange() => ExitsTwoInOneLine("*", Mutated(o => o["violationNodes"] = new JsonArray(0, 99), line: -1));
    [Fact] public void OutcomeStepNegative() => ExitsTwoInOneLine("*", Mutated(o => o["step"] = -3, line: -1));
    [Fact] public void OutcomeStepTooLarge() => ExitsTwoInOneLine("*", Mutated(o => o["step"] = int.MaxValue, line: -1));
    [Fact] public void SentNodeOutOfRange() => ExitsTwoInOneLine("*", Mutated(s => s["sent"]![0]!["to"] = 12345, line: 1));
    [Fact] public void UnknownModeWithTerminalEscapes() => ExitsTwoInOneLine("*", Mutated(h => h["mode"] = "\u001b[31mred\u001b[0m\nsecond line"));
    [Fact] public void NewlineAndTerminalEscapeInAString() => ExitsTwoInOneLine("*", Mutated(o => o["invariant"] = "Bad\n\u001b]0;title\u0007Invariant", line: -1));

    [Fact]
    public void ShrinkOfATraceWithHugeOrNonAsciiNodeIdsInItsEvents_NeverCrashes()
    {
        foreach (string ev in new[] { "timeout 99999999999999999999", "deliver #1 RequestVote 1->99999999999999", "crash ١", "propose ٣ cmd=٤" })
        {
            string path = Mutated(s => s["event"] = ev, line: 1);
            Cli.Result r = Cli.Run("shrink", path, "-o", Path.Combine(Dir, "out.jsonl"), "--time-limit", "2");
            Assert.True(r.Code is 0 or 2 or 3, $"{ev}: exit {r.Code}: {r.Err}");
        }
    }

    [Theory]
    [InlineData("explore", "--max-steps", "0")]
    [InlineData("explore", "--max-steps", "2000000000")]
    [InlineData("explore", "--liveness-bound", "2147483647")]
    [InlineData("explore", "--nodes", "100")]
    [InlineData("explore", "--workers", "-1")]
    [InlineData("explore", "--time-limit", "NaN")]
    [InlineData("explore", "--proposals", "-1")]
    [InlineData("explore", "--faults", "crashes=-1")]
    [InlineData("explore", "--strategy-parameter", "-5")]
    [InlineData("explore", "--strategy", "\u001b[2Jnope\nline")]
    [InlineData("explore", "--iterations", "99999999999999999999")]
    [InlineData("lab", "--seeds", "0")]
    [InlineData("shrink", "traces/commit-previous-term.trace.jsonl", "--time-limit", "-1")]
    public void BadOptions(params string[] args) => ExitsTwoInOneLine(args);
}
