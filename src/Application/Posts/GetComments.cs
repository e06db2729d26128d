using EventChat.Domain;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Posts;

/// <summary>
/// A page of a post's comments, oldest first: those with a sequence after <see cref="After"/> (default 0,
/// i.e. from the first). <see cref="CommentPage.HasMore"/> says whether newer comments follow.
/// </summary>
public sealed record GetComments(Guid PostId, long? After = null, int? Limit = null) : IQuery<CommentPage>
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}

public sealed record CommentPage(IReadOnlyList<CommentView> Items, bool HasMore);

public sealed class GetCommentsValidator : AbstractValidator<GetComments>
{
    public GetCommentsValidator()
    {
        RuleFor(q => q.Limit).InclusiveBetween(1, GetComments.MaxLimit);
        RuleFor(q => q.After).GreaterThanOrEqualTo(0);
    }
}

public sealed class GetCommentsHandler(IQuerySession session) : IQueryHandler<GetComments, CommentPage>
{
    public async ValueTask<CommentPage> Handle(GetComments query, CancellationToken ct)
    {
        var (after, limit) = (query.After ?? 0, query.Limit ?? GetComments.DefaultLimit);
        var batch = session.CreateBatchQuery();
        var post = batch.Load<PostView>(query.PostId);
        // One extra row tells whether there is more without a second query.
        var rows = batch.Query<CommentView>().Where(c => c.PostId == query.PostId && c.Sequence > after)
            .OrderBy(c => c.Sequence).Take(limit + 1).ToList();
        await batch.Execute(ct);
        _ = await post ?? throw DomainException.NotFound("Post");
        var page = await rows;
        return new([.. page.Take(limit)], page.Count > limit);
    }
}
