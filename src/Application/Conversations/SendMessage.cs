using EventChat.Application.Pipeline;
using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Application.Telemetry;
using EventChat.Domain.Conversations;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>Send to a user (starting the direct conversation on first use) or to a conversation the sender is in.</summary>
public sealed record SendMessage(
    Guid SenderId,
    Guid? ReceiverId,
    Guid? ConversationId,
    string? Content,
    string? MessageType = null,
    string? ClientMessageId = null,
    IReadOnlyList<Guid>? AttachmentIds = null,
    Guid? ReplyToId = null) : ICommand<MessageDelivery>, IRateLimited
{
    /// <summary>The send's place in its caller's line, when the caller pipelines its sends (a hub connection).</summary>
    public CallerTurn? Turn { get; init; }

    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => SenderId;
}

public sealed class SendMessageValidator : AbstractValidator<SendMessage>
{
    public const int MaxContentLength = 4000;
    public const int MaxClientMessageIdLength = 100;
    public const int MaxAttachments = 10;

    public SendMessageValidator()
    {
        RuleFor(c => c.ReceiverId).NotNull().When(c => c.ConversationId is null)
            .WithMessage("Give either receiverId or conversationId.");
        RuleFor(c => c.ReceiverId).Null().When(c => c.ConversationId is not null)
            .WithMessage("Give either receiverId or conversationId, not both.");
        // NotEmpty also refuses whitespace-only content; a message carrying files may have no text.
        RuleFor(c => c.Content).NotEmpty().When(c => c.AttachmentIds is not { Count: > 0 }).WithMessage("Content must not be empty.");
        RuleFor(c => c.Content).MaximumLength(MaxContentLength);
        RuleFor(c => c.AttachmentIds).Must(ids => ids!.Distinct().Count() <= MaxAttachments).When(c => c.AttachmentIds is not null)
            .WithMessage($"A message carries at most {MaxAttachments} attachments.");
        RuleForEach(c => c.AttachmentIds).NotEmpty();
        RuleFor(c => c.ReplyToId).NotEqual(Guid.Empty);
        RuleFor(c => c.MessageType).Must(t => t != MessageTypes.System).When(c => c.MessageType is not null)
            .WithMessage("messageType 'system' is reserved for messages the server writes.");
        RuleFor(c => c.MessageType).Must(t => MessageTypes.All.Contains(t!)).When(c => c.MessageType is not null)
            .WithMessage((_, type) => $"Unknown messageType '{type}'; use one of: {string.Join(", ", MessageTypes.Sendable)}.");
        // An empty id would make every later send with an empty id a "retry" of the first.
        RuleFor(c => c.ClientMessageId).NotEmpty().When(c => c.ClientMessageId is not null).MaximumLength(MaxClientMessageIdLength);
    }
}

public sealed class SendMessageHandler(SendGroupCommit groupCommit, IDocumentStore store, INotifier notifier, ContentCipher cipher, EventChatMetrics metrics, ILogger<SendMessageHandler> log)
    : ICommandHandler<SendMessage, MessageDelivery>
{
    public async ValueTask<MessageDelivery> Handle(SendMessage command, CancellationToken ct)
    {
        var outcome = await groupCommit.Send(command);
        await using var session = store.QuerySession();
        // A retried send (same client id) answers as the first one did and pushes nothing again.
        if (outcome is not SendOutcome.Committed(var conversation, var sent, var view, var push))
            return await session.DeliveryToSender(cipher, await session.WithReplyPreview(cipher, ((SendOutcome.Retried)outcome).Original, ct), ct);
        metrics.MessageSent(sent.MessageType, conversation.Kind);
        log.LogInformation("message sent in {ConversationId} by {SenderId} at sequence {Sequence}", sent.ConversationId, sent.SenderId, sent.Sequence);
        // Committed: from here on the sender hanging up must not cancel the others' pushes. The conversation's earlier
        // messages go out first, so a sender's messages reach the others in the order it sent them.
        await push.Previous;
        try
        {
            return await notifier.Deliver(session, cipher, conversation, sent, view, CancellationToken.None);
        }
        finally
        {
            push.Done();
        }
    }
}
