using System.Collections.Immutable;

namespace EventChat.Domain.Streams;

/// <summary>
/// The write model of one live session: whether it is live, who hosts it, who is banned from its chat.
/// Whether someone is watching is not here: viewing is ephemeral and is passed in by the caller.
/// </summary>
public sealed record LiveSession(Guid Id, Guid HostId, string Title, bool IsLive, ImmutableHashSet<Guid> Banned, long LastSequence, int PeakViewers = 0)
{
    public const int MaxTitleLength = 200;
    public const int MaxMessageLength = 1000;

    public static LiveSession Create(LiveSessionStarted e) => new(e.SessionId, e.HostId, e.Title, IsLive: true, [], LastSequence: 1);

    /// <summary>
    /// The one fold of a session's stream after <see cref="Create"/>: Marten's snapshot, the domain tests and the chat's
    /// group commit all apply events here. Every event advances <see cref="LastSequence"/> by one, keeping it equal to
    /// the stream's version.
    /// </summary>
    public LiveSession Apply(ILiveSessionEvent e) => Changed(e) with { LastSequence = LastSequence + 1 };

    private LiveSession Changed(ILiveSessionEvent e) => e switch
    {
        StreamMessagePosted or StreamMessageRemoved => this,
        StreamViewerBanned banned => this with { Banned = Banned.Add(banned.UserId) },
        LiveSessionEnded => this with { IsLive = false },
        StreamViewerPeakReached peak => this with { PeakViewers = Math.Max(PeakViewers, peak.ViewerCount) },
        _ => throw new UnknownEventException(typeof(LiveSession), e),
    };

    public static LiveSessionStarted Start(Guid id, Guid hostId, string title, DateTimeOffset now) => new(id, hostId, title.Trim(), now);

    public StreamMessagePosted Post(Guid messageId, Guid senderId, string content, bool isWatching, DateTimeOffset now)
    {
        EnsureLive();
        if (Banned.Contains(senderId))
            throw new DomainException(DomainError.Forbidden, "You have been banned from this session's chat.");
        if (!isWatching)
            throw new DomainException(DomainError.Forbidden, "Join the stream before you chat in it.");
        return new(Id, messageId, senderId, content, LastSequence + 1, now);
    }

    /// <summary>
    /// Records a viewer count above every earlier one, so analytics can replay the peak (the count itself is
    /// ephemeral). Nothing for a count at or below the peak, or once the session has ended.
    /// </summary>
    public StreamViewerPeakReached? ReachViewers(int viewerCount, DateTimeOffset now) =>
        IsLive && viewerCount > PeakViewers ? new(Id, viewerCount, now) : null;

    /// <summary>Takes a message down; taking it down again changes nothing.</summary>
    public StreamMessageRemoved? RemoveMessage(Guid actorId, bool actorModerates, Guid messageId, long messageSequence, bool alreadyRemoved, DateTimeOffset now)
    {
        EnsureModerator(actorId, actorModerates);
        if (messageSequence < 1 || messageSequence > LastSequence)
            throw DomainException.NotFound("Message");
        return alreadyRemoved ? null : new(Id, messageId, actorId, now);
    }

    /// <summary>Bars a user from the chat; banning again changes nothing; the host cannot be banned.</summary>
    public StreamViewerBanned? Ban(Guid actorId, bool actorModerates, Guid userId, DateTimeOffset now)
    {
        EnsureModerator(actorId, actorModerates);
        if (userId == HostId)
            throw new DomainException(DomainError.Invalid, "The host cannot be banned from their own session.");
        return Banned.Contains(userId) ? null : new(Id, userId, actorId, now);
    }

    /// <summary>Ends the session; ending an ended session changes nothing.</summary>
    public LiveSessionEnded? End(Guid actorId, bool actorModerates, DateTimeOffset now)
    {
        EnsureModerator(actorId, actorModerates);
        return IsLive ? new(Id, actorId, now) : null;
    }

    public void EnsureLive()
    {
        if (!IsLive)
            throw new DomainException(DomainError.Conflict, "This live session has ended.");
    }

    private void EnsureModerator(Guid actorId, bool actorModerates)
    {
        if (actorId != HostId && !actorModerates)
            throw new DomainException(DomainError.Forbidden, "Only the host or a moderator can do that.");
    }
}
