using System.Collections.Concurrent;
using EventChat.Api.Auth;
using EventChat.Api.Hubs;
using EventChat.Application;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Privacy;

/// <summary>
/// Closes the hub connections of erased and deactivated accounts. Authentication refuses their tokens, but a connection
/// is authenticated once, when it opens, and until it closes it would keep calling and keep receiving the account's
/// pushes (others' messages included). So every call of a refused account is refused and closes the connection; a
/// change of standing closes the account's connections on every node at once (<see cref="IStandingAnnouncer"/>); and
/// every node looks for refused accounts among its connections' users once a <see cref="AccountStandings.RecheckAfter"/>,
/// in case an announcement was lost (docs/privacy.md#erasure-and-open-connections).
/// </summary>
public sealed class RefusedAccountConnections(AccountStandings accounts, IHubContext<ChatHub> hub) : IHubFilter
{
    // This node's open connections: one entry each, added once the hub has accepted the connection.
    private readonly ConcurrentDictionary<string, (Guid UserId, HubCallerContext Connection)> _open = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        var userId = context.Context.User!.UserId();
        _open[context.Context.ConnectionId] = (userId, context.Context);
        // Refused between this connection's authentication and now, and announced before it was listed here.
        if (await accounts.Of(userId, context.Context.ConnectionAborted) is { Refusal: { } refusal })
            await CloseConnectionsOf(userId, refusal);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var userId = context.Context.User!.UserId();
        if (await accounts.Of(userId, context.Context.ConnectionAborted) is not { Refusal: { } refusal })
            return await next(context);
        await CloseConnectionsOf(userId, refusal);
        throw new HubException(refusal);
    }

    /// <summary>The account was erased, deactivated or reactivated, here or on another node: look again, and close its connections on this node if refused.</summary>
    public async Task StandingChanged(Guid userId)
    {
        accounts.Forget(userId);
        if (await accounts.Of(userId, CancellationToken.None) is { Refusal: { } refusal })
            await CloseConnectionsOf(userId, refusal);
    }

    /// <summary>Closes the connections on this node whose accounts were refused, on any node, since they were last looked at.</summary>
    public async Task CloseRefused(CancellationToken ct)
    {
        Guid[] users = [.. _open.Values.Select(open => open.UserId).Distinct()];
        foreach (var userId in await accounts.RefusedAmong(users, ct))
            await CloseConnectionsOf(userId, (await accounts.Of(userId, ct)).Refusal!);
    }

    // The error event first, so the client knows why; a write after the abort would be dropped.
    private async Task CloseConnectionsOf(Guid userId, string refusal)
    {
        foreach (var (connectionId, open) in _open.Where(open => open.Value.UserId == userId))
        {
            await hub.Clients.Client(connectionId).SendAsync(ClientEvents.Error, new HubErrorFilter.ErrorEvent(refusal, "unauthorized", "connect"));
            open.Connection.Abort();
        }
    }
}

/// <summary>
/// How the node that erased, deactivated or reactivated an account tells every node, itself included, to look at the
/// account again: to close its connections, or to stop refusing its tokens.
/// </summary>
public interface IStandingAnnouncer
{
    Task Announce(Guid userId);
}

/// <summary>One node: it is the only one to tell.</summary>
public sealed class LocalStandingAnnouncer(RefusedAccountConnections connections) : IStandingAnnouncer
{
    public Task Announce(Guid userId) => connections.StandingChanged(userId);
}

/// <summary>The backstop for an announcement a node missed (Redis down, the node restarting): each node's own look, once a minute.</summary>
public sealed class RefusedAccountSweep(RefusedAccountConnections connections, ILogger<RefusedAccountSweep> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(AccountStandings.RecheckAfter);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await connections.CloseRefused(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("could not look for erased or deactivated accounts among open connections; trying again in a minute: {Error}", e.Message);
            }
        }
    }
}

public static class AccountStandingsSetup
{
    /// <summary>Refusing erased and deactivated accounts' tokens, calls and connections. Before AddSignalR, so its filter runs first.</summary>
    public static void AddAccountStandings(this IServiceCollection services)
    {
        services.AddSingleton<AccountStandings>();
        services.AddSingleton<RefusedAccountConnections>();
        services.AddSingleton<IStandingAnnouncer, LocalStandingAnnouncer>();
        services.AddHostedService<RefusedAccountSweep>();
        services.Configure<HubOptions>(options => options.AddFilter<RefusedAccountConnections>());
    }
}
