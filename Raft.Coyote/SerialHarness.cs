using Raft.Model.Exploration;

namespace Raft.Coyote;

/// <summary>
/// The serial harness: one actor runs one schedule of the explorer's world
/// (<see cref="ScheduleRunner"/>, the code <c>raftverify explore</c> runs) with every draw of
/// its strategy a Coyote controlled choice (<see cref="CoyoteDraws"/>): which event runs next,
/// each swarm-weighted coin, each data choice such as a partition's shape, and the schedule seed
/// the swarm parameters are drawn from. The iteration ends on the explorer's own budget (its step
/// bound, or the workload done, then the clients' history check and the liveness phase), not on
/// Coyote's step bound: a Raft cluster with timers never quiesces. With one actor there is no
/// interleaving to order, so Coyote's strategies act through the data choices: <c>random</c>
/// draws them uniformly, <c>q-learning</c> learns which answers lead to new abstract states
/// (<see cref="HarnessActor.HashedState"/>), and the scheduling strategies (prioritization,
/// delay-bounding) make the same uniform draws as <c>random</c>.
/// </summary>
public sealed class WorldDriver : HarnessActor
{
    protected override async Task OnInitializeAsync(Microsoft.Coyote.Actors.Event initialEvent)
    {
        await base.OnInitializeAsync(initialEvent);
        var draws = new CoyoteDraws(RandomInteger);
        SwarmParameters swarm = SwarmParameters.Draw(H.Settings, H.Seed);
        ScheduleResult r = ScheduleRunner.Run(H.Settings, H.Iteration, H.Seed, CoyoteDraws.Strategy(draws, swarm.MaxSteps(H.Settings), swarm),
            record: true, swarm, onWorld: w => H.World = w);
        Conclude(r);
        RaiseHaltEvent();
    }
}
