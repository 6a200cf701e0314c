using System.Globalization;
using Raft.Core.Determinism;
using Raft.Model.Simulation;

namespace Raft.Model.Exploration.Guided;

/// <summary>
/// The guided strategy's memory (greybox fuzzing over schedules, in the spirit of AFL, ModelFuzz
/// and Mallory): a corpus of schedules that reached a guidance feature no earlier schedule had
/// (a coarse abstract state, a coarse transition, a named situation), and the planner that
/// makes each new schedule either from scratch or, most of the time, by mutating a corpus
/// schedule's choice sequence (<see cref="Mutations"/>).
/// </summary>
/// <remarks>
/// Determinism: the run proceeds in rounds of <see cref="RoundSize"/> schedules. Every schedule
/// of a round is planned from the corpus as it stood at the end of the previous round, from a
/// source seeded by the schedule's own seed; the explorer merges results in schedule order and
/// the corpus takes the round's new entries only when its last schedule is merged. So a run's
/// schedules, and so its findings, depend on the seed alone, never on the number of workers or on
/// timing. A shard (--shard i/n) is its own campaign over its own schedules, as deterministic.
/// <para>A corpus kept by earlier runs (<see cref="ICorpusStore"/>, --corpus) joins the inputs:
/// its schedules are the run's first, and the run then depends on its seed and their content.</para>
/// </remarks>
public sealed class Guide
{
    /// <summary>Schedules planned from one state of the corpus.</summary>
    public const int RoundSize = 32;

    /// <summary>The share of schedules drawn from scratch (as the random strategy would) once the corpus has matured.</summary>
    public const int FreshPerThousand = 300;

    /// <summary>
    /// A young corpus knows little: the share of schedules from scratch starts at all of them and
    /// decays toward <see cref="FreshPerThousand"/>, halving its excess every this many schedules.
    /// </summary>
    public const int FreshHalfLife = 256;

    /// <summary>The share (‰) of schedules from scratch at the shard's <paramref name="position"/>-th schedule (integer arithmetic, the same on every machine).</summary>
    public static int FreshShare(long position)
    {
        long halvings = position / FreshHalfLife;
        if (halvings >= 30) return FreshPerThousand;
        int excess = (1000 - FreshPerThousand) >> (int)halvings, next = excess >> 1;
        return FreshPerThousand + excess - (int)((excess - next) * (position % FreshHalfLife) / FreshHalfLife);
    }

    /// <summary>The most schedules the corpus keeps; beyond it a new entry replaces the oldest of the entries not among the newest half.</summary>
    public const int MaxCorpus = 4_096;

    private readonly ExploreSettings _settings;
    private readonly List<CorpusEntry> _corpus = new();
    private readonly List<CorpusEntry> _staged = new();
    private readonly CodeSet _seen = new();
    // how many schedules reached each feature: the rarer an entry's new features stay, the more it is mutated
    // (counted as schedules merge; read by planning only through _rarity, fixed at each round's end)
    private readonly Dictionary<ulong, int> _hits = new();
    private readonly List<int> _rarity = new(), _rareAt = new();
    private readonly SortedDictionary<string, (long Planned, long Kept)> _origins = new(StringComparer.Ordinal);
    private int _replaceNext;

    // a corpus loaded from disk (--corpus): its schedules run first, one a position; which of them ran again without breaking anything
    private readonly LoadedCorpus? _loaded;
    private readonly int[] _loadedOrder = [];
    private readonly ulong _runSeed; // the seed schedules are drawn from: the run's, mixed with the loaded corpus's digest
    private readonly List<int> _rerun = new();
    private CorpusSaved? _saved;
    private string? _saveError;

    /// <param name="loaded">
    /// A corpus kept by earlier runs (<see cref="ICorpusStore.Load"/>): its schedules are this run's
    /// first, in an order drawn from the run's seed, and the run goes on as a campaign that has
    /// matured. The schedules from scratch are drawn from the seed and the corpus's digest, so a
    /// run on a corpus that has grown is not the last run again, even with the same seed.
    /// </param>
    public Guide(ExploreSettings settings, LoadedCorpus? loaded = null)
    {
        _settings = settings;
        _loaded = loaded;
        _runSeed = settings.Seed;
        if (loaded is { Entries.Count: > 0 })
        {
            _runSeed = Rng.Derive(settings.Seed, loaded.Digest);
            // Fisher–Yates: another seed runs them in another order
            _loadedOrder = new int[loaded.Entries.Count];
            for (int i = 0; i < _loadedOrder.Length; i++) _loadedOrder[i] = i;
            var order = new Rng(Rng.Derive(_runSeed, SeedStream.CorpusOrder));
            for (int i = _loadedOrder.Length - 1; i > 0; i--)
            {
                int j = order.Next(i + 1);
                (_loadedOrder[i], _loadedOrder[j]) = (_loadedOrder[j], _loadedOrder[i]);
            }
        }
    }

