using Raft.Model.Simulation;

namespace Raft.Model.Testing;

/// <summary>
/// Runs a tester scenario written with async/await against a <see cref="World"/> in virtual
/// time, on the calling thread only. Every continuation is posted to this context and run in
/// FIFO order; when none is runnable, the world's next event runs (advancing the clock). So the
/// tester's "goroutines" and sleeps interleave deterministically: no thread pool, no wall clock.
/// </summary>
public sealed class LabRuntime : SynchronizationContext
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _runnable = new();

    public override void Post(SendOrPostCallback d, object? state) => _runnable.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state) =>
        throw new NotSupportedException("the lab runtime is single-threaded; Send is not supported");

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>
    /// Runs <paramref name="scenario"/> to completion. <paramref name="worldOf"/> gives the world
    /// to advance when nothing else can run (the scenario creates its world, so it is looked up
    /// lazily). Throws the scenario's exception, or <see cref="LabFailure"/> on a deadlock or when
    /// <paramref name="virtualLimitMs"/> of virtual time pass.
    /// </summary>
    public static void Run(Func<Task> scenario, Func<World?> worldOf, long virtualLimitMs)
    {
        SynchronizationContext? previous = Current;
        var runtime = new LabRuntime();
        SetSynchronizationContext(runtime);
        try
        {
            Task task = scenario();
            long instant = -1, eventsAtInstant = 0;
            while (true)
            {
                long continuations = 0;
                while (runtime._runnable.TryDequeue(out var item))
                {
                    item.Callback(item.State);
                    if (++continuations > 10_000_000)
                        throw new LabFailure("livelock: the scenario ran ten million continuations without waiting for the world");
                }
                if (task.IsCompleted) break;
                World? world = worldOf();
                if (world is null) throw new LabFailure("the scenario is waiting but created no world");
                if (world.Violation is not null) throw new LabFailure(world.Violation.ToString());
                if (world.Now > virtualLimitMs) throw new LabFailure($"scenario still running after {virtualLimitMs / 1000} virtual seconds");
                if (!world.Step()) throw new LabFailure("deadlock: the scenario waits but no event is scheduled");
                if (world.Now != instant) { instant = world.Now; eventsAtInstant = 0; }
                else if (++eventsAtInstant > World.LivelockEvents) throw new LabFailure($"livelock: a million events at {world.Now} ms without time passing");
            }
            task.GetAwaiter().GetResult();
        }
        finally
        {
            SetSynchronizationContext(previous);
        }
    }
}

/// <summary>A tester check failed (the Go tester's t.Fatalf).</summary>
public sealed class LabFailure : Exception
{
    public LabFailure(string message) : base(message) { }

    /// <summary>Virtual seconds from make_config to the failure (set by the lab suite when a test fails).</summary>
    public double VirtualSeconds { get; init; }
}
