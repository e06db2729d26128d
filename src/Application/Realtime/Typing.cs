using EventChat.Application.Ports;
using EventChat.Domain.Conversations;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Realtime;

/// <summary>
/// <c>typingStart</c>/<c>typingStop</c> from one connection, in a conversation or, as the seed's clients
/// send it, towards a user (their direct conversation). The conversation's participants are who gets told.
/// </summary>
public sealed record SetTyping(Guid UserId, Guid? ConversationId, Guid? ReceiverId, bool IsTyping, string ConnectionId)
    : ICommand, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Typing;

    public Guid RateLimitedUserId => UserId;

    public Guid Conversation => ConversationId ?? DirectConversation.IdFor(UserId, ReceiverId!.Value);
}

public sealed class SetTypingValidator : AbstractValidator<SetTyping>
{
    public SetTypingValidator() =>
        RuleFor(c => c.ConversationId).NotEmpty().When(c => c.ReceiverId is null)
            .WithMessage("Give conversationId (or receiverId for a direct conversation).");
}

public sealed class SetTypingHandler(IQuerySession session, TypingTracker typing) : ICommandHandler<SetTyping>
{
    public async ValueTask<Unit> Handle(SetTyping command, CancellationToken ct)
    {
        var conversationId = command.Conversation;
        var participants = (await Conversations.ConversationReads.LoadVisibleConversation(session, conversationId, command.UserId, ct)).ParticipantIds;
        if (command.IsTyping)
            await typing.Start(conversationId, command.UserId, participants, command.ConnectionId);
        else
            await typing.Stop(conversationId, command.UserId);
        return Unit.Value;
    }
}
