using System.CommandLine;
using System.Text.RegularExpressions;
using RaftVerify.Cli;

namespace Raft.Properties.Hardening;

/// <summary>
/// What a user reads when the command line is wrong: one plain line on stderr, exit code 2, no .NET
/// type names, no two messages joined, and the nearest names when a name is mistyped.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class UsageMessageTests
{
    private static string OneLine(params string[] args)
    {
        Cli.Result r = Cli.Run(args);
        Assert.True(r.Code == 2, $"{string.Join(' ', args)}: exit {r.Code}, stderr: {r.Err}");
        Assert.Single(r.ErrLines);
        Assert.Equal("", r.Out);
        Assert.DoesNotContain("System.", r.Err, StringComparison.Ordinal);
        return r.ErrLines[0];
    }

    [Theory]
    [InlineData("raftverify: --seed: expected a whole number (0 or more), got 'x'", "explore", "--seed", "x")]
    [InlineData("raftverify: --seeds: expected a whole number, got 'x'", "lab", "--seeds", "x")]
    [InlineData("raftverify: --iterations: expected a whole number from -2147483648 to 2147483647, got '99999999999999999999'", "explore", "--iterations", "99999999999999999999")]
    [InlineData("raftverify: --seed: expected a whole number from 0 to 18446744073709551615, got '-1'", "lab", "--seed", "-1")]
    [InlineData("raftverify: --time-limit: expected a number, such as 2 or 0.5, got 'soon'", "explore", "--time-limit", "soon")]
    public void ANumberOfTheWrongKind_SaysWhatWasExpected(string expected, params string[] args) => Assert.Equal(expected, OneLine(args));

    /// <summary>Every numeric option of every command, given a word: the option's name and what it expects.</summary>
    [Fact]
    public void EveryNumericOption_NamesItselfAndNoDotNetType()
    {
        int checkedOptions = 0;
        foreach (Command command in Program.Root().Subcommands)
            foreach (Option option in command.Options)
            {
                if (option.ValueType != typeof(int) && option.ValueType != typeof(long) && option.ValueType != typeof(ulong) && option.ValueType != typeof(double)) continue;
                string[] args = command.Arguments.Any(a => a.Arity.MinimumNumberOfValues > 0)
                    ? [command.Name, "traces/commit-previous-term.trace.jsonl", option.Name, "abc"]
                    : [command.Name, option.Name, "abc"];
                Assert.StartsWith($"raftverify: {option.Name}: expected a ", OneLine(args));
                checkedOptions++;
            }
        Assert.True(checkedOptions >= 15, $"only {checkedOptions} numeric options");
    }

    [Fact]
    public void AnUnknownCommand_IsOneMessage_WithTheCommands()
    {
        string line = OneLine("nope");
        Assert.Equal("raftverify: unknown command 'nope': the commands are explore, replay, shrink, show, bugs, lab, minimum (see dotnet raftverify --help)", line);
        Assert.DoesNotContain("Required command", line, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(line, "raftverify:"));
    }

    [Fact]
    public void AMistypedCommand_SuggestsTheNearest() =>
        Assert.StartsWith("raftverify: unknown command 'explor' (did you mean explore?)", OneLine("explor"), StringComparison.Ordinal);

    [Fact]
    public void NoCommand_ListsTheCommands() =>
        Assert.Equal("raftverify: no command given: expected one of explore, replay, shrink, show, bugs, lab, minimum (see dotnet raftverify --help)", OneLine());

    [Fact]
    public void AMistypedOption_SuggestsTheNearest() =>
        Assert.Equal("raftverify: unknown option '--strat' for explore (did you mean --strategy or --strategy-parameter?) (see dotnet raftverify explore --help)",
            OneLine("explore", "--strat", "pct"));

    [Fact]
    public void AnUnknownLabTest_SuggestsTheNearestNames_AndHowToListThem()
    {
        Assert.Equal("raftverify: no lab test named TestBackup2C: did you mean TestBackup2B? (dotnet raftverify lab --list lists all 51)",
            OneLine("lab", "--test", "TestBackup2C"));
        string far = OneLine("lab", "--test", "TestNope");
        Assert.Matches(new Regex(@"^raftverify: no lab test named TestNope: the nearest names are Test\w+, Test\w+ and Test\w+ \(dotnet raftverify lab --list lists all 51\)$"), far);
        Assert.Equal("raftverify: no lab test named TestBackup2B in part 2C: it is in part 2B (dotnet raftverify lab 2B --test TestBackup2B)",
            OneLine("lab", "2C", "--test", "TestBackup2B"));
    }

    [Fact]
    public void LabList_PrintsEveryTestName_AndThoseOfAPart()
    {
        Cli.Result all = Cli.Run("lab", "--list");
        Assert.Equal(0, all.Code);
        string[] names = all.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(Raft.Model.Lab.LabSuite.All.Concat(Raft.Model.Lab.LabSuite.Kv).Select(t => t.Name), names);
        Assert.Equal(["TestInitialElection2A", "TestReElection2A", "TestManyElections2A"], Cli.Run("lab", "2a", "--list").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData("explor", "explore", 1)]
    [InlineData("TestBackup2C", "TestBackup2B", 1)]
    [InlineData("abc", "abc", 0)]
    [InlineData("", "lab", 3)]
    public void EditDistance(string a, string b, int distance) => Assert.Equal(distance, Suggest.Distance(a, b));

    [Fact]
    public void Nearest_IsEmpty_WhenNothingIsClose_AndClosestStillNamesSome()
    {
        Assert.Empty(Suggest.Nearest("zzzzzz", ["explore", "replay", "lab"]));
        Assert.Equal(["replay", "lab"], Suggest.Closest("zzzzzz", ["explore", "replay", "lab"], most: 2));
        Assert.Equal(["TestFigure8Unreliable2C"], Suggest.Nearest("TestFigure8Unreliable", ["TestFigure82C", "TestFigure8Unreliable2C"]));
    }
}
