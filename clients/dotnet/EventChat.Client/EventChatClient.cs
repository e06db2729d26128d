using System.Net.WebSockets;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventChat.Client;

/// <summary>
/// One user's connection to EventChat: the hub for pushes and sends, REST for the rest. It keeps itself connected
/// (a fresh token from <see cref="EventChatClientOptions.AccessTokenProvider"/> for every attempt), and hands the app
/// every message exactly once, each conversation's in <c>sequence</c> order, whatever the network does in between
/// (docs/sdk.md). Handlers run one at a time, in that order, off the network's threads.
/// </summary>
public sealed partial class EventChatClient : IAsyncDisposable, IStreamSink
{
    // SignalR's own automatic reconnect gives up after its last delay; a chat app must not.
    private static readonly TimeSpan[] ReconnectDelays = [TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(10)];

    // A lost push of a conversation's last message has no later push to reveal it; the periodic catch-up does.
    private static readonly TimeSpan CatchUpEvery = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LastCatchUpPatience = TimeSpan.FromSeconds(3);

    private readonly EventChatClientOptions _options;
    private readonly ILogger _log;
    private readonly HttpClient _http;
    private readonly Dispatcher _dispatcher;
    private readonly MessageStream _stream;
    private readonly HubErrors _errors = new();
    private readonly TypingThrottle _typing;
    private readonly HubConnection _hub;
    private readonly SemaphoreSlim _lifecycle = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private readonly Lock _gate = new();
    private ConnectionState _state;
    private int _generation;
    private TaskCompletionSource _stateChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenSource? _session;
    private volatile string? _token;
    private bool _disposed;

    public EventChatClient(EventChatClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        _log = loggers.CreateLogger<EventChatClient>();
        var baseAddress = options.BaseAddress.AbsoluteUri.EndsWith('/') ? options.BaseAddress : new Uri(options.BaseAddress.AbsoluteUri + "/");
        _http = options.HttpMessageHandler is { } handler ? new HttpClient(handler, disposeHandler: false) : new HttpClient();
        _http.BaseAddress = baseAddress;
        _dispatcher = new Dispatcher(_log);
        _stream = new MessageStream(this, options.CursorStore, Sync, () => State == ConnectionState.Connected, _log, _disposing.Token);
        _typing = new TypingThrottle(SignalTyping);
        _hub = BuildHub(new Uri(baseAddress, "hubs/chat"), options.LoggerFactory);
    }

    /// <summary>A message handed to the app: once per message, each conversation's in sequence order. The conversation
    /// comes with pushed messages (with the caller's unread count); messages a catch-up brought have none.</summary>
    public event Action<Message, Conversation?>? MessageReceived;

    /// <summary>A message was edited or deleted: apply it by id. After a catch-up the same change may come twice.</summary>
    public event Action<Message>? MessageChanged;

    /// <summary>Someone (the user on another device too) read up to a message. Idempotent, like changes.</summary>
    public event Action<ReadReceipt>? Read;

    /// <summary>A conversation began, or someone joined or went (from the sync feed).</summary>
    public event Action<MembershipChange>? Membership;

    /// <summary>Someone else started or stopped typing in one of the user's conversations.</summary>
    public event Action<TypingChanged>? TypingChanged;

    /// <summary>A contact came online (first connection) or went offline (last one closed).</summary>
    public event Action<PresenceChange>? Presence;

    /// <summary>The connection's state changed: for a "reconnecting…" banner.</summary>
    public event Action<ConnectionState>? StateChanged;

    /// <summary>
    /// The server is closing the connection and said why (<c>token_expired</c>, <c>unauthorized</c> for an erased or
    /// deactivated account, <c>rate_limited</c> for too many connections). The client reconnects by itself with a new
    /// token; an app may sign the user out on <c>unauthorized</c>.
    /// </summary>
    public event Action<EventChatError>? ConnectionError;

    public ConnectionState State
    {
        get
        {
            lock (_gate)
                return _state;
        }
    }

