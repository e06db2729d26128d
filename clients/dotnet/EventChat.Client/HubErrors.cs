using Microsoft.AspNetCore.SignalR;

namespace EventChat.Client;

/// <summary>The hub's <c>error</c> event: the user-safe text, the contract's code, and the method that failed.</summary>
internal sealed record HubErrorEvent(string Message, string Code, string Method);

/// <summary>
/// Pairs a failed hub invocation with the <c>error</c> event the server sent just before failing it, since only the
/// event carries the code. SignalR completes an invocation on its receive loop but runs event handlers on a loop of
/// their own, so the failure can reach the caller before the event does: the caller waits for it (briefly; it is
/// already on its way). Events are matched by method and text, so concurrent failures of one method find their own.
/// </summary>
internal sealed class HubErrors
{
    private const int Kept = 64;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);
    private const string Marker = "HubException: ";

    private readonly Lock _gate = new();
    private readonly List<HubErrorEvent> _unclaimed = [];
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Received(HubErrorEvent error)
    {
        TaskCompletionSource arrived;
        lock (_gate)
        {
            _unclaimed.Add(error);
            // An event nobody claims (its caller gave up) must not pile up.
            if (_unclaimed.Count > Kept)
                _unclaimed.RemoveAt(0);
            (arrived, _arrived) = (_arrived, new(TaskCreationOptions.RunContinuationsAsynchronously));
        }
        arrived.SetResult();
    }

    /// <summary>True for a failure the server answered; false for a connection that closed under the call.</summary>
    public static bool IsAnswer(HubException failure) =>
        !failure.Message.StartsWith("The server closed the connection", StringComparison.Ordinal);

    public async Task<EventChatError> For(string method, HubException failure)
    {
        var text = TextOf(failure);
        using var patience = new CancellationTokenSource(Patience);
        while (true)
        {
            Task arrival;
            lock (_gate)
            {
                var index = _unclaimed.FindIndex(e => e.Method == method && e.Message == text);
                if (index >= 0)
                {
                    var error = _unclaimed[index];
                    _unclaimed.RemoveAt(index);
                    return new EventChatError(error.Code, error.Message, method: method, innerException: failure);
                }
                arrival = _arrived.Task;
            }
            try
            {
                await arrival.WaitAsync(patience.Token);
            }
            catch (OperationCanceledException)
            {
                // Failures SignalR reports itself (an unknown method) come without an event.
                return new EventChatError(EventChatError.UnknownCode, text, method: method, innerException: failure);
            }
        }
    }

    // "An unexpected error occurred invoking 'sendMessage' on the server. HubException: <the event's message>"
    private static string TextOf(HubException failure)
    {
        var at = failure.Message.IndexOf(Marker, StringComparison.Ordinal);
        return at < 0 ? failure.Message : failure.Message[(at + Marker.Length)..];
    }
}
