using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text.Json;
using Raft.Model.Exploration;
using Raft.Model.Exploration.Guided;

namespace Raft.Model.Traces;

/// <summary>
/// The guided corpus on disk (<c>explore --strategy guided --corpus DIR</c>), so a campaign goes on
/// where the last one stopped instead of starting from nothing, as a fuzzer's corpus directory
/// does. The schedules of one world live in a subdirectory named by its key (<see cref="WorldKey"/>),
/// one file per schedule named by a hash of its content (so copying two directories together
/// merges them, and the same schedule is stored once). A file holds the schedule's world (its seed
/// and swarm draw, as a trace header records them), its step bound, the blind strategy whose rules
/// read its draws, and its draws; not its features, which belong to the core it ran on: a run that
/// loads a corpus runs every stored schedule again first (<see cref="Guide"/>), on the core under
/// test, and keeps those that still reach something new.
/// </summary>
/// <remarks>
/// A corpus belongs to the world settings that wrote it (every setting but the seed, the strategy,
/// the bug or implementation, the iterations, workers, shard, time limit and output): a stored
/// schedule replays its draws in its own world, which those settings complete. Other settings
/// read and write another subdirectory, never mixed in. The bug (or implementation) explored is
/// not part of the world: a corpus built on the correct core is meant to be run against a changed one.
/// </remarks>
public sealed class CorpusDirectory(string path) : ICorpusStore
{
    /// <summary>The directory the corpus lives in.</summary>
    public string Location { get; } = path;

    public override string ToString() => Location;

    LoadedCorpus ICorpusStore.Load(ExploreSettings settings) => Load(Location, settings);

    CorpusSaved ICorpusStore.Save(LoadedCorpus loaded, IEnumerable<CorpusEntry> kept, IReadOnlyCollection<int> droppedLoaded, ExploreSettings settings) =>
        Save(loaded, kept, droppedLoaded, settings);

    public const string FormatName = "raftverify-corpus";
    public const int FormatVersion = 1;

    /// <summary>The most files a corpus directory may hold (more: an error rather than a slow start).</summary>
    public const int MaxFiles = 65_536;

