using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One real SignalR connection over a WebSocket, recording every server event it receives so tests
/// can wait for an event (with a timeout) instead of sleeping.
/// </summary>
public sealed class Tab : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private static readonly string[] ServerEvents =
    [
        "messageSent", "newMessage", "receiveMessage", "messageRead", "userTyping", "typingIndicator",
        "onlineUsers", "userOnline", "userOffline", "messageEdited", "messageDeleted", "conversationErased", "error",
        "stream-chat", "stream-viewers", "stream-ended", "stream-message-removed", "post-liked", "post-unliked", "post-commented",
    ];
    private readonly ConcurrentDictionary<string, Channel<JsonElement>> _received = new();

    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private Tab(HubConnection connection)
    {
        Connection = connection;
        connection.Closed += reason =>
        {
            _closed.TrySetResult(reason);
            return Task.CompletedTask;
        };
    }

    /// <summary>Completes when the server closes this connection.</summary>
    public Task Closed => _closed.Task.WaitAsync(Timeout);

    /// <summary>Completes when the server closes this connection, with the reason the server gave (null for none).</summary>
    public Task<Exception?> CloseReason => _closed.Task.WaitAsync(Timeout);

    public HubConnection Connection { get; }

    /// <param name="tokenInQuery">Send the token as <c>?access_token=</c>, as a browser must, instead of a header.</param>
    /// <param name="settle">Wait until the server has finished accepting the connection (see below).</param>
    /// <param name="origin">Send this <c>Origin</c> header, as a browser page of that origin would.</param>
    public static async Task<Tab> Open(Uri baseAddress, string? token, bool tokenInQuery = false, bool settle = true, string? origin = null)
    {
        var url = new Uri(baseAddress, tokenInQuery ? $"/hubs/chat?access_token={token}" : "/hubs/chat");
        var connection = new HubConnectionBuilder()
            .WithUrl(url, options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                if (!tokenInQuery)
                    options.AccessTokenProvider = () => Task.FromResult(token);
                if (origin is not null)
                    options.Headers["Origin"] = origin;
            })
            // The test server treats 4 s of silence as a dead connection; ping well within that.
            .WithKeepAliveInterval(TimeSpan.FromSeconds(1))
            .Build();
        var tab = new Tab(connection);
        foreach (var name in ServerEvents)
            connection.On<JsonElement>(name, payload => tab.Inbox(name).Writer.TryWrite(payload));
        await connection.StartAsync();
        // StartAsync returns at the handshake, before the server's OnConnectedAsync has run; the server
        // dispatches invocations only after it, so one harmless round trip means presence is settled.
        if (settle)
            await connection.InvokeAsync<JsonElement>("leaveRoom", new { conversationId = Guid.NewGuid() });
        return tab;
    }

    private Channel<JsonElement> Inbox(string eventName) => _received.GetOrAdd(eventName, _ => Channel.CreateUnbounded<JsonElement>());

    /// <summary>Invokes a hub method the way a client app does, returning its JSON result.</summary>
    public Task<JsonElement> Invoke(string method, object? payload) => Connection.InvokeAsync<JsonElement>(method, payload);

    /// <summary>Invokes a hub method that returns nothing.</summary>
    public Task Send(string method, object? payload) => Connection.InvokeAsync(method, payload);

    /// <summary>The next <paramref name="eventName"/> event matching <paramref name="match"/>; fails after <see cref="Timeout"/>.</summary>
    public async Task<JsonElement> Next(string eventName, Func<JsonElement, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await foreach (var payload in Inbox(eventName).Reader.ReadAllAsync(timeout.Token))
                if (match?.Invoke(payload) ?? true)
                    return payload;
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"No '{eventName}' event arrived within {Timeout.TotalSeconds} s.");
    }

    /// <summary>Every <paramref name="eventName"/> event received so far, without waiting.</summary>
    public IReadOnlyList<JsonElement> Received(string eventName)
    {
        var events = new List<JsonElement>();
        while (Inbox(eventName).Reader.TryRead(out var payload))
            events.Add(payload);
        return events;
    }

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}
