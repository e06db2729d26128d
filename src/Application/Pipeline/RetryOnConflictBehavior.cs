using JasperFx;
using JasperFx.Events;
using Mediator;

namespace EventChat.Application.Pipeline;

/// <summary>
/// Re-runs a command whose append lost a race for its stream (another writer appended first, or
/// started the same direct conversation). Handlers open their own session, so each attempt starts
/// clean and decides again on the state that won; nothing is lost, nothing duplicated.
/// </summary>
public sealed class RetryOnConflictBehavior<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, ICommand<TResponse>
{
    private const int MaxAttempts = 10;

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await next(message, cancellationToken);
            }
            catch (Exception e) when (attempt < MaxAttempts && IsStreamConflict(e))
            {
                // A little jitter keeps racing writers from colliding again in lockstep.
                await Task.Delay(Random.Shared.Next(1, 5 * attempt), cancellationToken);
            }
        }
    }

    private static bool IsStreamConflict(Exception e) =>
        e is ConcurrencyException or ExistingStreamIdCollisionException or Marten.Exceptions.ExistingStreamIdCollisionException
            or EventStreamUnexpectedMaxEventIdException
        // A batch of sends that kept meeting other writes (SendGroupCommit decides again a few times first).
        || Conversations.ConversationRows.MetAnotherWrite(e);
}
