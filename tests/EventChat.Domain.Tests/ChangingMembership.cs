using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

public sealed class ChangingMembership : ConversationSpec
{
    [Fact]
    public void Any_participant_can_add_users_to_a_group()
    {
        var start = GroupChat(Alice, Bob);

        var added = Given(start).AddParticipants(Bob, [Carol, Dave], Now);

        Assert.Equal([new ParticipantAdded(start.ConversationId, Carol, Bob, Now), new ParticipantAdded(start.ConversationId, Dave, Bob, Now)], added);
    }

    [Fact]
    public void Adding_users_already_in_the_group_adds_nothing_for_them()
    {
        var start = GroupChat(Alice, Bob);

        var added = Given(start).AddParticipants(Alice, [Bob, Carol, Carol, Alice], Now);

        Assert.Equal([new ParticipantAdded(start.ConversationId, Carol, Alice, Now)], added);
        Assert.Empty(Given(start, added[0]).AddParticipants(Alice, [Bob, Carol], Now));
    }

    [Fact]
    public void Added_users_take_part_and_membership_events_advance_the_sequence()
    {
        var start = GroupChat(Alice, Bob);
        var added = Given(start).AddParticipants(Alice, [Carol], Now).Single();

        var state = Given(start, added);

        Assert.Equal([Alice, Bob, Carol], state.Participants);
        Assert.Equal(3, Sent(state, Carol).Sequence);
    }

    [Fact]
    public void Adding_to_a_group_you_are_not_in_is_not_found() =>
        ThenBroken(DomainError.NotFound, () => Given(GroupChat(Alice, Bob)).AddParticipants(Carol, [Dave], Now));

    [Fact]
    public void Adding_to_a_direct_conversation_is_invalid() =>
        ThenBroken(DomainError.Invalid, () => Given(DirectChat(Alice, Bob)).AddParticipants(Alice, [Carol], Now));

    [Fact]
    public void A_group_cannot_grow_beyond_the_participant_limit()
    {
        var start = GroupChat(Alice, [.. Enumerable.Range(0, Conversation.MaxParticipants - 2).Select(_ => Guid.CreateVersion7())]);

        Assert.Single(Given(start).AddParticipants(Alice, [Bob], Now));
        ThenBroken(DomainError.Invalid, "A group has at most 1000 participants.", () => Given(start).AddParticipants(Alice, [Bob, Carol], Now));
    }

    [Fact]
    public void A_participant_can_leave()
    {
        var start = GroupChat(Alice, Bob, Carol);

        var left = Given(start).RemoveParticipant(Bob, Bob, Now);

        Assert.Equal(new ParticipantLeft(start.ConversationId, Bob, Now), left);
        Assert.Equal([Alice, Carol], Given(start, left!).Participants);
    }

    [Fact]
    public void The_owner_can_remove_a_participant()
    {
        var start = GroupChat(Alice, Bob, Carol);

        var removed = Given(start).RemoveParticipant(Alice, Bob, Now);

        Assert.Equal(new ParticipantRemoved(start.ConversationId, Bob, Alice, Now), removed);
        Assert.Equal([Alice, Carol], Given(start, removed!).Participants);
    }

    [Fact]
    public void Only_the_owner_can_remove_others()
    {
        var start = GroupChat(Alice, Bob, Carol);

        ThenBroken(DomainError.Forbidden, "Only the group's owner can remove participants.", () => Given(start).RemoveParticipant(Bob, Carol, Now));
        ThenBroken(DomainError.Forbidden, () => Given(start).RemoveParticipant(Bob, Alice, Now));
        // A non-owner learns nothing about who is in the group: removing an outsider is forbidden too.
        ThenBroken(DomainError.Forbidden, () => Given(start).RemoveParticipant(Bob, Dave, Now));
    }

    [Fact]
    public void Removing_someone_not_in_the_group_changes_nothing()
    {
        var start = GroupChat(Alice, Bob);
        var removed = Given(start).RemoveParticipant(Alice, Bob, Now)!;

        Assert.Null(Given(start, removed).RemoveParticipant(Alice, Bob, Now));
        Assert.Null(Given(start).RemoveParticipant(Alice, Carol, Now));
    }

    [Fact]
    public void Changing_a_group_you_are_not_in_is_not_found()
    {
        var start = GroupChat(Alice, Bob);
        var removed = Given(start).RemoveParticipant(Alice, Bob, Now)!;

        ThenBroken(DomainError.NotFound, () => Given(start).RemoveParticipant(Carol, Bob, Now));
        ThenBroken(DomainError.NotFound, () => Given(start).RemoveParticipant(Carol, Carol, Now));
        ThenBroken(DomainError.NotFound, () => Given(start, removed).RemoveParticipant(Bob, Bob, Now));
        ThenBroken(DomainError.NotFound, () => Given(start, removed).AddParticipants(Bob, [Bob], Now));
    }

    [Fact]
    public void A_direct_conversation_cannot_be_left_or_have_anyone_removed()
    {
        var start = DirectChat(Alice, Bob);

        ThenBroken(DomainError.Invalid, "A direct conversation always has exactly its two users.", () => Given(start).RemoveParticipant(Alice, Alice, Now));
        ThenBroken(DomainError.Invalid, () => Given(start).RemoveParticipant(Alice, Bob, Now));
        ThenBroken(DomainError.Invalid, () => Given(start).RemoveParticipant(Bob, Alice, Now));
    }

    [Fact]
    public void Someone_who_left_or_was_removed_can_no_longer_send_or_read()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var message = Sent(Given(start), Alice);
        var removed = Given(start, message).RemoveParticipant(Alice, Bob, Now)!;
        var left = Given(start, message, removed).RemoveParticipant(Carol, Carol, Now)!;
        var state = Given(start, message, removed, left);

        foreach (var gone in new[] { Bob, Carol })
        {
            ThenBroken(DomainError.NotFound, () => Sent(state, gone));
            ThenBroken(DomainError.NotFound, () => state.MarkRead(gone, message.MessageId, message.Sequence, 0, Now));
        }
        Assert.Equal(5, Sent(state, Alice).Sequence);
    }

    [Fact]
    public void When_the_owner_leaves_the_longest_standing_participant_becomes_owner()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var bobLeft = Given(start).RemoveParticipant(Bob, Bob, Now)!;
        var bobBack = Given(start, bobLeft).AddParticipants(Carol, [Bob, Dave], Now);
        IConversationEvent[] history = [start, bobLeft, .. bobBack];
        var aliceLeft = Given(history).RemoveParticipant(Alice, Alice, Now)!;

        var state = Given([.. history, aliceLeft]);

        // Bob was in the group before Carol, but left; his time counts from when he came back.
        Assert.Equal(Carol, state.OwnerId);
        Assert.Equal(new ParticipantRemoved(start.ConversationId, Dave, Carol, Now), state.RemoveParticipant(Carol, Dave, Now));
        ThenBroken(DomainError.Forbidden, () => state.RemoveParticipant(Bob, Dave, Now));
    }

    [Fact]
    public void A_group_whose_last_participant_leaves_has_nobody_in_it()
    {
        var start = GroupChat(Alice, Bob);
        var aliceLeft = Given(start).RemoveParticipant(Alice, Alice, Now)!;
        var bobLeft = Given(start, aliceLeft).RemoveParticipant(Bob, Bob, Now)!;

        var state = Given(start, aliceLeft, bobLeft);

        Assert.Empty(state.Participants);
        Assert.Equal(Guid.Empty, state.OwnerId);
        ThenBroken(DomainError.NotFound, () => state.AddParticipants(Bob, [Alice], Now));
    }
}
