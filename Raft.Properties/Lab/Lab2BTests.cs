using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 tester's 2B tests (log replication), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=2B</c> (as <c>go test -run 2B</c>).
/// </summary>
public sealed class Lab2BTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestBasicAgree2B(ulong seed) => LabSeeds.Run(nameof(TestBasicAgree2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestRPCBytes2B(ulong seed) => LabSeeds.Run(nameof(TestRPCBytes2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestFollowerFailure2B(ulong seed) => LabSeeds.Run(nameof(TestFollowerFailure2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestLeaderFailure2B(ulong seed) => LabSeeds.Run(nameof(TestLeaderFailure2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestFailAgree2B(ulong seed) => LabSeeds.Run(nameof(TestFailAgree2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestFailNoAgree2B(ulong seed) => LabSeeds.Run(nameof(TestFailNoAgree2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestConcurrentStarts2B(ulong seed) => LabSeeds.Run(nameof(TestConcurrentStarts2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestRejoin2B(ulong seed) => LabSeeds.Run(nameof(TestRejoin2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestBackup2B(ulong seed) => LabSeeds.Run(nameof(TestBackup2B), seed, _output);

    [Theory, Trait("Lab", "2B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestCount2B(ulong seed) => LabSeeds.Run(nameof(TestCount2B), seed, _output);
}
