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

    public static async Task<int> Run(WebApplication app)
    {
        var next = app.Configuration[NewKeyConfig] is { Length: > 0 } value ? MasterKey.FromBase64(value)
            : throw new InvalidOperationException($"{NewKeyConfig} is not set: set EventChat__Privacy__NewMasterKey to the new key (base64 of 32 bytes).");
        var count = await app.Services.GetRequiredService<IDocumentStore>().RotateMasterKey(app.Services.GetRequiredService<MasterKey>(), next, CancellationToken.None);
        Console.WriteLine($"Re-wrapped {count} data keys under master key {next.Id}. Now configure {MasterKey.ConfigKey} to the new key and restart.");
        return 0;
    }
}