    /// <summary>The largest corpus file read (a schedule's draws at the deepest bound fit well within it).</summary>
    public const long MaxFileBytes = 8 << 20;

    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>
    /// The world settings a corpus belongs to, as a short key: a hash of the trace header these
    /// settings write with everything that is not the world left out (seed, strategy, bug,
    /// implementation, iterations, workers, shard, time limit), and the swarm switches.
    /// </summary>
    public static string WorldKey(ExploreSettings s)
    {
        var t = new TraceFile
        {
            Settings = Neutral(s), Iteration = 0, ScheduleSeed = 0,
            Swarm = new SwarmParameters(Math.Max(1, s.Nodes), 0, 0, 0, 0, 1, 0, 0, 0, 0),
            Steps = [], Outcome = new TraceOutcome(null, 0, null),
        };
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions)) TraceWriter.WriteHeaderObject(w, t);
        string switches = $"|swarm={s.Swarm}|raft={s.SwarmRaft}|proposals={s.SwarmProposals}|clients={s.SwarmClients}|scaling={s.ClientStepScaling}";
        return KeyOf(System.Text.Json.Nodes.JsonNode.Parse(ms.ToArray())!.AsObject(), switches);
    }

    /// <summary>The settings with everything that is not the world set to fixed values (what a corpus file's header records).</summary>
    private static ExploreSettings Neutral(ExploreSettings s) => s with
    {
        Seed = 0, Strategy = "guided", StrategyParameter = 0, Bug = "none", Factory = null, Node = null,
        Iterations = 1, Workers = 1, ShardIndex = 1, ShardCount = 1, TimeLimitSeconds = 0, StopAtFirst = true, Corpus = null,
    };

    /// <summary>The key of a world's neutral trace header and its swarm switches: the tool's version is not the world (a new raftverify reads the corpus the last one kept).</summary>
    internal static string KeyOf(System.Text.Json.Nodes.JsonObject header, string switches)
    {
        header.Remove("tool");
        byte[] bytes = [.. System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()), .. System.Text.Encoding.UTF8.GetBytes(switches)];
        return Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 8));
    }

    /// <summary>Where the schedules of <paramref name="settings"/>' world live in the corpus directory <paramref name="dir"/>.</summary>
    public static string WorldDirectory(string dir, ExploreSettings settings) => Path.Combine(dir, WorldKey(settings));

    /// <summary>
    /// Makes sure the run can keep its corpus in <paramref name="dir"/> before it runs anything:
    /// the world's subdirectory is created and a file written in it and removed. A
    /// <see cref="TraceFormatException"/> naming the directory when it cannot be.
    /// </summary>
    public static void CheckWritable(string dir, ExploreSettings settings)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new TraceFormatException("--corpus needs a directory (got an empty name)");
        if (File.Exists(dir)) throw new TraceFormatException($"{Limits.Printable(dir, 200)}: is a file; --corpus names a directory");
        string world = WorldDirectory(dir, settings);
        try
        {
            Directory.CreateDirectory(world);
            string probe = Path.Combine(world, TempName("probe"));
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TraceFormatException($"{Limits.Printable(dir, 200)}: cannot keep a corpus there: {Limits.Printable(e.Message, 200)}");
        }
    }

    /// <summary>A temporary file's name, this process's own (two runs saving into one directory never share one).</summary>
    private static string TempName(string name) => $"{name}.{Environment.ProcessId}.tmp";

    /// <summary>A schedule's file: one line of JSON, a pure function of the schedule and the world key.</summary>
    public static byte[] ToBytes(CorpusEntry e, ExploreSettings settings, string worldKey)
    {
        var header = new TraceFile
        {
            Settings = Neutral(settings), Iteration = 0, ScheduleSeed = e.WorldSeed, Swarm = e.Swarm, Steps = [], Outcome = new TraceOutcome(null, 0, null),
        };
        var choices = new byte[e.Choices.Length * 4];
        for (int i = 0; i < e.Choices.Length; i++) BinaryPrimitives.WriteUInt32LittleEndian(choices.AsSpan(4 * i), e.Choices[i]);
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("format", FormatName);
            w.WriteNumber("version", FormatVersion);
            w.WriteString("world", worldKey);
            w.WriteNumber("maxSteps", e.MaxSteps);
            w.WriteString("rules", e.Mode);
            w.WriteBoolean("hitStepBound", e.HitStepBound);
            w.WritePropertyName("header");
            TraceWriter.WriteHeaderObject(w, header);
            w.WriteBase64String("choices", choices);
            w.WriteEndObject();
        }
        ms.WriteByte((byte)'\n');
        return ms.ToArray();
    }

    /// <summary>A file's name: a hash of its content.</summary>
    public static string NameOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content).AsSpan(0, 16)) + ".json";

    /// <summary>
    /// Reads the corpus of <paramref name="settings"/>' world in <paramref name="dir"/> (none when
    /// it has none yet), ordered by content (so the names files have do not change a run), each
    /// schedule once. A file that is not a corpus schedule is a <see cref="TraceFormatException"/>
    /// naming it; files whose names do not end in <c>.json</c> are not the corpus's and are left alone.
    /// </summary>
    public static LoadedCorpus Load(string dir, ExploreSettings settings)
    {
        if (string.IsNullOrWhiteSpace(dir)) throw new TraceFormatException("--corpus needs a directory (got an empty name)");
        if (File.Exists(dir)) throw new TraceFormatException($"{Limits.Printable(dir, 200)}: is a file; --corpus names a directory");
        string key = WorldKey(settings), world = Path.Combine(dir, key);
        int otherWorlds = 0;
        string[] files = [];
        try
        {
            if (Directory.Exists(dir))
                foreach (string sub in Directory.GetDirectories(dir)) if (Path.GetFileName(sub) != Path.GetFileName(world)) otherWorlds++;
            if (Directory.Exists(world)) files = Directory.GetFiles(world, "*.json");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException($"{Limits.Printable(dir, 200)}: cannot list: {Limits.Printable(e.Message, 200)}");
        }
        if (files.Length > MaxFiles)
            throw new TraceFormatException($"{Limits.Printable(world, 200)}: {files.Length} files, more than a corpus may hold ({MaxFiles}); start a new directory");
        var entries = new List<StoredEntry>();
        var contents = new HashSet<string>(StringComparer.Ordinal);
        int skipped = 0;
        foreach (string path in files)
        {
            (CorpusEntry entry, string worldKey, string content) = ReadWithContent(path);
            if (worldKey != key) { skipped++; continue; } // a file copied in from another world's directory
            if (!contents.Add(content)) continue;          // the same schedule under another name: once
            entries.Add(new StoredEntry(Path.GetFileName(path), content, entry));
        }
        entries.Sort((a, b) => string.CompareOrdinal(a.Content, b.Content));
        var digest = new byte[8];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            foreach (StoredEntry e in entries) hash.AppendData(System.Text.Encoding.ASCII.GetBytes(e.Content));
            hash.GetHashAndReset().AsSpan(0, 8).CopyTo(digest);
        }
        return new LoadedCorpus(dir, world, entries, skipped, otherWorlds, BinaryPrimitives.ReadUInt64LittleEndian(digest));
    }

    /// <summary>Reads one corpus file: its schedule and the world key it was written under.</summary>
    public static (CorpusEntry Entry, string World) Read(string path)
    {
        (CorpusEntry entry, string world, _) = ReadWithContent(path);
        return (entry, world);
    }

    private static (CorpusEntry Entry, string World, string Content) ReadWithContent(string path)
    {
        string name = Limits.Printable(path, 200);
        byte[] bytes;
        try
        {
            if (new FileInfo(path).Length > MaxFileBytes) throw new TraceFormatException($"{name}: larger than a corpus file may be ({MaxFileBytes} bytes)");
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TraceFormatException($"{name}: cannot read: {Limits.Printable(e.Message, 200)}");
        }
        JsonDocument doc;
        try { doc = JsonDocument.Parse(bytes); }
        catch (JsonException e) { throw new TraceFormatException($"{name}: not a corpus schedule (not JSON: {Limits.Printable(e.Message, 120)})"); }
        using (doc)
        {
            JsonElement root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement f) || f.ValueKind != JsonValueKind.String || f.GetString() != FormatName)
                throw new TraceFormatException($"{name}: not a corpus schedule (no \"format\":\"{FormatName}\")");
            int version = Number(root, "version", name);
            if (version != FormatVersion) throw new TraceFormatException($"{name}: corpus format version {version} is not supported (this raftverify reads version {FormatVersion})");
            string world = Text(root, "world", name);
            int maxSteps = Number(root, "maxSteps", name);
            if (maxSteps < 1 || maxSteps > Limits.MaxSteps) throw new TraceFormatException($"{name}: maxSteps {maxSteps} is outside 1..{Limits.MaxSteps}");
            string rules = Text(root, "rules", name);
            if (Array.IndexOf(GuidedStrategy.Modes, rules) < 0)
                throw new TraceFormatException($"{name}: unknown rules '{Limits.Printable(rules)}': expected {string.Join(", ", GuidedStrategy.Modes)}");
            if (!root.TryGetProperty("hitStepBound", out JsonElement hit) || hit.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                throw new TraceFormatException($"{name}: field 'hitStepBound' must be true or false");
            if (!root.TryGetProperty("header", out JsonElement header)) throw new TraceFormatException($"{name}: no 'header'");
            var (_, seed, swarm) = TraceReader.ReadHeader(header, name);
            if (!root.TryGetProperty("choices", out JsonElement c) || c.ValueKind != JsonValueKind.String || !c.TryGetBytesFromBase64(out byte[]? raw) || raw.Length % 4 != 0)
                throw new TraceFormatException($"{name}: field 'choices' must be base64 of 32-bit values");
            var choices = new uint[raw.Length / 4];
            for (int i = 0; i < choices.Length; i++) choices[i] = BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(4 * i));
            return (new CorpusEntry(seed, swarm, maxSteps, choices, [], hit.GetBoolean(), rules), world, NameOf(bytes));
        }
    }

    /// <summary>
    /// Writes <paramref name="kept"/> into the world's directory (files already there stay as they
    /// are) and removes the files of <paramref name="droppedLoaded"/> (loaded schedules that ran
    /// again, broke nothing and are no longer kept) unless a kept schedule has the same content.
    /// Each file is written whole through a temporary one of this process's own. Returns what the
    /// directory holds afterwards.
    /// </summary>
    public static CorpusSaved Save(LoadedCorpus loaded, IEnumerable<CorpusEntry> kept, IReadOnlyCollection<int> droppedLoaded, ExploreSettings settings)
    {
        string key = WorldKey(settings);
        Directory.CreateDirectory(loaded.WorldDirectory);
        var names = new HashSet<string>(StringComparer.Ordinal);
        int written = 0;
        foreach (CorpusEntry e in kept)
        {
            byte[] bytes = ToBytes(e, settings, key);
            string name = NameOf(bytes);
            if (!names.Add(name)) continue;
            string path = Path.Combine(loaded.WorldDirectory, name);
            if (File.Exists(path)) continue;
            string tmp = Path.Combine(loaded.WorldDirectory, TempName(name));
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
            written++;
        }
        int removed = 0;
        foreach (int i in droppedLoaded)
        {
            StoredEntry dropped = loaded.Entries[i];
            if (names.Contains(dropped.FileName)) continue;
            string path = Path.Combine(loaded.WorldDirectory, dropped.FileName);
            if (!File.Exists(path)) continue;
            File.Delete(path);
            removed++;
        }
        return new CorpusSaved(Directory.GetFiles(loaded.WorldDirectory, "*.json").Length, written, removed);
    }

    private static int Number(JsonElement e, string f, string name) =>
        e.TryGetProperty(f, out JsonElement v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out int n) ? n
            : throw new TraceFormatException($"{name}: field '{f}' must be a 32-bit integer");

    private static string Text(JsonElement e, string f, string name) =>
        e.TryGetProperty(f, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : throw new TraceFormatException($"{name}: field '{f}' must be a string");
}

