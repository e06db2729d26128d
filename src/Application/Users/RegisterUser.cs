using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using JasperFx;
using Mediator;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EventChat.Application.Users;

public sealed record RegisterUser(string? Username, string? Password, string? DisplayName) : ICommand<Authenticated>;

public sealed class RegisterUserValidator : AbstractValidator<RegisterUser>
{
    public const int MaxPasswordLength = 256;

    public RegisterUserValidator()
    {
        RuleFor(c => c.Username).NotEmpty()
            .Length(UserAccount.MinUsernameLength, UserAccount.MaxUsernameLength)
            .Matches("^[A-Za-z0-9_.-]+$").WithMessage("Username may contain only letters, digits, '_', '.' and '-'.");
        RuleFor(c => c.Password).NotEmpty().Length(UserAccount.MinPasswordLength, MaxPasswordLength);
        RuleFor(c => c.DisplayName).MaximumLength(UserAccount.MaxDisplayNameLength);
    }
}

public sealed class RegisterUserHandler(IDocumentStore store, IPasswordHasher hasher, ConfiguredRoles roles, TimeProvider clock, ILogger<RegisterUserHandler> log)
    : ICommandHandler<RegisterUser, Authenticated>
{
    public async ValueTask<Authenticated> Handle(RegisterUser command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var now = clock.GetUtcNow();
        var registered = UserAccount.Register(Guid.CreateVersion7(), command.Username!, command.DisplayName, hasher.Hash(command.Password!), now);
        var account = UserAccount.Create(registered);
        // A configured name not claimed yet grants its role to this, its first account, in the same transaction.
        var granted = await session.ClaimName(roles, account, now, ct);
        session.Events.StartStream<UserAccount>(registered.UserId, granted is null ? [registered] : [registered, granted]);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The unique index on the normalised username settles even two racing registrations; the key of a name's role
            // claim settles one racing a start-up that claims the name for its previous holder.
            throw new DomainException(DomainError.Conflict, "That username is taken.");
        }
        log.LogInformation("user {UserId} registered", registered.UserId);
        return Authenticated.As(granted is null ? account : account.Apply(granted));
    }
}
