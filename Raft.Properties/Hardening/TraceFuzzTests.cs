using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Raft.Properties.Properties;
using Xunit.Abstractions;

namespace Raft.Properties.Hardening;

/// <summary>
/// The trace fuzzer: FsCheck-generated corruptions of the corpus traces (byte flips, truncations,
/// deleted, duplicated and swapped lines, fields removed or retyped, extreme numbers, out-of-range
/// node ids, unknown event kinds, control characters, empty and binary input) go through replay,
/// show and (for a sample) shrink with a 1 s budget, in-process through the CLI's entry point.
/// The only outcomes allowed are a normal result (exit 0, 1 or 3) or the documented rejection
/// (exit 2 with one line on stderr), each within a time bound. RAFTVERIFY_FUZZ_CASES sets the
/// number of cases (default 40); the seed follows RAFTVERIFY_FSCHECK_SEED.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class TraceFuzzTests(ITestOutputHelper output)
{
    public const string CasesVariable = "RAFTVERIFY_FUZZ_CASES";

    private static int Cases()
    {
        string? text = Environment.GetEnvironmentVariable(CasesVariable);
        if (string.IsNullOrWhiteSpace(text)) return 40;
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n < 1)
            throw new ArgumentException($"{CasesVariable}='{text}': expected a positive integer");
        return n;
    }

    public sealed record Mutation(int Trace, int Kind, int A, int B, int Pick, bool Shrink)
    {
        public override string ToString() => $"trace {Trace} kind {Kind} a={A} b={B} pick={Pick} shrink={Shrink}";
    }

    private static readonly string[] Corpus = Cli.CorpusTraces();
    private static readonly byte[][] CorpusBytes = Corpus.Select(File.ReadAllBytes).ToArray();

    private static readonly JsonNode?[] Extremes =
    [
        -1, 0, int.MaxValue, (long)int.MaxValue + 1, int.MinValue, long.MaxValue, long.MinValue, 1e308, 1.5, -0.0, 1 << 30, 9, 100,
        "x", "", "\u001b[31m\n", "١٢٣", true, null, new JsonArray(), new JsonObject(),
    ];

    private static readonly string[] Events =
    [
        "teleport 1", "deliver #99999999999 RequestVote 1->99999999999", "deliver #1 AppendEntries ١->٢ t1", "crash ٣", "propose ٣ cmd=٤",
        "timeout 99999999999999999999", "advance to ٩ms", "restart -1", "partition", "", "\u001b]0;x\u0007", "snapshot 2147483648",
    ];

    private static byte[] Apply(Mutation m)
    {
        byte[] original = CorpusBytes[m.Trace % CorpusBytes.Length];
        var lines = Encoding.UTF8.GetString(original).Split('\n').Where(l => l.Length > 0).ToList();
        int L(int x) => (int)((uint)x % (uint)lines.Count);
        switch (m.Kind)
        {
            case 0: // byte flips
            {
                byte[] b = (byte[])original.Clone();
                for (int i = 0; i <= m.Pick % 3; i++) b[(int)((uint)(m.A + i * 7919) % (uint)b.Length)] ^= (byte)(1 + (uint)m.B % 255);
                return b;
            }
            case 1: return original[..(int)((uint)m.A % (uint)original.Length)]; // truncation
            case 2: lines.RemoveAt(L(m.A)); break;
            case 3: lines.Insert(L(m.A), lines[L(m.A)]); break;
            case 4: { int i = L(m.A), j = L(m.B); (lines[i], lines[j]) = (lines[j], lines[i]); break; }
            case 5: case 6: case 7: case 8: case 9: case 10:
            {
                int k = L(m.A);
                JsonObject o = JsonNode.Parse(lines[k])!.AsObject();
                Mutate(o, m);
                lines[k] = o.ToJsonString();
                break;
            }
            case 11: return [];
            case 12: return Enumerable.Range(0, 1 + (int)((uint)m.A % 5000)).Select(i => (byte)((i * 131 + m.B) & 0xff)).ToArray();
            default: return original;
        }
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    /// <summary>Removes, retypes or sets a field (possibly nested) of one line.</summary>
    private static void Mutate(JsonObject o, Mutation m)
    {
        // pick a container: the line itself or one of its nested objects/arrays
        var containers = new List<JsonNode> { o };
        foreach (var (_, v) in o) if (v is JsonObject or JsonArray) containers.Add(v);
        if (o["sent"] is JsonArray sent) containers.AddRange(sent.OfType<JsonObject>());
        JsonNode c = containers[(int)((uint)m.B % (uint)containers.Count)];
        switch (m.Kind)
        {
            case 5: // remove a field
                if (c is JsonObject co && co.Count > 0) co.Remove(co.ElementAt((int)((uint)m.Pick % (uint)co.Count)).Key);
                else if (c is JsonArray ca && ca.Count > 0) ca.RemoveAt((int)((uint)m.Pick % (uint)ca.Count));
                break;
            case 6: case 7: // retype / extreme number
                Set(c, m.Pick, Extremes[(int)((uint)(m.Pick / 7) % (uint)Extremes.Length)]?.DeepClone());
                break;
            case 8: // out-of-range node ids
                foreach (string f in new[] { "from", "to", "node" }) if (c is JsonObject x && x.ContainsKey(f)) x[f] = m.Pick % 2 == 0 ? 9 : 1 << 30;
                if (o["violationNodes"] is JsonArray vn) vn.Add(m.Pick % 2 == 0 ? 7 : int.MaxValue);
                if (o["control"] is JsonObject ctl) ctl["node"] = 1000;
                break;
            case 9: // unknown event kinds
                if (o.ContainsKey("event")) o["event"] = Events[(int)((uint)m.Pick % (uint)Events.Length)];
                else if (o.ContainsKey("invariant")) o["invariant"] = "NoSuchInvariant";
                else o["mode"] = "quantum";
                break;
            case 10: // control characters and terminal escapes in a string
                foreach (var key in (c as JsonObject)?.Where(p => p.Value is JsonValue v && v.TryGetValue(out string? _)).Select(p => p.Key).ToList() ?? [])
                    c[key] = c[key]!.GetValue<string>() + "\n\u001b[2J\u0000";
                break;
        }
    }

    private static void Set(JsonNode c, int pick, JsonNode? value)
    {
        if (c is JsonObject co && co.Count > 0) co[co.ElementAt((int)((uint)pick % (uint)co.Count)).Key] = value;
        else if (c is JsonArray ca && ca.Count > 0) ca[(int)((uint)pick % (uint)ca.Count)] = value;
    }

    private static readonly Gen<Mutation> Mutations =
        from trace in Gen.Choose(0, 1000)
        from kind in Gen.Frequency((3, Gen.Choose(0, 0)), (2, Gen.Choose(1, 1)), (6, Gen.Choose(2, 10)), (1, Gen.Choose(11, 12)))
        from a in Gen.Choose(0, int.MaxValue)
        from b in Gen.Choose(0, int.MaxValue)
        from pick in Gen.Choose(0, 10_000)
        from shrink in Gen.Frequency((1, Gen.Constant(true)), (9, Gen.Constant(false)))
        select new Mutation(trace, kind, a, b, pick, shrink);

    [Fact]
    public void CorruptedTraces_AreRejectedInOneLineOrRunNormally_Quickly()
    {
        Assert.NotEmpty(Corpus);
        string dir = Directory.CreateTempSubdirectory("rv-fuzz-").FullName;
        int cases = Cases(), rejected = 0, normal = 0, shrunk = 0;
        try
        {
            PropertyConfig.Check(output, nameof(CorruptedTraces_AreRejectedInOneLineOrRunNormally_Quickly), Arb.From(Mutations), m =>
            {
                string path = Path.Combine(dir, "case.trace.jsonl");
                File.WriteAllBytes(path, Apply(m));
                foreach (string[] args in new[] { new[] { "replay", path }, ["show", path] })
                {
                    Cli.Result r = Cli.Run(args);
                    Check(m, args, r, TimeSpan.FromSeconds(10));
                    if (args[0] == "replay") { if (r.Code == 2) rejected++; else normal++; }
                    if (args[0] == "replay" && r.Code == 1 && m.Shrink)
                    {
                        Cli.Result s = Cli.Run("shrink", path, "-o", Path.Combine(dir, "out.trace.jsonl"), "--time-limit", "1");
                        Check(m, ["shrink"], s, TimeSpan.FromSeconds(20));
                        shrunk++;
                    }
                }
            }, cases);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
        output.WriteLine($"fuzz: {cases} cases: {rejected} rejected (exit 2), {normal} ran normally, {shrunk} shrunk; 0 unexpected exceptions, 0 timeouts");
    }

    private static void Check(Mutation m, string[] args, Cli.Result r, TimeSpan bound)
    {
        if (r.Code is not (0 or 1 or 2 or 3)) throw new InvalidOperationException($"{m}: {args[0]} exited {r.Code}: {r.Err}");
        if (r.Code == 2 && r.ErrLines.Length != 1) throw new InvalidOperationException($"{m}: {args[0]} rejected in {r.ErrLines.Length} lines: {r.Err}");
        if (r.Took > bound) throw new TimeoutException($"{m}: {args[0]} took {r.Took.TotalSeconds:F1} s (bound {bound.TotalSeconds} s)");
    }
}
