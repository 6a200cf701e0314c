using System.Reflection;
using Raft.Model.Testing;
using Raft.Model.Lab;

namespace Raft.Properties.Lab;

/// <summary>The port is complete and each test is wired to xunit under its part's trait.</summary>
public sealed class LabSuiteTests
{
    [Fact]
    public void Suite_HasThe25TestsOf2022PlusThe3AddedIn2023()
    {
        Assert.Equal(28, LabSuite.All.Count);
        Assert.Equal(28, LabSuite.All.Select(t => t.Name).Distinct().Count());
        Assert.Equal([3, 10, 8, 7], new[] { "2A", "2B", "2C", "2D" }.Select(p => LabSuite.All.Count(t => t.Part == p)));
        Assert.Contains(LabSuite.All, t => t.Name == "TestFollowerFailure2B");
        Assert.Contains(LabSuite.All, t => t.Name == "TestLeaderFailure2B");
        Assert.Contains(LabSuite.All, t => t.Name == "TestSnapshotInit2D");
    }

    [Fact]
    public void KvSuite_HasThe14TestsOf3AAndThe9Of3B()
    {
        Assert.Equal(23, LabSuite.Kv.Count);
        Assert.Equal(23, LabSuite.Kv.Select(t => t.Name).Distinct().Count());
        Assert.Equal([14, 9], new[] { "3A", "3B" }.Select(p => LabSuite.Kv.Count(t => t.Part == p)));
        Assert.All(LabSuite.Kv, t => Assert.EndsWith(t.Part, t.Name, StringComparison.Ordinal));
    }

    [Fact]
    public void EveryLabTest_HasAnXunitTestInItsPart()
    {
        var methods = typeof(LabSuiteTests).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance))
            .Where(m => m.GetCustomAttributes<TheoryAttribute>().Any())
            .ToDictionary(m => m.Name);
        foreach (LabTest test in LabSuite.All.Concat(LabSuite.Kv))
        {
            Assert.True(methods.TryGetValue(test.Name, out MethodInfo? method), $"{test.Name} has no xunit test");
            var trait = method!.GetCustomAttributesData().Single(a => a.AttributeType == typeof(TraitAttribute));
            Assert.Equal(test.Part, trait.ConstructorArguments[1].Value);
        }
    }

    [Fact]
    public void SameSeed_GivesTheSameResultLines()
    {
        foreach (string name in new[] { "TestFigure8Unreliable2C", "TestSnapshotInstallUnCrash2D", "TestUnreliableChurn2C" })
        {
            var a = new List<string>();
            var b = new List<string>();
            LabResult ra = LabSuite.Run(LabSuite.Get(name), 11, a.Add);
            LabResult rb = LabSuite.Run(LabSuite.Get(name), 11, b.Add);
            Assert.Equal(ra, rb);
            Assert.Equal(a, b);
        }
    }

    [Fact]
    public void DifferentSeeds_GiveDifferentRuns()
    {
        LabResult r1 = LabSuite.Run(LabSuite.Get("TestFigure82C"), 1);
        LabResult r2 = LabSuite.Run(LabSuite.Get("TestFigure82C"), 2);
        Assert.NotEqual(r1, r2);
    }

    [Fact]
    public void AFailure_NamesTheSeedAndTheReplayCommand()
    {
        var test = new LabTest("TestAlwaysFails2A", "2A", async ctx =>
        {
            var cfg = ctx.MakeConfig(3, false, false);
            cfg.Begin("Test (2A): deliberately failing");
            await cfg.Sleep(10);
            cfg.CheckNoLeader();
            await cfg.CheckOneLeader();
            LabConfig.Fail("boom");
        });
        var e = Assert.Throws<LabFailure>(() => LabSuite.Run(test, 42));
        Assert.Contains("seed 42", e.Message);
        Assert.Contains("boom", e.Message);
        Assert.Contains("dotnet raftverify lab 2A --test TestAlwaysFails2A --seed 42", e.Message);
    }

    [Fact]
    public void CheckNoLeader_FailsWhenALeaderExists()
    {
        var test = new LabTest("TestNoLeader2A", "2A", async ctx =>
        {
            var cfg = ctx.MakeConfig(3, false, false);
            await cfg.CheckOneLeader();
            cfg.CheckNoLeader();
        });
        var e = Assert.Throws<LabFailure>(() => LabSuite.Run(test, 1));
        Assert.Contains("expected no leader among connected servers", e.Message);
    }

    [Fact]
    public void One_FailsWithoutAMajority()
    {
        var test = new LabTest("TestNoMajority2B", "2B", async ctx =>
        {
            var cfg = ctx.MakeConfig(3, false, false);
            int leader = await cfg.CheckOneLeader();
            cfg.Disconnect((leader + 1) % 3);
            cfg.Disconnect((leader + 2) % 3);
            await cfg.One(7, 2, retry: false);
        });
        var e = Assert.Throws<LabFailure>(() => LabSuite.Run(test, 3));
        Assert.Contains("failed to reach agreement", e.Message);
    }
}
