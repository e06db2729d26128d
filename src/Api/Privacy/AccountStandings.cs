using EventChat.Api.Auth;
using EventChat.Domain.Users;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;

namespace EventChat.Api.Privacy;

/// <summary>Whether an account exists, its role, and why its tokens are refused (null while it may use EventChat).</summary>
public sealed record AccountStanding(bool Exists, string Role, string? Refusal)
{
    public static readonly AccountStanding Missing = new(false, Roles.User, null);

    public const string Erased = "This account has been erased.";
    public const string Deactivated = "This account has been deactivated.";

    public static AccountStanding Of(UserAccount? account) => account is null
        ? Missing
        : new(true, account.Role, account.ErasedAt is not null ? Erased : account.DeactivatedAt is not null ? Deactivated : null);
}

/// <summary>
/// Refuses the tokens of erased and deactivated accounts, which stay cryptographically valid until they expire, and tells
/// the tokens of the app's users which account and role they stand for. An erasure is final, so "erased" is remembered
/// for good; anything else for a minute, so another node notices a change within a minute at the cost of one primary-key
/// read per user per minute, or at once when it is announced (<see cref="IStandingAnnouncer"/>). A hub connection is
/// authenticated only when it opens; <see cref="RefusedAccountConnections"/> closes the ones open at the change.
/// </summary>
public sealed class AccountStandings(IDocumentStore store)
{
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<AccountStanding> Of(Guid userId, CancellationToken ct)
    {
        if (_known.TryGetValue(userId, out AccountStanding? standing))
            return standing!;
        await using var session = store.QuerySession();
        standing = AccountStanding.Of(await session.LoadAsync<UserAccount>(userId, ct));
        Remember(userId, standing);
        return standing;
    }

    public async ValueTask<bool> IsRefused(Guid userId, CancellationToken ct) => (await Of(userId, ct)).Refusal is not null;

    /// <summary>This node changed the account, or learnt that another did: look again next time.</summary>
    public void Forget(Guid userId) => _known.Remove(userId);

    /// <summary>Which of <paramref name="userIds"/> are refused, in one query, remembered like <see cref="Of"/>.</summary>
    public async Task<IReadOnlyList<Guid>> RefusedAmong(Guid[] userIds, CancellationToken ct)
    {
        if (userIds.Length == 0)
            return [];
        await using var session = store.QuerySession();
        var refused = await session.Query<UserAccount>()
            .Where(u => userIds.Contains(u.Id) && (u.ErasedAt != null || u.DeactivatedAt != null)).ToListAsync(ct);
        foreach (var account in refused)
            Remember(account.Id, AccountStanding.Of(account));
        return [.. refused.Select(account => account.Id)];
    }

    private void Remember(Guid userId, AccountStanding standing) =>
        _known.Set(userId, standing, new MemoryCacheEntryOptions
        {
            Size = 1, AbsoluteExpirationRelativeToNow = standing.Refusal == AccountStanding.Erased ? null : RecheckAfter,
        });

    /// <summary>For <see cref="JwtBearerEvents.OnTokenValidated"/> of EventChat's own tokens.</summary>
    public static async Task RefuseClosed(TokenValidatedContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<AccountStandings>();
        if (context.Principal is { } user && await accounts.Of(user.UserId(), context.HttpContext.RequestAborted) is { Refusal: { } refusal })
            context.Fail(refusal);
    }
}
