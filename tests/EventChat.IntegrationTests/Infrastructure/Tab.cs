using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventChat.IntegrationTests.Infrastructure;

/// <summary>
/// One real SignalR connection over a WebSocket, recording every server event it receives, in arrival order, so tests
/// can wait for an event (with a timeout) instead of sleeping. Nothing received is ever dropped: <see cref="Next"/>
/// takes the first matching event and leaves the ones it passes over, so a later <see cref="Received"/> still sees a
/// duplicate or an event that came too early, and <see cref="All"/> counts every copy.
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
    private readonly Inbox _inbox = new();

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
            connection.On<JsonElement>(name, payload => tab._inbox.Add(name, payload));
        await connection.StartAsync();
        // StartAsync returns at the handshake, before the server's OnConnectedAsync has run; the server
        // dispatches invocations only after it, so one harmless round trip means presence is settled.
        if (settle)
            await connection.InvokeAsync<JsonElement>("leaveRoom", new { conversationId = Guid.NewGuid() });
        return tab;
    }

    /// <summary>Invokes a hub method the way a client app does, returning its JSON result.</summary>
    public Task<JsonElement> Invoke(string method, object? payload) => Connection.InvokeAsync<JsonElement>(method, payload);

    /// <summary>Invokes a hub method that returns nothing.</summary>
    public Task Send(string method, object? payload) => Connection.InvokeAsync(method, payload);

    /// <summary>
    /// Takes the first <paramref name="eventName"/> event not taken yet that matches <paramref name="match"/>, waiting
    /// for it up to <see cref="Timeout"/>. Events it passes over stay, for <see cref="Received"/> to show.
    /// </summary>
    public async Task<JsonElement> Next(string eventName, Func<JsonElement, bool>? match = null)
    {
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (true)
            {
                if (_inbox.TryTake(eventName, match ?? (_ => true), out var payload, out var arrival))
                    return payload;
                await arrival.WaitAsync(timeout.Token);
            }
        }
        catch (OperationCanceledException)
        {
        }
        throw new TimeoutException($"No '{eventName}' event arrived within {Timeout.TotalSeconds} s.");
    }

    /// <summary><see cref="Next(string, Func{JsonElement, bool}?)"/>, the event read as the SDK's record <typeparamref name="T"/> (strictly, <see cref="Typed"/>).</summary>
    public async Task<T> Next<T>(string eventName, Func<T, bool>? match = null) =>
        (await Next(eventName, match is null ? null : payload => match(payload.As<T>()))).As<T>();

    /// <summary>Takes every <paramref name="eventName"/> event not taken yet, in arrival order, without waiting.</summary>
    public IReadOnlyList<JsonElement> Received(string eventName) => [.. _inbox.TakeAll(name => name == eventName).Select(e => e.Payload)];

    /// <summary>Takes every event of any name not taken yet, in arrival order, without waiting.</summary>
    public IReadOnlyList<(string Name, JsonElement Payload)> ReceivedAny() => _inbox.TakeAll(_ => true);

    /// <summary>Every <paramref name="eventName"/> event this tab has received, taken or not, in arrival order: for counting copies.</summary>
    public IReadOnlyList<JsonElement> All(string eventName) => _inbox.All(eventName);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>Every event received, in arrival order, each marked once a test has taken it.</summary>
    private sealed class Inbox
    {
        private readonly List<(string Name, JsonElement Payload)> _events = [];
        private readonly List<bool> _taken = [];
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Add(string name, JsonElement payload)
        {
            TaskCompletionSource arrived;
            lock (_events)
            {
                _events.Add((name, payload));
                _taken.Add(false);
                (arrived, _arrived) = (_arrived, new(TaskCreationOptions.RunContinuationsAsynchronously));
            }
            arrived.SetResult();
        }

        /// <param name="arrival">When nothing matches: completes when the next event of any name arrives.</param>
        public bool TryTake(string name, Func<JsonElement, bool> match, out JsonElement payload, out Task arrival)
        {
            lock (_events)
            {
                arrival = _arrived.Task;
                for (var i = 0; i < _events.Count; i++)
                    if (!_taken[i] && _events[i].Name == name && match(_events[i].Payload))
                    {
                        _taken[i] = true;
                        payload = _events[i].Payload;
                        return true;
                    }
                payload = default;
                return false;
            }
        }

        public IReadOnlyList<(string Name, JsonElement Payload)> TakeAll(Func<string, bool> named)
        {
            lock (_events)
            {
                var taken = new List<(string, JsonElement)>();
                for (var i = 0; i < _events.Count; i++)
                    if (!_taken[i] && named(_events[i].Name))
                    {
                        _taken[i] = true;
                        taken.Add(_events[i]);
                    }
                return taken;
            }
        }

        public IReadOnlyList<JsonElement> All(string name)
        {
            lock (_events)
                return [.. _events.Where(e => e.Name == name).Select(e => e.Payload)];
        }
    }
}
