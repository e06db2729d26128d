using System.Diagnostics;

namespace EventChat.Client;

/// <summary>
/// Turns keystrokes into typing signals within the server's limits (docs/sdk.md): <c>typingStart</c> at most once
/// every 5 s while keys keep coming, which renews the server's 8 s expiry in time, and <c>typingStop</c> after 4 s
/// without a key or when the user sends. That is well inside the typing budget (2 a second), whatever the app calls.
/// </summary>
internal sealed class TypingThrottle(Func<string, Guid, Task> signal) : IDisposable
{
    private static readonly TimeSpan StartEvery = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan StopAfter = TimeSpan.FromSeconds(4);

    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, Typist> _typing = [];

    private sealed class Typist
    {
        public long StartedAt { get; set; }

        public ITimer? Idle { get; set; }
    }

    public void Key(Guid conversationId)
    {
        bool start;
        lock (_gate)
        {
            if (_typing.TryGetValue(conversationId, out var typist))
            {
                start = Stopwatch.GetElapsedTime(typist.StartedAt) >= StartEvery;
                if (start)
                    typist.StartedAt = Stopwatch.GetTimestamp();
                typist.Idle!.Change(StopAfter, Timeout.InfiniteTimeSpan);
            }
            else
            {
                start = true;
                var fresh = new Typist { StartedAt = Stopwatch.GetTimestamp() };
                fresh.Idle = TimeProvider.System.CreateTimer(_ => Stop(conversationId, fresh), null, StopAfter, Timeout.InfiniteTimeSpan);
                _typing[conversationId] = fresh;
            }
        }
        if (start)
            _ = signal("typingStart", conversationId);
    }

    public void Stop(Guid conversationId) => Stop(conversationId, only: null);

    // A timer that fires as the user starts typing again must stop only the typing it was set for.
    private void Stop(Guid conversationId, Typist? only)
    {
        lock (_gate)
        {
            if (!_typing.TryGetValue(conversationId, out var typist) || (only is not null && typist != only))
                return;
            _typing.Remove(conversationId);
            typist.Idle!.Dispose();
        }
        _ = signal("typingStop", conversationId);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var typist in _typing.Values)
                typist.Idle!.Dispose();
            _typing.Clear();
        }
    }
}
