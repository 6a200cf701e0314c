using Raft.Model.Events;
using Raft.Model.Histories;

namespace Raft.Model.Traces.Pictures;

/// <summary>
/// The clients' history a trace recorded, rebuilt from its steps as the world recorded it while it
/// ran: an operation is invoked at the step its client first sent it and answered at the step the
/// client heard the answer (times are step numbers); a request never answered is ambiguous. Null
/// when the trace has no client steps.
/// </summary>
public static class TraceHistory
{
    public static History? Of(TraceFile trace)
    {
        var recorder = new HistoryRecorder();
        var open = new Dictionary<(int Client, long Seq), int>();
        foreach (TraceStep step in trace.Steps)
        {
            if (step.Event.Request is not { } r) continue;
            if (step.Event.Kind == EventKind.ClientSend && !open.ContainsKey((r.Client, r.Seq)))
                open[(r.Client, r.Seq)] = recorder.Invoke(r.Client, r.Key, r.Op, r.Value, step.Step);
            else if (step.Event.Kind == EventKind.ClientReply && open.Remove((r.Client, r.Seq), out int handle))
                recorder.Respond(handle, r.Op == OpKind.Get ? r.Output ?? "" : null, step.Step);
        }
        return recorder.Count == 0 ? null : recorder.ToHistory();
    }
}
