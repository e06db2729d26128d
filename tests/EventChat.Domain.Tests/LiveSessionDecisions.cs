using EventChat.Domain;
using EventChat.Domain.Streams;

namespace EventChat.Domain.Tests;

public sealed class LiveSessionDecisions
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 20, 0, 0, TimeSpan.Zero);
    private static readonly Guid Host = Guid.Parse("0199b000-0000-7000-8000-000000000001");
    private static readonly Guid Viewer = Guid.Parse("0199b000-0000-7000-8000-000000000002");
    private static readonly Guid Troll = Guid.Parse("0199b000-0000-7000-8000-000000000003");
    private static readonly LiveSessionStarted Started = LiveSession.Start(Guid.CreateVersion7(), Host, "  Launch day  ", Now);

    /// <summary>Folds events the way Marten does: Create from the first, Apply for the rest.</summary>
    private static LiveSession Given(params ILiveSessionEvent[] events) =>
        events.Skip(1).Aggregate(LiveSession.Create((LiveSessionStarted)events[0]), (state, e) => state.Apply(e));

    private static void ThenBroken(DomainError expected, Action when) =>
        Assert.Equal(expected, Assert.Throws<DomainException>(when).Error);

    /// <summary>A broken rule whose message clients show as it is (docs/api.md).</summary>
    private static void ThenBroken(DomainError expected, string message, Action when)
    {
        var broken = Assert.Throws<DomainException>(when);
        Assert.Equal((expected, message), (broken.Error, broken.Message));
    }

    [Fact]
    public void A_session_starts_live_with_a_trimmed_title()
    {
        var session = Given(Started);

        Assert.True(session.IsLive);
        Assert.Equal("Launch day", session.Title);
        Assert.Equal(Host, session.HostId);
    }

    [Fact]
    public void A_watching_viewer_posts_a_message_numbered_after_the_stream()
    {
        var posted = Given(Started).Post(Guid.CreateVersion7(), Viewer, "hi", isWatching: true, Now);

        Assert.Equal(2, posted.Sequence);
        Assert.Equal(Viewer, posted.SenderId);
        Assert.Equal(3, Given(Started, posted).Post(Guid.CreateVersion7(), Host, "welcome", isWatching: true, Now).Sequence);
    }

    [Fact]
    public void Only_viewers_may_chat() =>
        ThenBroken(DomainError.Forbidden, "Join the stream before you chat in it.", () => Given(Started).Post(Guid.CreateVersion7(), Viewer, "hi", isWatching: false, Now));

    [Fact]
    public void A_banned_user_may_not_chat()
    {
        var banned = Given(Started).Ban(Host, actorModerates: false, Troll, Now)!;

        ThenBroken(DomainError.Forbidden, "You have been banned from this session's chat.", () => Given(Started, banned).Post(Guid.CreateVersion7(), Troll, "spam", isWatching: true, Now));
    }

    [Fact]
    public void An_ended_session_takes_no_chat_and_ending_again_changes_nothing()
    {
        var ended = Given(Started).End(Host, actorModerates: false, Now)!;
        var state = Given(Started, ended);

        Assert.False(state.IsLive);
        ThenBroken(DomainError.Conflict, "This live session has ended.", () => state.Post(Guid.CreateVersion7(), Viewer, "hi", isWatching: true, Now));
        Assert.Null(state.End(Host, actorModerates: false, Now));
    }

    [Fact]
    public void Only_the_host_or_a_moderator_may_end_ban_or_remove()
    {
        var posted = Given(Started).Post(Guid.CreateVersion7(), Viewer, "hi", isWatching: true, Now);
        var state = Given(Started, posted);

        ThenBroken(DomainError.Forbidden, "Only the host or a moderator can do that.", () => state.End(Viewer, actorModerates: false, Now));
        ThenBroken(DomainError.Forbidden, () => state.Ban(Viewer, actorModerates: false, Troll, Now));
        ThenBroken(DomainError.Forbidden, () => state.RemoveMessage(Viewer, actorModerates: false, posted.MessageId, posted.Sequence, alreadyRemoved: false, Now));
        Assert.NotNull(state.End(Viewer, actorModerates: true, Now));
        Assert.NotNull(state.RemoveMessage(Host, actorModerates: false, posted.MessageId, posted.Sequence, alreadyRemoved: false, Now));
    }

    [Fact]
    public void Banning_twice_changes_nothing_and_the_host_cannot_be_banned()
    {
        var banned = Given(Started).Ban(Host, actorModerates: false, Troll, Now)!;

        Assert.Null(Given(Started, banned).Ban(Host, actorModerates: false, Troll, Now));
        ThenBroken(DomainError.Invalid, "The host cannot be banned from their own session.", () => Given(Started).Ban(Viewer, actorModerates: true, Host, Now));
    }

    [Fact]
    public void A_moderator_takes_a_message_down_once_and_only_a_message_of_this_session()
    {
        var posted = Given(Started).Post(Guid.CreateVersion7(), Viewer, "spam", isWatching: true, Now);
        var state = Given(Started, posted);

        Assert.Equal(new StreamMessageRemoved(Started.SessionId, posted.MessageId, Troll, Now),
            state.RemoveMessage(Troll, actorModerates: true, posted.MessageId, posted.Sequence, alreadyRemoved: false, Now));
        Assert.Null(state.RemoveMessage(Host, actorModerates: false, posted.MessageId, posted.Sequence, alreadyRemoved: true, Now));
        foreach (var sequence in new long[] { 0, posted.Sequence + 1 })
            ThenBroken(DomainError.NotFound, "Message was not found.",
                () => state.RemoveMessage(Host, actorModerates: false, Guid.CreateVersion7(), sequence, alreadyRemoved: false, Now));
    }

    // A chat message's sequence is its version in the session's stream, so every event must count.
    [Fact]
    public void Every_kind_of_event_advances_the_sequence_the_next_message_gets()
    {
        var posted = Given(Started).Post(Guid.CreateVersion7(), Viewer, "hi", isWatching: true, Now);
        var removed = Given(Started, posted).RemoveMessage(Host, actorModerates: false, posted.MessageId, posted.Sequence, alreadyRemoved: false, Now)!;
        var banned = Given(Started, posted, removed).Ban(Host, actorModerates: false, Troll, Now)!;
        var peak = Given(Started, posted, removed, banned).ReachViewers(2, Now)!;
        var state = Given(Started, posted, removed, banned, peak);

        Assert.Equal(6, state.Post(Guid.CreateVersion7(), Viewer, "still here", isWatching: true, Now).Sequence);
        Assert.Equal(6, Given(Started, posted, removed, banned, peak, state.End(Host, actorModerates: false, Now)!).LastSequence);
    }
}
