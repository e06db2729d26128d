using EventChat.Application.Ports;

namespace EventChat.Application.Realtime;

/// <summary>The <c>userTyping</c>/<c>typingIndicator</c> payload.</summary>
public sealed record TypingChanged(Guid ConversationId, Guid UserId, bool IsTyping);

/// <summary>
/// Who is typing where. Ephemeral by design: nothing is stored, a restart forgets it, and a state
/// that is not refreshed ends by itself. A repeated start within <see cref="Throttle"/> is not
/// re-broadcast; a start not followed by a stop expires after <see cref="Expiry"/>.
/// </summary>
public sealed class TypingTracker(INotifier notifier, TimeProvider clock)
{
    public static readonly TimeSpan Throttle = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan Expiry = TimeSpan.FromSeconds(8);

    private sealed record Typist(string ConnectionId, IReadOnlyList<Guid> Others, DateTimeOffset BroadcastAt, ITimer Expiry);

    private readonly Dictionary<(Guid ConversationId, Guid UserId), Typist> _typing = [];
    private readonly Lock _lock = new();

    public async Task Start(Guid conversationId, Guid userId, IReadOnlyList<Guid> participants, string connectionId)
    {
        var key = (conversationId, userId);
        var now = clock.GetUtcNow();
        Guid[] others = [.. participants.Where(p => p != userId)];
        bool broadcast;
        lock (_lock)
        {
            var previous = _typing.GetValueOrDefault(key);
            previous?.Expiry.Dispose();
            broadcast = previous is null || now - previous.BroadcastAt >= Throttle;
            // Each start pushes the expiry back: typing ends Expiry after the last sign of it.
            var expiry = clock.CreateTimer(_ => _ = Stop(conversationId, userId), null, Expiry, Timeout.InfiniteTimeSpan);
            _typing[key] = new(connectionId, others, broadcast ? now : previous!.BroadcastAt, expiry);
        }
        if (broadcast)
            await Broadcast(others, new(conversationId, userId, IsTyping: true));
    }

    public async Task Stop(Guid conversationId, Guid userId)
    {
        Typist? stopped;
        lock (_lock)
        {
            if (_typing.Remove((conversationId, userId), out stopped))
                stopped.Expiry.Dispose();
        }
        if (stopped is not null)
            await Broadcast(stopped.Others, new(conversationId, userId, IsTyping: false));
    }

    /// <summary>
    /// A user taken out of a conversation stops typing there and hears no more of anyone's typing in it,
    /// even of a typist whose start was broadcast while they were still in.
    /// </summary>
    public async Task Removed(Guid conversationId, Guid userId)
    {
        lock (_lock)
        {
            foreach (var (key, typist) in _typing.Where(entry => entry.Key.ConversationId == conversationId).ToList())
                _typing[key] = typist with { Others = [.. typist.Others.Where(other => other != userId)] };
        }
        await Stop(conversationId, userId);
    }

    /// <summary>A connection that closes stops whatever it was typing.</summary>
    public async Task Disconnected(string connectionId)
    {
        List<(Guid ConversationId, Guid UserId)> keys;
        lock (_lock)
            keys = [.. _typing.Where(entry => entry.Value.ConnectionId == connectionId).Select(entry => entry.Key)];
        foreach (var (conversationId, userId) in keys)
            await Stop(conversationId, userId);
    }

    private async Task Broadcast(IReadOnlyList<Guid> others, TypingChanged change)
    {
        foreach (var other in others)
            await notifier.ToUser(other, ClientEvents.UserTyping, change, CancellationToken.None);
        await notifier.ToRoom(change.ConversationId, ClientEvents.TypingIndicator, change, change.UserId, CancellationToken.None);
    }
}
