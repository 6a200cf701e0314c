using Raft.Model.Simulation;

namespace Raft.Model.Exploration;

/// <summary>One point of the coverage growth curve: distinct abstract states and transitions after the first <see cref="Schedules"/> schedules.</summary>
public readonly record struct CoveragePoint(long Schedules, long States, long Transitions);

/// <summary>
/// Abstract-state coverage (<see cref="AbstractState"/>): the distinct abstract states and
/// distinct transitions (ordered pairs of consecutive, different states) reached, and how they
/// grew with schedules. Sets are exact up to <see cref="Cap"/> codes each; beyond it nothing more is
/// added and the count is reported as "≥ Cap" (memory stays bounded: 16 MB a set at the cap,
/// see <see cref="CodeSet"/>). Merging is a union, so the totals do not depend on workers or shards; the growth curve
/// is sampled as schedules are merged, which the explorer does in schedule order, so it does not
/// depend on the workers either (it keeps between <see cref="CurvePoints"/> and twice that many
/// points, halving its resolution as the run grows).
/// </summary>
public sealed class AbstractCoverage
{
    /// <summary>The most distinct states (and, separately, transitions) kept.</summary>
    public const int Cap = 1 << 20;

    /// <summary>The curve keeps at least this many points once there are enough schedules.</summary>
    public const int CurvePoints = 100;

    // a single schedule's codes (sorted, distinct) until it is merged into a run's sets
    private ulong[] _ownStates = [], _ownTransitions = [];
    private CodeSet? _states, _transitions;
    private readonly List<CoveragePoint> _curve = new();
    private long _stride = 1;

    /// <summary>Schedules whose abstract states were counted.</summary>
    public long Schedules { get; private set; }
    public long States => _states?.Count ?? _ownStates.Length;
    public long Transitions => _transitions?.Count ?? _ownTransitions.Length;
    /// <summary>The set reached <see cref="Cap"/>: the true count is at least <see cref="States"/>.</summary>
    public bool StatesCapped { get; private set; }
    public bool TransitionsCapped { get; private set; }
    public IReadOnlyList<CoveragePoint> Curve => _curve;

    /// <summary>"1234", or "≥1048576" at the cap.</summary>
    public static string Format(long count, bool capped) => (capped ? "≥" : "") + count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Sets one schedule's codes (sorted and distinct) on a fresh object.</summary>
    internal void SetSchedule(ulong[] states, ulong[] transitions)
    {
        _ownStates = states;
        _ownTransitions = transitions;
        Schedules = 1;
    }

    /// <summary>Adds <paramref name="other"/>'s states and transitions (a union) and its schedules, then samples the curve.</summary>
    public void Merge(AbstractCoverage other)
    {
        if (other.Schedules == 0) return;
        if (_states is null)
        {
            _states = new CodeSet();
            _transitions = new CodeSet();
            Union(_states, _ownStates, capped: false);
            Union(_transitions!, _ownTransitions, capped: false);
        }
        StatesCapped |= other._states is { } s ? _states.UnionWith(s) || other.StatesCapped : Union(_states, other._ownStates, other.StatesCapped);
        TransitionsCapped |= other._transitions is { } t ? _transitions!.UnionWith(t) || other.TransitionsCapped : Union(_transitions!, other._ownTransitions, other.TransitionsCapped);
        long before = Schedules;
        Schedules += other.Schedules;
        if (Schedules / _stride != before / _stride) Sample();
    }

    private static bool Union(CodeSet into, ulong[] codes, bool capped)
    {
        foreach (ulong code in codes)
            if (!into.Add(code)) return true;
        return capped || into.Count >= Cap;
    }

    private void Sample()
    {
        _curve.Add(new CoveragePoint(Schedules, States, Transitions));
        if (_curve.Count < 2 * CurvePoints) return;
        // halve the resolution: keep the points on the doubled stride
        _stride *= 2;
        int kept = 0;
        for (int k = 0; k < _curve.Count; k++)
            if (_curve[k].Schedules % _stride == 0) _curve[kept++] = _curve[k];
        _curve.RemoveRange(kept, _curve.Count - kept);
    }

    /// <summary>The curve with a last point at the current totals (when the last sample is older).</summary>
    public List<CoveragePoint> CurveWithTotals()
    {
        var points = new List<CoveragePoint>(_curve);
        if (Schedules > 0 && (points.Count == 0 || points[^1].Schedules != Schedules)) points.Add(new CoveragePoint(Schedules, States, Transitions));
        return points;
    }
}