    private int LoadedCount => _loaded?.Entries.Count ?? 0;

    /// <summary>Schedules in the corpus.</summary>
    public int CorpusSize => _corpus.Count;

    /// <summary>Distinct guidance features reached.</summary>
    public long Features => _seen.Count;

    /// <summary>
    /// The plan of schedule <paramref name="iteration"/>: from scratch (the schedule's own seed
    /// and swarm draw) or a mutation of a corpus entry.
    /// </summary>
    public SchedulePlan Plan(int iteration)
    {
        ulong seed = ScheduleRunner.ScheduleSeed(_runSeed, iteration);
        ulong fresh = Rng.Derive(seed, SeedStream.Strategy);
        var rng = new Rng(Rng.Derive(seed, SeedStream.Guide));
        long position = Explorer.ShardPosition(iteration, _settings.ShardIndex, _settings.ShardCount);
        if (position < LoadedCount)
        {
            // a schedule an earlier run kept: its own draws again, on the core under test (what it reaches now decides whether it stays)
            int index = _loadedOrder[(int)position];
            CorpusEntry e = _loaded!.Entries[index].Entry;
            return new SchedulePlan(e.WorldSeed, e.Swarm, e.MaxSteps, e.Choices, fresh, "corpus", e.Mode) { FromCorpus = index };
        }
        // a loaded corpus is a campaign that has matured: the fresh share does not start again from all schedules
        int freshShare = LoadedCount > 0 ? FreshPerThousand : FreshShare(position);
        if (_corpus.Count == 0 || rng.Chance(freshShare))
            return new SchedulePlan(seed, SwarmParameters.Draw(_settings, seed), _settings.MaxSteps, [], fresh, "fresh",
                GuidedStrategy.Modes[iteration % GuidedStrategy.Modes.Length]);
        int chosen = Select(ref rng);
        return Mutations.Mutate(_settings, _corpus, _corpus[chosen], _rareAt[chosen], ref rng, fresh);
    }

    /// <summary>
    /// A quarter of the time one of the newest entries (what was just found is where new states lie
    /// next); otherwise the best of three drawn at random, the one whose rarest new feature the
    /// fewest schedules have reached since (AFL's and AFLFast's preference for rare paths).
    /// </summary>
    private int Select(ref Rng rng)
    {
        int n = _corpus.Count;
        if (rng.Next(4) == 0) return n - 1 - rng.Next(Math.Min(n, 16));
        int bestIndex = rng.Next(n);
        for (int k = 0; k < 2; k++)
        {
            int other = rng.Next(n);
            if (_rarity[other] < _rarity[bestIndex]) bestIndex = other;
        }
        return bestIndex;
    }

    /// <summary>
    /// How many schedules reached <paramref name="e"/>'s rarest new feature, and the draw index at
    /// which <paramref name="e"/> first reached any new feature (cutting there, rather than at the
    /// rarest one, found the hard catalog bugs about twice as often: 99 against 54 violating schedules
    /// in the measurement of docs/exploration.md).
    /// </summary>
    private (int Hits, int At) Rarest(CorpusEntry e)
    {
        int least = int.MaxValue, at = int.MaxValue;
        foreach (Feature f in e.New)
        {
            least = Math.Min(least, _hits.TryGetValue(f.Code, out int c) ? c : 0);
            at = Math.Min(at, f.At);
        }
        return (least, at);
    }

    /// <summary>
    /// Takes a finished schedule's features, in schedule order (under the explorer's merge): a
    /// schedule that reached something new (and broke nothing) joins the corpus at the end of the round.
    /// </summary>
    public void Observe(ScheduleResult r)
    {
        if (r.Features is not { } features || r.Plan is not { } plan) return;
        List<Feature>? news = null;
        foreach (Feature f in features)
        {
            _hits[f.Code] = _hits.TryGetValue(f.Code, out int h) ? h + 1 : 1;
            if (_seen.Contains(f.Code) || !_seen.Add(f.Code)) continue;
            (news ??= new()).Add(f);
        }
        Count(plan.Origin, news is not null);
        // a loaded schedule that ran again: its file goes unless it is kept (after a run that broke anything, nothing goes: Persist)
        if (plan.FromCorpus >= 0) _rerun.Add(plan.FromCorpus);
        if (news is null || r.Violation is not null || r.Choices is null) return;
        _staged.Add(new CorpusEntry(plan.WorldSeed, r.Swarm, plan.MaxSteps, r.Choices, news.ToArray(), r.HitStepBound, plan.Mode));
    }

