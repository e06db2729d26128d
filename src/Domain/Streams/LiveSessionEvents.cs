namespace EventChat.Domain.Streams;

/// <summary>
/// Every event of a live session's stream. The <see cref="LiveSession"/> aggregate applies each one,
/// because its <see cref="LiveSession.LastSequence"/> counts them to number chat messages.
/// </summary>
public interface ILiveSessionEvent
{
    Guid SessionId { get; }
}

public sealed record LiveSessionStarted(Guid SessionId, Guid HostId, string Title, DateTimeOffset StartedAt) : ILiveSessionEvent;

/// <summary>A chat message in a live session, numbered by <paramref name="Sequence"/>: its version in the session's stream.</summary>
public sealed record StreamMessagePosted(Guid SessionId, Guid MessageId, Guid SenderId, string Content, long Sequence, DateTimeOffset PostedAt)
    : ILiveSessionEvent;

/// <summary>A moderator (the host or a site moderator) took a message down.</summary>
public sealed record StreamMessageRemoved(Guid SessionId, Guid MessageId, Guid RemovedBy, DateTimeOffset RemovedAt) : ILiveSessionEvent;

/// <summary>A moderator barred a user from the session's chat; they may still watch.</summary>
public sealed record StreamViewerBanned(Guid SessionId, Guid UserId, Guid BannedBy, DateTimeOffset BannedAt) : ILiveSessionEvent;

public sealed record LiveSessionEnded(Guid SessionId, Guid EndedBy, DateTimeOffset EndedAt) : ILiveSessionEvent;

/// <summary>
/// The session's viewer count, counted in users on the node that saw it, reached a new high. Appended only
/// when a join beats the recorded peak, so a session that peaks at N viewers writes at most N of these.
/// </summary>
public sealed record StreamViewerPeakReached(Guid SessionId, int ViewerCount, DateTimeOffset ReachedAt) : ILiveSessionEvent;
