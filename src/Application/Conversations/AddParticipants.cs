using EventChat.Application.Ports;
using EventChat.Application.Privacy;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>
/// Adds users to a group the actor takes part in; users already in it are left as they are. Spends the actor's
/// membership budget, once per call however many it names.
/// </summary>
public sealed record AddParticipants(Guid ActorId, Guid ConversationId, IReadOnlyList<Guid>? UserIds) : ICommand<ConversationDto>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Membership;

    public Guid RateLimitedUserId => ActorId;
}

public sealed class AddParticipantsValidator : AbstractValidator<AddParticipants>
{
    public AddParticipantsValidator()
    {
        RuleFor(c => c.ConversationId).NotEmpty();
        RuleFor(c => c.UserIds).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("Name at least one user to add.")
            .Must(ids => ids!.Count <= Conversation.MaxParticipants).WithMessage($"A group has at most {Conversation.MaxParticipants} participants.");
        RuleForEach(c => c.UserIds).NotEmpty();
    }
}

public sealed class AddParticipantsHandler(IDocumentStore store, ContentCipher cipher, TimeProvider clock, ILogger<AddParticipantsHandler> log)
    : ICommandHandler<AddParticipants, ConversationDto>
{
    public async ValueTask<ConversationDto> Handle(AddParticipants command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation) = await session.OpenConversation(command.ConversationId, ct);
        // Deciding first means a non-member learns nothing, not even which user ids exist.
        var added = conversation.AddParticipants(command.ActorId, command.UserIds!, clock.GetUtcNow());
        if (added.Count > 0)
        {
            // Only newcomers need checking: everyone already in the group exists.
            if ((await session.LoadManyAsync<UserAccount>(ct, added.Select(a => a.UserId))).Count != added.Count)
                throw DomainException.NotFound("One or more participants");
            added = await session.WithNewcomersUnread(conversation, added, ct);
            stream.AppendMany(added);
            await session.SaveChangesAsync(ct);
            foreach (var e in added)
                log.LogInformation("participant added to {ConversationId}: {UserId} by {ActorId}", e.ConversationId, e.UserId, e.AddedBy);
        }
        return await session.ToDto(cipher, await session.LoadVisibleConversation(conversation.Id, command.ActorId, ct), command.ActorId, ct);
    }
}
