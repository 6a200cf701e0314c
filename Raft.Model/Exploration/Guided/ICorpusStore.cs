namespace Raft.Model.Exploration.Guided;

/// <summary>
/// Where a guided campaign keeps its corpus between runs (<see cref="ExploreSettings.Corpus"/>):
/// the run loads the schedules kept for its world before its first schedule and saves the corpus
/// it ends with (<see cref="Guide"/>). Raft.Model.Traces.CorpusDirectory keeps them in a directory.
/// </summary>
public interface ICorpusStore
{
    /// <summary>The schedules kept for <paramref name="settings"/>' world, ordered by content.</summary>
    LoadedCorpus Load(ExploreSettings settings);

    /// <summary>Keeps <paramref name="kept"/> and forgets the loaded schedules <paramref name="droppedLoaded"/> (indexes into <paramref name="loaded"/>) unless kept.</summary>
    CorpusSaved Save(LoadedCorpus loaded, IEnumerable<CorpusEntry> kept, IReadOnlyCollection<int> droppedLoaded, ExploreSettings settings);
}

/// <summary>A schedule read from a corpus directory: its file's name, the name its content gives it (a hash of its content), and the schedule.</summary>
public sealed record StoredEntry(string FileName, string Content, CorpusEntry Entry);

/// <summary>
/// What a corpus directory held for this run's world (its subdirectory <paramref name="WorldDirectory"/>),
/// ordered by content; the files there written under another world's key (copied in) that were
/// skipped; how many other worlds the directory holds; and a digest of the schedules' contents.
/// </summary>
public sealed record LoadedCorpus(string Directory, string WorldDirectory, IReadOnlyList<StoredEntry> Entries, int Skipped, int OtherWorlds, ulong Digest);

/// <summary>What a run left in its world's corpus directory: the schedule files there now, how many of them it wrote, and how many loaded files it removed.</summary>
public readonly record struct CorpusSaved(int Files, int Written, int Removed);
