using System.Collections.Concurrent;
using System.Collections.Immutable;
using EventChat.Application.Privacy;
using EventChat.Domain.Users;
using Marten;
using Marten.Services;

namespace EventChat.Application.Conversations;

/// <summary>A conversation as the send writers hold it between batches, with its authors' live keys (by author).</summary>
public sealed record HeldConversation(ConversationAt At, ImmutableDictionary<Guid, LiveKey> Keys);

/// <summary>
/// The conversations the send writers hold in memory, so that a batch to a conversation they have written to before
/// reads nothing. What is held is a belief, not a lock: a batch appends only if each stream is still at the version
/// held, and decides again on what is committed otherwise. Every other write to a conversation on this node goes
/// through a Marten session, whose commit drops the conversation here, so the next batch reads it afresh instead of
/// failing once; a write on another node is found by the version check.
/// </summary>
public sealed class HeldConversations : DocumentSessionListenerBase
{
    // Enough for every conversation active on a busy node; dropping all at the limit keeps it simple and bounded.
    private const int MaxHeld = 10_000;

    private readonly ConcurrentDictionary<Guid, HeldConversation> held = new();

    public HeldConversation? Find(Guid conversationId) => held.GetValueOrDefault(conversationId);

    public void Keep(Guid conversationId, HeldConversation conversation)
    {
        if (held.Count >= MaxHeld)
            held.Clear();
        held[conversationId] = conversation;
    }

    public void Forget(Guid conversationId) => held.TryRemove(conversationId, out _);

    public override Task AfterCommitAsync(IDocumentSession session, IChangeSet commit, CancellationToken token)
    {
        foreach (var stream in commit.GetStreams())
        {
            // An erased user's keys are destroyed in every conversation: let go of every key held.
            if (stream.Events.Any(e => e.Data is UserErased))
                held.Clear();
            held.TryRemove(stream.Id, out _);
        }
        return Task.CompletedTask;
    }
}