    /// <summary>
    /// Opens the hub connection and returns once it is open; a catch-up then brings what the app has not seen. If this
    /// first attempt fails, it throws (an <see cref="EventChatError"/> when the server refused it); once connected, the
    /// client reconnects by itself (0, 1, 2, 5, 10 s, then every 10 s) until <see cref="DisconnectAsync"/>.
    /// </summary>
    public async Task ConnectAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _lifecycle.WaitAsync(cancellationToken);
        try
        {
            if (_session is { IsCancellationRequested: false })
                return;
            var session = CancellationTokenSource.CreateLinkedTokenSource(_disposing.Token);
            lock (_gate)
                _session = session;
            SetState(ConnectionState.Connecting);
            try
            {
                using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, session.Token);
                await StartHub(attempt.Token);
            }
            catch (Exception e)
            {
                lock (_gate)
                    _session = null;
                await session.CancelAsync();
                session.Dispose();
                SetState(ConnectionState.Disconnected);
                if (e is HttpRequestException { StatusCode: { } status })
                    throw RestErrors.FromStatus((int)status, e);
                throw;
            }
            _ = CatchUpEveryMinute(session.Token);
        }
        finally
        {
            _lifecycle.Release();
        }
    }

    /// <summary>
    /// Closes the connection and stops reconnecting; sends still waiting for a connection fail. While connected, it
    /// first runs a last catch-up (a few seconds at most), so that the stored cursor covers every message this session
    /// handed over: a client that starts again from a <see cref="FileCursorStore"/> does not hand them over twice.
    /// </summary>
    public async Task DisconnectAsync()
    {
        CancellationTokenSource? session;
        lock (_gate)
            session = _session;
        if (session is null)
            return;
        await LastCatchUp();
        await session.CancelAsync();
        await _lifecycle.WaitAsync();
        try
        {
            lock (_gate)
            {
                if (_session != session)
                    return;
                _session = null;
            }
            await _hub.StopAsync();
            SetState(ConnectionState.Disconnected);
        }
        finally
        {
            _lifecycle.Release();
            session.Dispose();
        }
    }

    /// <summary>
    /// Sends a message and answers it as stored. It gets a fresh <c>clientMessageId</c> unless it has one, and if the
    /// connection drops before the answer, it is sent again with the same id once connected: the server stores it once.
    /// Waits while the client is reconnecting. A refusal throws <see cref="EventChatError"/> (<c>not_found</c>, …).
    /// </summary>
    public async Task<MessageDelivery> SendAsync(SendMessageRequest message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var request = message.ClientMessageId is null ? message with { ClientMessageId = Guid.NewGuid().ToString() } : message;
        if (request.ConversationId is { } typedIn)
            _typing.Stop(typedIn);
        var delivery = await Invoke<MessageDelivery>("sendMessage", request, cancellationToken);
        _typing.Stop(delivery.Message.ConversationId);
        // The answer is the messageSent push's object: if that push was lost, this hands the message over.
        _stream.Push(delivery);
        return delivery;
    }

    /// <summary>
    /// Call on every keystroke in a conversation: the SDK sends <c>typingStart</c> at most every 5 s and
    /// <c>typingStop</c> 4 s after the last key or when the user sends. Never throws; typing is best effort.
    /// </summary>
    public void Typing(Guid conversationId) => _typing.Key(conversationId);

    /// <summary>The user stopped typing (cleared the box, left the conversation) before the 4 s were up.</summary>
    public void StopTyping(Guid conversationId) => _typing.Stop(conversationId);

    /// <summary>Which of these users (or, without ids, of the user's contacts) are online.</summary>
    public async Task<IReadOnlyList<Guid>> OnlineUsersAsync(IEnumerable<Guid>? userIds = null, CancellationToken cancellationToken = default) =>
        (await Invoke<OnlineUsersAnswer>("getOnlineUsers", new { userIds = userIds?.ToList() }, cancellationToken)).OnlineUsers;

    /// <summary>
    /// Runs a catch-up now (or after the one running) and completes when it has handed everything over: for an app
    /// that has a reason to doubt, such as waking from sleep. The client already runs one after every (re)connect, when
    /// a push shows a gap, and once a minute.
    /// </summary>
    public Task CatchUpAsync(CancellationToken cancellationToken = default) => _stream.CatchUpAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await DisconnectAsync();
        await _disposing.CancelAsync();
        _typing.Dispose();
        await _hub.DisposeAsync();
        _http.Dispose();
        await _dispatcher.DisposeAsync();
    }

    // Only sync answers move the cursor, and pushes handed over since the last catch-up lie beyond it.
    private async Task LastCatchUp()
    {
        if (State != ConnectionState.Connected)
            return;
        using var patience = new CancellationTokenSource(LastCatchUpPatience);
        try
        {
            await _stream.CatchUpAsync(patience.Token);
        }
        catch (Exception e)
        {
            _log.LogDebug(e, "The last catch-up before disconnecting did not finish; a restart may see a few messages again");
        }
    }

    private HubConnection BuildHub(Uri url, ILoggerFactory? loggers)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(url, connection =>
            {
                // The token fetched for this attempt (StartHub), so one attempt asks the provider once.
                connection.AccessTokenProvider = () => Task.FromResult(_token);
                if (_options.HttpMessageHandler is { } handler)
                    connection.HttpMessageHandlerFactory = _ => new SharedHandler(handler);
                _options.ConfigureConnection?.Invoke(connection);
            })
            .AddJsonProtocol(json => Wire.Configure(json.PayloadSerializerOptions));
        if (loggers is not null)
            builder.Services.AddSingleton(loggers);
        var hub = builder.Build();
        hub.KeepAliveInterval = _options.KeepAliveInterval;
        hub.ServerTimeout = _options.ServerTimeout;
        hub.Closed += OnClosed;
        hub.On<MessageDelivery>("messageSent", _stream.Push);
        hub.On<MessageDelivery>("newMessage", _stream.Push);
        hub.On<ChangedMessage>("messageEdited", changed => _stream.Changed(changed.Message));
        hub.On<ChangedMessage>("messageDeleted", changed => _stream.Changed(changed.Message));
        hub.On<ReadReceipt>("messageRead", _stream.Receipt);
        hub.On<TypingChanged>("userTyping", typing => _dispatcher.Post(() => TypingChanged, typing));
        hub.On<PresenceChanged>("userOnline", online => _dispatcher.Post(() => Presence, new PresenceChange(online.UserId, true, online.Timestamp)));
        hub.On<PresenceChanged>("userOffline", offline => _dispatcher.Post(() => Presence, new PresenceChange(offline.UserId, false, offline.Timestamp)));
        hub.On<HubErrorEvent>("error", OnError);
        // Copies of what the handlers above get (receiveMessage is newMessage without previousSequence; typingIndicator
        // is userTyping for rooms): taken so SignalR does not log each one as an event nobody handles.
        foreach (var duplicate in (string[])["receiveMessage", "typingIndicator", "onlineUsers"])
            hub.On<System.Text.Json.JsonElement>(duplicate, _ => { });
        return hub;
    }

    private async Task StartHub(CancellationToken cancellationToken)
    {
        _token = await _options.AccessTokenProvider(cancellationToken);
        await _hub.StartAsync(cancellationToken);
        // A connection that closed again at once has its Closed handler reconnect; it must not be reported as open.
        if (SetState(ConnectionState.Connected, onlyIf: () => _hub.State == HubConnectionState.Connected))
            _stream.RequestCatchUp();
    }

    private Task OnClosed(Exception? error)
    {
        CancellationToken session;
        lock (_gate)
        {
            if (_session is not { IsCancellationRequested: false } current)
                return Task.CompletedTask;
            session = current.Token;
        }
        _log.LogInformation(error, "The connection to EventChat closed; reconnecting");
        SetState(ConnectionState.Reconnecting);
        _ = Reconnect(session);
        return Task.CompletedTask;
    }

    private async Task Reconnect(CancellationToken session)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await Task.Delay(ReconnectDelays[Math.Min(attempt, ReconnectDelays.Length - 1)], session);
                await _lifecycle.WaitAsync(session);
                try
                {
                    session.ThrowIfCancellationRequested();
                    await StartHub(session);
                    return;
                }
                finally
                {
                    _lifecycle.Release();
                }
            }
            catch (OperationCanceledException) when (session.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _log.LogInformation(e, "Reconnect attempt {Attempt} failed", attempt + 1);
            }
        }
    }

    private void OnError(HubErrorEvent error)
    {
        // "connect": about the connection itself, which the server closes next; the reconnect asks for a new token.
        if (error.Method == "connect")
        {
            _log.LogInformation("EventChat is closing the connection: {Code} ({Message})", error.Code, error.Message);
            _dispatcher.Post(() => ConnectionError, new EventChatError(error.Code, error.Message, method: error.Method));
            return;
        }
        _errors.Received(error);
    }

    private async Task CatchUpEveryMinute(CancellationToken session)
    {
        using var timer = new PeriodicTimer(CatchUpEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(session))
                if (State == ConnectionState.Connected)
                    _stream.RequestCatchUp();
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task<SyncPage> Sync(string? since, CancellationToken cancellationToken) =>
        Invoke<SyncPage>("sync", new { since, limit = MessageStream.PageSize }, cancellationToken);

    /// <summary>
    /// Invokes a hub method on an open connection, waiting for one while reconnecting. If the connection drops before
    /// the answer, the same payload goes again on the next connection: every method the SDK calls this way is safe to
    /// repeat (sends by their clientMessageId, the rest read or set a state).
    /// </summary>
    private async Task<T> Invoke<T>(string method, object payload, CancellationToken cancellationToken)
    {
        var generation = 0;
        while (true)
        {
            generation = await WaitConnected(generation, cancellationToken);
            try
            {
                return await _hub.InvokeAsync<T>(method, payload, cancellationToken);
            }
            catch (HubException failure) when (HubErrors.IsAnswer(failure))
            {
                throw await _errors.For(method, failure);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsDrop(e))
            {
                _log.LogDebug(e, "{Method} lost its connection before the answer; it goes again once connected", method);
            }
        }
    }

    private static bool IsDrop(Exception e) =>
        e is IOException or WebSocketException or HttpRequestException or InvalidOperationException or OperationCanceledException
            or ObjectDisposedException or HubException;

    private async Task SignalTyping(string method, Guid conversationId)
    {
        try
        {
            if (State == ConnectionState.Connected)
                await _hub.InvokeAsync(method, new { conversationId }, _disposing.Token);
        }
        catch (HubException failure) when (HubErrors.IsAnswer(failure))
        {
            var error = await _errors.For(method, failure);
            _log.LogDebug("{Method} was refused: {Code} ({Message})", method, error.Code, error.Message);
        }
        catch (Exception e)
        {
            _log.LogDebug(e, "{Method} was not sent", method);
        }
    }

    /// <summary>The generation (count of connections opened) of an open connection newer than <paramref name="after"/>.</summary>
    private async Task<int> WaitConnected(int after, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_state == ConnectionState.Connected && _generation > after)
                    return _generation;
                if (_state == ConnectionState.Disconnected)
                    throw new InvalidOperationException("The EventChat client is not connected: call ConnectAsync first.");
                changed = _stateChanged.Task;
            }
            await changed.WaitAsync(cancellationToken);
        }
    }

    private bool SetState(ConnectionState state, Func<bool>? onlyIf = null)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (onlyIf is not null && !onlyIf())
                return false;
            if (state == ConnectionState.Connected)
                _generation++;
            else if (_state == state)
                return true;
            _state = state;
            (changed, _stateChanged) = (_stateChanged, new(TaskCreationOptions.RunContinuationsAsynchronously));
            _dispatcher.Post(() => StateChanged, state);
        }
        changed.SetResult();
        return true;
    }

    void IStreamSink.Received(Message message, Conversation? conversation) => _dispatcher.Post(() => MessageReceived, message, conversation);

    void IStreamSink.Changed(Message message) => _dispatcher.Post(() => MessageChanged, message);

    void IStreamSink.Read(ReadReceipt receipt) => _dispatcher.Post(() => Read, receipt);

    void IStreamSink.Membership(MembershipChange change) => _dispatcher.Post(() => Membership, change);

    private sealed record ChangedMessage(Message Message);

    private sealed record OnlineUsersAnswer(IReadOnlyList<Guid> OnlineUsers);

    /// <summary>The app's handler for SignalR's HTTP requests, which SignalR disposes with each connection: this keeps it alive.</summary>
    private sealed class SharedHandler(HttpMessageHandler handler) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _invoker = new(handler, disposeHandler: false);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            _invoker.SendAsync(request, cancellationToken);
    }
}
