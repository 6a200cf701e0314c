using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 kvraft tester's 3A tests (the key-value service, no snapshots), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=3A</c> (as <c>go test -run 3A</c> in src/kvraft).
/// </summary>
public sealed class Lab3ATests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestBasic3A(ulong seed) => LabSeeds.Run(nameof(TestBasic3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSpeed3A(ulong seed) => LabSeeds.Run(nameof(TestSpeed3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestConcurrent3A(ulong seed) => LabSeeds.Run(nameof(TestConcurrent3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestUnreliable3A(ulong seed) => LabSeeds.Run(nameof(TestUnreliable3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestUnreliableOneKey3A(ulong seed) => LabSeeds.Run(nameof(TestUnreliableOneKey3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestOnePartition3A(ulong seed) => LabSeeds.Run(nameof(TestOnePartition3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestManyPartitionsOneClient3A(ulong seed) => LabSeeds.Run(nameof(TestManyPartitionsOneClient3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestManyPartitionsManyClients3A(ulong seed) => LabSeeds.Run(nameof(TestManyPartitionsManyClients3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistOneClient3A(ulong seed) => LabSeeds.Run(nameof(TestPersistOneClient3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistConcurrent3A(ulong seed) => LabSeeds.Run(nameof(TestPersistConcurrent3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistConcurrentUnreliable3A(ulong seed) => LabSeeds.Run(nameof(TestPersistConcurrentUnreliable3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistPartition3A(ulong seed) => LabSeeds.Run(nameof(TestPersistPartition3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistPartitionUnreliable3A(ulong seed) => LabSeeds.Run(nameof(TestPersistPartitionUnreliable3A), seed, _output);

    [Theory, Trait("Lab", "3A"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersistPartitionUnreliableLinearizable3A(ulong seed) => LabSeeds.Run(nameof(TestPersistPartitionUnreliableLinearizable3A), seed, _output);
}
