using EventChat.Application.Ports;
using EventChat.Domain;
using EventChat.Domain.Conversations;
using EventChat.Domain.Users;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Conversations;

/// <summary>Starts a group conversation; the creator is always a participant. Spends the creator's membership budget.</summary>
public sealed record CreateGroupConversation(Guid CreatorId, IReadOnlyList<Guid>? ParticipantIds, string? Title) : ICommand<ConversationDto>, IRateLimited
{
    public RateLimitPolicy Policy => RateLimitPolicy.Membership;

    public Guid RateLimitedUserId => CreatorId;
}

public sealed class CreateGroupConversationValidator : AbstractValidator<CreateGroupConversation>
{
    public CreateGroupConversationValidator()
    {
        RuleFor(c => c.ParticipantIds).Cascade(CascadeMode.Stop).NotEmpty().WithMessage("Name at least one participant.")
            .Must(ids => ids!.Count <= Conversation.MaxParticipants).WithMessage($"A group has at most {Conversation.MaxParticipants} participants.");
        RuleForEach(c => c.ParticipantIds).NotEmpty();
        RuleFor(c => c.Title).MaximumLength(Conversation.MaxTitleLength);
    }
}

public sealed class CreateGroupConversationHandler(IDocumentStore store, TimeProvider clock, ILogger<CreateGroupConversationHandler> log)
    : ICommandHandler<CreateGroupConversation, ConversationDto>
{
    public async ValueTask<ConversationDto> Handle(CreateGroupConversation command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var started = Conversation.StartGroup(Guid.CreateVersion7(), command.CreatorId, command.ParticipantIds!, command.Title, clock.GetUtcNow());
        var found = await session.LoadManyAsync<UserAccount>(ct, started.ParticipantIds);
        if (found.Count != started.ParticipantIds.Count)
            throw DomainException.NotFound("One or more participants");
        session.Events.StartStream<Conversation>(started.ConversationId, started);
        await session.SaveChangesAsync(ct);
        log.LogInformation("group conversation {ConversationId} created by {CreatorId} with {Count} participants", started.ConversationId, started.StartedBy, started.ParticipantIds.Count);
        // A new group has no message yet, so nothing to decrypt.
        var view = await session.LoadVisibleConversation(started.ConversationId, command.CreatorId, ct);
        return ConversationDto.From(view, 0);
    }
}
