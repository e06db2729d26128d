using EventChat.Domain.Users;
using Marten;
using JasperFx;
using JasperFx.Events;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Users;

/// <summary>
/// A configured name that has granted its role, keyed by the normalised name: once it exists, the name grants nothing
/// again, whoever holds it later. Two racing claims settle on the key.
/// </summary>
public sealed record RoleClaim(string Id, Guid UserId, string Role, DateTimeOffset ClaimedAt);

public static class RoleClaims
{
    /// <summary>
    /// The role <paramref name="account"/>'s name grants, if the configuration names it and nobody has claimed it yet;
    /// the claim is stored with the session's changes. Null otherwise.
    /// </summary>
    public static async Task<UserRoleChanged?> ClaimName(this IDocumentSession session, ConfiguredRoles roles, UserAccount account, DateTimeOffset now,
        CancellationToken ct)
    {
        if (!roles.ByName.TryGetValue(account.NormalizedUsername, out var role) || await session.LoadAsync<RoleClaim>(account.NormalizedUsername, ct) is not null)
            return null;
        // Insert, not store: of two claims racing for one name, the second fails on the key.
        session.Insert(new RoleClaim(account.NormalizedUsername, account.Id, role, now));
        return account.GrantConfigured(role, now);
    }

    /// <summary>The second of two claims racing for one name.</summary>
    public static bool IsLostClaim(this DocumentAlreadyExistsException e) => e.DocType == typeof(RoleClaim);
}

/// <summary>
/// At start-up: every configured id's account gets its role (unless it has a higher one), and every configured name
/// already registered and not yet claimed grants its role to its holder. Registration claims the names registered later.
/// </summary>
public sealed record BootstrapRoles : ICommand;

public sealed class BootstrapRolesHandler(IDocumentStore store, ConfiguredRoles roles, TimeProvider clock, ILogger<BootstrapRolesHandler> log)
    : ICommandHandler<BootstrapRoles>
{
    public async ValueTask<Unit> Handle(BootstrapRoles command, CancellationToken ct)
    {
        foreach (var (id, role) in roles.ById)
        {
            await using var session = store.LightweightSession();
            var stream = await session.Events.FetchForWriting<UserAccount>(id, ct);
            await Save(session, stream, stream.Aggregate?.GrantConfigured(role, clock.GetUtcNow()), ct);
        }
        foreach (var name in roles.ByName.Keys)
        {
            await using var session = store.LightweightSession();
            // An erased holder is not found: erasure changed its normalised name.
            if (await session.Query<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedUsername == name, ct) is not { } holder)
                continue;
            var stream = await session.Events.FetchForWriting<UserAccount>(holder.Id, ct);
            await Save(session, stream, await session.ClaimName(roles, stream.Aggregate!, clock.GetUtcNow(), ct), ct);
        }
        return Unit.Value;
    }

    // Saves the claim, if one was made, even when the account already had the role.
    private async Task Save(IDocumentSession session, IEventStream<UserAccount> stream, UserRoleChanged? granted, CancellationToken ct)
    {
        if (granted is not null)
            stream.AppendOne(granted);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException e) when (e.IsLostClaim())
        {
            return; // another node, starting at the same time, claimed the name first
        }
        if (granted is not null)
            log.LogInformation("user {UserId} made {Role} by the configuration", granted.UserId, granted.Role);
    }
}
