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
        if (conversation.MarkRead(command.ReaderId, message.Id, message.Sequence, clock.GetUtcNow()) is { } read)
        {
            stream.AppendOne(read);
            await session.SaveChangesAsync(ct);
            log.LogInformation("messages read in {ConversationId} by {ReaderId} up to sequence {Sequence}", read.ConversationId, read.ReaderId, read.UpToSequence);
            foreach (var participant in conversation.Participants)
                await notifier.ToUser(participant, ClientEvents.MessageRead, new ReadReceipt(read.ConversationId, read.UpToMessageId, read.ReaderId, read.ReadAt), CancellationToken.None);
        }
        var view = await session.LoadVisibleConversation(conversation.Id, command.ReaderId, ct);
        return new(conversation.Id, message.Id, (await session.CountUnread([(view, command.ReaderId)], ct))[0]);
    }
}
