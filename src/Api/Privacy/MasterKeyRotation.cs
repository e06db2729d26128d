using EventChat.Application.Privacy;
using Marten;

namespace EventChat.Api.Privacy;

/// <summary>
/// <c>eventchat privacy rotate-master-key</c>: re-wraps every data key and the check value under a new master key, in one
/// transaction. Events and read models are untouched: they are sealed with the data keys, which do not change.
/// The new key is read from <c>EventChat:Privacy:NewMasterKey</c> (environment: <c>EventChat__Privacy__NewMasterKey</c>),
/// never from the command line, so it stays out of shell history and process lists.
/// </summary>
public static class MasterKeyRotation
{
    public const string NewKeyConfig = "EventChat:Privacy:NewMasterKey";

    public static bool IsRequested(string[] args) => args is ["privacy", "rotate-master-key", ..];

    public static async Task<int> Run(WebApplication app)
    {
        var next = app.Configuration[NewKeyConfig] is { Length: > 0 } value ? MasterKey.FromBase64(value)
            : throw new InvalidOperationException($"{NewKeyConfig} is not set: set EventChat__Privacy__NewMasterKey to the new key (base64 of 32 bytes).");
        var count = await Rotate(app.Services.GetRequiredService<IDocumentStore>(), app.Services.GetRequiredService<MasterKey>(), next, CancellationToken.None);
        Console.WriteLine($"Re-wrapped {count} data keys under master key {next.Id}. Now configure {MasterKey.ConfigKey} to the new key and restart.");
        return 0;
    }

    /// <returns>How many data keys were re-wrapped. Destroyed keys have nothing to re-wrap.</returns>
    public static async Task<int> Rotate(IDocumentStore store, MasterKey current, MasterKey next, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var check = await session.LoadAsync<MasterKeyCheck>(MasterKeyCheck.TheOne, ct);
        if (check is not null)
        {
            // Fails with a CryptographicException if the configured (current) key is not the one in use.
            var value = current.Unwrap(check.WrappedCheck, MasterKeyCheck.Purpose);
            session.Store(check with { MasterKeyId = next.Id, WrappedCheck = next.Wrap(value, MasterKeyCheck.Purpose) });
        }
        var keys = await session.Query<DataKey>().Where(k => k.ErasedAt == null).ToListAsync(ct);
        foreach (var key in keys)
            session.Store(key with { WrappedKey = next.Wrap(current.Unwrap(key.WrappedKey!, key.Id.ToString()), key.Id.ToString()), MasterKeyId = next.Id });
        await session.SaveChangesAsync(ct);
        return keys.Count;
    }
}
