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
/// A bare SignalR hub on a loopback port of this process, for the <c>ceiling</c> scenario: the fastest a
/// stream-chat-shaped broadcast can be pushed and received on this machine, with no database or EventChat logic.
/// </summary>
public sealed class CeilingHub : Hub
{
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
        var app = builder.Build();
        app.UseWebSockets();
        app.MapHub<CeilingHub>("/hubs/chat");
        await app.StartAsync(ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Host(app, new Uri(address));
    }
}
