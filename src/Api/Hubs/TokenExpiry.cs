using System.Collections.Concurrent;
using EventChat.Api.Auth;
using EventChat.Application;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>
/// A connection outlives no token: when the token that opened it expires (its <c>exp</c> plus <c>Jwt:ClockSkew</c>, when
/// REST starts refusing it too), the connection gets an <c>error</c> event with the code <c>token_expired</c> and is
/// closed, so a client (or an SDK's token provider) knows to reconnect with a fresh token rather than with the old one.
/// SignalR's own <c>CloseOnAuthenticationExpiration</c> would close it without saying why.
/// </summary>
public sealed class TokenExpiry(IHubContext<ChatHub> hub, JwtSettings jwt, TimeProvider clock) : IHubFilter
{
    public const string Code = "token_expired";
    public const string Message = "Your token has expired; connect again with a new one.";

    private readonly ConcurrentDictionary<string, ITimer> _timers = new();

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        await next(context);
        if (context.Context.User!.TokenExpires() is not { } expires)
            return;
        var connection = context.Context;
        var due = expires + jwt.ClockSkew - clock.GetUtcNow();
        _timers[connection.ConnectionId] = clock.CreateTimer(_ => _ = Close(connection), null, due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        if (_timers.TryRemove(context.Context.ConnectionId, out var timer))
            timer.Dispose();
        return next(context, exception);
    }

    // The error event first, so the client knows why; a write after the abort would be dropped.
    private async Task Close(HubCallerContext connection)
    {
        // Also when the connection closed while it was being set up, before its timer was listed.
        if (_timers.TryRemove(connection.ConnectionId, out var timer))
            timer.Dispose();
        try
        {
            await hub.Clients.Client(connection.ConnectionId).SendAsync(ClientEvents.Error, new HubErrorFilter.ErrorEvent(Message, Code, "connect"));
        }
        finally
        {
            connection.Abort();
        }
    }
}
