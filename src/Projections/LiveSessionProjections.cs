using EventChat.Domain.Streams;
using Marten.Events.Aggregation;
using Marten.Events.Projections;

namespace EventChat.Projections;

/// <summary>Keeps the <see cref="LiveSession"/> write model snapshotted (the bridge explained in WriteModelProjections.cs).</summary>
public sealed partial class LiveSessionSnapshot : SingleStreamProjection<LiveSession, Guid>
{
    public static LiveSession Create(LiveSessionStarted e) => LiveSession.Create(e);

    public static LiveSession Apply(StreamMessagePosted e, LiveSession state) => state.Apply(e);

    public static LiveSession Apply(StreamMessageRemoved e, LiveSession state) => state.Apply(e);

    public static LiveSession Apply(StreamViewerBanned e, LiveSession state) => state.Apply(e);

    public static LiveSession Apply(LiveSessionEnded e, LiveSession state) => state.Apply(e);

    public static LiveSession Apply(StreamViewerPeakReached e, LiveSession state) => state.Apply(e);
}

/// <summary>A live session as anyone sees it; the viewer count is live state, added at read time.</summary>
public sealed record LiveSessionView(Guid Id, Guid HostId, string Title, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int MessageCount)
{
    public bool IsLive => EndedAt is null;
}

public sealed partial class LiveSessionViewProjection : SingleStreamProjection<LiveSessionView, Guid>
{
    public static LiveSessionView Create(LiveSessionStarted e) => new(e.SessionId, e.HostId, e.Title, e.StartedAt, null, 0);

    public static LiveSessionView Apply(StreamMessagePosted e, LiveSessionView view) => view with { MessageCount = view.MessageCount + 1 };

    public static LiveSessionView Apply(StreamMessageRemoved e, LiveSessionView view) => view with { MessageCount = view.MessageCount - 1 };

    public static LiveSessionView Apply(LiveSessionEnded e, LiveSessionView view) => view with { EndedAt = e.EndedAt };
}

/// <summary>One chat message of a live session as viewers see it.</summary>
public sealed record StreamMessageView(Guid Id, Guid SessionId, Guid SenderId, string Content, long Sequence, DateTimeOffset SentAt, DateTimeOffset? RemovedAt = null)
{
    public static StreamMessageView From(StreamMessagePosted e) => new(e.MessageId, e.SessionId, e.SenderId, e.Content, e.Sequence, e.PostedAt);
}

/// <summary>One document per chat message, keyed by message id across the session's stream.</summary>
public sealed partial class StreamMessageViewProjection : MultiStreamProjection<StreamMessageView, Guid>
{
    public StreamMessageViewProjection()
    {
        Identity<StreamMessagePosted>(e => e.MessageId);
        Identity<StreamMessageRemoved>(e => e.MessageId);
    }

    public static StreamMessageView Create(StreamMessagePosted e) => StreamMessageView.From(e);

    public static StreamMessageView Apply(StreamMessageRemoved e, StreamMessageView view) => view with { RemovedAt = e.RemovedAt };
}
