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
/// </remarks>
public sealed class Guide
{
    /// <summary>Schedules planned from one state of the corpus.</summary>
    public const int RoundSize = 32;

    /// <summary>The share of schedules drawn from scratch (as the random strategy would) even when the corpus has entries.</summary>
    public const int FreshPerThousand = 300;

    /// <summary>The most schedules the corpus keeps; beyond it a new entry replaces the oldest of the entries not among the newest half.</summary>
    public const int MaxCorpus = 4_096;

    private readonly ExploreSettings _settings;
    private readonly List<CorpusEntry> _corpus = new();
    private readonly List<CorpusEntry> _staged = new();
    private readonly CodeSet _seen = new();
    // how many schedules reached each feature: the rarer an entry's new features stay, the more it is mutated
    // (counted as schedules merge; read by planning only through _rarity, fixed at each round's end)
    private readonly Dictionary<ulong, int> _hits = new();
    private readonly List<int> _rarity = new();
    private readonly SortedDictionary<string, (long Planned, long Kept)> _origins = new(StringComparer.Ordinal);
    private int _replaceNext;

    public Guide(ExploreSettings settings) => _settings = settings;

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
        ulong seed = ScheduleRunner.ScheduleSeed(_settings.Seed, iteration);
        ulong fresh = Rng.Derive(seed, SeedStream.Strategy);
        var rng = new Rng(Rng.Derive(seed, SeedStream.Guide));
        if (_corpus.Count == 0 || rng.Chance(FreshPerThousand))
            return new SchedulePlan(seed, SwarmParameters.Draw(_settings, seed), _settings.MaxSteps, [], fresh, "fresh");
        return Mutations.Mutate(_settings, _corpus, Select(ref rng), ref rng, fresh);
    }

    /// <summary>
    /// A quarter of the time one of the newest entries (what was just found is where new states lie
    /// next); otherwise the best of three drawn at random, the one whose rarest new feature the
    /// fewest schedules have reached since (AFL's and AFLFast's preference for rare paths).
    /// </summary>
    private CorpusEntry Select(ref Rng rng)
    {
        int n = _corpus.Count;
        if (rng.Next(4) == 0) return _corpus[n - 1 - rng.Next(Math.Min(n, 16))];
        int bestIndex = rng.Next(n);
        for (int k = 0; k < 2; k++)
        {
            int other = rng.Next(n);
            if (_rarity[other] < _rarity[bestIndex]) bestIndex = other;
        }
        return _corpus[bestIndex];
    }

    private int Rarity(CorpusEntry e)
    {
        int least = int.MaxValue;
        foreach (ulong code in e.NewCodes) least = Math.Min(least, _hits.TryGetValue(code, out int h) ? h : 0);
        return least;
    }

    /// <summary>
    /// Takes a finished schedule's features, in schedule order (under the explorer's merge): a
    /// schedule that reached something new (and broke nothing) joins the corpus at the end of the round.
    /// </summary>
    public void Observe(ScheduleResult r)
    {
        if (r.Features is not { } features || r.Plan is not { } plan) return;
        int novelty = int.MaxValue;
        List<ulong>? news = null;
        foreach (Feature f in features)
        {
            _hits[f.Code] = _hits.TryGetValue(f.Code, out int h) ? h + 1 : 1;
            if (_seen.Contains(f.Code) || !_seen.Add(f.Code)) continue;
            (news ??= new()).Add(f.Code);
            novelty = Math.Min(novelty, f.At);
        }
        Count(plan.Origin, news is not null);
        if (news is null || r.Violation is not null || r.Choices is null) return;
        _staged.Add(new CorpusEntry(plan.WorldSeed, r.Swarm, plan.MaxSteps, r.Choices, Math.Min(novelty, r.Choices.Length), news.ToArray(), r.HitStepBound));
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
        foreach (CorpusEntry e in _corpus) _rarity.Add(Rarity(e));
    }

    private void Count(string origin, bool kept)
    {
        _origins.TryGetValue(origin, out var c);
        _origins[origin] = (c.Planned + 1, c.Kept + (kept ? 1 : 0));
    }

    /// <summary>One line for the summary: corpus size, features, and per mutation how many schedules it made and how many of them found something new.</summary>
    public string Describe()
    {
        var parts = new List<string>();
        foreach (var (origin, c) in _origins) parts.Add(string.Create(CultureInfo.InvariantCulture, $"{origin} {c.Kept}/{c.Planned}"));
        return string.Create(CultureInfo.InvariantCulture, $"corpus {_corpus.Count} schedules, {_seen.Count} guidance features; new/made: {string.Join(", ", parts)}");
    }
}

/// <summary>A schedule in the guided corpus: its world, its step bound, the draws it made, and the draw index before which it first reached something new.</summary>
public sealed record CorpusEntry(ulong WorldSeed, SwarmParameters Swarm, int MaxSteps, uint[] Choices, int NoveltyAt, ulong[] NewCodes, bool HitStepBound);
