using EventChat.Domain;
using EventChat.Domain.Users;
using Marten;
using Mediator;

namespace EventChat.Application.Users;

/// <summary>The server API reads an app's user by the app's id; an erased user is not found.</summary>
public sealed record FindAppUser(string ExternalId) : IQuery<AppUserProfile>;

public sealed class FindAppUserHandler(IQuerySession session) : IQueryHandler<FindAppUser, AppUserProfile>
{
    public async ValueTask<AppUserProfile> Handle(FindAppUser query, CancellationToken ct) =>
        await session.LoadAsync<UserAccount>(AppUser.IdOf(query.ExternalId), ct) is { ErasedAt: null, ExternalId: not null } account
            ? AppUserProfile.Of(account)
            : throw DomainException.NotFound("User");
}
