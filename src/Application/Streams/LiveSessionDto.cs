using EventChat.Projections;

namespace EventChat.Application.Streams;

/// <summary>A live session as the REST API shows it.</summary>
public sealed record LiveSessionDto(Guid Id, string Title, Guid HostId, string State, int ViewerCount, int MessageCount, DateTimeOffset StartedAt, DateTimeOffset? EndedAt)
{
    public static LiveSessionDto From(LiveSessionView view, int viewerCount) =>
        new(view.Id, view.Title, view.HostId, view.IsLive ? LiveSessionStates.Live : LiveSessionStates.Ended, view.IsLive ? viewerCount : 0,
            view.MessageCount, view.StartedAt, view.EndedAt);
}

/// <summary>The values of a live session's <c>state</c>, which the session list also filters by.</summary>
public static class LiveSessionStates
{
    public const string Live = "live";
    public const string Ended = "ended";

    public static readonly IReadOnlyCollection<string> All = [Live, Ended];
}

/// <summary>The <c>stream-viewers</c> payload, and what joining or leaving answers.</summary>
public sealed record StreamViewerCount(Guid SessionId, int ViewerCount);

/// <summary>The <c>stream-chat</c> payload and answer.</summary>
public sealed record StreamChat(Guid SessionId, StreamMessageView Message);

/// <summary>The <c>stream-ended</c> payload.</summary>
public sealed record StreamEnded(Guid SessionId);

/// <summary>The <c>stream-message-removed</c> payload.</summary>
public sealed record StreamMessageTakenDown(Guid SessionId, Guid MessageId);
