using System.Linq.Expressions;
using Marten;

namespace EventChat.Application.Privacy;

/// <summary>Crypto-shredding: destroying data keys makes every text sealed under them unreadable, in events and read models alike.</summary>
public static class Erasure
{
    /// <summary>Destroys the matching live keys in the caller's transaction; returns how many.</summary>
    public static async Task<int> DestroyKeys(this IDocumentSession session, Expression<Func<DataKey, bool>> which, DateTimeOffset now, CancellationToken ct)
    {
        var keys = await session.Query<DataKey>().Where(which).Where(k => k.ErasedAt == null).ToListAsync(ct);
        foreach (var key in keys)
            session.Store(key.Destroyed(now));
        return keys.Count;
    }
}
