using EventChat.Application.Ports;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Realtime;

/// <summary>
/// Which of the given users (or, without a list, of the caller's contacts) are online. Only contacts
/// are ever reported: presence is not shown to strangers, so asking about one answers as if offline.
/// </summary>
public sealed record GetOnlineUsers(Guid UserId, IReadOnlyList<Guid>? UserIds) : IQuery<OnlineUsersAnswer>;

/// <summary>The <c>getOnlineUsers</c> answer and <c>onlineUsers</c> payload.</summary>
public sealed record OnlineUsersAnswer(IReadOnlyList<Guid> OnlineUsers);

public sealed class GetOnlineUsersValidator : AbstractValidator<GetOnlineUsers>
{
    public const int MaxUserIds = 1000;

    public GetOnlineUsersValidator() =>
        RuleFor(q => q.UserIds).Must(ids => ids!.Count <= MaxUserIds).When(q => q.UserIds is not null)
            .WithMessage($"Ask about at most {MaxUserIds} users at a time.");
}

public sealed class GetOnlineUsersHandler(IQuerySession session, IPresence presence) : IQueryHandler<GetOnlineUsers, OnlineUsersAnswer>
{
    public async ValueTask<OnlineUsersAnswer> Handle(GetOnlineUsers query, CancellationToken ct)
    {
        var contacts = await session.ContactsOf(query.UserId, ct);
        var asked = query.UserIds?.Where(contacts.Contains) ?? contacts;
        return new(await presence.Online(asked));
    }
}