/// <summary>
/// A set of 64-bit codes (already well mixed) with at most <see cref="AbstractCoverage.Cap"/>
/// members: open addressing with linear probing in one array that doubles up to twice the cap
/// (16 MB), so an insert costs about one memory access.
/// </summary>
internal sealed class CodeSet
{
    private ulong[] _slots = new ulong[1 << 12]; // 0 = empty; the code 0 is kept apart
    private bool _hasZero;

    public int Count { get; private set; }

    /// <summary>Adds <paramref name="code"/>; false when the set is full (at the cap) and the code is not in it.</summary>
    public bool Add(ulong code)
    {
        if (code == 0)
        {
            if (_hasZero) return true;
            if (Count >= AbstractCoverage.Cap) return false;
            _hasZero = true;
            Count++;
            return true;
        }
        int mask = _slots.Length - 1;
        for (int k = (int)(code >> 40) & mask; ; k = (k + 1) & mask)
        {
            ulong v = _slots[k];
            if (v == code) return true;
            if (v != 0) continue;
            if (Count >= AbstractCoverage.Cap) return false;
            _slots[k] = code;
            Count++;
            if (2 * Count > _slots.Length) Grow();
            return true;
        }
    }

    public bool Contains(ulong code)
    {
        if (code == 0) return _hasZero;
        int mask = _slots.Length - 1;
        for (int k = (int)(code >> 40) & mask; ; k = (k + 1) & mask)
        {
            ulong v = _slots[k];
            if (v == code) return true;
            if (v == 0) return false;
        }
    }

    /// <summary>Adds every member of <paramref name="other"/>; true when some did not fit.</summary>
    public bool UnionWith(CodeSet other)
    {
        bool full = other._hasZero && !Add(0);
        foreach (ulong v in other._slots)
            if (v != 0 && !Add(v)) full = true;
        return full || Count >= AbstractCoverage.Cap;
    }

    private void Grow()
    {
        ulong[] old = _slots;
        _slots = new ulong[old.Length * 2];
        int mask = _slots.Length - 1;
        foreach (ulong v in old)
        {
            if (v == 0) continue;
            int k = (int)(v >> 40) & mask;
            while (_slots[k] != 0) k = (k + 1) & mask;
            _slots[k] = v;
        }
    }
}

/// <summary>
/// Follows one schedule's abstract states step by step, in reusable per-thread buffers (no
/// allocation per step), and hands the distinct codes to its <see cref="AbstractCoverage"/> at the end.
/// </summary>
public sealed class AbstractTracker
{
    [ThreadStatic] private static AbstractTracker? t_cached;
    private ulong[] _states = new ulong[512], _transitions = new ulong[512];
    private int _ns, _nt;
    private ulong _last;
    private int[] _codes = [];

    /// <summary>The per-node codes (<see cref="AbstractState.NodeCodes"/>) of the state last observed, and whether its reference was a leader: the guided strategy's features reuse them.</summary>
    public ReadOnlySpan<int> LastCodes => _codes;
    public bool LastHasLeader { get; private set; }
    /// <summary>The abstract state last observed (<see cref="AbstractState.Hash"/>).</summary>
    public ulong Last => _last;

    /// <summary>A tracker for a new schedule (this thread's, reset).</summary>
    public static AbstractTracker Begin()
    {
        AbstractTracker t = t_cached ??= new AbstractTracker();
        t._ns = t._nt = 0;
        return t;
    }

    /// <summary>Records the world's abstract state now; a state equal to the previous one adds nothing (self-loops are not transitions).</summary>
    public void Observe(World world)
    {
        int n = world.Size;
        if (_codes.Length != n) _codes = new int[n];
        LastHasLeader = AbstractState.NodeCodes(world, _codes);
        ulong s = AbstractState.Hash(_codes, LastHasLeader);
        if (_ns > 0)
        {
            if (s == _last) return;
            Push(ref _transitions, ref _nt, AbstractState.Transition(_last, s));
        }
        Push(ref _states, ref _ns, s);
        _last = s;
    }

    private static void Push(ref ulong[] buffer, ref int count, ulong code)
    {
        if (count == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
        buffer[count++] = code;
    }

    /// <summary>Hands the schedule's distinct states and transitions to <paramref name="into"/>.</summary>
    public void Finish(AbstractCoverage into) => into.SetSchedule(Distinct(_states, _ns), Distinct(_transitions, _nt));

    private static ulong[] Distinct(ulong[] buffer, int count)
    {
        Span<ulong> span = buffer.AsSpan(0, count);
        span.Sort();
        int kept = 0;
        for (int k = 0; k < count; k++)
            if (kept == 0 || span[k] != span[kept - 1]) span[kept++] = span[k];
        return span[..kept].ToArray();
    }
}
