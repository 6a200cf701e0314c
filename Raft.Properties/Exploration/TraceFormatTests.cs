using System.Text.Json;
using System.Text;
using System.Text.Json.Nodes;
using Raft.Model.Exploration;
using Raft.Model.Traces;
using static Raft.Properties.Exploration.ExplorationHarness;

namespace Raft.Properties.Exploration;

/// <summary>
/// Anything but a whole, well-formed trace is a <see cref="TraceFormatException"/> from the
/// reader (never another exception type): truncations at every line and inside the header,
/// garbage lines, a wrong format or version, impossible settings, bad decisions, steps out of order.
/// </summary>
public sealed class TraceFormatTests
{
    private static readonly Lazy<List<string>> ViolationLines = new(() => Lines(TraceFile.From(FindViolation("vote-without-log-check"))));
    private static readonly Lazy<List<string>> PassingLines = new(() => Lines(TraceFile.From(RecordPassing(new ExploreSettings { Seed = 3 }))));

    private static void AssertRejected(IReadOnlyList<string> lines, string what)
    {
        Exception? thrown = Record.Exception(() => TraceReader.Parse(lines, "test.trace"));
        Assert.True(thrown is TraceFormatException,
            $"{what}: expected a TraceFormatException, got {(thrown is null ? "a parsed trace" : thrown.GetType().Name + ": " + thrown.Message)}");
        Assert.StartsWith("test.trace", thrown!.Message);
    }

    private static void AssertRejected(Action<JsonObject> edit, int line, string what)
    {
        List<string> lines = ViolationLines.Value;
        AssertRejected(WithLine(lines, line < 0 ? lines.Count + line : line, edit), what);
    }

    [Fact]
    public void TheUneditedTraces_Parse()
    {
        Assert.True(Parse(ViolationLines.Value).Outcome.IsViolation);
        Assert.False(Parse(PassingLines.Value).Outcome.IsViolation);
    }

    [Fact]
    public void EveryStrictLinePrefix_IsRejected()
    {
        foreach (List<string> lines in new[] { ViolationLines.Value, PassingLines.Value })
            for (int n = 0; n < lines.Count; n++)
                AssertRejected(lines.Take(n).ToList(), $"the first {n} of {lines.Count} lines");
    }

    [Fact]
    public void EveryByteTruncationInsideTheHeader_IsRejected()
    {
        byte[] bytes = Encoding.UTF8.GetBytes(string.Join("\n", ViolationLines.Value) + "\n");
        int headerEnd = Array.IndexOf(bytes, (byte)'\n');
        for (int n = 0; n <= headerEnd; n++)
            AssertRejected(Encoding.UTF8.GetString(bytes, 0, n).Split('\n'), $"the first {n} bytes");
    }

    [Fact]
    public void ByteTruncationsInsideAStepOrTheOutcome_AreRejected()
    {
        string text = string.Join("\n", ViolationLines.Value);
        int lastLine = text.LastIndexOf('\n') + 1;
        int secondLine = text.IndexOf('\n') + 1;
        int secondEnd = text.IndexOf('\n', secondLine);
        for (int n = lastLine + 1; n < text.Length; n++) AssertRejected(text[..n].Split('\n'), $"cut in the outcome at {n}");
        for (int n = secondLine + 1; n < secondEnd; n++) AssertRejected(text[..n].Split('\n'), $"cut in step 0 at {n}");
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("{")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("{}")]
    [InlineData("{\"step\":\"zero\",\"decisions\":[0],\"event\":\"x\",\"nodes\":\"\"}")]
    [InlineData("{\"outcome\":\"pass\"}")]
    [InlineData("\u0000\u0001\u00ff")]
    public void AGarbageLine_AnywhereAfterTheHeader_IsRejected(string garbage)
    {
        List<string> lines = ViolationLines.Value;
        foreach (int at in new[] { 1, lines.Count / 2, lines.Count - 1 })
        {
            var copy = lines.ToList();
            copy.Insert(at, garbage);
            AssertRejected(copy, $"'{garbage}' inserted at line {at + 1}");
        }
        var replaced = lines.ToList();
        replaced[^1] = garbage;
        if (garbage != "{\"outcome\":\"pass\"}") AssertRejected(replaced, $"outcome replaced by '{garbage}'");
        var header = lines.ToList();
        header[0] = garbage;
        AssertRejected(header, $"header replaced by '{garbage}'");
    }

