using Xunit.Abstractions;

namespace Raft.Properties.Lab;

/// <summary>
/// The 6.824 tester's 2C tests (persistence), ported to virtual time with the Go thresholds.
/// Run just these with <c>dotnet test --filter Lab=2C</c> (as <c>go test -run 2C</c>).
/// </summary>
public sealed class Lab2CTests(ITestOutputHelper output)
{
    private readonly ITestOutputHelper _output = output;

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersist12C(ulong seed) => LabSeeds.Run(nameof(TestPersist12C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersist22C(ulong seed) => LabSeeds.Run(nameof(TestPersist22C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestPersist32C(ulong seed) => LabSeeds.Run(nameof(TestPersist32C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestFigure82C(ulong seed) => LabSeeds.Run(nameof(TestFigure82C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestUnreliableAgree2C(ulong seed) => LabSeeds.Run(nameof(TestUnreliableAgree2C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestFigure8Unreliable2C(ulong seed) => LabSeeds.Run(nameof(TestFigure8Unreliable2C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestReliableChurn2C(ulong seed) => LabSeeds.Run(nameof(TestReliableChurn2C), seed, _output);

    [Theory, Trait("Lab", "2C"), MemberData(nameof(LabSeeds.Seeds), MemberType = typeof(LabSeeds))]
    public void TestUnreliableChurn2C(ulong seed) => LabSeeds.Run(nameof(TestUnreliableChurn2C), seed, _output);
}
