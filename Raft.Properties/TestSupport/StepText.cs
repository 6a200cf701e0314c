using Raft.Model.Events;

namespace Raft.Properties.TestSupport;

/// <summary>Display text of recorded steps, for assertions and test output (made by EventText, never parsed).</summary>
internal static class StepText
{
    /// <summary>The event as <c>show</c> prints it, e.g. "timeout 0", "deliver #1 RequestVote 0->1 …".</summary>
    public static string Text(this TraceStep s) => EventText.Event(s.Event);

    /// <summary>The outcome as <c>show</c> prints it in brackets, e.g. "isolate 1", "45 ticks" ("" for none).</summary>
    public static string DetailText(this TraceStep s) => EventText.Outcome(s.Event.Kind, s.Outcome);
}
