using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>
/// The sender, or a moderator, deletes a message. It stays as a tombstone with <c>deletedAt</c> so the
/// conversation keeps its shape; every participant hears <c>messageDeleted</c>.
/// </summary>
public sealed record DeleteMessage(Guid ActorId, bool ActorModerates, Guid MessageId) : ICommand;

public sealed class DeleteMessageValidator : AbstractValidator<DeleteMessage>
{
    public DeleteMessageValidator() => RuleFor(c => c.MessageId).NotEmpty();
}

public sealed class DeleteMessageHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<DeleteMessageHandler> log)
    : ICommandHandler<DeleteMessage>
{
    public async ValueTask<Unit> Handle(DeleteMessage command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation, message) = await session.OpenMessage(command.MessageId, ct);
        if (conversation.Delete(command.ActorId, command.ActorModerates, message.ToFacts(), clock.GetUtcNow()) is not { } deleted)
            return Unit.Value;
        stream.AppendOne(deleted);
        MessageSearchIndex.Forget(session, deleted.MessageId);
        await session.SaveChangesAsync(ct);
        log.LogInformation("message {MessageId} deleted in {ConversationId} by {ActorId}", deleted.MessageId, deleted.ConversationId, deleted.DeletedBy);
        await notifier.PushChange(conversation.Participants, ClientEvents.MessageDeleted, message.Deleted(deleted));
        return Unit.Value;
    }
}
