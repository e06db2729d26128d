using EventChat.Application.Conversations;
using EventChat.Application.Ports;
using EventChat.Domain.Conversations;
using EventChat.Projections;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Extensions.Logging;

namespace EventChat.Application.Privacy;

/// <summary>
/// Erase everything said in a conversation so far: an admin at once; in a direct conversation, each participant asks
/// and the second request erases. Messages keep their place, sender and time; their text reads <c>[erased]</c>.
/// </summary>
public sealed record EraseConversationContent(Guid UserId, bool IsAdmin, Guid ConversationId) : ICommand<ContentErasure>;

public sealed class EraseConversationContentValidator : AbstractValidator<EraseConversationContent>
{
    public EraseConversationContentValidator() => RuleFor(c => c.ConversationId).NotEmpty();
}

/// <summary>The <c>conversationErased</c> payload: reload the conversation, its messages now read as erased.</summary>
public sealed record ConversationErased(Guid ConversationId, Guid ErasedBy, DateTimeOffset ErasedAt);

/// <param name="Erased">The content was erased by this request; otherwise it waits for <paramref name="AwaitingConsentFrom"/>.</param>
public sealed record ContentErasure(Guid ConversationId, bool Erased, IReadOnlyList<Guid> AwaitingConsentFrom);

public sealed class EraseConversationContentHandler(IDocumentStore store, INotifier notifier, TimeProvider clock, ILogger<EraseConversationContentHandler> log)
    : ICommandHandler<EraseConversationContent, ContentErasure>
{
    public async ValueTask<ContentErasure> Handle(EraseConversationContent command, CancellationToken ct)
    {
        await using var session = store.LightweightSession();
        var (stream, conversation) = await session.OpenConversation(command.ConversationId, ct);
        var now = clock.GetUtcNow();
        var events = conversation.EraseContent(command.UserId, command.IsAdmin, now);
        stream.AppendMany(events);
        var erased = events.OfType<ConversationContentErased>().Any();
        if (erased)
        {
            // Under the stream lock: no message can be sealed with one of these keys after they are destroyed.
            // The files its messages carried go too: each has a key of its own, named by the attachment's id.
            var files = await session.Query<MessageView>().Where(m => m.ConversationId == conversation.Id)
                .SelectMany(m => m.Attachments).Select(a => a.Id).ToListAsync(ct);
            var destroyed = await session.DestroyKeys(k => k.ConversationId == conversation.Id || files.Contains(k.Id), now, ct);
            MessageSearchIndex.ForgetConversation(session, conversation.Id);
            log.LogInformation("content of {ConversationId} erased by {ActorId}: {Keys} keys destroyed", conversation.Id, command.UserId, destroyed);
        }
        await session.SaveChangesAsync(ct);
        if (erased)
            foreach (var participant in conversation.Participants)
                await notifier.ToUser(participant, ClientEvents.ConversationErased, new ConversationErased(conversation.Id, command.UserId, now), CancellationToken.None);
        var after = events.Aggregate(conversation, (state, e) => state.Apply(e));
        return new(conversation.Id, erased, erased ? [] : after.AwaitingErasureConsent);
    }
}
