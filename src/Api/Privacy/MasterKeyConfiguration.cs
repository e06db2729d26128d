using System.Security.Cryptography;
using EventChat.Api.Auth;
using EventChat.Application.Privacy;
using Marten;

namespace EventChat.Api.Privacy;

public static class MasterKeyConfiguration
{
    public const string DevelopmentKeyFile = "master-key";

    /// <summary>
    /// The master key comes from <c>EventChat:Privacy:MasterKey</c> (base64 of 32 bytes). In Development a missing key is
    /// generated once and kept in the data folder, next to the development signing key; anywhere else it stops start-up.
    /// </summary>
    public static MasterKey Resolve(IConfiguration config, IHostEnvironment env)
    {
        var value = config[MasterKey.ConfigKey];
        if (string.IsNullOrWhiteSpace(value))
            value = env.IsDevelopment()
                ? DevelopmentKey(config.DataDirectory(env))
                : throw new InvalidOperationException(
                    $"{MasterKey.ConfigKey} is not set. Set the environment variable EventChat__Privacy__MasterKey to base64 of " +
                    $"{MasterKey.KeyBytes} random bytes, e.g. `openssl rand -base64 32`, and keep it safe: without it no message can be read (docs/privacy.md).");
        return MasterKey.FromBase64(value);
    }

    private static string DevelopmentKey(string dataDirectory) => dataDirectory.DevelopmentSecret(DevelopmentKeyFile, MasterKey.Generate);
}

/// <summary>
/// At start-up (after the schema is applied): the first start records a check value wrapped under the master key; every
/// later start must unwrap it, so a wrong key stops the server with a clear message instead of serving unreadable text.
/// </summary>
public sealed class MasterKeyVerification(IDocumentStore store, MasterKey master) : IHostedService
{
    public async Task StartAsync(CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var check = await session.LoadAsync<MasterKeyCheck>(MasterKeyCheck.TheOne, ct);
        if (check is null)
        {
            session.Insert(new MasterKeyCheck(MasterKeyCheck.TheOne, master.Id, master.Wrap(RandomNumberGenerator.GetBytes(16), MasterKeyCheck.Purpose)));
            await session.SaveChangesAsync(ct);
            return;
        }
        try
        {
            master.Unwrap(check.WrappedCheck, MasterKeyCheck.Purpose);
        }
        catch (CryptographicException)
        {
            throw new InvalidOperationException(
                $"{MasterKey.ConfigKey} is the wrong key for this database: its data keys are wrapped by master key {check.MasterKeyId}, " +
                $"the configured key is {master.Id}. Configure the key this database was set up with (or finish a rotation, docs/privacy.md).");
        }
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
