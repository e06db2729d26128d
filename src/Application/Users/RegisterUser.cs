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

public sealed record RegisterUser(string? Username, string? Password, string? DisplayName) : ICommand<UserAccount>;

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

public sealed class RegisterUserHandler(IDocumentStore store, IPasswordHasher hasher, TimeProvider clock, ILogger<RegisterUserHandler> log)
    : ICommandHandler<RegisterUser, UserAccount>
{
    public async ValueTask<UserAccount> Handle(RegisterUser command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var registered = UserAccount.Register(Guid.CreateVersion7(), command.Username!, command.DisplayName, hasher.Hash(command.Password!), clock.GetUtcNow());
        session.Events.StartStream<UserAccount>(registered.UserId, registered);
        try
        {
            await session.SaveChangesAsync(ct);
        }
        catch (DocumentAlreadyExistsException e) when (e.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            // The unique index on the normalised username settles even two racing registrations.
            throw new DomainException(DomainError.Conflict, "That username is taken.");
        }
        log.LogInformation("user {UserId} registered", registered.UserId);
        return UserAccount.Create(registered);
    }
}
