using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 tester's 2D tests (snapshots and log compaction), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=2D</c> (as <c>go test -run 2D</c>).
/// </summary>
public sealed class Lab2DTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotBasic2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotBasic2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotInstall2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotInstall2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotInstallUnreliable2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotInstallUnreliable2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotInstallCrash2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotInstallCrash2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotInstallUnCrash2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotInstallUnCrash2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotAllCrash2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotAllCrash2D), seed, _output);

    [Theory, Trait("Lab", "2D"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestSnapshotInit2D(ulong seed) => LabSeeds.Run(nameof(TestSnapshotInit2D), seed, _output);
}
