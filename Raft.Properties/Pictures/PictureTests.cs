using Raft.Model.Contract;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Raft.Model.Exploration;
using Raft.Model.Invariants;
using Raft.Model.Traces;
using Raft.Model.Traces.Pictures;
using Raft.Core.Messages;
using Raft.Core.Node;
using Raft.Model.Events;

namespace Raft.Properties.Pictures;

/// <summary>
/// Pictures of counterexamples (docs/pictures.md): the SVG space-time diagram, the HTML page and
/// the ShiViz log, checked on a real counterexample found by the explorer, on a hand-made trace
/// with every kind of event, and on every trace of the corpus.
/// </summary>
public sealed class PictureTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A real counterexample: vote-not-durable found by delay-bounded exploration (seed 1).</summary>
    private static readonly Lazy<TraceFile> Real = new(() =>
    {
        ExploreReport report = Explorer.Run(new ExploreSettings { Bug = "vote-not-durable", Strategy = "delay-bounded", Workers = 1 });
        Assert.NotNull(report.FirstViolation);
        return TraceFile.From(report.FirstViolation!);
    });

    public static TheoryData<string> Kinds() => new() { "real", "synthetic" };

    private static TraceFile Trace(string kind) => kind == "real" ? Real.Value : Synthetic();

    // ---- SVG -----------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Kinds))]
    public void Svg_IsWellFormedXml_WithOneLanePerNode(string kind)
    {
        TraceFile t = Trace(kind);
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        var lanes = Groups(doc, "lane").ToList();
        Assert.Equal(t.Swarm.Nodes, lanes.Count);
        Assert.Equal(Enumerable.Range(0, t.Swarm.Nodes).Select(i => i.ToString(CultureInfo.InvariantCulture)), lanes.Select(l => (string?)l.Attribute("data-node")));
        Assert.Contains(t.Settings.Bug, (string?)doc.Root.Element(Svg + "title"));
        Assert.Contains(t.Settings.Strategy, (string?)doc.Root.Element(Svg + "title"));
        Assert.Contains("seed " + t.Settings.Seed.ToString(CultureInfo.InvariantCulture), (string?)doc.Root.Element(Svg + "title"));
        Assert.NotEmpty(Groups(doc, "legend"));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Svg_DrawsOneArrowPerDeliveredMessage_FromItsSenderAtItsSendingStep_ToItsReceiver(string kind)
    {
        TraceFile t = Trace(kind);
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
        var deliveries = t.Steps.Where(s => s.Event.Kind == EventKind.Deliver).ToList();
        var arrows = Groups(doc, "delivery").ToList();
        Assert.Equal(deliveries.Count, arrows.Count);
        Assert.Equal(deliveries.Select(s => (s.Event.Message!.Value.Id, s.Step)).Order(),
            arrows.Select(a => ((long)a.Attribute("data-msg")!, (int)a.Attribute("data-step")!)).Order());

        var laneX = Groups(doc, "lane").ToDictionary(l => (int)l.Attribute("data-node")!, l => (double)l.Element(Svg + "line")!.Attribute("x1")!);
        var rowY = StepRowY(doc, t);
        var sent = t.Steps.SelectMany(s => (s.Sent ?? []).Select(m => (Step: s.Step, Message: m))).ToDictionary(x => x.Message.Id);
        foreach (XElement arrow in arrows)
        {
            long id = (long)arrow.Attribute("data-msg")!;
            int step = (int)arrow.Attribute("data-step")!;
            XElement line = arrow.Element(Svg + "line")!;
            var (sentStep, m) = sent[id];
            Assert.Equal(laneX[m.From], (double)line.Attribute("x1")!);
            Assert.Equal(laneX[m.To], (double)line.Attribute("x2")!);
            Assert.True((double)line.Attribute("y1")! < (double)line.Attribute("y2")!, $"#{id}: time runs down");
            Assert.Equal(rowY[sentStep], (double)line.Attribute("y1")!);
            Assert.Equal(rowY[step], (double)line.Attribute("y2")!);
            bool lost = t.Steps[step].Outcome.IsLost;
            Assert.Equal(lost, Classes(arrow).Contains("lost"));
            Assert.Equal(!lost, line.Attribute("marker-end") is not null);
        }

        // Copies (duplicates) are dashed; drops end in an X; messages lost at sending are marked.
        int duplicates = t.Steps.Count(s => s.Event.Kind == EventKind.Duplicate);
        Assert.Equal(duplicates, Groups(doc, "copy").Count());
        Assert.All(Groups(doc, "copy"), g => Assert.NotNull(g.Element(Svg + "line")!.Attribute("stroke-dasharray")));
        Assert.Equal(t.Steps.Count(s => s.Event.Kind == EventKind.Drop), Groups(doc, "drop").Count());
        Assert.All(Groups(doc, "drop"), g => Assert.Contains(g.Elements(Svg + "path"), p => (string?)p.Attribute("class") == "x"));
        Assert.Equal(t.Steps.Sum(s => (s.Sent ?? []).Count(m => m.Lost)), Groups(doc, "lost-at-send").Count());
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Svg_ShowsCrashesRestartsPartitionsAndRoleChanges(string kind)
    {
        TraceFile t = Trace(kind);
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
        int Count(EventKind kind) => t.Steps.Count(s => s.Event.Kind == kind);
        Assert.Equal(Count(EventKind.Crash), Groups(doc, "crash").Count());
        Assert.Equal(Count(EventKind.Restart), Groups(doc, "restart").Count());
        Assert.Equal(Count(EventKind.Partition), Groups(doc, "partition").Count());
        Assert.Equal(Count(EventKind.Heal), Groups(doc, "heal").Count());
        Assert.Equal(Count(EventKind.Timeout), Groups(doc, "timeout").Count());
        // A grey band on the lane for each time a node went down.
        Assert.Equal(Count(EventKind.Crash), Groups(doc, "down").Count());
        // Each partition is labelled with its shape.
        foreach (TraceStep s in t.Steps.Where(s => s.Event.Kind == EventKind.Partition))
            Assert.Contains(Groups(doc, "partition"), g => (int)g.Attribute("data-step")! == s.Step && g.Descendants(Svg + "text").Any(x => x.Value.Contains(EventText.Partition(s.Outcome.Partition!), StringComparison.Ordinal)));
        // A badge each time a node's role or term changes (or it comes back up).
        int changes = 0;
        NodeState[] prev = Enumerable.Repeat(NodeState.Initial, t.Swarm.Nodes).ToArray();
        foreach (TraceStep s in t.Steps)
        {
            for (int i = 0; i < s.Nodes.Length; i++)
                if (s.Nodes[i].Up && (!prev[i].Up || s.Nodes[i].Role != prev[i].Role || s.Nodes[i].Term != prev[i].Term)) changes++;
            prev = s.Nodes;
        }
        Assert.Equal(changes, Groups(doc, "role").Count());
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Svg_HighlightsTheViolatingStep(string kind)
    {
        TraceFile t = Trace(kind);
        Violation v = t.Outcome.Violation!;
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
        XElement band = Assert.Single(Groups(doc, "violation"));
        Assert.Equal(t.Outcome.ViolationStep, (int)band.Attribute("data-step")!);
        Assert.Equal("#d62728", (string?)band.Element(Svg + "rect")!.Attribute("fill"));
        Assert.Contains(v.Invariant.ToString(), band.Element(Svg + "title")!.Value);
        Assert.Contains(doc.Descendants(Svg + "text"), x => x.Value.Contains(v.Detail, StringComparison.Ordinal) && (string?)x.Attribute("fill") == "#d62728");
        var rings = doc.Descendants(Svg + "circle").Where(c => (string?)c.Attribute("class") == "violating-node").Select(c => (int)c.Attribute("data-node")!);
        Assert.Equal(v.Nodes.Distinct().Order(), rings);
    }

    [Fact]
    public void Svg_EscapesEveryText()
    {
        const string nasty = "<script>alert('x') & \"y\"</script>\u0001";
        TraceFile t = Synthetic(violationDetail: nasty, bug: "bug<&>\"'");
        string svg = SpaceTimeSvg.Render(t);
        Assert.DoesNotContain("<script", svg);
        XDocument doc = XDocument.Parse(svg);
        Assert.Contains(doc.Descendants(), e => e.Nodes().OfType<XText>().Any(x => x.Value.Contains("<script>alert('x') & \"y\"</script>", StringComparison.Ordinal)));
        Assert.Contains("bug<&>\"'", (string?)doc.Root!.Element(Svg + "title"));
        Assert.DoesNotContain('\u0001', svg);
    }

    // ---- HTML ----------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Kinds))]
    public void Html_EmbedsTheSvg_AndTabulatesTheSteps_WithTheViolatingRowHighlighted(string kind)
    {
        TraceFile t = Trace(kind);
        string html = HtmlPage.Render(t);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        Assert.Contains(SpaceTimeSvg.Render(t), html, StringComparison.Ordinal);
        Assert.Contains("<table class=\"steps\">", html, StringComparison.Ordinal);
        for (int s = 0; s < t.Steps.Count; s++)
        {
            string row = s == t.Outcome.ViolationStep ? $"<tr id=\"step-{s}\" class=\"violation\">" : $"<tr id=\"step-{s}\">";
            Assert.Contains(row, html, StringComparison.Ordinal);
        }
        Assert.Single(Regex.Matches(html, "<tr [^>]*class=\"violation\""));
        // Self-contained: nothing is fetched.
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Html_EscapesText()
    {
        string html = HtmlPage.Render(Synthetic(violationDetail: "<b>bold</b> & more"));
        Assert.Contains("&lt;b&gt;bold&lt;/b&gt; &amp; more", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<b>bold", html, StringComparison.Ordinal);
    }

    // ---- ShiViz --------------------------------------------------------------------------------

    [Theory, MemberData(nameof(Kinds))]
    public void ShiViz_ParsesWithTheDocumentedRegex_AndEveryReceiveDominatesItsSend(string kind)
    {
        TraceFile t = Trace(kind);
        string log = ShiVizLog.Render(t);
        var events = CheckShiViz(log, t.Swarm.Nodes);

        // One receive per delivery or copy that reached its node; one send per message sent.
        int reached = t.Steps.Count(s => s.Event.Kind is EventKind.Deliver or EventKind.Duplicate && !s.Outcome.IsLost);
        Assert.Equal(reached, events.Count(e => e.Text.Contains(": receive ", StringComparison.Ordinal)));
        Assert.Equal(t.Steps.Sum(s => s.Sent?.Length ?? 0), events.Count(e => e.Text.Contains(": send #", StringComparison.Ordinal)));
        // Local events: one per crash, restart, timeout, proposal and snapshot.
        int local = t.Steps.Count(s => s.Event.Kind is EventKind.Crash or EventKind.Restart or EventKind.Timeout or EventKind.Propose or EventKind.Snapshot);
        Assert.True(events.Count >= reached + local, $"{events.Count} events for {reached} receives and {local} local events");
    }

    /// <summary>Parses a ShiViz log as ShiViz does (its regex, JSON clocks) and checks the rules ShiViz enforces, and causality.</summary>
    private static List<(string Text, string Host, Dictionary<string, long> Clock)> CheckShiViz(string log, int nodes)
    {
        string[] lines = log.Split('\n');
        Assert.Equal(ShiVizLog.ParserRegex, lines[0]);
        Assert.Equal("", lines[1]);
        Assert.True(log.EndsWith('\n'));

        var events = new List<(string Text, string Host, Dictionary<string, long> Clock)>();
        foreach (Match m in new Regex(ShiVizLog.ParserRegex).Matches(log))
        {
            var clock = JsonSerializer.Deserialize<Dictionary<string, long>>(m.Groups["clock"].Value)!;
            events.Add((m.Groups["event"].Value, m.Groups["host"].Value, clock));
        }
        Assert.Equal((lines.Length - 3) / 2, events.Count); // every event (two lines each) is matched, and nothing else

        var hosts = Enumerable.Range(0, nodes).Select(ShiVizLog.HostName).ToHashSet();
        // ShiViz: an entry for a host may not exceed the number of events that host has.
        var eventsOf = events.GroupBy(e => e.Host).ToDictionary(g => g.Key, g => (long)g.Count());
        Assert.All(events, e => Assert.All(e.Clock, kv => Assert.True(kv.Value <= eventsOf.GetValueOrDefault(kv.Key), $"{e.Text}: {kv.Key}={kv.Value}")));
        var own = new Dictionary<string, long>();
        var sends = new Dictionary<long, Dictionary<string, long>>();
        var lastOf = new Dictionary<string, Dictionary<string, long>>();
        foreach (var (text, host, clock) in events)
        {
            Assert.Contains(host, hosts);
            Assert.All(clock.Keys, k => Assert.Contains(k, hosts));
            Assert.All(clock.Values, v => Assert.True(v > 0));
            // ShiViz: a host's own clock starts at 1 and goes up by exactly 1 per event.
            long expected = own.GetValueOrDefault(host) + 1;
            Assert.True(clock.TryGetValue(host, out long mine) && mine == expected, $"{text}: {host}'s own clock is not {expected}");
            own[host] = expected;
            // Clocks never go back on a host.
            if (lastOf.TryGetValue(host, out var before))
                Assert.All(before, kv => Assert.True(clock.GetValueOrDefault(kv.Key) >= kv.Value, $"{text}: {kv.Key} went back"));
            lastOf[host] = clock;

            Match send = Regex.Match(text, @": send #(\d+) ");
            if (send.Success) sends.Add(long.Parse(send.Groups[1].Value, CultureInfo.InvariantCulture), clock);
            Match receive = Regex.Match(text, @": receive (copy of )?#(\d+) ");
            if (receive.Success && !text.Contains("(its sending was not recorded)", StringComparison.Ordinal))
            {
                long id = long.Parse(receive.Groups[2].Value, CultureInfo.InvariantCulture);
                Assert.True(sends.TryGetValue(id, out var sent), $"{text}: receive of #{id} before (or without) its send");
                Assert.All(sent!, kv => Assert.True(clock.GetValueOrDefault(kv.Key) >= kv.Value, $"{text}: does not dominate the send of #{id} on {kv.Key}"));
                Assert.True(clock[host] > sent!.GetValueOrDefault(host), $"{text}: not after the send of #{id}");
            }
        }
        return events;
    }

    // ---- all formats ---------------------------------------------------------------------------

    [Theory, MemberData(nameof(Kinds))]
    public void Output_IsByteIdentical_AcrossCalls_AndAcrossWritingAndReadingTheTrace(string kind)
    {
        TraceFile t = Trace(kind);
        TraceFile reread = TraceReader.Parse(Encoding.UTF8.GetString(TraceWriter.ToBytes(t)).Split('\n'));
        foreach (Func<TraceFile, string> render in new Func<TraceFile, string>[] { SpaceTimeSvg.Render, HtmlPage.Render, ShiVizLog.Render })
        {
            byte[] first = Encoding.UTF8.GetBytes(render(t));
            Assert.Equal(first, Encoding.UTF8.GetBytes(render(t)));
            Assert.Equal(first, Encoding.UTF8.GetBytes(render(reread)));
        }
    }

    [Fact]
    public void EveryCorpusTrace_Renders_InEveryFormat()
    {
        string dir = Path.Combine(RepoRoot(), "traces");
        string[] files = Directory.Exists(dir) ? Directory.GetFiles(dir, "*.trace.jsonl").Order(StringComparer.Ordinal).ToArray() : [];
        foreach (string f in files)
        {
            TraceFile t = TraceReader.Read(f);
            XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
            Assert.Equal(t.Swarm.Nodes, Groups(doc, "lane").Count());
            Assert.Equal(t.Steps.Count(s => s.Event.Kind == EventKind.Deliver), Groups(doc, "delivery").Count());
            if (t.Outcome.Violation is not null) Assert.Single(Groups(doc, "violation"));
            Assert.Contains("<table class=\"steps\">", HtmlPage.Render(t), StringComparison.Ordinal);
            CheckShiViz(ShiVizLog.Render(t), t.Swarm.Nodes);
        }
    }

    /// <summary>
    /// The liveness phase runs on labrpc timing: its timers fire inside <c>tick</c> steps, its
    /// proposals are the tester's control steps, and it opens with a heal and a stabilisation.
    /// The picture must draw those as what they are: a timer circle where a tick made its node
    /// campaign or send, a diamond where a leader accepted the tester's proposal, a band for the
    /// heal and for the stabilisation, and nothing for a silent tick or the folded <c>ticks</c>.
    /// </summary>
    [Fact]
    public void Svg_DrawsTheLivenessPhase_ItsHealStabilisationTimersAndProposals()
    {
        TraceFile t = TraceReader.Read(Path.Combine(RepoRoot(), "traces", "timer-reset-on-step-down.trace.jsonl"));
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(t));
        int Step(XElement g) => (int)g.Attribute("data-step")!;

        int heal = t.Steps.Single(s => s.Control?.Op == ControlOp.Heal).Step;
        int stable = t.Steps.Single(s => s.Control?.Op == ControlOp.Stabilise).Step;
        Assert.Equal([heal], Groups(doc, "liveness-heal").Select(Step));
        Assert.Equal([stable], Groups(doc, "liveness-stabilise").Select(Step));
        Assert.Empty(Groups(doc, "heal")); // the partition legend's "heal" is a fault-phase heal: none here

        // Every tick after which its node changed role or term, or sent something, is a timer firing.
        var firing = t.Steps.Where(s => s.Event.Kind == EventKind.Tick && (
                (s.Sent ?? []).Any(m => m.From == s.Event.Node)
                || s.Step > 0 && (t.Steps[s.Step - 1].Nodes[s.Event.Node].Term != s.Nodes[s.Event.Node].Term
                                  || t.Steps[s.Step - 1].Nodes[s.Event.Node].Role != s.Nodes[s.Event.Node].Role)))
            .Select(s => s.Step).ToList();
        Assert.NotEmpty(firing);
        var timeouts = Groups(doc, "timeout").Select(Step).ToList();
        Assert.All(firing, s => Assert.Contains(s, timeouts));
        foreach (TraceStep s in t.Steps.Where(s => s.Event.Kind is EventKind.Ticks || s.Event.Kind == EventKind.Tick && !firing.Contains(s.Step)))
            Assert.DoesNotContain(s.Step, timeouts);
        Assert.Equal(timeouts.Count, t.Steps.Count(s => s.Event.Kind == EventKind.Timeout) + firing.Count);

        // The tester's proposal that the leader accepted is a diamond labelled with its command; a refused one is not drawn.
        var accepted = t.Steps.Where(s => s.Control?.Op == ControlOp.Propose && s.Outcome.Kind == OutcomeKind.Proposed).ToList();
        Assert.NotEmpty(accepted);
        foreach (TraceStep s in accepted)
        {
            XElement g = Assert.Single(Groups(doc, "propose"), g => Step(g) == s.Step);
            Assert.Contains(g.Descendants(Svg + "text"), x => x.Value == "propose cmd=" + Convert.ToHexString(s.Control!.Command!).ToLowerInvariant());
        }
        Assert.DoesNotContain(Groups(doc, "propose"), g => t.Steps[Step(g)].Outcome.Kind == OutcomeKind.NotLeader);
    }

    [Fact]
    public void ATraceWithoutRecordedSends_StillRenders()
    {
        TraceFile t = Synthetic();
        var bare = new TraceFile
        {
            Settings = t.Settings, Iteration = t.Iteration, ScheduleSeed = t.ScheduleSeed, Swarm = t.Swarm, Outcome = t.Outcome,
            Steps = t.Steps.Select(s => s with { Sent = null }).ToList(),
        };
        XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(bare));
        Assert.Equal(bare.Steps.Count(s => s.Event.Kind == EventKind.Deliver), Groups(doc, "delivery").Count());
        CheckShiViz(ShiVizLog.Render(bare), bare.Swarm.Nodes);
        Assert.Contains("<table", HtmlPage.Render(bare), StringComparison.Ordinal);
    }

    [Fact]
    public void APassingTrace_AndAnEmptyOne_Render_WithNoViolationMarked()
    {
        TraceFile t = Synthetic();
        foreach (IReadOnlyList<TraceStep> steps in new[] { t.Steps, (IReadOnlyList<TraceStep>)[] })
        {
            var passed = new TraceFile
            {
                Settings = t.Settings, Iteration = t.Iteration, ScheduleSeed = t.ScheduleSeed, Swarm = t.Swarm, Steps = steps,
                Outcome = new TraceOutcome(null, -1, "leader 1 after 120 ms; probe at index 2 applied everywhere after 30 ms"),
            };
            XDocument doc = XDocument.Parse(SpaceTimeSvg.Render(passed));
            Assert.Empty(Groups(doc, "violation"));
            Assert.Equal(t.Swarm.Nodes, Groups(doc, "lane").Count());
            Assert.StartsWith("Schedule: ", (string?)doc.Root!.Element(Svg + "title"), StringComparison.Ordinal);
            string html = HtmlPage.Render(passed);
            Assert.DoesNotContain("class=\"violation\"", html, StringComparison.Ordinal);
            Assert.Contains("passed; liveness: leader 1", html, StringComparison.Ordinal);
            string log = ShiVizLog.Render(passed);
            Assert.StartsWith(ShiVizLog.ParserRegex + "\n\n", log, StringComparison.Ordinal);
            if (steps.Count > 0) CheckShiViz(log, passed.Swarm.Nodes);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static IEnumerable<XElement> Groups(XDocument doc, string cls) =>
        doc.Descendants(Svg + "g").Where(g => Classes(g).Contains(cls));

    private static string[] Classes(XElement e) => ((string?)e.Attribute("class") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);

    /// <summary>The y of each step's row centre, read from the event column (its first text sits 3 above the centre).</summary>
    private static Dictionary<int, double> StepRowY(XDocument doc, TraceFile t)
    {
        var rows = new Dictionary<int, double>();
        foreach (XElement g in Groups(doc, "event"))
            if (int.TryParse((string?)g.Attribute("data-step"), NumberStyles.None, CultureInfo.InvariantCulture, out int step))
                rows[step] = (double)g.Element(Svg + "text")!.Attribute("y")! + 3;
        Assert.Equal(t.Steps.Count, rows.Count);
        return rows;
    }

    private static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "RaftVerify.sln"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("cannot find the repository root (RaftVerify.sln) above " + AppContext.BaseDirectory);
    }

    /// <summary>
    /// A hand-made 3-node trace with one of everything: a duplicate, a drop, a delivery lost to a
    /// partition, a message lost at sending, a crash that discards a message, a heal, a restart, a
    /// proposal, messages still in flight, and a violation. Pictures are pure functions of the
    /// trace, so it need not be a run the world could make.
    /// </summary>
    private static TraceFile Synthetic(string violationDetail = "nodes 0 and 1 lead < at once & \"both\"", string bug = "vote-not-durable")
    {
        // the messages, by id, as they were sent
        MessageInfo[] msg =
        [
            new(0, MessageKind.RequestVote, 0, 1, 1, 0),
            new(1, MessageKind.RequestVote, 0, 2, 1, 0),
            new(2, MessageKind.RequestVoteResponse, 2, 0, 1, 0),
            new(3, MessageKind.RequestVoteResponse, 1, 0, 1, 0),
            new(4, MessageKind.AppendEntries, 0, 1, 1, 0),
            new(5, MessageKind.AppendEntries, 0, 2, 1, 0),
            new(6, MessageKind.AppendEntries, 0, 1, 1, 0, Entries: 1),
            new(7, MessageKind.AppendEntries, 0, 2, 1, 0, Entries: 1),
            new(8, MessageKind.RequestVote, 1, 0, 2, 0),
            new(9, MessageKind.RequestVote, 1, 2, 2, 0),
            new(10, MessageKind.RequestVoteResponse, 2, 1, 2, 0),
            new(11, MessageKind.AppendEntries, 1, 0, 2, 0),
            new(12, MessageKind.AppendEntries, 1, 2, 2, 0),
        ];
        SentMessage M(long id, bool lost = false) => new(msg[id], lost);
        StepEvent E(EventKind kind, int node = -1) => new(kind, node, 0);
        StepEvent Msg(EventKind kind, long id) => new(kind, msg[id].To, 0, msg[id]);
        NodeState F(long term, long last = 0) => new(true, Role.Follower, term, 0, last);
        NodeState C(long term) => new(true, Role.Candidate, term, 0, 0);
        NodeState L(long term, long last = 0) => new(true, Role.Leader, term, 0, last);
        NodeState down = NodeState.Down;
        var steps = new List<TraceStep>
        {
            new(0, [0], E(EventKind.Timeout, 0), StepOutcome.Ticked(41), [C(1), F(0), F(0)], [M(0), M(1)]),
            new(1, [1], Msg(EventKind.Duplicate, 1), StepOutcome.Delivered, [C(1), F(0), F(1)], [M(2)]),
            new(2, [0], Msg(EventKind.Deliver, 0), StepOutcome.Delivered, [C(1), F(1), F(1)], [M(3)]),
            new(3, [5, 0, 1], E(EventKind.Partition), StepOutcome.Partitioned(new PartitionShape(PartitionKind.Isolate, 1)), [C(1), F(1), F(1)]),
            new(4, [1], Msg(EventKind.Deliver, 3), StepOutcome.LostLinkDown, [C(1), F(1), F(1)]),
            new(5, [3], Msg(EventKind.Drop, 1), StepOutcome.Done, [C(1), F(1), F(1)]),
            new(6, [0], Msg(EventKind.Deliver, 2), StepOutcome.Delivered, [L(1), F(1), F(1)], [M(4, lost: true), M(5)]),
            new(7, [4], E(EventKind.Crash, 2), StepOutcome.Done, [L(1), F(1), down]),
            new(8, [4], E(EventKind.Heal), StepOutcome.Done, [L(1), F(1), down]),
            new(9, [3], E(EventKind.Restart, 2), StepOutcome.Done, [L(1), F(1), F(1)]),
            new(10, [2], new StepEvent(EventKind.Propose, 0, 0, Proposal: 1), StepOutcome.Proposed(1, 1), [L(1, 1), F(1), F(1)], [M(6), M(7)]),
            new(11, [0], E(EventKind.Timeout, 1), StepOutcome.Ticked(60), [L(1, 1), C(2), F(1)], [M(8), M(9)]),
            new(12, [1], Msg(EventKind.Deliver, 9), StepOutcome.Delivered, [L(1, 1), C(2), F(2)], [M(10)]),
            new(13, [2], Msg(EventKind.Deliver, 10), StepOutcome.Delivered, [L(1, 1), L(2), F(2)], [M(11), M(12)]),
            new(14, [0], E(EventKind.Snapshot, 0), StepOutcome.SnapshotThrough(0), [L(1, 1), L(2), F(2)]),
            new(15, [0], new StepEvent(EventKind.Advance, -1, 0, AdvanceTo: 130), StepOutcome.ClockMovedTo(130, 10), [L(1, 1), L(2), F(2)]),
        };
        var settings = new ExploreSettings { Bug = bug, Strategy = "delay-bounded", Seed = 7, MaxSteps = 40, Workers = 1 };
        return new TraceFile
        {
            Settings = settings,
            Iteration = 3,
            ScheduleSeed = 12345,
            Swarm = new SwarmParameters(3, 200, 100, 100, 10, 30, 3, 1, 2, 2),
            Steps = steps,
            Outcome = new TraceOutcome(new Violation(Invariant.ElectionSafety, [1, 0], 0, 2, 13, violationDetail), 13, null),
        };
    }
}
