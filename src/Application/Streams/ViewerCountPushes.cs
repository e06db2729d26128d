using EventChat.Application.Ports;

namespace EventChat.Application.Streams;

/// <summary>
/// Pushes a live session's viewer count to its room at most once per <see cref="Interval"/>, carrying the count
/// as it is when the push goes out. Pushing on every join costs N²/2 deliveries for N viewers joining; a
/// burst of joins now costs one push per interval, and the last push always carries the settled count.
/// </summary>
public sealed class ViewerCountPushes(INotifier notifier, IStreamViewers viewers, TimeProvider clock)
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<Guid, ITimer> _pending = [];
    private readonly Lock _lock = new();

    /// <summary>The count of <paramref name="sessionId"/> changed; its room hears the new count within <see cref="Interval"/>.</summary>
    public void Changed(Guid sessionId)
    {
        lock (_lock)
        {
            if (_pending.ContainsKey(sessionId))
                return;
            _pending[sessionId] = clock.CreateTimer(_ => _ = Push(sessionId), null, Interval, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>An ended session's room hears no more counts.</summary>
    public void Forget(Guid sessionId)
    {
        lock (_lock)
        {
            if (_pending.Remove(sessionId, out var timer))
                timer.Dispose();
        }
    }

    private async Task Push(Guid sessionId)
    {
        lock (_lock)
        {
            if (!_pending.Remove(sessionId, out var timer))
                return;
            timer.Dispose();
        }
        await notifier.ToGroup(RealtimeGroups.Stream(sessionId), ClientEvents.StreamViewers,
            new StreamViewerCount(sessionId, await viewers.Count(sessionId)), CancellationToken.None);
    }
}
