using EventChat.Application.Privacy;
using Marten;

namespace EventChat.Api;

/// <summary>
/// <c>EventChat.Api privacy rotate-master-key</c>: re-wraps every data key under a new master key
/// (<see cref="MasterKeyRotation"/>). The new key is read from <c>EventChat:Privacy:NewMasterKey</c> (environment:
/// <c>EventChat__Privacy__NewMasterKey</c>), never from the command line, so it stays out of shell history and process lists.
/// </summary>
public static class MasterKeyRotationCommand
{
    public const string NewKeyConfig = "EventChat:Privacy:NewMasterKey";

    public static bool IsRequested(string[] args) => args is ["privacy", "rotate-master-key", ..];

    public static Task<int> Run(WebApplication app) => Run(app, Console.Out, Console.Error);

    /// <returns>0 once every data key is re-wrapped; 1, having changed nothing, when the new key is not set or not a key, or
    /// the configured key is not this database's.</returns>
    public static async Task<int> Run(WebApplication app, TextWriter output, TextWriter errors)
    {
        if (app.Configuration[NewKeyConfig] is not { Length: > 0 } value)
        {
            await errors.WriteLineAsync($"{NewKeyConfig} is not set: set EventChat__Privacy__NewMasterKey to the new key (base64 of 32 bytes).");
            return 1;
        }
        try
        {
            var next = MasterKey.FromBase64(value, NewKeyConfig);
            var count = await app.Services.GetRequiredService<IDocumentStore>().RotateMasterKey(app.Services.GetRequiredService<MasterKey>(), next, CancellationToken.None);
            await output.WriteLineAsync($"Re-wrapped {count} data keys under master key {next.Id}. Now configure {MasterKey.ConfigKey} to the new key and restart.");
            return 0;
        }
        catch (InvalidOperationException notAKeyOrNotThisDatabases)
        {
            await errors.WriteLineAsync(notAKeyOrNotThisDatabases.Message);
            return 1;
        }
    }
}
