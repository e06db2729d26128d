using EventChat.Application.Privacy;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Conversations;

/// <summary>
/// A page of a conversation's messages in sequence order. With <see cref="After"/>: the oldest messages
/// after it (catching up). Otherwise: the newest messages, before <see cref="Before"/> if given (scrolling back).
/// <see cref="MessagePage.HasMore"/> says whether more lie in the direction of travel.
/// </summary>
public sealed record GetMessages(Guid UserId, Guid ConversationId, long? After = null, long? Before = null, int? Limit = null) : IQuery<MessagePage>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}

public sealed record MessagePage(IReadOnlyList<MessageView> Items, bool HasMore);

public sealed class GetMessagesValidator : AbstractValidator<GetMessages>
{
    public GetMessagesValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, GetMessages.MaxLimit);
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
        RuleFor(q => q.Before).GreaterThan(0);
    }
}

public sealed class GetMessagesHandler(IQuerySession session, ContentCipher cipher) : IQueryHandler<GetMessages, MessagePage>
{
    public async ValueTask<MessagePage> Handle(GetMessages query, CancellationToken ct)
    {
        await session.LoadVisibleConversation(query.ConversationId, query.UserId, ct);
        var (after, before, limit) = (query.After ?? 0, query.Before ?? long.MaxValue, query.Limit ?? GetMessages.DefaultLimit);
        var inRange = session.Query<MessageView>().Where(m => m.ConversationId == query.ConversationId && m.Sequence > after && m.Sequence < before);
        // One extra row tells whether there is more without a second query.
        var rows = query.After is null
            ? (await inRange.OrderByDescending(m => m.Sequence).Take(limit + 1).ToListAsync(ct)).Reverse().ToList()
            : [.. await inRange.OrderBy(m => m.Sequence).Take(limit + 1).ToListAsync(ct)];
        var hasMore = rows.Count > limit;
        var page = query.After is null ? rows.TakeLast(limit).ToList() : rows.Take(limit).ToList();
        return new(await session.WithReplyPreviews(cipher, page, ct), hasMore);
    }
}
