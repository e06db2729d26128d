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
/// Refuses a wrong master key before the server takes requests, rather than serving text it cannot decrypt
/// (<see cref="MasterKeyVerification"/>). Registered after the store, so the schema is applied first.
/// </summary>
public sealed class MasterKeyStartUpCheck(IDocumentStore store, MasterKey master) : IHostedService
{
    public Task StartAsync(CancellationToken ct) => store.VerifyMasterKey(master, ct);

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
