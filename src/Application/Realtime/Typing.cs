using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Realtime;

/// <summary>
/// <c>typingStart</c>/<c>typingStop</c> from one connection. <see cref="ReceiverId"/> is accepted for
/// the seed's clients and ignored: the conversation's participants are who gets told.
/// </summary>
public sealed record SetTyping(Guid UserId, Guid ConversationId, Guid? ReceiverId, bool IsTyping, string ConnectionId)
    : ICommand, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Typing;

    public Guid RateLimitedUserId => UserId;
}

public sealed class SetTypingValidator : AbstractValidator<SetTyping>
{
    public SetTypingValidator() => RuleFor(c => c.ConversationId).NotEmpty();
}

public sealed class SetTypingHandler(IQuerySession session, TypingTracker typing) : ICommandHandler<SetTyping>
{
    public async ValueTask<Unit> Handle(SetTyping command, CancellationToken ct)
    {
        var participants = (await Conversations.ConversationReads.LoadVisibleConversation(session, command.ConversationId, command.UserId, ct)).ParticipantIds;
        if (command.IsTyping)
            await typing.Start(command.ConversationId, command.UserId, participants, command.ConnectionId);
        else
            await typing.Stop(command.ConversationId, command.UserId);
        return Unit.Value;
    }
}
