using EventChat.Application.Users;
using Mediator;

namespace EventChat.Api.Auth;

/// <summary>
/// Grants the roles the configuration names to the accounts that exist when the server starts, before it takes requests
/// (docs/adr/0011-roles-bound-to-accounts.md). Names registered later are claimed at registration.
/// </summary>
public sealed class RoleBootstrap(IServiceScopeFactory scopes) : IHostedService
{
    public static ConfiguredRoles FromConfiguration(IConfiguration config) =>
        ConfiguredRoles.From(config.GetSection("EventChat:Admins").Get<string[]>() ?? [], config.GetSection("EventChat:Moderators").Get<string[]>() ?? []);

    public async Task StartAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IMediator>().Send(new BootstrapRoles(), ct);
    }

    public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
}