    /// <summary>The round is merged: its new entries join the corpus, in schedule order.</summary>
    public void EndRound()
    {
        foreach (CorpusEntry e in _staged)
        {
            if (_corpus.Count < MaxCorpus) { _corpus.Add(e); continue; }
            // full: the newest half stays; the older half is replaced in turn, and the new entry goes to the end
            _corpus.RemoveAt(_replaceNext);
            _replaceNext = (_replaceNext + 1) % (MaxCorpus / 2);
            _corpus.Add(e);
        }
        _staged.Clear();
        _rarity.Clear();
        _rareAt.Clear();
        foreach (CorpusEntry e in _corpus)
        {
            (int hits, int at) = Rarest(e);
            _rarity.Add(hits);
            _rareAt.Add(at);
        }
    }

    private void Count(string origin, bool kept)
    {
        _origins.TryGetValue(origin, out var c);
        _origins[origin] = (c.Planned + 1, c.Kept + (kept ? 1 : 0));
    }

    /// <summary>
    /// Saves the corpus the run ends with where it was loaded from (<see cref="ICorpusStore.Save"/>).
    /// After a run that broke an invariant nothing is removed: a broken core does not judge which
    /// schedules are redundant. A failure to write is kept for the summary rather than thrown: the
    /// run's findings come first.
    /// </summary>
    public void Persist(bool removeNothing)
    {
        if (_loaded is null) return;
        try
        {
            _saved = _settings.Corpus!.Save(_loaded, [.. _corpus, .. _staged], removeNothing ? [] : _rerun, _settings);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            _saveError = e.Message;
        }
    }

    /// <summary>What the run's guidance came to: the corpus, the features, and what each way of making a schedule made and found.</summary>
    public GuidanceSummary Summary()
    {
        var origins = new List<OriginCount>();
        foreach (var (origin, c) in _origins) origins.Add(new OriginCount(origin, c.Planned, c.Kept));
        long replayed = _origins.TryGetValue("corpus", out var fromCorpus) ? fromCorpus.Planned : 0;
        CorpusFiles? files = _loaded is { } l ? new CorpusFiles(l.WorldDirectory, l.Entries.Count, replayed, l.Skipped, l.OtherWorlds, _saved, _saveError) : null;
        return new GuidanceSummary(_corpus.Count + _staged.Count, _seen.Count, origins) { Files = files };
    }
}

/// <summary>How many schedules one way of making them (fresh, fork, havoc, ...) made, and how many of those reached something new.</summary>
public readonly record struct OriginCount(string Origin, long Made, long New);

/// <summary>The guided strategy's account of a run (the summary's rows).</summary>
public sealed record GuidanceSummary(int CorpusSize, long Features, IReadOnlyList<OriginCount> Origins)
{
    /// <summary>With --corpus: what the directory gave the run and what the run left in it.</summary>
    public CorpusFiles? Files { get; init; }

    /// <summary>"fork 303/878, fresh 258/895, ...": per way of making schedules, new/made.</summary>
    public string DescribeOrigins() => string.Join(", ", Origins.Select(o => string.Create(CultureInfo.InvariantCulture, $"{o.Origin} {o.New}/{o.Made}")));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"corpus {CorpusSize} schedules, {Features} guidance features; new/made: {DescribeOrigins()}");
}

/// <summary>
/// A run's corpus directory (its world's subdirectory): the schedules loaded and how many of them
/// ran again, files skipped (written under another world's key), other worlds in the directory,
/// and what the save left there, or why it failed.
/// </summary>
public sealed record CorpusFiles(string Directory, int Loaded, long RunAgain, int Skipped, int OtherWorlds, CorpusSaved? Saved, string? SaveError)
{
    public override string ToString()
    {
        string load = string.Create(CultureInfo.InvariantCulture, $"{Loaded} schedules loaded from {Directory}, {RunAgain} run again");
        string save = SaveError is not null ? $"NOT saved: {SaveError}"
            : Saved is { } s ? string.Create(CultureInfo.InvariantCulture, $"{s.Files} files there now ({s.Written} written, {s.Removed} removed)") : "not saved";
        return $"{load}; {save}";
    }
}

/// <summary>A schedule in the guided corpus: its world, its step bound, the draws it made, and the features it was first to reach, each with the draw index before which it did.</summary>
public sealed record CorpusEntry(ulong WorldSeed, SwarmParameters Swarm, int MaxSteps, uint[] Choices, Feature[] New, bool HitStepBound, string Mode);
