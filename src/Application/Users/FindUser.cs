using EventChat.Application.Realtime;
using EventChat.Domain;
using EventChat.Domain.Users;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Users;

/// <summary>
/// Looks a user up, so a client can start a chat by username and show names instead of ids.
/// By <see cref="UserId"/> when given: the caller, their contacts, and anyone who acts in public (a post, a like, a
/// comment, a live session or its chat), whose id everyone already sees beside it; never another stranger. Else by <see cref="Username"/>: anyone, matched whole and ignoring case, as at login; or by
/// <see cref="ExternalId"/>, the app's own id for one of its users, matched whole.
/// </summary>
public sealed record FindUser(Guid CallerId, string? Username, Guid? UserId, string? ExternalId = null) : IQuery<UserSummary>;

/// <summary>What one user may see of another: never the password hash or registration time.</summary>
public sealed record UserSummary(Guid UserId, string Username, string DisplayName);

public sealed class FindUserValidator : AbstractValidator<FindUser>
{
    public FindUserValidator()
    {
        RuleFor(q => q.Username).NotEmpty().When(q => q.UserId is null && q.ExternalId is null).WithMessage("Give a username or an externalId.");
        RuleFor(q => q.ExternalId).MaximumLength(AppUser.MaxExternalIdLength);
        RuleFor(q => q.Username).MaximumLength(UserAccount.MaxUsernameLength);
    }
}

public sealed class FindUserHandler(IQuerySession session) : IQueryHandler<FindUser, UserSummary>
{
    public async ValueTask<UserSummary> Handle(FindUser query, CancellationToken ct)
    {
        var user = query.UserId is { } id ? await ById(query.CallerId, id, ct)
            : query.ExternalId is { } externalId ? await session.LoadAsync<UserAccount>(AppUser.IdOf(externalId), ct)
            : await ByName(query.Username!, ct);
        return user is null || user.ErasedAt is not null
            ? throw DomainException.NotFound("User")
            : new UserSummary(user.Id, user.Username, user.DisplayName);
    }

    // Usernames are public (registration already says whether one is taken), so anyone may look one up.
    private async Task<UserAccount?> ByName(string username, CancellationToken ct)
    {
        var normalized = UserAccount.Normalize(username);
        return await session.Query<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedUsername == normalized, ct);
    }

    // The same rule as presence, widened to public authors: any other stranger's id answers as if it did not exist.
    private async Task<UserAccount?> ById(Guid callerId, Guid userId, CancellationToken ct) =>
        userId == callerId || (await session.ContactsOf(callerId, ct)).Contains(userId) || await WritesInPublic(userId, ct)
            ? await session.LoadAsync<UserAccount>(userId, ct)
            : null;

    // Posts and live sessions are public to every signed-in user (docs/api.md), and so is who wrote them. Each
    // question is one indexed lookup (ProjectionsSetup), asked only for an id that is no contact.
    private async Task<bool> WritesInPublic(Guid userId, CancellationToken ct) =>
        await session.Query<PostView>().AnyAsync(p => p.AuthorId == userId, ct)
        || await session.Query<PostView>().LikedBy(userId).AnyAsync(ct)
        || await session.Query<CommentView>().AnyAsync(c => c.AuthorId == userId, ct)
        || await session.Query<LiveSessionView>().AnyAsync(s => s.HostId == userId, ct)
        || await session.Query<StreamMessageView>().AnyAsync(m => m.SenderId == userId, ct);
}
