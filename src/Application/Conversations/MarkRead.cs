using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>Marks every message up to and including <see cref="MessageId"/> read by the reader.</summary>
public sealed record MarkRead(Guid ReaderId, Guid ConversationId, Guid MessageId) : ICommand<ReadResult>;

public sealed record ReadResult(Guid ConversationId, Guid MessageId, int UnreadCount);

/// <summary>The <c>messageRead</c> push.</summary>
public sealed record ReadReceipt(Guid ConversationId, Guid MessageId, Guid ReadBy, DateTimeOffset ReadAt);

public sealed class MarkReadValidator : AbstractValidator<MarkRead>
{
    public MarkReadValidator()
    {
        RuleFor(c => c.ConversationId).NotEmpty();
        RuleFor(c => c.MessageId).NotEmpty();
    }
}

public sealed class MarkReadHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<MarkReadHandler> log)
    : ICommandHandler<MarkRead, ReadResult>
{
    public async ValueTask<ReadResult> Handle(MarkRead command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation) = await session.OpenConversation(command.ConversationId, ct);
        conversation.EnsureParticipant(command.ReaderId);
        var message = await session.LoadAsync<MessageView>(command.MessageId, ct);
        if (message?.ConversationId != conversation.Id)
            throw DomainException.NotFound("Message");
        var unreadAfter = await session.UnreadAfterReading(conversation, message.Sequence, command.ReaderId, ct);
        if (conversation.MarkRead(command.ReaderId, message.Id, message.Sequence, unreadAfter, clock.GetUtcNow()) is not { } read)
            return new(conversation.Id, message.Id, conversation.UnreadFor(command.ReaderId));
        stream.AppendOne(read);
        await session.SaveChangesAsync(ct);
        log.LogInformation("messages read in {ConversationId} by {ReaderId} up to sequence {Sequence}", read.ConversationId, read.ReaderId, read.UpToSequence);
        foreach (var participant in conversation.Participants)
            await notifier.ToUser(participant, ClientEvents.MessageRead, new ReadReceipt(read.ConversationId, read.UpToMessageId, read.ReaderId, read.ReadAt), CancellationToken.None);
        return new(conversation.Id, message.Id, read.UnreadAfter);
    }
}
