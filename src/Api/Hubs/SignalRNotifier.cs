using EventChat.Application.Ports;
using Microsoft.AspNetCore.SignalR;

namespace EventChat.Api.Hubs;

/// <summary>The notifier port over SignalR: a user is every connection authenticated as them.</summary>
public sealed class SignalRNotifier(IHubContext<ChatHub> hub) : INotifier
{
    public Task ToUser(Guid userId, string eventName, object payload, CancellationToken ct) =>
        hub.Clients.User(userId.ToString()).SendAsync(eventName, payload, ct);
}

/// <summary>SignalR's user identifier is the token's <c>sub</c> claim, so pushes by user id reach every tab.</summary>
public sealed class SubjectUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) => connection.User.FindFirst(Auth.JwtClaims.Subject)?.Value;
}
