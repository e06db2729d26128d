using System.Collections.Immutable;

namespace EventChat.Domain.Conversations;

/// <summary>
/// The write model of one conversation stream: only what decisions need. Decisions are pure
/// functions of this state and <c>now</c>; they return the events to append, or none for a
/// harmless repeat, and throw <see cref="DomainException"/> for a broken rule.
/// </summary>
/// <param name="OwnerId">A group's owner: its creator, until they leave. Meaningless for a direct conversation.</param>
/// <param name="Participants">In join order, longest-standing first, so an owner who leaves has one successor.</param>
public sealed record Conversation(
    Guid Id,
    ConversationKind Kind,
    string? Title,
    Guid OwnerId,
    ImmutableList<Guid> Participants,
    ImmutableDictionary<Guid, long> ReadUpTo,
    long LastSequence)
{
    /// <summary>The participants of a direct conversation who have agreed to erase its content since it was last erased.</summary>
    public ImmutableHashSet<Guid> ErasureConsents { get; init; } = [];

    /// <summary>
    /// Each participant's unread messages: others' messages after their read pointer that nobody deleted. Kept here
    /// so a send can push every recipient their count without counting rows. Sends and deletes move it by one; a
    /// read or a join sets it to what the handler counted then (the write model does not keep the messages).
    /// </summary>
    public ImmutableDictionary<Guid, int> Unread { get; init; } = ImmutableDictionary<Guid, int>.Empty;

    /// <summary>The sequence of the newest message, so reading up to it needs no count: nothing is left unread.</summary>
    public long LastMessageSequence { get; init; }

    public const int MaxTitleLength = 200;
    public const int MaxParticipants = 1000;

    public static Conversation Create(ConversationStarted e) =>
        new(e.ConversationId, e.Kind, e.Title, e.StartedBy, [.. e.ParticipantIds], ImmutableDictionary<Guid, long>.Empty, LastSequence: 1);

    /// <summary>
    /// The one fold of a conversation stream after <see cref="Create"/>: Marten's snapshot, the domain tests and the
    /// handlers that look one event ahead all apply events here. Every event advances <see cref="LastSequence"/> by one,
    /// keeping it equal to the stream's version.
    /// </summary>
    public Conversation Apply(IConversationEvent e) => Changed(e) with { LastSequence = LastSequence + 1 };

    private Conversation Changed(IConversationEvent e) => e switch
    {
        MessageSent sent => this with { Unread = Counted(p => p != sent.SenderId, +1), LastMessageSequence = sent.Sequence },
        MessageEdited => this,
        // The deleted message stops counting for everyone who had not read it. (Events from before the message's
        // sender and sequence were recorded carry Guid.Empty and 0, and change no count.)
        MessageDeleted deleted => this with
        {
            Unread = Counted(p => p != deleted.MessageSenderId && ReadUpTo.GetValueOrDefault(p) < deleted.MessageSequence, -1),
        },
        MessagesMarkedRead read => this with { ReadUpTo = ReadUpTo.SetItem(read.ReaderId, read.UpToSequence), Unread = Unread.SetItem(read.ReaderId, read.UnreadAfter) },
        ParticipantAdded added when Includes(added.UserId) => this,
        ParticipantAdded added => this with { Participants = Participants.Add(added.UserId), Unread = Unread.SetItem(added.UserId, added.Unread) },
        ParticipantRemoved removed => Without(removed.UserId),
        ParticipantLeft left => Without(left.UserId),
        ConversationErasureConsented consented => this with { ErasureConsents = ErasureConsents.Add(consented.UserId) },
        // A later erasure needs everyone's consent again: agreeing to erase what was said then is not agreeing to erase what comes next.
        ConversationContentErased => this with { ErasureConsents = [] },
        _ => throw new UnknownEventException(typeof(Conversation), e),
    };

    /// <summary>A participant's unread messages, as the last event left them.</summary>
    public int UnreadFor(Guid userId) => Unread.GetValueOrDefault(userId);

    private ImmutableDictionary<Guid, int> Counted(Func<Guid, bool> counts, int by) =>
        Participants.Where(counts).Aggregate(Unread, (unread, p) => unread.SetItem(p, Math.Max(0, unread.GetValueOrDefault(p) + by)));

    // Ownership follows from the events rather than being an event of its own: when the owner goes, it passes
    // to whoever has been in the group longest; a group nobody is left in has no owner (Guid.Empty).
    // A read pointer stays, so someone added back does not see what they had read as unread again.
    private Conversation Without(Guid userId)
    {
        var remaining = Participants.Remove(userId);
        return this with { Participants = remaining, Unread = Unread.Remove(userId), OwnerId = userId == OwnerId ? remaining.FirstOrDefault() : OwnerId };
    }

    public static ConversationStarted StartDirect(Guid starter, Guid other, DateTimeOffset now)
    {
        if (starter == other)
            throw new DomainException(DomainError.Invalid, "You cannot start a conversation with yourself.");
        return new(DirectConversation.IdFor(starter, other), ConversationKind.Direct, null, starter, [starter, other], now);
    }

    public static ConversationStarted StartGroup(Guid id, Guid creator, IEnumerable<Guid> others, string? title, DateTimeOffset now)
    {
        Guid[] participants = [creator, .. others.Where(p => p != creator).Distinct()];
        if (participants.Length < 2)
            throw new DomainException(DomainError.Invalid, "A group needs at least one participant besides you.");
        if (participants.Length > MaxParticipants)
            throw new DomainException(DomainError.Invalid, $"A group has at most {MaxParticipants} participants.");
        return new(id, ConversationKind.Group, string.IsNullOrWhiteSpace(title) ? null : title.Trim(), creator, participants, now);
    }

    public bool Includes(Guid userId) => Participants.Contains(userId);

    public bool IsOwnedBy(Guid userId) => Kind == ConversationKind.Group && OwnerId == userId;

    /// <summary>Non-members are told the conversation does not exist, so its existence never leaks.</summary>
    public void EnsureParticipant(Guid userId)
    {
        if (!Includes(userId))
            throw DomainException.NotFound("Conversation");
    }

    public MessageSent Send(Guid messageId, Guid senderId, string content, string messageType, string? clientMessageId, DateTimeOffset now,
        Guid? replyToId = null, MessageFacts? replyTarget = null, IReadOnlyList<MessageAttachment>? attachments = null)
    {
        EnsureParticipant(senderId);
        if (!MessageTypes.IsSendable(messageType))
            throw new DomainException(DomainError.Invalid, $"Message type '{messageType}' cannot be sent.");
        if (replyToId is not null && replyTarget?.ConversationId != Id)
            throw new DomainException(DomainError.Invalid, "You can only reply to a message of the same conversation.");
        if (attachments is { Count: > 0 } && messageType == MessageTypes.Text)
            throw new DomainException(DomainError.Invalid, "A message with attachments has messageType image, file, audio or video.");
        return new(Id, messageId, senderId, content, messageType, LastSequence + 1, clientMessageId, now, replyToId, attachments is { Count: > 0 } ? attachments : null);
    }

    /// <summary>The sender changes a message's text; the same text again changes nothing.</summary>
    public MessageEdited? Edit(Guid editorId, MessageFacts message, string content, DateTimeOffset now)
    {
        EnsureVisible(editorId, message);
        if (message.SenderId != editorId)
            throw new DomainException(DomainError.Forbidden, "You can only edit your own messages.");
        if (message.IsDeleted)
            throw new DomainException(DomainError.Conflict, "A deleted message cannot be edited.");
        return message.Content == content ? null : new(Id, message.Id, editorId, content, LastSequence + 1, now);
    }

    /// <summary>The sender, or a moderator anywhere, deletes a message; deleting it again changes nothing.</summary>
    public MessageDeleted? Delete(Guid actorId, bool actorModerates, MessageFacts message, DateTimeOffset now)
    {
        if (!actorModerates)
        {
            EnsureVisible(actorId, message);
            if (message.SenderId != actorId)
                throw new DomainException(DomainError.Forbidden, "You can only delete your own messages.");
        }
        return message.IsDeleted ? null : new(Id, message.Id, actorId, LastSequence + 1, now, message.SenderId, message.Sequence);
    }

    // Someone outside the conversation is told the message does not exist, whatever its id.
    private void EnsureVisible(Guid userId, MessageFacts message)
    {
        if (!Includes(userId) || message.ConversationId != Id)
            throw DomainException.NotFound("Message");
    }

    /// <summary>
    /// Marks everything up to a message read; reading what is already read changes nothing.
    /// <paramref name="unreadAfter"/> is what stays unread after it (see <see cref="LeavesUnread"/>).
    /// </summary>
    public MessagesMarkedRead? MarkRead(Guid readerId, Guid messageId, long messageSequence, int unreadAfter, DateTimeOffset now)
    {
        EnsureParticipant(readerId);
        if (messageSequence < 1 || messageSequence > LastSequence)
            throw DomainException.NotFound("Message");
        return messageSequence <= ReadUpTo.GetValueOrDefault(readerId)
            ? null
            : new(Id, readerId, messageId, messageSequence, now, unreadAfter);
    }

    /// <summary>Whether reading up to this sequence can leave anything unread; if not, nobody needs to count.</summary>
    public bool LeavesUnread(long upToSequence) => upToSequence < LastMessageSequence;

    /// <summary>
    /// Adds users to a group; any participant may. Users already in it are skipped, so a repeat adds nothing.
    /// </summary>
    public IReadOnlyList<ParticipantAdded> AddParticipants(Guid actorId, IReadOnlyCollection<Guid> userIds, DateTimeOffset now)
    {
        EnsureParticipant(actorId);
        EnsureGroup();
        Guid[] newcomers = [.. userIds.Distinct().Where(u => !Includes(u))];
        if (Participants.Count + newcomers.Length > MaxParticipants)
            throw new DomainException(DomainError.Invalid, $"A group has at most {MaxParticipants} participants.");
        return [.. newcomers.Select(u => new ParticipantAdded(Id, u, actorId, now))];
    }

    /// <summary>
    /// Takes a user out of a group: anyone may leave (remove themselves); only the owner may remove others.
    /// Removing someone who is not in the group changes nothing.
    /// </summary>
    public IConversationEvent? RemoveParticipant(Guid actorId, Guid userId, DateTimeOffset now)
    {
        EnsureParticipant(actorId);
        EnsureGroup();
        if (userId == actorId)
            return new ParticipantLeft(Id, actorId, now);
        if (!IsOwnedBy(actorId))
            throw new DomainException(DomainError.Forbidden, "Only the group's owner can remove participants.");
        return Includes(userId) ? new ParticipantRemoved(Id, userId, actorId, now) : null;
    }

    /// <summary>
    /// Erases the conversation's content: an admin at once, anywhere; in a direct conversation, once both participants
    /// have asked (each request records consent, and the last one erases). A group's content only an admin erases, because
    /// its members cannot all be asked in a way that does not let one member erase the others' words.
    /// </summary>
    public IReadOnlyList<IConversationEvent> EraseContent(Guid actorId, bool actorIsAdmin, DateTimeOffset now)
    {
        if (actorIsAdmin)
            return [new ConversationContentErased(Id, actorId, now)];
        EnsureParticipant(actorId);
        if (Kind == ConversationKind.Group)
            throw new DomainException(DomainError.Forbidden, "Only an admin can erase a group's content.");
        var consented = ErasureConsents.Add(actorId);
        IConversationEvent[] consent = ErasureConsents.Contains(actorId) ? [] : [new ConversationErasureConsented(Id, actorId, now)];
        return Participants.All(consented.Contains) ? [.. consent, new ConversationContentErased(Id, actorId, now)] : consent;
    }

    /// <summary>Who still has to agree before a direct conversation's content is erased.</summary>
    public IReadOnlyList<Guid> AwaitingErasureConsent => [.. Participants.Where(p => !ErasureConsents.Contains(p))];

    private void EnsureGroup()
    {
        if (Kind == ConversationKind.Direct)
            throw new DomainException(DomainError.Invalid, "A direct conversation always has exactly its two users.");
    }
}
