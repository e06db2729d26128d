using EventChat.Domain;
using EventChat.Domain.Users;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Users;

/// <summary>
/// The app suspends its user, or lets them back: a deactivated user's tokens are refused and their connections closed,
/// and nothing of theirs is lost. Doing what is already done changes nothing.
/// </summary>
public sealed record ChangeUserActivation(Guid UserId, bool Active) : ICommand<AppUserProfile>;

public sealed class ChangeUserActivationHandler(IDocumentStore store, TimeProvider clock, ILogger<ChangeUserActivationHandler> log)
    : ICommandHandler<ChangeUserActivation, AppUserProfile>
{
    public async ValueTask<AppUserProfile> Handle(ChangeUserActivation command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForWriting<UserAccount>(command.UserId, ct);
        var account = stream.Aggregate ?? throw DomainException.NotFound("User");
        var now = clock.GetUtcNow();
        object? change = command.Active ? account.Reactivate(now) : account.Deactivate(now);
        if (change is not null)
        {
            stream.AppendOne(change);
            await session.SaveChangesAsync(ct);
            log.LogInformation("user {UserId} {Change}", command.UserId, command.Active ? "reactivated" : "deactivated");
        }
        // Changed or already so, the user is now as asked.
        return AppUserProfile.Of(account) with { Active = command.Active };
    }
}
