using EventChat.Domain;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Users;

/// <summary>An admin sets a user's role, by id: ids cannot be re-taken, names can. The user's next token carries it.</summary>
public sealed record ChangeUserRole(Guid AdminId, Guid UserId, string? Role) : ICommand<AccountRole>;

public sealed record AccountRole(Guid UserId, string Username, string Role);

public sealed class ChangeUserRoleValidator : AbstractValidator<ChangeUserRole>
{
    public ChangeUserRoleValidator() =>
        RuleFor(c => c.Role).NotEmpty().Must(Roles.IsKnown).WithMessage($"Role must be one of {string.Join(", ", Roles.All)}.");
}

public sealed class ChangeUserRoleHandler(IDocumentStore store, TimeProvider clock, ILogger<ChangeUserRoleHandler> log) : ICommandHandler<ChangeUserRole, AccountRole>
{
    public async ValueTask<AccountRole> Handle(ChangeUserRole command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<UserAccount>(command.UserId, ct);
        var account = stream.Aggregate ?? throw DomainException.NotFound("User");
        if (account.ChangeRole(command.Role!, command.AdminId, clock.GetUtcNow()) is { } changed)
        {
            stream.AppendOne(changed);
            await session.SaveChangesAsync(ct);
            log.LogInformation("user {UserId} made {Role} by admin {AdminId}", command.UserId, changed.Role, command.AdminId);
        }
        return new(account.Id, account.Username, command.Role!);
    }
}
