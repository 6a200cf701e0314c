using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 tester's 2A tests (leader election and heartbeats), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=2A</c> (as <c>go test -run 2A</c>).
/// </summary>
public sealed class Lab2ATests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "2A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestInitialElection2A(ulong seed) => LabSeeds.Run(nameof(TestInitialElection2A), seed, _output);

    [Theory, Trait("Lab", "2A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestReElection2A(ulong seed) => LabSeeds.Run(nameof(TestReElection2A), seed, _output);

    [Theory, Trait("Lab", "2A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestManyElections2A(ulong seed) => LabSeeds.Run(nameof(TestManyElections2A), seed, _output);
}
