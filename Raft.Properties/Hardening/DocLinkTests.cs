using System.Text.RegularExpressions;

namespace Raft.Properties.Hardening;

/// <summary>
/// The documentation stands on its own in a user's clone: no link or path in a Markdown file leads
/// outside the repository (a sibling folder such as ../shared/reference exists only where the
/// project was developed), and every relative link names a file that exists.
/// </summary>
public sealed class DocLinkTests
{
    private static readonly string Root = Path.GetFullPath(Path.GetDirectoryName(Cli.CorpusDir())!);
    private static readonly string[] Skipped = ["bin", "obj", "TestResults", ".git", "raftverify-out", "node_modules"];

    public static TheoryData<string> Docs()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.EnumerateFiles(Root, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(Root, f);
            if (!relative.Split(Path.DirectorySeparatorChar).Any(Skipped.Contains)) data.Add(relative.Replace(Path.DirectorySeparatorChar, '/'));
        }
        return data;
    }

    private static bool Inside(string path) =>
        path == Root || path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>Markdown links and images, [text](target) and ![alt](target), and HTML href/src.</summary>
    private static IEnumerable<string> Links(string text) =>
        Regex.Matches(text, @"\]\((?<t>[^)\s]+)(\s+""[^""]*"")?\)").Select(m => m.Groups["t"].Value)
            .Concat(Regex.Matches(text, @"(href|src)=""(?<t>[^""]+)""").Select(m => m.Groups["t"].Value));

    [Theory]
    [MemberData(nameof(Docs))]
    public void NoLinkOrPath_LeadsOutsideTheRepository_AndEveryLinkedFileExists(string doc)
    {
        string file = Path.Combine(Root, doc);
        string dir = Path.GetDirectoryName(file)!;
        string text = File.ReadAllText(file);
        var problems = new List<string>();
        foreach (string link in Links(text))
        {
            if (Regex.IsMatch(link, "^[a-z][a-z0-9+.-]*:", RegexOptions.IgnoreCase) || link.StartsWith('#')) continue; // http:, mailto:, an anchor
            string target = Uri.UnescapeDataString(link.Split('#')[0]);
            if (target.Length == 0) continue;
            string resolved = Path.GetFullPath(Path.Combine(target.StartsWith('/') ? Root : dir, target.TrimStart('/')));
            if (!Inside(resolved)) problems.Add($"link {link} leads outside the repository");
            else if (!File.Exists(resolved) && !Directory.Exists(resolved)) problems.Add($"link {link}: no such file");
        }
        // a path written out, in code or prose: ../x from the doc's folder must stay inside the repository
        foreach (Match m in Regex.Matches(text, @"(?<![\w./-])(?<p>(\.\./)+[\w.-]+(/[\w.-]+)*)"))
            if (!Inside(Path.GetFullPath(Path.Combine(dir, m.Groups["p"].Value)))) problems.Add($"path {m.Groups["p"].Value} leads outside the repository");
        Assert.True(problems.Count == 0, $"{doc}: {string.Join("; ", problems)}");
    }

    [Fact]
    public void TheDocsAreFound() => Assert.Contains("docs/lab.md", ((IEnumerable<object[]>)Docs()).Select(row => (string)row[0]));

    /// <summary>The folder the project was developed beside is named nowhere in the repository's text.</summary>
    [Fact]
    public void NoFileNamesTheDevelopmentFolder()
    {
        string[] extensions = [".md", ".cs", ".py", ".sh", ".go", ".json", ".props", ".targets", ".csproj"];
        var named = Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => extensions.Contains(Path.GetExtension(f)) && !Path.GetRelativePath(Root, f).Split(Path.DirectorySeparatorChar).Any(Skipped.Contains))
            .Where(f => Path.GetFileName(f) != nameof(DocLinkTests) + ".cs")
            .Where(f => File.ReadAllText(f).Contains("shared/reference", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Root, f))
            .ToList();
        Assert.True(named.Count == 0, "shared/reference is named in: " + string.Join(", ", named));
    }
}
