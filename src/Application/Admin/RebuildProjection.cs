using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
using JasperFx.Events.Daemon;
using JasperFx.Events.Projections;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Admin;

/// <summary>The read models that can be rebuilt from the event store, by projection name.</summary>
public sealed record ListProjections : IQuery<IReadOnlyList<string>>;

public sealed class ListProjectionsHandler(IDocumentStore store) : IQueryHandler<ListProjections, IReadOnlyList<string>>
{
    public ValueTask<IReadOnlyList<string>> Handle(ListProjections query, CancellationToken ct) =>
        ValueTask.FromResult(store.ProjectionNames());
}

public static class ProjectionCatalogue
{
    /// <summary>
    /// Rebuilds one projection: <see cref="MessageView"/> in bulk (<see cref="MessageViewRebuild"/>), every other one
    /// with Marten's daemon. Either tells <paramref name="progress"/> how far it has come after each page.
    /// </summary>
    public static async Task Rebuild(this IDocumentStore store, string name, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        if (name == nameof(MessageView))
        {
            await new MessageViewRebuild(store).Run(progress, ct);
            return;
        }
        using var daemon = await store.BuildProjectionDaemonAsync();
        if (progress is null)
        {
            await daemon.RebuildProjectionAsync(name, ct);
            return;
        }
        // Reads the high-water mark, which the rebuild replays up to, as Marten's own rebuild command does first.
        await daemon.PrepareForRebuildsAsync();
        var shards = new ShardProgress(name, daemon.Tracker.HighWaterMark, progress);
        using (daemon.Tracker.Subscribe(shards))
            await daemon.RebuildProjectionAsync(name, ct);
        shards.Finished();
    }

    /// <summary>
    /// A daemon rebuild's progress, from what its shards publish as each page is committed: the position in the event
    /// store reached, of the high-water mark when the rebuild began. The tracker is the database's, shared with the
    /// async daemon running beside the rebuild, so only this projection's shards count, and only while rebuilding.
    /// </summary>
    private sealed class ShardProgress : IObserver<ShardState>
    {
        private readonly Lock _lock = new();
        private readonly string _shardPrefix;
        private readonly long _ceiling;
        private readonly IProgress<RebuildProgress> _progress;
        private long _reported = -1;

        public ShardProgress(string projection, long ceiling, IProgress<RebuildProgress> progress)
        {
            (_shardPrefix, _ceiling, _progress) = (projection + ":", ceiling, progress);
            Report(0);
        }

        public void OnNext(ShardState state)
        {
            if (state.Mode == ShardMode.rebuilding && state.ShardName.StartsWith(_shardPrefix, StringComparison.Ordinal))
                Report(state.Sequence);
        }

        /// <summary>
        /// The rebuild has reached its mark. The tracker hands states to observers on a thread of its own, a moment
        /// after the fact, so the last page's may not have come yet, or may come after this and is then ignored.
        /// </summary>
        public void Finished() => Report(_ceiling);

        private void Report(long position)
        {
            lock (_lock)
            {
                if (position <= _reported)
                    return;
                _reported = position;
                // Events appended while the rebuild starts can take it a little past the mark read before it.
                _progress.Report(new(position, Math.Max(_ceiling, position)));
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }

    // Marten lists the names quoted ('MessageView') but looks them up bare. Its list has the subscriptions too (the
    // webhook outbox), which hold no read model to rebuild.
    public static IReadOnlyList<string> ProjectionNames(this IDocumentStore store) =>
        [.. ((DocumentStore)store).Options.Projections.All.Select(projection => projection.Name)];

    /// <summary>The projections written in the transaction of their events; the others run in the async daemon.</summary>
    public static IReadOnlyList<string> InlineProjectionNames(this IDocumentStore store) =>
        [.. ((DocumentStore)store).Options.Projections.All.Where(projection => projection.Lifecycle == ProjectionLifecycle.Inline).Select(projection => projection.Name)];

    /// <summary>The projection <paramref name="name"/> names, in any letter case, as the store spells it; null if none.</summary>
    public static string? ProjectionNamed(this IDocumentStore store, string? name) =>
        store.ProjectionNames().FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>
/// Throws a read model away and builds it again from every event (<see cref="ProjectionCatalogue.Rebuild"/>). The read
/// model is incomplete while this runs, so run it in a quiet moment (see docs/operations.md).
/// </summary>
public sealed record RebuildProjection(string? Name) : ICommand<RebuiltProjection>;

public sealed record RebuiltProjection(string Name, TimeSpan Took);

public sealed class RebuildProjectionValidator : AbstractValidator<RebuildProjection>
{
    public RebuildProjectionValidator() => RuleFor(c => c.Name).NotEmpty();
}

public sealed class RebuildProjectionHandler(IDocumentStore store, RunningRebuilds rebuilds, TimeProvider clock, ILogger<RebuildProjectionHandler> log)
    : ICommandHandler<RebuildProjection, RebuiltProjection>
{
    public async ValueTask<RebuiltProjection> Handle(RebuildProjection command, CancellationToken ct)
    {
        var name = store.ProjectionNamed(command.Name) ?? throw DomainException.NotFound("Projection");
        // Two rebuilds of one read model would each empty it under the other.
        using var run = rebuilds.Start(name) ?? throw new DomainException(DomainError.Conflict, $"{name} is being rebuilt already; wait for that rebuild to end.");
        var started = clock.GetTimestamp();
        await store.Rebuild(name, run, ct);
        var took = clock.GetElapsedTime(started);
        log.LogInformation("projection {Projection} rebuilt in {Elapsed}", name, took);
        return new(name, took);
    }
}
