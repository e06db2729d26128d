using EventChat.Api.Auth;
using EventChat.Application.Telemetry;
using System.Diagnostics;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>
/// A span per hub invocation (<c>hub sendMessage</c>), the root of the trace that the mediator, the commit and the
/// pushes add to. Its tags are the method and the caller's id; never the arguments, which carry content.
/// </summary>
public sealed class HubTracing : IHubFilter
{
    // Every hub call passes here, so without a listener (the default) it is one check and no async frame of its own.
    public ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next) =>
        EventChatTracing.Source.HasListeners() ? Traced(context, next) : next(context);

    private static async ValueTask<object?> Traced(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        // Each call is a trace of its own: the activity current here is the connection's HTTP request, which lasts as
        // long as the connection and is not exported (Tracing leaves the hub's transport out), so nothing to link to.
        Activity.Current = null;
        var method = HubErrorFilter.ContractName(context);
        using var activity = EventChatTracing.Source.StartActivity("hub " + method, ActivityKind.Server)
            ?.SetTag("eventchat.hub.method", method).SetTag("eventchat.user.id", context.Context.User?.UserId().ToString());
        try
        {
            return await next(context);
        }
        // A HubException is the answer HubErrorFilter (or a filter before it) gives the client; HubErrorFilter has
        // already recorded on this span what it answered.
        catch (Exception e) when (activity is not null && e is not HubException)
        {
            EventChatTracing.Ended(activity, e);
            throw;
        }
    }
}
