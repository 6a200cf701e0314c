using Raft.Model.Exploration;

namespace Raft.Coyote;

/// <summary>
/// The serial harness: one actor runs one schedule of the explorer's world
/// (<see cref="ScheduleRunner"/>, the code <c>raftverify explore</c> runs) with every step a Coyote
/// controlled choice (<see cref="CoyoteStepDraws"/>: one choice decides the step's event and its data
/// choices, such as a partition's shape), and the schedule seed the swarm parameters are drawn from
/// Coyote's choices too. The iteration ends on the explorer's own budget (its step
/// bound, or the workload done, then the clients' history check and the liveness phase), not on
/// Coyote's step bound: a Raft cluster with timers never quiesces. With one actor there is no
/// interleaving to order, so Coyote's strategies act through the steps' choices: <c>random</c>
/// draws them uniformly, <c>q-learning</c> learns which answers lead to new abstract states
/// (<see cref="HarnessActor.HashedState"/>), and the scheduling strategies (prioritization,
/// delay-bounding) make the same uniform draws as <c>random</c>.
/// </summary>
public sealed class WorldDriver : HarnessActor
{
    protected override async Task OnInitializeAsync(Microsoft.Coyote.Actors.Event initialEvent)
    {
        await base.OnInitializeAsync(initialEvent);
        // the schedule runs unrecorded (as the explorer runs it); a violation is run again from the same
        // answers, recorded, for its RaftVerify trace (no Coyote choice is made the second time)
        var answers = new List<int>();
        var draws = new CoyoteStepDraws(n => { int a = RandomInteger(n); answers.Add(a); return a; }, H.Seed);
        SwarmParameters swarm = SwarmParameters.Draw(H.Settings, H.Seed);
        int maxSteps = swarm.MaxSteps(H.Settings);
        ScheduleResult r = ScheduleRunner.Run(H.Settings, H.Iteration, H.Seed, CoyoteDraws.Strategy(draws, maxSteps, swarm),
            record: false, swarm, onWorld: w => H.World = w, onState: state => H.AbstractState = state);
        if (r.Violation is not null)
        {
            int next = 0;
            var again = new CoyoteStepDraws(_ => answers[next++], H.Seed);
            ScheduleResult recorded = ScheduleRunner.Run(H.Settings, H.Iteration, H.Seed, CoyoteDraws.Strategy(again, maxSteps, swarm), record: true, swarm);
            if (recorded.Violation?.ToString() != r.Violation.ToString() || recorded.ViolationStep != r.ViolationStep)
                throw new InvalidOperationException($"the recorded re-run of schedule {H.Iteration} did not repeat it: {r.Violation} at step {r.ViolationStep}, then {recorded.Violation?.ToString() ?? "no violation"} at step {recorded.ViolationStep}");
            r = recorded;
        }
        Conclude(r);
        RaiseHaltEvent();
    }
}
