using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;

namespace EventChat.Application.Users;

/// <summary>
/// A command, not a query: every attempt changes the login throttle's counts. It appends no events, so there is no
/// stream conflict for <see cref="Pipeline.RetryOnConflictBehavior{TMessage, TResponse}"/> to retry, and a refusal
/// (locked, wrong password) is a <see cref="DomainException"/>, which no behavior runs again.
/// </summary>
/// <param name="ClientAddress">The caller's IP address, for the per-address failure count; null when unknown.</param>
public sealed record LogIn(string? Username, string? Password, string? ClientAddress = null) : ICommand<Authenticated>;

public sealed class LogInValidator : AbstractValidator<LogIn>
{
    public LogInValidator()
    {
        // The registration limits: no account has a longer name or password, and a failed attempt keeps its username
        // in memory for the lockout window.
        RuleFor(c => c.Username).NotEmpty().MaximumLength(UserAccount.MaxUsernameLength);
        RuleFor(c => c.Password).NotEmpty().MaximumLength(RegisterUserValidator.MaxPasswordLength);
    }
}

public sealed class LogInHandler(IQuerySession session, IPasswordHasher hasher, ILoginThrottle throttle) : ICommandHandler<LogIn, Authenticated>
{
    public async ValueTask<Authenticated> Handle(LogIn command, CancellationToken ct)
    {
        var attempt = new LoginAttempt(UserAccount.Normalize(command.Username!), command.ClientAddress);
        // Refused before the password is looked at: while locked, even the right password learns nothing about itself.
        if (await throttle.Check(attempt, ct) is { } wait)
            throw new DomainException(DomainError.RateLimited, "Too many failed logins. Please try again later.") { RetryAfter = wait };
        var user = await session.Query<UserAccount>().SingleOrDefaultAsync(u => u.NormalizedUsername == attempt.NormalizedUsername, ct);
        // One answer for an unknown user and a wrong password, so logins cannot probe for usernames.
        // The app's users have no password (the app vouches for them), and a deactivated user may not come in.
        if (user is null || user.ErasedAt is not null || user.ExternalId is not null || user.DeactivatedAt is not null
            || !hasher.Verify(user.PasswordHash, command.Password!))
        {
            await throttle.Failed(attempt, ct);
            throw new DomainException(DomainError.Unauthenticated, "Wrong username or password.");
        }
        await throttle.Succeeded(attempt, ct);
        return Authenticated.As(user);
    }
}
