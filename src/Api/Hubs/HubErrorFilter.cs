using EventChat.Api.Auth;
using EventChat.Api.Errors;
using EventChat.Application;
using EventChat.Application.Telemetry;
using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>
/// A failed invocation completes with a message safe to show a user, and the caller also gets the
/// contract's <c>error</c> event <c>{ message, code, method }</c>. An unexpected failure is logged at <c>Error</c> with
/// its stack trace. Any other (a refusal: validation, not found, forbidden, rate limited; or the database out of reach)
/// gets one <c>Debug</c> line, as its code says all there is to know; SignalR's own line for it is dropped
/// (<see cref="QuietHubRefusals"/>).
/// </summary>
public sealed class HubErrorFilter(ILogger<HubErrorFilter> log, EventChatMetrics metrics) : IHubFilter
{
    public sealed record ErrorEvent(string Message, string Code, string Method);

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext context, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception exception)
        {
            var error = ApiError.From(exception);
            var (method, userId) = (ContractName(context), context.Context.User!.UserId());
            if (error.IsUnexpected)
                log.LogError(exception, "hub method {Method} failed unexpectedly for {UserId}", method, userId);
            else
                log.LogDebug("hub method {Method} failed for {UserId}: {Code}", method, userId, error.Code);
            metrics.HubError(error.Code, method);
            // The call's span (HubTracing's, current again once the command's has ended): failed, or a refusal.
            if (Activity.Current is { Source.Name: EventChatTracing.SourceName } span)
                EventChatTracing.Ended(span, exception);
            await context.Hub.Clients.Caller.SendAsync(ClientEvents.Error, new ErrorEvent(error.Message, error.Code, method));
            throw new HubException(error.Message);
        }
    }

    // Clients know methods by their contract names ("sendMessage"), not the C# names.
    internal static string ContractName(HubInvocationContext context) =>
        context.HubMethod.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? context.HubMethodName;
}
