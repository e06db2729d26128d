using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Users;

public sealed record LogIn(string? Username, string? Password) : IQuery<UserAccount>;

public sealed class LogInValidator : AbstractValidator<LogIn>
{
    public LogInValidator()
    {
        RuleFor(c => c.Username).NotEmpty();
        RuleFor(c => c.Password).NotEmpty();
    }
}

public sealed class LogInHandler(IQuerySession session, IPasswordHasher hasher) : IQueryHandler<LogIn, UserAccount>
{
    public async ValueTask<UserAccount> Handle(LogIn query, CancellationToken ct)
    {
        var normalized = UserAccount.Normalize(query.Username!);
        var user = await session.Query<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedUsername == normalized, ct);
        // One answer for an unknown user and a wrong password, so logins cannot probe for usernames.
        return user is not null && user.ErasedAt is null && hasher.Verify(user.PasswordHash, query.Password!)
            ? user
            : throw new DomainException(DomainError.Unauthenticated, "Wrong username or password.");
    }
}
