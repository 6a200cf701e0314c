using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Raft.Model.Traces;

namespace RaftVerify.Cli;

/// <summary>
/// What went wrong on the command line, as a typed value; <see cref="object.ToString"/> is the one
/// line printed after "raftverify: " (exit code 2). System.CommandLine's own messages name .NET
/// types ("as expected type 'System.UInt64'") and join several errors into one line; these say
/// what the user typed and what was expected, once.
/// </summary>
public abstract record UsageError
{
    /// <summary>No command at all: <c>dotnet raftverify</c>.</summary>
    public sealed record NoCommand(IReadOnlyList<string> Commands) : UsageError
    {
        public override string ToString() => $"no command given: expected one of {string.Join(", ", Commands)} (see {ToolCommand.Of("--help")})";
    }

    /// <summary>A first word that names no command.</summary>
    public sealed record UnknownCommand(string Given, IReadOnlyList<string> Commands) : UsageError
    {
        public override string ToString()
        {
            IReadOnlyList<string> near = Suggest.Nearest(Given, Commands);
            return $"unknown command '{Given}'{Suggest.DidYouMean(near)}: the commands are {string.Join(", ", Commands)} (see {ToolCommand.Of("--help")})";
        }
    }

    /// <summary>An option the command does not have.</summary>
    public sealed record UnknownOption(string Command, string Given, IReadOnlyList<string> Options) : UsageError
    {
        public override string ToString() =>
            $"unknown option '{Given}' for {Command}{Suggest.DidYouMean(Suggest.Nearest(Given, Options))} (see {ToolCommand.Of(Command + " --help")})";
    }

    /// <summary>A word the command takes no argument for.</summary>
    public sealed record UnexpectedArgument(string Command, string Given) : UsageError
    {
        public override string ToString() => $"unexpected argument '{Given}' for {Command} (see {ToolCommand.Of(Command + " --help")})";
    }

    /// <summary>A value that is not a number of the option's kind, or out of its range.</summary>
    public sealed record NotANumber(string Option, string Given, string Expected) : UsageError
    {
        public override string ToString() => $"{Option}: expected {Expected}, got '{Given}'";
    }

    /// <summary>Any other parse error: System.CommandLine's message, which names no .NET type.</summary>
    public sealed record Other(string Message, string Command) : UsageError
    {
        public override string ToString() => $"{Message.TrimEnd('.')} (see {ToolCommand.Of(Command.Length == 0 ? "--help" : Command + " --help")})";
    }
}

/// <summary>Turns a failed parse into the one <see cref="UsageError"/> to report.</summary>
public static class UsageErrors
{
    public static string Describe(RootCommand root, ParseResult parse) => First(root, parse).ToString();

    public static UsageError First(RootCommand root, ParseResult parse)
    {
        IReadOnlyList<string> commands = root.Subcommands.Select(c => c.Name).ToList();
        Command command = parse.CommandResult.Command;
        string commandName = command == root ? "" : command.Name;
        // a value of the wrong kind: the option and what it expects, never the .NET type
        foreach (ParseError e in parse.Errors)
            if (NotANumber(e.SymbolResult) is { } bad) return bad;
        if (parse.UnmatchedTokens.Count > 0)
        {
            string token = parse.UnmatchedTokens[0];
            if (command == root) return token.StartsWith('-') ? new UsageError.UnknownOption("raftverify", token, ["--help", "--version"]) : new UsageError.UnknownCommand(token, commands);
            if (token.StartsWith('-'))
                return new UsageError.UnknownOption(commandName, token, command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Distinct().ToList());
            return new UsageError.UnexpectedArgument(commandName, token);
        }
        if (command == root) return new UsageError.NoCommand(commands);
        return new UsageError.Other(parse.Errors[0].Message, commandName);
    }