    [Fact]
    public void AnEmptyOrBlankFile_IsRejected()
    {
        AssertRejected([], "no lines");
        AssertRejected(["", "   ", "\t"], "blank lines");
    }

    [Fact]
    public void AMissingFile_IsRejected()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"raftverify-missing-{Guid.NewGuid():N}", "x.trace.jsonl");
        Assert.Throws<TraceFormatException>(() => TraceReader.Read(missing));
        Assert.Throws<TraceFormatException>(() => TraceReader.Read(Path.GetTempPath()));
    }

    [Fact]
    public void AWrongFormatOrVersion_IsRejected()
    {
        AssertRejected(h => h["version"] = 6, 0, "version 6");
        AssertRejected(h => h["version"] = 3, 0, "version 3 (no asynchronous Ready handling or pooled arrays: re-record)");
        AssertRejected(h => h["version"] = 2, 0, "version 2 (an older liveness phase: re-record)");
        AssertRejected(h => h["version"] = 0, 0, "version 0");
        AssertRejected(h => h["version"] = "1", 0, "version as a string");
        AssertRejected(h => h.Remove("version"), 0, "no version");
        AssertRejected(h => h["format"] = "other-trace", 0, "another format");
        AssertRejected(h => h["format"] = 1, 0, "format as a number");
        AssertRejected(h => h.Remove("format"), 0, "no format");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void AnOlderVersion_IsRejectedInOneLine_SayingHowToReRecordIt(int version)
    {
        List<string> lines = WithLine(ViolationLines.Value, 0, h => h["version"] = version);
        var e = Assert.Throws<TraceFormatException>(() => Parse(lines));
        Assert.Contains($"version {version}", e.Message);
        Assert.Contains("re-record", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Steps_AreStoredAsTypedFields_NotDisplayText()
    {
        foreach (string line in ViolationLines.Value.Skip(1).SkipLast(1))
        {
            JsonObject step = JsonNode.Parse(line)!.AsObject();
            Assert.Equal(JsonValueKind.Object, step["event"]!.GetValueKind());
            Assert.Equal(JsonValueKind.Array, step["nodes"]!.GetValueKind());
            Assert.DoesNotContain("->", line, StringComparison.Ordinal); // no "deliver #3 Vote 1->0 …" anywhere
            Assert.DoesNotContain("\"detail\"", line, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("strategy", "\"bogus\"")]
    [InlineData("bug", "\"bogus\"")]
    [InlineData("mode", "\"sideways\"")]
    [InlineData("mode", "\"Timed\"")]
    [InlineData("nodes", "0")]
    [InlineData("nodes", "10")]
    [InlineData("nodes", "-3")]
    [InlineData("maxSteps", "0")]
    [InlineData("maxSteps", "1")]
    [InlineData("proposals", "-1")]
    [InlineData("livenessBoundMs", "5")]
    [InlineData("seed", "\"-1\"")]
    [InlineData("seed", "1")]
    [InlineData("scheduleSeed", "\"x\"")]
    [InlineData("iteration", "1.5")]
    [InlineData("liveness", "\"yes\"")]
    [InlineData("faults", "\"none\"")]
    [InlineData("raft", "null")]
    [InlineData("swarm", "{}")]
    public void AnImpossibleOrMistypedHeaderField_IsRejected(string field, string json)
    {
        AssertRejected(h => h[field] = JsonNode.Parse(json), 0, $"{field}={json}");
        AssertRejected(h => h.Remove(field), 0, $"no {field}");
    }

    [Fact]
    public void ImpossibleNestedSettings_AreRejected()
    {
        AssertRejected(h => h["raft"]!["electionTicks"] = 5, 0, "electionTicks below heartbeatTicks");
        AssertRejected(h => h["raft"]!["heartbeatTicks"] = 0, 0, "heartbeatTicks 0");
        AssertRejected(h => h["faults"]!["crashes"] = -1, 0, "negative crashes");
        AssertRejected(h => h["swarm"]!["maxDelayMs"] = 0, 0, "maxDelayMs 0");
        AssertRejected(h => { h["strategy"] = "dfs"; h["mode"] = "timed"; }, 0, "dfs in timed mode");
    }

    [Theory]
    [InlineData("[-1]")]
    [InlineData("[0,-5]")]
    [InlineData("[]")]
    [InlineData("[1.5]")]
    [InlineData("[null]")]
    [InlineData("[\"1\"]")]
    [InlineData("[3000000000]")]
    [InlineData("\"0\"")]
    [InlineData("null")]
    public void BadDecisions_AreRejected(string json)
    {
        AssertRejected(s => s["decisions"] = JsonNode.Parse(json), 1, $"decisions {json}");
        AssertRejected(s => s["decisions"] = JsonNode.Parse(json), -2, $"decisions {json} in the last step");
    }

    /// <summary>The first step of the recorded violation whose event is a message (a delivery, drop or duplicate).</summary>
    private static int MessageStepLine() =>
        1 + ViolationLines.Value.Skip(1).TakeWhile(l => JsonNode.Parse(l)!["event"]?["message"] is null).Count();

    [Theory]
    [InlineData("event", "\"deliver #1 RequestVote 0->1 t1\"")] // display text is not a trace's event
    [InlineData("event", "null")]
    [InlineData("event.kind", "\"teleport\"")]
    [InlineData("event.kind", "\"Deliver\"")]
    [InlineData("event.kind", "3")]
    [InlineData("event.node", "9")]
    [InlineData("event.node", "-2")]
    [InlineData("event.at", "-1")]
    [InlineData("event.message.type", "\"Vote\"")]
    [InlineData("event.message.type", "\"None\"")]
    [InlineData("event.message.from", "7")]
    [InlineData("event.message.to", "-1")]
    [InlineData("event.message.id", "-4")]
    [InlineData("event.message.term", "-1")]
    [InlineData("event.message.term", "\"1\"")]
    [InlineData("event.message.reject", "1")]
    [InlineData("event.message", "\"RequestVote 0->1\"")]
    [InlineData("outcome", "\"lost: link down\"")]
    [InlineData("outcome.kind", "\"vanished\"")]
    [InlineData("nodes", "\"F1/c0/l0 L1/c0/l0 F1/c0/l0\"")]
    [InlineData("nodes", "[]")]
    [InlineData("nodes", "[null,null,null,null,null,null,null,null,null,null]")]
    [InlineData("nodes[0]", "{\"role\":\"king\",\"term\":1,\"commit\":0,\"last\":0}")]
    [InlineData("nodes[0]", "{\"role\":\"leader\",\"term\":-1,\"commit\":0,\"last\":0}")]
    [InlineData("nodes[0]", "{\"role\":\"leader\",\"term\":1,\"commit\":0}")]
    [InlineData("nodes[0]", "\"down\"")]
    [InlineData("nodes[0]", "\"L1/c0/l0\"")]
    public void ABadTypedStepField_IsRejected(string path, string json)
    {
        int line = MessageStepLine();
        AssertRejected(s =>
        {
            if (path == "nodes[0]") { s["nodes"]![0] = JsonNode.Parse(json); return; }
            string[] parts = path.Split('.');
            JsonObject o = s;
            foreach (string p in parts[..^1])
            {
                if (o[p] is not JsonObject inner) { inner = new JsonObject(); o[p] = inner; }
                o = inner;
            }
            o[parts[^1]] = JsonNode.Parse(json);
        }, line, $"{path} = {json}");
    }

    [Theory]
    [InlineData("{\"kind\":\"partitioned\",\"partition\":{\"shape\":\"isolate\",\"node\":9}}")]
    [InlineData("{\"kind\":\"partitioned\",\"partition\":{\"shape\":\"split\",\"sides\":[0,1]}}")]
    [InlineData("{\"kind\":\"partitioned\",\"partition\":{\"shape\":\"split\",\"sides\":[0,2,1]}}")]
    [InlineData("{\"kind\":\"partitioned\",\"partition\":{\"shape\":\"star\"}}")]
    [InlineData("{\"kind\":\"partitioned\"}")]
    [InlineData("{\"kind\":\"proposed\",\"index\":-1,\"term\":1}")]
    [InlineData("{\"kind\":\"ticks\"}")]
    public void ABadStepOutcome_IsRejected(string json) =>
        AssertRejected(s => s["outcome"] = JsonNode.Parse(json), MessageStepLine(), $"outcome {json}");

    [Fact]
    public void StepsOutOfOrder_AreRejected()
    {
        List<string> lines = ViolationLines.Value;
        Assert.True(lines.Count > 4);
        var swapped = lines.ToList();
        (swapped[1], swapped[2]) = (swapped[2], swapped[1]);
        AssertRejected(swapped, "steps 0 and 1 swapped");
        var missing = lines.ToList();
        missing.RemoveAt(2);
        AssertRejected(missing, "step 1 missing");
        var repeated = lines.ToList();
        repeated.Insert(2, lines[1]);
        AssertRejected(repeated, "step 0 twice");
        AssertRejected(s => s["step"] = 1, 1, "first step numbered 1");
        AssertRejected(s => s["step"] = -1, 1, "negative step");
        AssertRejected(s => s.Remove("event"), 1, "a step without an event");
        AssertRejected(s => s["event"] = 3, 1, "an event that is not text");
        AssertRejected(s => s.Remove("nodes"), 1, "a step without nodes");
    }

    [Fact]
    public void MoreStepsThanTheHeadersMaxSteps_AreRejected()
    {
        int steps = ViolationLines.Value.Count - 2;
        AssertRejected(h => h["maxSteps"] = steps - 1, 0, "maxSteps below the step count");
        Assert.Equal(steps, Parse(WithLine(ViolationLines.Value, 0, h => h["maxSteps"] = steps)).Steps.Count);
    }

    [Theory]
    [InlineData("outcome", "\"maybe\"")]
    [InlineData("outcome", "1")]
    [InlineData("invariant", "\"Nope\"")]
    [InlineData("invariant", "\"3\"")]
    [InlineData("invariant", "3")]
    [InlineData("violationNodes", "\"0,1\"")]
    [InlineData("index", "\"1\"")]
    [InlineData("step", "1.5")]
    public void ABadOutcomeLine_IsRejected(string field, string json)
    {
        AssertRejected(o => o[field] = JsonNode.Parse(json), -1, $"outcome {field}={json}");
        AssertRejected(o => o.Remove(field), -1, $"outcome without {field}");
    }

    [Theory]
    [InlineData("[\"x\"]")]
    [InlineData("[null]")]
    [InlineData("[[1]]")]
    public void NonNumericViolationNodes_AreRejected(string json) =>
        AssertRejected(o => o["violationNodes"] = JsonNode.Parse(json), -1, $"violationNodes {json}");

    [Fact]
    public void AViolationNamingOneNodeTwice_IsRead()
    {
        // the checker names a node against itself (a one-node cluster's LeaderCompleteness: "nodes 0,0")
        TraceFile t = Parse(WithLine(ViolationLines.Value, ViolationLines.Value.Count - 1, o => o["violationNodes"] = new JsonArray(0, 0)));
        Assert.Equal([0, 0], t.Outcome.Violation!.Nodes);
    }

    [Theory]
    [InlineData("ElectionSafety,Liveness")]
    [InlineData("LeaderCompleteness, LeaderCompleteness")]
    public void AListOfInvariants_IsNotAnInvariant(string invariant) =>
        AssertRejected(o => o["invariant"] = invariant, -1, $"invariant '{invariant}'");

    [Fact]
    public void ATickOfZeroMilliseconds_IsRejected()
    {
        AssertRejected(h => h["tickMs"] = 0, 0, "tickMs 0");
        AssertRejected(h => h["tickMs"] = -10, 0, "tickMs -10");
    }
}
