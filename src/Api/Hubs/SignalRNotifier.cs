using EventChat.Application;
using EventChat.Application.Ports;
using EventChat.Application.Telemetry;
using Microsoft.AspNetCore.SignalR;
using System.Diagnostics;

namespace EventChat.Api.Hubs;

/// <summary>
/// The notifier port over SignalR: a user is every connection authenticated as them.
/// A failed push is logged, never thrown: what it carried is already stored and can be fetched again,
/// so it must not turn a committed command into a reported failure.
/// </summary>
public sealed class SignalRNotifier(IHubContext<ChatHub> hub, IPresence presence, EventChatMetrics metrics, ILogger<SignalRNotifier> log) : INotifier
{
    // A group per user, not Clients.User: on one node SignalR finds a user's connections by testing every
    // connection, which made each push cost time in proportion to everyone connected (docs/performance.md).
    public Task ToUser(Guid userId, string eventName, object payload, CancellationToken ct) =>
        Push("user", eventName, () => hub.Clients.Group(RealtimeGroups.User(userId)).SendAsync(eventName, payload, ct));

    public Task ToGroup(string group, string eventName, object payload, CancellationToken ct) =>
        Push("group", eventName, () => hub.Clients.Group(group).SendAsync(eventName, payload, ct));

    public Task JoinGroup(string connectionId, string group, CancellationToken ct) => hub.Groups.AddToGroupAsync(connectionId, group, ct);

    public Task LeaveGroup(string connectionId, string group, CancellationToken ct) => hub.Groups.RemoveFromGroupAsync(connectionId, group, ct);

    public Task ToRoom(Guid conversationId, string eventName, object payload, Guid exceptUserId, CancellationToken ct) =>
        Push("room", eventName, async () => await hub.Clients.GroupExcept(RealtimeGroups.Conversation(conversationId), await presence.ConnectionsOf(exceptUserId)).SendAsync(eventName, payload, ct));

    public async Task LeaveRoom(Guid userId, Guid conversationId, CancellationToken ct)
    {
        foreach (var connectionId in await presence.ConnectionsOf(userId))
            await hub.Groups.RemoveFromGroupAsync(connectionId, RealtimeGroups.Conversation(conversationId), ct);
    }

    private async Task Push(string target, string eventName, Func<Task> push)
    {
        using var activity = EventChatTracing.Source.StartActivity("push", ActivityKind.Producer)
            ?.SetTag("eventchat.push.target", target).SetTag("eventchat.push.event", eventName);
        try
        {
            await push();
            metrics.Delivered(target, eventName, succeeded: true);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            metrics.Delivered(target, eventName, succeeded: false);
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            log.LogWarning(e, "push of {Event} failed", eventName);
        }
    }
}
