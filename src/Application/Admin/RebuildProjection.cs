using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
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
    /// with Marten's daemon.
    /// </summary>
    public static async Task Rebuild(this IDocumentStore store, string name, IProgress<RebuildProgress>? progress, CancellationToken ct)
    {
        if (name == nameof(MessageView))
        {
            await new MessageViewRebuild(store).Run(progress, ct);
            return;
        }
        using var daemon = await store.BuildProjectionDaemonAsync();
        await daemon.RebuildProjectionAsync(name, ct);
    }

    // Marten lists the names quoted ('MessageView') but looks them up bare. Its list has the subscriptions too (the
    // webhook outbox), which hold no read model to rebuild.
    public static IReadOnlyList<string> ProjectionNames(this IDocumentStore store) =>
        [.. ((DocumentStore)store).Options.Projections.All.Select(projection => projection.Name)];

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

public sealed class RebuildProjectionHandler(IDocumentStore store, TimeProvider clock, ILogger<RebuildProjectionHandler> log)
    : ICommandHandler<RebuildProjection, RebuiltProjection>
{
    public async ValueTask<RebuiltProjection> Handle(RebuildProjection command, CancellationToken ct)
    {
        var name = store.ProjectionNamed(command.Name) ?? throw DomainException.NotFound("Projection");
        var started = clock.GetTimestamp();
        await store.Rebuild(name, progress: null, ct);
        var took = clock.GetElapsedTime(started);
        log.LogInformation("projection {Projection} rebuilt in {Elapsed}", name, took);
        return new(name, took);
    }
}
