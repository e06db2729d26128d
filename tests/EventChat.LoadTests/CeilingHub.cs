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

    /// <summary>
    /// Serves the bare hub on <paramref name="port"/> until the process is told to stop, for load from outside this
    /// process (<c>./eventchat bench peers</c> drives it with the peers' harness).
    /// </summary>
    public static async Task<int> Serve(int port)
    {
        var stopping = new TaskCompletionSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.TrySetResult();
        };
        await using var host = await Start(CancellationToken.None, port);
        // SIGTERM reaches the host's lifetime, which stops the app; Ctrl-C reaches the handler above.
        host.Stopping.Register(() => stopping.TrySetResult());
        Console.WriteLine($"bare hub on {host.Url}");
        await stopping.Task;
        return 0;
    }

    public sealed class Host(WebApplication app, Uri url) : IAsyncDisposable
    {
        private readonly IHubContext<CeilingHub> _hub = app.Services.GetRequiredService<IHubContext<CeilingHub>>();

        public Uri Url => url;

        /// <summary>Cancelled when the process is told to stop (SIGTERM).</summary>
        public CancellationToken Stopping => app.Lifetime.ApplicationStopping;

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

    /// <param name="port">A loopback port to listen on; 0 picks a free one.</param>
    public static async Task<Host> Start(CancellationToken ct, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        // As many calls in flight per connection as EventChat allows (HubLimits.CallsInFlight), so a pipelining client
        // is compared like with like.
        builder.Services.AddSignalR(options => options.MaximumParallelInvocationsPerClient = 16);
        builder.Services.AddSingleton<IUserIdProvider, BearerIsUserIdProvider>();
        builder.Services.AddSingleton<DirectConversations>();
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<CeilingHub>("/hubs/chat");
        // What the peers' harness (../shared/peers/harness.mjs) calls to get a user: here any caller is a new user whose
        // token is its id.
        app.MapPost("/api/auth/register", () =>
        {
            var userId = Guid.NewGuid();
            return new { userId, token = userId.ToString() };
        });
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
