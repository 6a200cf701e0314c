using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Raft.Model.Events;

namespace Raft.Model.Shrinking;

/// <summary>
/// Runs a list of <see cref="ScriptedEvent"/>s: at each step the next scripted event that is
/// enabled now (events that are not are skipped), with its recorded data choices; -1 when the
/// script is used up, which ends the schedule.
/// </summary>
internal sealed class ScriptedStrategy(IReadOnlyList<ScriptedEvent> script) : IStrategy, IControlSource
{
    private readonly List<EnabledEvent> _enabled = new();
    private readonly bool _hasControls = script.Any(e => e.Control is not null);

    /// <summary>
    /// A control step runs when it is next in the script, after skipping scripted events that are
    /// not enabled now (as <see cref="Pick"/> would); otherwise null and <see cref="Pick"/> chooses.
    /// </summary>
    public WorldControl? ControlAt(int step)
    {
        if (!_hasControls) return null;
        World!.ListEnabled(_enabled);
        while (_next < script.Count && script[_next].Control is null && IndexOf(_enabled, script[_next]) < 0) _next++;
        if (_next < script.Count && script[_next].Control is { } c)
        {
            _next++;
            // at its time or later: the events before it may have been removed, never to run it in the past
            return c with { At = Math.Max(c.At, World.Now) };
        }
        return null;
    }

    private int IndexOf(IReadOnlyList<EnabledEvent> enabled, ScriptedEvent want)
    {
        int exact = -1, like = -1;
        for (int i = 0; i < enabled.Count; i++)
        {
            if (enabled[i].Kind != want.Kind) continue;
            StepEvent candidate = World!.EventOf(enabled[i]);
            if (want.IsExactly(candidate))
            {
                // among messages exactly alike, the recorded one if it is still there (its id), else the oldest
                if (want.MessageId < 0 || enabled[i].MessageId == want.MessageId) return i;
                if (exact < 0) exact = i;
            }
            else if (like < 0 && want.IsLike(candidate)) like = i;
        }
        return exact >= 0 ? exact : like;
    }

    private int _next;
    private int[] _data = [];
    private int _dataNext;

    public World? World { get; set; }
    public string Name => "scripted";

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) => _next = 0;

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        while (_next < script.Count && script[_next].Control is null)
        {
            ScriptedEvent want = script[_next++];
            // the very event if it is still there; otherwise the oldest event of the same kind and direction
            int chosen = IndexOf(enabled, want);
            if (chosen < 0) continue;
            _data = want.Data;
            _dataNext = 0;
            return chosen;
        }
        return -1;
    }

    public int Choose(int n)
    {
        int v = _dataNext < _data.Length ? _data[_dataNext++] : 0;
        return n <= 1 ? 0 : v % n;
    }
}
