using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventChat.LoadTests;

/// <summary>
/// A bare SignalR hub on a loopback port of this process, with no auth, no database and no EventChat logic: the most
/// this machine can push and receive. The <c>ceiling</c> scenario broadcasts stream-chat-shaped pushes through it; the
/// <c>direct-ceiling</c> scenario calls its <c>sendMessage</c>, which costs the wire what EventChat's direct send does.
/// </summary>
public sealed class CeilingHub(DirectConversations conversations) : Hub
{
    /// <summary>Each connection joins its user's group, which the pushes below go to, as EventChat's hub does.</summary>
    public override Task OnConnectedAsync() => Groups.AddToGroupAsync(Context.ConnectionId, Context.UserIdentifier ?? throw new HubException("no user"));

    /// <summary>
    /// EventChat's direct <c>sendMessage</c> without EventChat: the same three pushes of the same shapes and sizes
    /// (<c>messageSent</c> to the sender, <c>newMessage</c> and <c>receiveMessage</c> to the receiver) and the same
    /// answer. The conversation is kept in memory only.
    /// </summary>
    [HubMethodName("sendMessage")]
    public async Task<DirectDelivery> SendMessage(DirectSend send)
    {
        var senderId = Guid.Parse(Context.UserIdentifier ?? throw new HubException("no user"));
        var (message, forSender, forReceiver) = conversations.Append(senderId, send);
        var toSender = new DirectDelivery(message, forSender, "sent");
        // A group per user, as EventChat routes its pushes.
        var sender = Clients.Group(senderId.ToString());
        var receiver = Clients.Group(send.ReceiverId.ToString());
        await sender.SendAsync("messageSent", toSender);
        await receiver.SendAsync("newMessage", new DirectDelivery(message, forReceiver, "delivered"));
        await receiver.SendAsync("receiveMessage", new DirectReceived(message, forReceiver));
        return toSender;
    }

    public sealed class Host(WebApplication app, Uri url) : IAsyncDisposable
    {
        private readonly IHubContext<CeilingHub> _hub = app.Services.GetRequiredService<IHubContext<CeilingHub>>();

        public Uri Url => url;

        /// <summary>One push to every connection, shaped like EventChat's <c>stream-chat</c> event.</summary>
        public Task Broadcast(Guid sessionId, long sequence, string content, CancellationToken ct) =>
            _hub.Clients.All.SendAsync("stream-chat", new
            {
                sessionId,
                message = new
                {
                    id = Guid.CreateVersion7(),
                    sessionId,
                    senderId = sessionId,
                    content,
                    sequence,
                    sentAt = DateTimeOffset.UtcNow,
                    removedAt = (DateTimeOffset?)null,
                },
            }, ct);

        public async ValueTask DisposeAsync()
        {
            using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(patience.Token);
            await app.DisposeAsync();
        }
    }

    public static async Task<Host> Start(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<IUserIdProvider, BearerIsUserIdProvider>();
        builder.Services.AddSingleton<DirectConversations>();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<CeilingHub>("/hubs/chat");
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Host(app, new Uri(address));
    }
}

/// <summary>
/// No auth on the bare hub: the client's bearer token (a header from the .NET client, <c>access_token</c> in the query
/// string from a browser) is its user id, so <c>Clients.User</c> routes pushes as EventChat's token subject does.
/// </summary>
public sealed class BearerIsUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection)
    {
        var request = connection.GetHttpContext()?.Request;
        var header = request?.Headers.Authorization.ToString();
        return header is { Length: > 7 } && header.StartsWith("Bearer ", StringComparison.Ordinal)
            ? header[7..]
            : request?.Query["access_token"].ToString();
    }
}
