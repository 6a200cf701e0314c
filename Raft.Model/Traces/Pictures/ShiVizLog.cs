using System.Text;
using Raft.Model.Exploration;
using static Raft.Model.Text.Markup;

using Raft.Model.Events;

namespace Raft.Model.Traces.Pictures;

/// <summary>
/// A trace as a log for ShiViz (https://bestchai.bitbucket.io/shiviz/), which draws space-time diagrams
/// from logs carrying vector clocks. Each node is a host ("node0", "node1", ...) with a vector clock:
/// a send increments the sender's own entry and the message carries a copy; a receive merges the
/// message's clock into the receiver's (entry-wise maximum) and then increments the receiver's own
/// entry; a local event (timeout, proposal, snapshot, crash, restart, or a role change seen on its own)
/// increments its node's own entry. So each host's own entry counts its events 1, 2, 3, ... as ShiViz
/// requires, and a receive's clock dominates its send's. Drops, messages lost on the way, partitions,
/// heals and clock advances happen in the network, not at a node: they are not events here (the SVG
/// picture shows them).
/// <para>
/// The output is ShiViz's file format (its Input page, "upload a file"): line 1 is the parser regular
/// expression, line 2 the delimiter between executions (empty: there is one), then two lines per event,
/// the event text and then the host with its clock as a JSON object:
/// </para>
/// <code>
/// (?&lt;event&gt;.*)\n(?&lt;host&gt;\S*) (?&lt;clock&gt;{.*})
///
/// step 1: timeout [41 ticks] [now C1]
/// node0 {"node0":1}
/// step 1: send #0 RequestVote 0-&gt;1
/// node0 {"node0":2}
/// step 2: receive #0 RequestVote 0-&gt;1 t1 last=0/t0 [now F1]
/// node1 {"node0":2,"node1":1}
/// </code>
/// <para>
/// To paste the log into ShiViz's text box instead of uploading it, paste it whole (the first two lines
/// match no event) or from line 3 on, and paste this into the "log parsing regular expression" box
/// (it is also ShiViz's default): <c>(?&lt;event&gt;.*)\n(?&lt;host&gt;\S*) (?&lt;clock&gt;{.*})</c>.
/// Leave the "multiple executions" delimiter empty. A pure function of the trace.
/// </para>
/// </summary>
public static class ShiVizLog
{
    /// <summary>The regular expression to paste into ShiViz's "log parsing regular expression" box (line 1 of the output).</summary>
    public const string ParserRegex = @"(?<event>.*)\n(?<host>\S*) (?<clock>{.*})";

    public static string HostName(int node) => "node" + I(node);

    public static string Render(TraceFile trace)
    {
        TraceAnalysis a = TraceAnalysis.Of(trace);
        int n = a.NodeCount;
        var clocks = new long[n][];
        for (int i = 0; i < n; i++) clocks[i] = new long[n];
        var carried = new Dictionary<long, long[]>();
        var stories = a.Messages.ToDictionary(m => m.Id);
        var sb = new StringBuilder();
        sb.Append(ParserRegex).Append('\n').Append('\n');

        for (int s = 0; s < a.StepCount; s++)
        {
            TraceStep step = trace.Steps[s];
            PictureEvent e = a.Events[s];
            string prefix = TraceAnalysis.Inv($"step {s}: ");
            var events = new List<(int Host, string Text, long[] Clock)>();

            void Tick(int host, string text)
            {
                clocks[host][host]++;
                events.Add((host, text, (long[])clocks[host].Clone()));
            }

            if (e.Action is StepAction.Deliver or StepAction.Duplicate && stories.TryGetValue(e.MessageId, out MessageStory? m) && Valid(m.To))
            {
                Arrival? arrival = m.Arrivals.FirstOrDefault(x => x.Step == s);
                if (arrival is { Lost: null })
                {
                    if (carried.TryGetValue(m.Id, out long[]? sent))
                        for (int k = 0; k < n; k++) clocks[m.To][k] = Math.Max(clocks[m.To][k], sent[k]);
                    string verb = e.Action == StepAction.Duplicate ? "receive copy of #" : "receive #";
                    Tick(m.To, prefix + verb + I(m.Id) + " " + EventText.Message(e.Message!.Value) + (m.SentStep < 0 ? " (its sending was not recorded)" : ""));
                }
            }
            else if (e.Action is StepAction.Timeout or StepAction.Propose or StepAction.Snapshot or StepAction.Crash or StepAction.Restart && Valid(e.Node))
            {
                string what = e.Action switch
                {
                    StepAction.Timeout => "timeout",
                    StepAction.Propose => e.ProposeText,
                    StepAction.Snapshot => "snapshot",
                    StepAction.Crash => "crash",
                    _ => "restart",
                };
                string outcome = EventText.Outcome(step.Event.Kind, step.Outcome);
                Tick(e.Node, prefix + what + (outcome.Length > 0 ? " [" + outcome + "]" : ""));
            }

            foreach (SentMessage sent in step.Sent ?? [])
            {
                if (!Valid(sent.From) || !stories.TryGetValue(sent.Id, out MessageStory? story) || story.SentStep != s) continue;
                Tick(sent.From, prefix + "send #" + I(sent.Id) + " " + story.ShortType + " " + I(sent.From) + "->" + I(sent.To) + (sent.Lost ? " (lost at once: link down)" : ""));
                carried[sent.Id] = events[^1].Clock;
            }

            // Role and term changes: noted on the node's first event of the step, or as an event of their own.
            for (int i = 0; i < n; i++)
            {
                NodeState cur = a.States[s][i], prev = a.StateAfter(s - 1, i);
                string? role = TraceAnalysis.RoleTerm(cur);
                if (role is null || (!TraceAnalysis.IsDown(prev) && role == TraceAnalysis.RoleTerm(prev))) continue;
                int first = events.FindIndex(x => x.Host == i);
                if (first >= 0) events[first] = events[first] with { Text = events[first].Text + " [now " + role + "]" };
                else Tick(i, prefix + EventText.Event(step.Event) + ": now " + role);
            }

            foreach ((int host, string text, long[] clock) in events)
            {
                sb.Append(OneLine(text)).Append('\n').Append(HostName(host)).Append(' ').Append(Clock(clock)).Append('\n');
            }
        }
        return sb.ToString();

        bool Valid(int node) => node >= 0 && node < n;
    }

    /// <summary>{"node0":2,"node1":1}: the non-zero entries in node order (ShiViz drops zero entries anyway).</summary>
    private static string Clock(long[] clock)
    {
        var sb = new StringBuilder("{");
        for (int k = 0; k < clock.Length; k++)
        {
            if (clock[k] == 0) continue;
            if (sb.Length > 1) sb.Append(',');
            sb.Append('"').Append(HostName(k)).Append("\":").Append(I(clock[k]));
        }
        return sb.Append('}').ToString();
    }

    /// <summary>An event line may not break: ShiViz's regex reads one line of event text.</summary>
    private static string OneLine(string text) => text.Replace('\r', ' ').Replace('\n', ' ');
}
