using Raft.Coyote;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Strategies;
using Xunit;

namespace Raft.Properties.Coyote;

/// <summary>
/// The serial harness's draws (<see cref="CoyoteStepDraws"/>): one Coyote choice per step decides
/// the whole step, the same answers give the same schedule, and the answers do decide it.
/// </summary>
public sealed class StepDrawsTests
{
    private static readonly ExploreSettings Settings = new CoyoteHarnessOptions { Liveness = false }.Settings();

    /// <summary>Runs schedule <paramref name="seed"/> with the answers from <paramref name="answer"/>; returns the events and the number of choices asked for.</summary>
    private static (string Events, int Choices, int Steps) Run(ulong seed, Func<int, int> answer)
    {
        int choices = 0;
        var draws = new CoyoteStepDraws(n => { choices++; Assert.Equal(CoyoteStepDraws.Answers, n); return answer(choices); }, seed);
        SwarmParameters swarm = SwarmParameters.Draw(Settings, seed);
        RandomStrategy strategy = CoyoteDraws.Strategy(draws, swarm.MaxSteps(Settings), swarm);
        ScheduleResult r = ScheduleRunner.Run(Settings, 0, seed, strategy, record: true, swarm);
        return (string.Join("\n", r.Trace!.Select(s => s.Event.ToString())), choices, r.Steps);
    }

    [Fact]
    public void EveryStep_IsOneControlledChoice()
    {
        for (ulong seed = 1; seed <= 5; seed++)
        {
            (_, int choices, int steps) = Run(seed, k => k % CoyoteStepDraws.Answers);
            Assert.True(steps > 0);
            Assert.Equal(steps, choices);
        }
    }

    [Fact]
    public void TheSameAnswers_GiveTheSameSchedule()
    {
        var first = Run(7, k => k * 7 % CoyoteStepDraws.Answers);
        var again = Run(7, k => k * 7 % CoyoteStepDraws.Answers);
        Assert.Equal(first.Events, again.Events);
    }

    [Fact]
    public void TheAnswers_DecideTheSchedule()
    {
        int differing = 0;
        for (ulong seed = 1; seed <= 5; seed++)
            if (Run(seed, _ => 0).Events != Run(seed, _ => CoyoteStepDraws.Answers - 1).Events) differing++;
        Assert.Equal(5, differing);
    }
}
