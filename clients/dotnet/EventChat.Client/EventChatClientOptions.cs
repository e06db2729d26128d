using Microsoft.AspNetCore.Http.Connections.Client;
using Microsoft.Extensions.Logging;

namespace EventChat.Client;

/// <summary>How an <see cref="EventChatClient"/> reaches the server and who it is there.</summary>
public sealed class EventChatClientOptions
{
    /// <summary>The server, e.g. <c>https://chat.example.com</c>; the hub is <c>/hubs/chat</c> under it, REST <c>/api</c>.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>
    /// Gives a token for the user. Called for every connection and reconnection (so a token that expired is replaced),
    /// and by REST calls when they have none or the server refused the one they had.
    /// </summary>
    public required Func<CancellationToken, ValueTask<string>> AccessTokenProvider { get; init; }

    /// <summary>Where the sync cursor is kept; in memory unless the app gives a <see cref="FileCursorStore"/> or its own.</summary>
    public ISyncCursorStore CursorStore { get; init; } = new InMemoryCursorStore();

    /// <summary>Carries REST calls and the hub's HTTP requests (a proxy, a test server); the client never disposes it.</summary>
    public HttpMessageHandler? HttpMessageHandler { get; init; }

    /// <summary>How often the client pings the server. Keep it well under the server's client timeout (30 s by default).</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the server may stay silent before the client counts the connection dead and reconnects.</summary>
    public TimeSpan ServerTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The last say over the hub connection's transport options (headers, a proxy, a WebSocket factory), after the SDK
    /// has set its own. Leave <c>AccessTokenProvider</c> alone: the SDK hands it the token it fetched for this attempt.
    /// </summary>
    public Action<HttpConnectionOptions>? ConfigureConnection { get; init; }

    /// <summary>Receives the SDK's and SignalR's logs: reconnects, failed catch-ups, handlers that threw.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }
}
