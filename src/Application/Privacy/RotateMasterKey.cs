using Marten;

namespace EventChat.Application.Privacy;

/// <summary>
/// Replacing the master key: every live data key and the check value are re-wrapped under the new key, in one
/// transaction. Events and read models are untouched: they are sealed with the data keys, which do not change.
/// Run from the command line (EventChat.Api's <c>privacy rotate-master-key</c>), never over the API.
/// </summary>
public static class MasterKeyRotation
{
    /// <returns>How many data keys were re-wrapped. Destroyed keys have nothing to re-wrap.</returns>
    /// <exception cref="InvalidOperationException"><paramref name="current"/> is not the key this database is set up with.</exception>
    public static async Task<int> RotateMasterKey(this IDocumentStore store, MasterKey current, MasterKey next, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var check = await session.LoadAsync<MasterKeyCheck>(MasterKeyCheck.TheOne, ct);
        // Before anything is stored: a current key that is not the one in use is refused with start-up's clear message.
        check?.Verify(current);
        if (check is not null)
            session.Store(check.RewrappedUnder(current, next));
        var keys = await session.Query<DataKey>().Where(k => k.ErasedAt == null).ToListAsync(ct);
        foreach (var key in keys)
            session.Store(key with { WrappedKey = next.Wrap(current.Unwrap(key.WrappedKey!, key.Id.ToString()), key.Id.ToString()), MasterKeyId = next.Id });
        await session.SaveChangesAsync(ct);
        return keys.Count;
    }
}
