using EventChat.Application.Conversations;
using EventChat.Domain;
using EventChat.Domain.Users;
using JasperFx.Events;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Privacy;

/// <summary>
/// A user erases their account: every key their messages were sealed with is destroyed (so their words read
/// <c>[erased]</c> in everyone's conversations, while others' words stay), their search index rows go, and the personal
/// fields of their registration are overwritten in the event store. They can no longer log in, and their tokens stop working.
/// </summary>
public sealed record EraseUser(Guid UserId) : ICommand;

public sealed class EraseUserHandler(IDocumentStore store, TimeProvider clock, ILogger<EraseUserHandler> log) : ICommandHandler<EraseUser>
{
    public async ValueTask<Unit> Handle(EraseUser command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var stream = await session.Events.FetchForExclusiveWriting<UserAccount>(command.UserId, ct);
        var now = clock.GetUtcNow();
        var erased = (stream.Aggregate ?? throw DomainException.NotFound("User")).Erase(now);
        stream.AppendOne(erased);
        var destroyed = await session.DestroyKeys(k => k.UserId == command.UserId, now, ct);
        MessageSearchIndex.ForgetSender(session, command.UserId);
        await session.SaveChangesAsync(ct);
        // After the commit, so a failed erasure leaves the registration as it was. Rewrites the UserRegistered row in place.
        await store.Advanced.ApplyEventDataMasking(masking => masking.IncludeStream(command.UserId), ct);
        log.LogInformation("user {UserId} erased: {Keys} keys destroyed", command.UserId, destroyed);
        return Unit.Value;
    }
}
