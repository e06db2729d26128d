using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace EventChat.Client;

/// <summary>
/// Runs the app's handlers one at a time, in the order the SDK decided on them, away from SignalR's receive loop: an
/// app then sees each conversation's messages in order, and a slow handler delays only the handlers after it.
/// </summary>
internal sealed class Dispatcher : IAsyncDisposable
{
    private readonly Channel<Action> _queue = Channel.CreateUnbounded<Action>(new UnboundedChannelOptions { SingleReader = true });
    private readonly AsyncLocal<bool> _inHandler = new();
    private readonly ILogger _log;
    private readonly Task _loop;

    public Dispatcher(ILogger log)
    {
        _log = log;
        _loop = Task.Run(Run);
    }

    /// <summary>Queues a call of every handler of an event; the handlers are read when it runs.</summary>
    public void Post<T>(Func<Action<T>?> handlers, T value) => _queue.Writer.TryWrite(() => Invoke(handlers(), handler => handler(value)));

    public void Post<T1, T2>(Func<Action<T1, T2>?> handlers, T1 first, T2 second) =>
        _queue.Writer.TryWrite(() => Invoke(handlers(), handler => handler(first, second)));

    // Each handler on its own: one that throws must not keep the others, or the messages after it, from the app.
    private void Invoke<THandler>(THandler? handlers, Action<THandler> call) where THandler : Delegate
    {
        if (handlers is null)
            return;
        foreach (var handler in handlers.GetInvocationList().Cast<THandler>())
        {
            try
            {
                call(handler);
            }
            catch (Exception e)
            {
                _log.LogError(e, "An EventChat event handler threw; the SDK goes on with the next one");
            }
        }
    }

    private async Task Run()
    {
        _inHandler.Value = true;
        await foreach (var work in _queue.Reader.ReadAllAsync())
            work();
    }

    /// <summary>Lets the queued handlers run, then stops; from inside a handler it stops without waiting for itself.</summary>
    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        if (!_inHandler.Value)
            await _loop;
    }
}
