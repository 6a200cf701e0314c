using Raft.Model.Simulation;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;

namespace Raft.Model.Shrinking;

/// <summary>
/// Runs a list of <see cref="ScriptedEvent"/>s: at each step the next scripted event that is
/// enabled now (events that are not are skipped), with its recorded data choices; -1 when the
/// script is used up, which ends the schedule.
/// </summary>
internal sealed class ScriptedStrategy(IReadOnlyList<ScriptedEvent> script) : IStrategy
{
    private int _next;
    private int[] _data = [];
    private int _dataNext;

    public World? World { get; set; }
    public string Name => "scripted";

    public void Begin(ulong seed, int maxSteps, SwarmParameters swarm) => _next = 0;

    public int Pick(IReadOnlyList<EnabledEvent> enabled, int step)
    {
        while (_next < script.Count)
        {
            ScriptedEvent want = script[_next++];
            // the very event if it is still there; otherwise the oldest event of the same kind and direction
            int chosen = -1;
            for (int i = 0; i < enabled.Count; i++)
            {
                string description = World!.Describe(enabled[i]);
                if (ScriptedEvent.ExactKeyOf(description) == want.Exact) { chosen = i; break; }
                if (chosen < 0 && ScriptedEvent.KeyOf(description) == want.Key) chosen = i;
            }
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