    private static UsageError.NotANumber? NotANumber(SymbolResult? result)
    {
        (Type type, string name, IReadOnlyList<Token> tokens) = result switch
        {
            ArgumentResult a => (a.Argument.ValueType, a.Parent is OptionResult o ? o.Option.Name : $"<{a.Argument.Name}>", a.Tokens),
            OptionResult o => (o.Option.ValueType, o.Option.Name, o.Tokens),
            _ => (typeof(void), "", Array.Empty<Token>()),
        };
        foreach (Token t in tokens)
            if (Expected(type, t.Value) is { } expected && !Parses(type, t.Value)) return new UsageError.NotANumber(name, t.Value, expected);
        return null;
    }

    /// <summary>
    /// What a numeric option expects, in words: "a whole number", with its range when
    /// <paramref name="given"/> is one but out of range (null: not a numeric option).
    /// </summary>
    private static string? Expected(Type type, string given)
    {
        bool whole = given.Length > 0 && given.TrimStart('-', '+').Length > 0 && given.TrimStart('-', '+').All(char.IsAsciiDigit);
        return type == typeof(int) ? whole ? $"a whole number from {int.MinValue} to {int.MaxValue}" : "a whole number"
            : type == typeof(long) ? whole ? $"a whole number from {long.MinValue} to {long.MaxValue}" : "a whole number"
            : type == typeof(ulong) ? whole ? $"a whole number from 0 to {ulong.MaxValue}" : "a whole number (0 or more)"
            : type == typeof(double) ? "a number, such as 2 or 0.5"
            : null;
    }

    private static bool Parses(Type type, string text) =>
        type == typeof(int) ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type == typeof(long) ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type == typeof(ulong) ? ulong.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        : type != typeof(double) || double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}

/// <summary>The names nearest to a mistyped one: by edit distance, or sharing its beginning.</summary>
public static class Suggest
{
    /// <summary>
    /// Up to <paramref name="most"/> of <paramref name="names"/> near <paramref name="given"/>
    /// (case ignored): within an edit distance of a third of the longer name (at least 2), or
    /// starting with it, or it starting with them; nearest first, then in the order given.
    /// </summary>
    public static IReadOnlyList<string> Nearest(string given, IEnumerable<string> names, int most = 3)
    {
        string g = given.ToLowerInvariant();
        return names
            .Select((name, order) => (name, order, distance: Distance(g, name.ToLowerInvariant())))
            .Where(x => x.distance <= Math.Max(2, Math.Max(g.Length, x.name.Length) / 3)
                        || (g.Length >= 3 && (x.name.StartsWith(given, StringComparison.OrdinalIgnoreCase) || given.StartsWith(x.name, StringComparison.OrdinalIgnoreCase))))
            .OrderBy(x => x.distance).ThenBy(x => x.order)
            .Select(x => x.name)
            .Distinct()
            .Take(most)
            .ToList();
    }

    /// <summary>" (did you mean A or B?)", or "" when nothing is near.</summary>
    public static string DidYouMean(IReadOnlyList<string> near) => near.Count == 0 ? "" : $" (did you mean {Alternatives(near)}?)";

    /// <summary>"A", "A or B", "A, B or C" (or another <paramref name="conjunction"/>).</summary>
    public static string Alternatives(IReadOnlyList<string> names, string conjunction = "or") =>
        names.Count <= 1 ? string.Concat(names) : $"{string.Join(", ", names.Take(names.Count - 1))} {conjunction} {names[^1]}";

    /// <summary>The <paramref name="most"/> names nearest to <paramref name="given"/> by edit distance (case ignored), however far; ties in the order given.</summary>
    public static IReadOnlyList<string> Closest(string given, IEnumerable<string> names, int most = 3) =>
        names.Select((name, order) => (name, order, distance: Distance(given.ToLowerInvariant(), name.ToLowerInvariant())))
            .OrderBy(x => x.distance).ThenBy(x => x.order).Select(x => x.name).Distinct().Take(most).ToList();

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) previous[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
