using System.CommandLine;
using Raft.Model.Traces;
using RaftVerify.Cli.Commands;

namespace RaftVerify.Cli;

/// <summary>
/// raftverify: the command-line front end. Exit codes: 0 success, 1 a violation or failed test,
/// 2 bad usage or bad input (one line on stderr, never a stack trace), 3 a replay that diverged.
/// </summary>
public static class Program
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitUsage = 2;

    /// <summary>The command line: every command and its options.</summary>
    public static RootCommand Root()
    {
        var root = new RootCommand("RaftVerify: a deterministic Raft core and the suite that proves it right.");
        root.Subcommands.Add(ExploreCommand.Create());
        root.Subcommands.Add(TraceCommands.Replay());
        root.Subcommands.Add(ShrinkCommand.Create());
        root.Subcommands.Add(TraceCommands.Show());
        root.Subcommands.Add(TraceCommands.Bugs());
        root.Subcommands.Add(LabCommand.Create());
        root.Subcommands.Add(MinimumCommand.Create());
        // --version prints the version traces record (TraceFile.Version, from Directory.Build.props), whatever assembly hosts the CLI
        foreach (VersionOption version in root.Options.OfType<VersionOption>()) version.Action = new PrintVersion();
        return root;
    }

    private sealed class PrintVersion : System.CommandLine.Invocation.SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            Console.WriteLine(TraceFile.Version);
            return ExitOk;
        }
    }

    public static int Main(string[] args)
    {
        RootCommand root = Root();
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            Console.Error.WriteLine(OneLine($"raftverify: {UsageErrors.Describe(root, parse)}"));
            return ExitUsage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(OneLine($"raftverify: {e.Message}"));
            return ExitUsage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine(OneLine($"raftverify: {e.Message}"));
            return ExitUsage;
        }
    }

    /// <summary>An error as exactly one line: control characters and terminal escapes escaped, at most 1000 characters.</summary>
    public static string OneLine(string message) => Raft.Model.Exploration.Limits.Printable(message, 1000);
}

/// <summary>Bad usage or bad input found after parsing: reported in one line with exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
