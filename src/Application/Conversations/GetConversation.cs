using EventChat.Application.Privacy;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// One conversation the caller takes part in: as it is now, or as it stood at a moment (<see cref="AsOf"/>)
/// or stream version (<see cref="Version"/>), rebuilt from its events rather than read from a copy.
/// </summary>
public sealed record GetConversation(Guid UserId, Guid ConversationId, DateTimeOffset? AsOf = null, long? Version = null) : IQuery<ConversationDto>;

public sealed class GetConversationValidator : AbstractValidator<GetConversation>
{
    public GetConversationValidator()
    {
        RuleFor(q => q.Version).Null().When(q => q.AsOf is not null).WithMessage("Give asOf or version, not both.");
        RuleFor(q => q.Version).GreaterThan(0);
    }
}

public sealed class GetConversationHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetConversation, ConversationDto>
{
    public async ValueTask<ConversationDto> Handle(GetConversation query, CancellationToken ct)
    {
        var now = await session.LoadVisibleConversation(query.ConversationId, query.UserId, ct);
        var then = query.AsOf is null && query.Version is null ? now
            : await session.Events.AggregateStreamAsync<Projections.ConversationView>(query.ConversationId, query.Version ?? 0, query.AsOf, token: ct)
              ?? throw Domain.DomainException.NotFound("Conversation");
        return await session.ToDto(cipher, then, query.UserId, ct);
    }
}
