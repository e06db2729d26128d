using System.Collections.Concurrent;
using EventChat.Api.Auth;
using EventChat.Api.Hubs;
using EventChat.Application;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Privacy;

/// <summary>
/// Closes the hub connections of erased accounts. Authentication refuses an erased account's token, but a connection is
/// authenticated once, when it opens, and until it closes it would keep calling and keep receiving the account's pushes
/// (others' messages included). So every call of an erased account is refused and closes the connection; the erasure
/// closes the account's connections on every node at once (<see cref="IErasureAnnouncer"/>); and every node looks for
/// erased accounts among its connections' users once a <see cref="ErasedAccounts.RecheckAfter"/>, in case an announcement
/// was lost (docs/privacy.md#erasure-and-open-connections).
/// </summary>
public sealed class ErasedAccountConnections(ErasedAccounts accounts, IHubContext<ChatHub> hub) : IHubFilter
{
    public const string Refusal = "This account has been erased.";

    // This node's open connections: one entry each, added once the hub has accepted the connection.
    private readonly ConcurrentDictionary<string, (Guid UserId, HubCallerContext Connection)> _open = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        var userId = context.Context.User!.UserId();
        _open[context.Context.ConnectionId] = (userId, context.Context);
        // Erased between this connection's authentication and now, and announced before it was listed here.
        if (await accounts.IsErased(userId, context.Context.ConnectionAborted))
            await CloseConnectionsOf(userId);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        _open.TryRemove(context.Context.ConnectionId, out _);
        return next(context, exception);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var userId = context.Context.User!.UserId();
        if (!await accounts.IsErased(userId, context.Context.ConnectionAborted))
            return await next(context);
        await CloseConnectionsOf(userId);
        throw new HubException(Refusal);
    }

    /// <summary>The account was erased: refuse its tokens and close its connections on this node.</summary>
    public Task Erased(Guid userId)
    {
        accounts.Erased(userId);
        return CloseConnectionsOf(userId);
    }

    /// <summary>Closes the connections on this node whose accounts were erased, on any node, since they were last looked at.</summary>
    public async Task CloseErased(CancellationToken ct)
    {
        Guid[] users = [.. _open.Values.Select(open => open.UserId).Distinct()];
        foreach (var userId in await accounts.ErasedAmong(users, ct))
            await CloseConnectionsOf(userId);
    }

    // The error event first, so the client knows why; a write after the abort would be dropped.
    private async Task CloseConnectionsOf(Guid userId)
    {
        foreach (var (connectionId, open) in _open.Where(open => open.Value.UserId == userId))
        {
            await hub.Clients.Client(connectionId).SendAsync(ClientEvents.Error, new HubErrorFilter.ErrorEvent(Refusal, "unauthorized", "connect"));
            open.Connection.Abort();
        }
    }
}

/// <summary>How the node that erased an account tells every node, itself included, to close the account's connections.</summary>
public interface IErasureAnnouncer
{
    Task Announce(Guid userId);
}

/// <summary>One node: it is the only one to tell.</summary>
public sealed class LocalErasureAnnouncer(ErasedAccountConnections connections) : IErasureAnnouncer
{
    public Task Announce(Guid userId) => connections.Erased(userId);
}

/// <summary>The backstop for an announcement a node missed (Redis down, the node restarting): each node's own look, once a minute.</summary>
public sealed class ErasedAccountSweep(ErasedAccountConnections connections, ILogger<ErasedAccountSweep> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(ErasedAccounts.RecheckAfter);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await connections.CloseErased(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogWarning("could not look for erased accounts among open connections; trying again in a minute: {Error}", e.Message);
            }
        }
    }
}

public static class ErasedAccountsSetup
{
    /// <summary>Refusing erased accounts' tokens, calls and connections. Before AddSignalR, so its filter runs first.</summary>
    public static void AddErasedAccounts(this IServiceCollection services)
    {
        services.AddSingleton<ErasedAccounts>();
        services.AddSingleton<ErasedAccountConnections>();
        services.AddSingleton<IErasureAnnouncer, LocalErasureAnnouncer>();
        services.AddHostedService<ErasedAccountSweep>();
        services.Configure<HubOptions>(options => options.AddFilter<ErasedAccountConnections>());
    }
}
