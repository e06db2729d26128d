using System.Security.Cryptography;
using Marten;

namespace EventChat.Application.Privacy;

/// <summary>
/// One row that says which master key the data keys are wrapped with: a value wrapped under it that only the same key
/// unwraps. Start-up refuses a different key with a clear message instead of serving undecryptable text; a rotation
/// re-wraps it with the data keys, so the new key starts the server and the old one no longer does (docs/privacy.md).
/// </summary>
public sealed record MasterKeyCheck(string Id, string MasterKeyId, string WrappedCheck)
{
    public const string TheOne = "master-key";
    public const string Purpose = "EventChat master key check";

    /// <summary>The first start's check: a random value, so the row tells nothing but which key wraps it.</summary>
    public static MasterKeyCheck Under(MasterKey master) => new(TheOne, master.Id, master.Wrap(RandomNumberGenerator.GetBytes(16), Purpose));

    /// <exception cref="InvalidOperationException"><paramref name="configured"/> is not the key this database is set up with.</exception>
    public void Verify(MasterKey configured)
    {
        try
        {
            configured.Unwrap(WrappedCheck, Purpose);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(
                $"{MasterKey.ConfigKey} is the wrong key for this database: its data keys are wrapped by master key {MasterKeyId}, " +
                $"the configured key is {configured.Id}. Configure the key this database was set up with (or finish a rotation, docs/privacy.md).");
        }
    }

    /// <summary>The same value wrapped under <paramref name="next"/>, for a rotation.</summary>
    /// <exception cref="CryptographicException"><paramref name="current"/> is not the key in use.</exception>
    public MasterKeyCheck RewrappedUnder(MasterKey current, MasterKey next) =>
        this with { MasterKeyId = next.Id, WrappedCheck = next.Wrap(current.Unwrap(WrappedCheck, Purpose), Purpose) };
}

public static class MasterKeyVerification
{
    /// <summary>
    /// At start-up, after the schema is applied: the first start records the check under <paramref name="master"/>;
    /// every later start verifies <paramref name="master"/> against it.
    /// </summary>
    public static async Task VerifyMasterKey(this IDocumentStore store, MasterKey master, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var check = await session.LoadAsync<MasterKeyCheck>(MasterKeyCheck.TheOne, ct);
        if (check is not null)
        {
            check.Verify(master);
            return;
        }
        session.Insert(MasterKeyCheck.Under(master));
        await session.SaveChangesAsync(ct);
    }
}
