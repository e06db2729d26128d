using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

/// <summary>The write model's unread counts, which message pushes carry without counting rows.</summary>
public sealed class CountingUnread : ConversationSpec
{
    [Fact]
    public void A_message_is_unread_for_everyone_but_its_sender()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var first = Sent(Given(start), Alice);
        var second = Sent(Given(start, first), Bob);

        var state = Given(start, first, second);

        Assert.Equal((1, 1, 2), (state.UnreadFor(Alice), state.UnreadFor(Bob), state.UnreadFor(Carol)));
        Assert.Equal(second.Sequence, state.LastMessageSequence);
    }

    [Fact]
    public void Reading_sets_the_count_to_what_was_left_unread()
    {
        var start = DirectChat(Alice, Bob);
        var first = Sent(Given(start), Alice);
        var second = Sent(Given(start, first), Alice);
        var state = Given(start, first, second);

        Assert.True(state.LeavesUnread(first.Sequence));
        Assert.False(state.LeavesUnread(second.Sequence));
        var partly = state.MarkRead(Bob, first.MessageId, first.Sequence, unreadAfter: 1, Now)!;
        Assert.Equal(1, Given(start, first, second, partly).UnreadFor(Bob));
        var fully = Given(start, first, second, partly).MarkRead(Bob, second.MessageId, second.Sequence, unreadAfter: 0, Now)!;
        Assert.Equal(0, Given(start, first, second, partly, fully).UnreadFor(Bob));
    }

    [Fact]
    public void Deleting_an_unread_message_takes_it_off_the_counts_of_those_who_had_not_read_it()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var first = Sent(Given(start), Alice);
        var second = Sent(Given(start, first), Alice);
        var bobRead = Given(start, first, second).MarkRead(Bob, second.MessageId, second.Sequence, 0, Now)!;
        var state = Given(start, first, second, bobRead);
        var deleted = state.Delete(Alice, actorModerates: false, new MessageFacts(second.MessageId, start.ConversationId, Alice, "hi", false, second.Sequence), Now)!;

        var after = Given(start, first, second, bobRead, deleted);

        Assert.Equal((0, 0, 1), (after.UnreadFor(Alice), after.UnreadFor(Bob), after.UnreadFor(Carol)));
    }

    [Fact]
    public void Deleting_a_message_leaves_the_counts_of_its_sender_and_of_whoever_read_it_alone()
    {
        var start = DirectChat(Alice, Bob);
        var first = Sent(Given(start), Alice);
        var bobRead = Given(start, first).MarkRead(Bob, first.MessageId, first.Sequence, 0, Now)!;
        var fromBob = Sent(Given(start, first, bobRead), Bob);
        var fromAlice = Sent(Given(start, first, bobRead, fromBob), Alice);
        IConversationEvent[] history = [start, first, bobRead, fromBob, fromAlice];
        var deleted = Given(history).Delete(Alice, actorModerates: false, new MessageFacts(first.MessageId, start.ConversationId, Alice, "hi", false, first.Sequence), Now)!;

        var after = Given([.. history, deleted]);

        Assert.Equal((1, 1), (after.UnreadFor(Alice), after.UnreadFor(Bob)));
    }

    [Fact]
    public void Someone_added_again_keeps_their_place_and_count()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var first = Sent(Given(start), Alice);
        var addedAgain = new ParticipantAdded(start.ConversationId, Bob, Carol, Now) { Unread = 0 };

        var state = Given(start, first, addedAgain);

        Assert.Equal([Alice, Bob, Carol], state.Participants);
        Assert.Equal(1, state.UnreadFor(Bob));
    }

    [Fact]
    public void A_newcomer_starts_from_the_count_the_handler_made_and_a_leaver_has_none()
    {
        var start = GroupChat(Alice, Bob);
        var first = Sent(Given(start), Alice);
        var added = Given(start, first).AddParticipants(Alice, [Carol], Now).Single() with { Unread = 1 };
        var left = new ParticipantLeft(start.ConversationId, Bob, Now);

        var state = Given(start, first, added, left);

        Assert.Equal(1, state.UnreadFor(Carol));
        Assert.False(state.Unread.ContainsKey(Bob));
    }
}
