using System.Text.Json;
using EventChat.Application.Sync;
using Microsoft.AspNetCore.SignalR;
using static EventChat.Api.Hubs.HubPayload;

namespace EventChat.Api.Hubs;

public sealed record SyncRequest(string? Since, int? Limit);

public sealed partial class ChatHub
{
    /// <summary>The same feed as <c>GET /api/chat/sync</c>, so a reconnecting client needs no REST call. Payload optional.</summary>
    [HubMethodName("sync"), HubRequest(typeof(SyncRequest))]
    public async Task<SyncPage> Sync(JsonElement? payload)
    {
        var request = BindOptional(payload, new SyncRequest(null, null));
        return await Mediator.Send(new SyncFeed(CallerId, request.Since, request.Limit), Context.ConnectionAborted);
    }
}
