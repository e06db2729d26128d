using System.Collections.Concurrent;

namespace EventChat.Application.Admin;

/// <summary>
/// The rebuilds this process is running and how far each has come, so that the projection status
/// (<see cref="GetProjectionStatus"/>) shows a rebuild while <c>POST …/rebuild</c> is still running it. Kept in memory:
/// a rebuild shows on the node that runs it.
/// </summary>
public sealed class RunningRebuilds(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, Run> _runs = new();

    /// <summary>Registers a rebuild of <paramref name="name"/>; null while this process rebuilds it already. Dispose the run when the rebuild ends.</summary>
    public Run? Start(string name)
    {
        var run = new Run(this, name, clock.GetUtcNow());
        return _runs.TryAdd(name, run) ? run : null;
    }

    /// <summary>Each running rebuild, by projection name.</summary>
    public IReadOnlyDictionary<string, RunningRebuild> Now() => _runs.ToDictionary(run => run.Key, run => run.Value.State);

    /// <summary>One rebuild, told its progress by the rebuild as it goes.</summary>
    public sealed class Run(RunningRebuilds owner, string name, DateTimeOffset startedAt) : IProgress<RebuildProgress>, IDisposable
    {
        private volatile RunningRebuild _state = new(startedAt, 0, null);

        public RunningRebuild State => _state;

        public void Report(RebuildProgress value) => _state = new(startedAt, value.Done, value.Total);

        public void Dispose() => owner._runs.TryRemove(new(name, this));
    }
}

/// <summary>A rebuild under way since <see cref="StartedAt"/>: <see cref="Done"/> of <see cref="Total"/> events (see <see cref="RebuildProgress"/>); Total is null until the rebuild has counted them.</summary>
public sealed record RunningRebuild(DateTimeOffset StartedAt, long Done, long? Total);
