using EventChat.Application.Ports;
using EventChat.Application.Realtime;
using EventChat.Domain.Conversations;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>Takes a user out of a group: the actor themselves (leaving), or anyone if the actor owns the group.</summary>
public sealed record RemoveParticipant(Guid ActorId, Guid ConversationId, Guid UserId) : ICommand;

public sealed class RemoveParticipantValidator : AbstractValidator<RemoveParticipant>
{
    public RemoveParticipantValidator()
    {
        RuleFor(c => c.ConversationId).NotEmpty();
        RuleFor(c => c.UserId).NotEmpty();
    }
}

public sealed class RemoveParticipantHandler(IDocumentStore store, INotifier notifier, TypingTracker typing, TimeProvider clock, ILogger<RemoveParticipantHandler> log)
    : ICommandHandler<RemoveParticipant>
{
    public async ValueTask<Unit> Handle(RemoveParticipant command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation) = await session.OpenConversation(command.ConversationId, ct);
        if (conversation.RemoveParticipant(command.ActorId, command.UserId, clock.GetUtcNow()) is { } removed)
        {
            stream.AppendOne(removed);
            await session.SaveChangesAsync(ct);
            if (removed is ParticipantLeft)
                log.LogInformation("participant left {ConversationId}: {UserId}", removed.ConversationId, command.UserId);
            else
                log.LogInformation("participant removed from {ConversationId}: {UserId} by {ActorId}", removed.ConversationId, command.UserId, command.ActorId);
        }
        // Also on a repeat: should an earlier attempt have stored the removal but failed to get here, this completes it.
        await notifier.LeaveRoom(command.UserId, conversation.Id, ct);
        await typing.Removed(conversation.Id, command.UserId);
        return Unit.Value;
    }
}
