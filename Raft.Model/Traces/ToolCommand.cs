namespace Raft.Model.Traces;

/// <summary>
/// The form of every command line the suite prints for a person to run (explore's and the lab's
/// reproduce lines, shrink's and minimum's replay lines, the HTML page's footer, the tests'
/// failure messages): <c>dotnet raftverify ARGS</c>, the tool as the repository's manifest
/// (<c>.config/dotnet-tools.json</c>) runs it after the README's set-up. Paths are printed as
/// given, so a relative one is valid from where the command that printed it ran, and quoted for
/// the shell when they hold anything but plain path characters.
/// </summary>
public static class ToolCommand
{
    /// <summary>How the tool is run: through the local tool manifest.</summary>
    public const string Prefix = "dotnet raftverify";

    /// <summary><c>dotnet raftverify ARGS</c>: <paramref name="arguments"/> as they are (already quoted).</summary>
    public static string Of(string arguments) => Prefix + " " + arguments;

    /// <summary><c>dotnet raftverify replay PATH</c>.</summary>
    public static string Replay(string tracePath) => Of("replay " + Quote(tracePath));

    /// <summary><c>dotnet raftverify shrink PATH</c>.</summary>
    public static string Shrink(string tracePath) => Of("shrink " + Quote(tracePath));

    /// <summary>
    /// <paramref name="argument"/> as one word of a shell command: as it is when it holds only
    /// letters, digits and <c>_ - . / : , + = @ %</c> (and <c>\</c> on Windows), otherwise in
    /// double quotes on Windows (cmd and PowerShell) and in single quotes elsewhere (POSIX shells,
    /// a single quote inside written as <c>'\''</c>).
    /// </summary>
    public static string Quote(string argument)
    {
        ArgumentNullException.ThrowIfNull(argument);
        bool windows = OperatingSystem.IsWindows();
        bool plain = argument.Length > 0;
        foreach (char c in argument)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or ',' or '+' or '=' or '@' or '%' || (windows && c == '\\')) continue;
            plain = false;
            break;
        }
        if (plain) return argument;
        return windows ? "\"" + argument + "\"" : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
    }
}
