using System.Diagnostics;
using RaftVerify.Cli;

namespace Raft.Properties.Hardening;

/// <summary>The tests that run the CLI in-process and capture the console: never in parallel with each other.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";
}

/// <summary>Runs <see cref="Program.Main"/> in-process with the console captured.</summary>
internal static class Cli
{
    private static readonly object Gate = new();

    public sealed record Result(int Code, string Out, string Err, TimeSpan Took)
    {
        public string[] ErrLines => Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            TextWriter o = Console.Out, e = Console.Error;
            var sw = new StringWriter();
            var ew = new StringWriter();
            Console.SetOut(sw);
            Console.SetError(ew);
            var clock = Stopwatch.StartNew();
            try
            {
                int code = Program.Main(args);
                return new Result(code, sw.ToString(), ew.ToString(), clock.Elapsed);
            }
            finally
            {
                Console.SetOut(o);
                Console.SetError(e);
            }
        }
    }

    /// <summary>Where the corpus traces are (traces/ at the repository root).</summary>
    public static string CorpusDir()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
            if (File.Exists(Path.Combine(d, "RaftVerify.sln"))) return Path.Combine(d, "traces");
        throw new InvalidOperationException("cannot find the repository root");
    }

    public static string[] CorpusTraces() => Directory.GetFiles(CorpusDir(), "*.trace.jsonl").Order(StringComparer.Ordinal).ToArray();
}
