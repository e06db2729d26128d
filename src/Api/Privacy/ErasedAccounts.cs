using EventChat.Api.Auth;
using EventChat.Domain.Users;
using Marten;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Caching.Memory;

namespace EventChat.Api.Privacy;

/// <summary>
/// Refuses the tokens of erased accounts, which stay cryptographically valid until they expire. An erasure is final, so
/// "erased" is remembered for good; "not erased" for a minute, so another node notices an erasure within a minute at
/// the cost of one primary-key read per user per minute. A hub connection is authenticated only when it opens;
/// <see cref="ErasedAccountConnections"/> closes the ones open at the erasure.
/// </summary>
public sealed class ErasedAccounts(IDocumentStore store)
{
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromMinutes(1);
    private readonly MemoryCache _known = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    public async ValueTask<bool> IsErased(Guid userId, CancellationToken ct)
    {
        if (_known.TryGetValue(userId, out bool erased))
            return erased;
        await using var session = store.QuerySession();
        erased = (await session.LoadAsync<UserAccount>(userId, ct))?.ErasedAt is not null;
        _known.Set(userId, erased, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = erased ? null : RecheckAfter });
        return erased;
    }

    /// <summary>This node learnt of the erasure: refuse the account's tokens from now on, without waiting for the recheck.</summary>
    public void Erased(Guid userId) => _known.Set(userId, true, new MemoryCacheEntryOptions { Size = 1 });

    /// <summary>Which of <paramref name="userIds"/> are erased, in one query, remembered like <see cref="IsErased"/>.</summary>
    public async Task<IReadOnlyList<Guid>> ErasedAmong(Guid[] userIds, CancellationToken ct)
    {
        if (userIds.Length == 0)
            return [];
        await using var session = store.QuerySession();
        var erased = await session.Query<UserAccount>().Where(u => userIds.Contains(u.Id) && u.ErasedAt != null).Select(u => u.Id).ToListAsync(ct);
        foreach (var userId in erased)
            Erased(userId);
        return erased;
    }

    /// <summary>For <see cref="JwtBearerEvents.OnTokenValidated"/>.</summary>
    public static async Task RefuseErased(TokenValidatedContext context)
    {
        var accounts = context.HttpContext.RequestServices.GetRequiredService<ErasedAccounts>();
        if (context.Principal is { } user && await accounts.IsErased(user.UserId(), context.HttpContext.RequestAborted))
            context.Fail("This account has been erased.");
    }
}
