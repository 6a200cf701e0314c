using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 kvraft tester's 3B tests (the key-value service with snapshots), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=3B</c> (as <c>go test -run 3B</c> in src/kvraft).
/// </summary>
public sealed class Lab3BTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotRPC3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotRPC3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotSize3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotSize3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSpeed3B(ulong seed) => LabSeeds.Run(nameof(TestSpeed3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotRecover3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotRecover3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotRecoverManyClients3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotRecoverManyClients3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotUnreliable3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotUnreliable3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotUnreliableRecover3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotUnreliableRecover3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotUnreliableRecoverConcurrentPartition3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotUnreliableRecoverConcurrentPartition3B), seed, _output);

    [Theory, Trait("Lab", "3B"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B(ulong seed) => LabSeeds.Run(nameof(TestSnapshotUnreliableRecoverConcurrentPartitionLinearizable3B), seed, _output);
}
