using Raft.Model.Exploration;
using Raft.Model.Exploration.Guided;
using Raft.Model.Simulation;
using Raft.Model.Traces;
using Raft.Properties.Hardening;

namespace Raft.Properties.Exploration;

/// <summary>
/// The guided corpus kept between runs (<c>explore --strategy guided --corpus DIR</c>): a stored
/// schedule reads back as itself; a run that loads a corpus runs its schedules first and depends
/// on its seed and the corpus alone, never on the workers; files of another world are skipped, not
/// mixed in; what the run did not run again stays on disk; a file that is not a corpus schedule is
/// a one-line error.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class GuidedCorpusTests() : Raft.Properties.TestSupport.WithTempDirectory("rv-corpus-")
{
    private static readonly ExploreSettings Guided = new() { Strategy = "guided", Seed = 4, Iterations = 200, Workers = 1 };

    private string Sub(string name) => Path.Combine(Dir, name);

    /// <summary>A run, and its corpus saved as the CLI saves it (after the traces).</summary>
    private static ExploreReport Run(ExploreSettings settings)
    {
        ExploreReport r = Explorer.Run(settings);
        r.SaveCorpus();
        return r;
    }

    /// <summary>A corpus directory written by one guided run of <paramref name="iterations"/> schedules.</summary>
    private string Built(string name, int iterations = 200)
    {
        string dir = Sub(name);
        ExploreReport r = Run(Guided with { Iterations = iterations, Corpus = new CorpusDirectory(dir) });
        Assert.True(r.Guidance!.Files!.Saved!.Value.Written > 0, "the run wrote its corpus");
        return dir;
    }

    /// <summary>The default world's schedule files in corpus directory <paramref name="dir"/>.</summary>
    private static string World(string dir) => CorpusDirectory.WorldDirectory(dir, Guided);

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (string d in Directory.GetDirectories(from)) CopyDirectory(d, Path.Combine(to, Path.GetFileName(d)));
    }

    /// <summary>The default world's files in corpus directory <paramref name="dir"/>, by name.</summary>
    private static string[] Listing(string dir) => Directory.GetFiles(World(dir)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void AStoredSchedule_ReadsBackAsItself_ByteForByte()
    {
        string dir = Built("a");
        string[] files = Directory.GetFiles(World(dir), "*.json");
        Assert.NotEmpty(files);
        string key = CorpusDirectory.WorldKey(Guided);
        foreach (string path in files.Take(20))
        {
            (CorpusEntry e, string world) = CorpusDirectory.Read(path);
            Assert.Equal(key, world);
            byte[] again = CorpusDirectory.ToBytes(e, Guided, key);
            Assert.Equal(File.ReadAllBytes(path), again);
            Assert.Equal(Path.GetFileName(path), CorpusDirectory.NameOf(again)); // named by its content
        }
    }

    [Fact]
    public void TheWorldKey_IsTheSameForAnotherVersionOfTheTool_NotForAnotherWorld()
    {
        System.Text.Json.Nodes.JsonObject Header(string tool, int tick) =>
            new() { ["format"] = "raftverify-trace", ["tool"] = tool, ["tickMs"] = tick };
        string key = CorpusDirectory.KeyOf(Header("raftverify 0.1.0", 10), "|swarm=True");
        Assert.Equal(key, CorpusDirectory.KeyOf(Header("raftverify 2.0.0", 10), "|swarm=True"));
        Assert.NotEqual(key, CorpusDirectory.KeyOf(Header("raftverify 0.1.0", 20), "|swarm=True"));
        Assert.NotEqual(key, CorpusDirectory.KeyOf(Header("raftverify 0.1.0", 10), "|swarm=False"));
    }

    [Fact]
    public void ALoadedCorpus_RunsFirst_EachStoredScheduleOnce()
    {
        string dir = Built("b");
        int stored = Listing(dir).Length;
        ExploreReport r = Run(Guided with { Seed = 9, Iterations = stored + 64, Corpus = new CorpusDirectory(dir) });
        Assert.Equal(stored, r.Guidance!.Files!.Loaded);
        Assert.Equal(stored, r.Guidance.Files.RunAgain);
        OriginCount corpus = Assert.Single(r.Guidance.Origins, o => o.Origin == "corpus");
        Assert.Equal(stored, corpus.Made);
        // on the core that wrote them, not every one reaches something new again: the set is rebuilt greedily in the
        // order the seed drew, so those whose features the earlier ones cover are dropped
        Assert.InRange(corpus.New, 1, stored);
        CorpusSaved saved = r.Guidance.Files.Saved!.Value;
        Assert.Equal(stored - corpus.New, saved.Removed);
        Assert.Equal(r.Guidance.CorpusSize, saved.Files);
        Assert.Equal(saved.Files, Listing(dir).Length);
    }

    [Fact]
    public void ARunWithACorpus_DependsOnItsSeedAndTheCorpus_NotOnTheWorkers()
    {
        string built = Built("c");
        CopyDirectory(built, Sub("one"));
        CopyDirectory(built, Sub("two"));
        ExploreReport one = Run(Guided with { Seed = 7, Iterations = 300, Workers = 1, Corpus = new CorpusDirectory(Sub("one")) });
        ExploreReport two = Run(Guided with { Seed = 7, Iterations = 300, Workers = 2, Corpus = new CorpusDirectory(Sub("two")) });
        Assert.Equal(one.Guidance!.ToString().Replace(Sub("one"), "DIR"), two.Guidance!.ToString().Replace(Sub("two"), "DIR"));
        Assert.Equal(one.Coverage.Steps, two.Coverage.Steps);
        Assert.Equal(Listing(Sub("one")), Listing(Sub("two")));
        foreach (string f in Listing(Sub("one")))
            Assert.Equal(File.ReadAllBytes(Path.Combine(World(Sub("one")), f)), File.ReadAllBytes(Path.Combine(World(Sub("two")), f)));
    }

    [Fact]
    public void TheNamesOfTheFiles_DoNotChangeTheRun_TheirContentDoes()
    {
        string built = Built("names");
        CopyDirectory(built, Sub("renamed"));
        int k = 0;
        // named in the reverse of their content's order, as another tool might have numbered them
        foreach (string f in Directory.GetFiles(World(Sub("renamed"))).OrderDescending(StringComparer.Ordinal))
            File.Move(f, Path.Combine(World(Sub("renamed")), $"id{k++:D6}.json"));
        ExploreReport original = Explorer.Run(Guided with { Seed = 3, Iterations = 250, Corpus = new CorpusDirectory(built) });
        ExploreReport renamed = Explorer.Run(Guided with { Seed = 3, Iterations = 250, Corpus = new CorpusDirectory(Sub("renamed")) });
        Assert.Equal(original.Coverage.Steps, renamed.Coverage.Steps);
        Assert.Equal(original.Guidance!.DescribeOrigins(), renamed.Guidance!.DescribeOrigins());
    }

    [Fact]
    public void ARunOnAGrownCorpus_IsNotTheLastRunAgain_EvenWithTheSameSeed()
    {
        string dir = Built("grown"); // seed 4, as the runs below
        LoadedCorpus loaded = CorpusDirectory.Load(dir, Guided);
        int n = loaded.Entries.Count;
        var cold = new Guide(Guided);
        var warm = new Guide(Guided, loaded);
        // past the loaded schedules, a schedule from scratch no longer has the seed-alone world it had in the run that built the corpus
        int differing = 0, fresh = 0;
        for (int i = n; i < n + 200; i++)
        {
            SchedulePlan w = warm.Plan(i);
            if (w.Origin != "fresh") continue;
            fresh++;
            if (w.WorldSeed != cold.Plan(i).WorldSeed) differing++;
        }
        Assert.True(fresh > 20, $"{fresh} fresh plans");
        Assert.Equal(fresh, differing);

        // and after the loaded schedules it goes on as a matured campaign: about 30% from scratch, not a young corpus's all-at-first
        ExploreReport r = Explorer.Run(Guided with { Iterations = n + 320, Corpus = new CorpusDirectory(dir) });
        long fromScratch = r.Guidance!.Origins.Single(o => o.Origin == "fresh").Made;
        Assert.InRange(fromScratch, 50, 160);
    }

    [Fact]
    public void ACorpus_ChangesTheRun_ItIsNotIgnored()
    {
        string dir = Built("d");
        ExploreReport without = Run(Guided with { Seed = 7, Iterations = 300 });
        ExploreReport with = Run(Guided with { Seed = 7, Iterations = 300, Corpus = new CorpusDirectory(dir) });
        Assert.NotEqual(without.Coverage.Steps, with.Coverage.Steps);
        Assert.DoesNotContain(without.Guidance!.Origins, o => o.Origin == "corpus");
    }

    [Fact]
    public void AnotherWorld_KeepsItsOwnSubdirectory_NeverMixedIn()
    {
        string dir = Built("e");
        int stored = Listing(dir).Length;
        LoadedCorpus timed = CorpusDirectory.Load(dir, Guided with { Mode = WorldMode.Timed });
        Assert.Empty(timed.Entries);
        Assert.Equal(1, timed.OtherWorlds);
        ExploreReport r = Run(Guided with { Mode = WorldMode.Timed, Iterations = 50, Corpus = new CorpusDirectory(dir) });
        Assert.Equal(0, r.Guidance!.Files!.Loaded);
        Assert.Equal(stored, Listing(dir).Length); // the default world's files untouched
        Assert.Equal(2, Directory.GetDirectories(dir).Length);
        // the bug, the seed and the workers are not the world: a corpus built on the correct core loads for a broken one
        LoadedCorpus broken = CorpusDirectory.Load(dir, Guided with { Bug = "commit-previous-term", Seed = 99, Workers = 2 });
        Assert.Equal(stored, broken.Entries.Count);
        // a file copied into another world's subdirectory is skipped there, and counted
        File.Copy(Path.Combine(World(dir), Listing(dir)[0]), Path.Combine(CorpusDirectory.WorldDirectory(dir, Guided with { Mode = WorldMode.Timed }), "stray.json"));
        Assert.Equal(1, CorpusDirectory.Load(dir, Guided with { Mode = WorldMode.Timed }).Skipped);
    }

    [Fact]
    public void ARunThatBrokeAnInvariant_RemovesNothing()
    {
        string dir = Built("broken", iterations: 1000);
        string[] before = Listing(dir);
        ExploreReport r = Run(Guided with { Bug = "commit-previous-term", Seed = 1, Iterations = 2000, Corpus = new CorpusDirectory(dir) });
        Assert.NotNull(r.FirstViolation);
        Assert.Equal(0, r.Guidance!.Files!.Saved!.Value.Removed);
        Assert.Empty(before.Except(Listing(dir)));
    }

    [Fact]
    public void ARunCutShort_LeavesTheFilesItDidNotRunAgain()
    {
        string dir = Built("f");
        string[] before = Listing(dir);
        Assert.True(before.Length > 20, $"{before.Length} files");
        ExploreReport r = Run(Guided with { Seed = 8, Iterations = 10, Corpus = new CorpusDirectory(dir) });
        Assert.Equal(10, r.Guidance!.Origins.Single(o => o.Origin == "corpus").Made);
        string[] after = Listing(dir);
        // the 10 run again may go (reaching nothing new) or stay; the others are untouched
        string[] gone = before.Except(after).ToArray();
        Assert.InRange(gone.Length, 0, 10);
        Assert.Equal(r.Guidance.Files!.Saved!.Value.Removed, gone.Length);
    }

    [Fact]
    public void TheRunsSeed_OrdersTheLoadedSchedules_EachOnce()
    {
        string dir = Built("o");
        LoadedCorpus loaded = CorpusDirectory.Load(dir, Guided);
        int n = loaded.Entries.Count;
        int[] Order(ulong seed)
        {
            var g = new Guide(Guided with { Seed = seed }, loaded);
            return Enumerable.Range(0, n).Select(i => g.Plan(i)).Select(p => { Assert.Equal("corpus", p.Origin); return p.FromCorpus; }).ToArray();
        }
        int[] one = Order(1), again = Order(1), two = Order(2);
        Assert.Equal(Enumerable.Range(0, n), one.Order());
        Assert.Equal(one, again);
        Assert.NotEqual(one, two);
        Assert.NotEqual("corpus", new Guide(Guided, loaded).Plan(n).Origin); // then the campaign goes on as usual
    }

    [Fact]
    public void Save_RemovesOnlyWhatRanAgainAndIsNoLongerKept()
    {
        string dir = Built("g");
        LoadedCorpus loaded = CorpusDirectory.Load(dir, Guided);
        int n = loaded.Entries.Count;
        CorpusSaved saved = CorpusDirectory.Save(loaded, [loaded.Entries[1].Entry], [0, 1], Guided);
        Assert.Equal(new CorpusSaved(n - 1, 0, 1), saved); // entry 1 kept (already on disk), entry 0 removed
        string[] after = Listing(dir);
        Assert.Equal(n - 1, after.Length);
        Assert.DoesNotContain(loaded.Entries[0].FileName, after);
        Assert.Contains(loaded.Entries[1].FileName, after);
    }

    [Fact]
    public void NotACorpusFile_IsAnErrorNamingIt()
    {
        string dir = Built("h");
        File.WriteAllText(Path.Combine(World(dir), "zz-broken.json"), "{\"format\":\"raftverify-corpus\",\"version\":1,\"world\":\"x\"");
        var e = Assert.Throws<TraceFormatException>(() => CorpusDirectory.Load(dir, Guided));
        Assert.Contains("zz-broken.json", e.Message);
    }

    [Fact]
    public void TheCli_ReportsTheCorpus_AndRefusesBadUse_InOneLine()
    {
        string dir = Sub("cli");
        Cli.Result first = Cli.Run("explore", "--strategy", "guided", "--iterations", "100", "--workers", "1", "--corpus", dir);
        Assert.Equal(0, first.Code);
        Assert.Contains("guided: corpus saved", first.Out);
        Cli.Result second = Cli.Run("explore", "--strategy", "guided", "--iterations", "100", "--workers", "1", "--corpus", dir, "--seed", "2");
        Assert.Equal(0, second.Code);
        Assert.Contains("guided: corpus (new / made)", second.Out);

        Cli.Result random = Cli.Run("explore", "--iterations", "10", "--corpus", dir);
        Assert.Equal(2, random.Code);
        Assert.Single(random.ErrLines);
        Assert.Contains("--strategy guided", random.Err);

        File.WriteAllText(Path.Combine(World(dir), "garbage.json"), "not json at all");
        Cli.Result bad = Cli.Run("explore", "--strategy", "guided", "--iterations", "10", "--corpus", dir);
        Assert.Equal(2, bad.Code);
        Assert.Single(bad.ErrLines);
        Assert.Contains("garbage.json", bad.Err);

        string file = Path.Combine(Dir, "a-file");
        File.WriteAllText(file, "x");
        Cli.Result notDir = Cli.Run("explore", "--strategy", "guided", "--iterations", "10", "--corpus", file);
        Assert.Equal(2, notDir.Code);
        Assert.Single(notDir.ErrLines);

        // found before any schedule runs: an empty name, a place no directory can be made
        foreach (string where in new[] { "", Path.Combine(file, "under-a-file") })
        {
            Cli.Result r = Cli.Run("explore", "--strategy", "guided", "--iterations", "100000", "--corpus", where);
            Assert.Equal(2, r.Code);
            Assert.Single(r.ErrLines);
            Assert.DoesNotContain("exploring:", r.Out);
        }
    }
}
