using EventChat.Application.Pipeline;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>
/// Keeps a connection's hub calls in the order the client sent them while SignalR runs several at once
/// (<see cref="HubLimits.CallsInFlight"/>). Each call waits for the one before it to pass its turn on
/// (<see cref="CallerTurn"/>): by finishing, as one call at a time always did, or, for a send, once the send holds its
/// place in the commit queue. So a client's pipelined sends share transactions and still commit in order, and its other
/// calls (typing start then stop, say) keep their order too.
/// </summary>
/// <remarks>
/// SignalR starts a connection's calls one after another, each running synchronously until its first await; this
/// filter runs first, so each call takes its place in line in arrival order. A send retried after a write conflict
/// (two nodes starting the same direct conversation at once) queues again behind later sends; that is the one case
/// where two of a client's messages can commit out of order.
/// </remarks>
public sealed class CallerOrderFilter : IHubFilter
{
    private static readonly object LastTurn = new();

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        var turn = context.ServiceProvider.GetRequiredService<CallerTurn>();
        var items = context.Context.Items;
        var previous = items.TryGetValue(LastTurn, out var last) && last is CallerTurn before ? before.Passed : Task.CompletedTask;
        items[LastTurn] = turn;
        try
        {
            await previous;
            return await next(context);
        }
        finally
        {
            turn.Pass();
        }
    }
}
