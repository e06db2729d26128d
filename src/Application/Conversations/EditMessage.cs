using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>
/// The sender changes a message's text; every participant hears <c>messageEdited</c>. An edit stores a version and
/// pushes to everyone as a send does, and one message can be edited without end, so edits spend the sender's
/// message budget: a flood of edits is a flood of messages.
/// </summary>
public sealed record EditMessage(Guid EditorId, Guid MessageId, string? Content) : ICommand<MessageView>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Messages;

    public Guid RateLimitedUserId => EditorId;
}

public sealed class EditMessageValidator : AbstractValidator<EditMessage>
{
    public EditMessageValidator()
    {
        RuleFor(c => c.MessageId).NotEmpty();
        RuleFor(c => c.Content).NotEmpty().WithMessage("Content must not be empty.").MaximumLength(SendMessageValidator.MaxContentLength);
    }
}

public sealed class EditMessageHandler(IDocumentStore store, INotifier notifier, ContentCipher cipher, TimeProvider clock, ILogger<EditMessageHandler> log)
    : ICommandHandler<EditMessage, MessageView>
{
    public async ValueTask<MessageView> Handle(EditMessage command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation, stored) = await session.OpenMessage(command.MessageId, ct);
        // Decided on the text as written: the same text again must compare equal, and sealing never does.
        var message = await cipher.Reveal(session, stored, ct);
        if (conversation.Edit(command.EditorId, message.ToFacts(), command.Content!, clock.GetUtcNow()) is not { } edited)
            return await session.WithReplyPreview(cipher, message, ct);
        MessageSearchIndex.Replace(session, edited.MessageId, edited.Content);
        stream.AppendOne(await (await cipher.SealerFor(session, [conversation.Id], ct)).Sealed(edited, ct));
        await session.SaveChangesAsync(ct);
        log.LogInformation("message {MessageId} edited in {ConversationId} at sequence {Sequence}", edited.MessageId, edited.ConversationId, edited.Sequence);
        var changed = await session.WithReplyPreview(cipher, message.Edited(edited), CancellationToken.None);
        await notifier.PushChange(conversation.Participants, ClientEvents.MessageEdited, changed);
        return changed;
    }
}
