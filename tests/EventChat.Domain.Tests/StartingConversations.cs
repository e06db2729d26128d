using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

public sealed class StartingConversations : ConversationSpec
{
    [Fact]
    public void A_direct_conversation_has_the_same_id_whoever_starts_it()
    {
        Assert.Equal(DirectChat(Alice, Bob).ConversationId, DirectChat(Bob, Alice).ConversationId);
        Assert.NotEqual(DirectChat(Alice, Bob).ConversationId, DirectChat(Alice, Carol).ConversationId);
    }

    [Fact]
    public void Starting_a_direct_conversation_names_both_users()
    {
        var started = DirectChat(Alice, Bob);

        Assert.Equal(ConversationKind.Direct, started.Kind);
        Assert.Equal([Alice, Bob], started.ParticipantIds);
        Assert.Equal(Alice, started.StartedBy);
    }

    // The id is the stream's key: a change would strand every existing direct conversation in a stream nobody finds.
    [Fact]
    public void A_direct_conversation_id_is_a_version_8_uuid_that_stays_the_same_across_releases()
    {
        var id = DirectChat(Alice, Bob).ConversationId;

        Assert.Equal(Guid.Parse("dfb7970c-71a4-8348-8295-4047521615e0"), id);
        Assert.Equal(8, id.Version);
        Assert.InRange(id.Variant, 0x8, 0xB); // RFC 9562's variant: the top bits of byte 8 are 10
    }

    [Fact]
    public void A_direct_conversation_with_yourself_is_invalid() =>
        ThenBroken(DomainError.Invalid, "You cannot start a conversation with yourself.", () => Conversation.StartDirect(Alice, Alice, Now));

    [Fact]
    public void A_group_includes_its_creator_once_and_drops_repeats()
    {
        var started = Conversation.StartGroup(Guid.CreateVersion7(), Alice, [Bob, Alice, Carol, Bob], "  Team  ", Now);

        Assert.Equal([Alice, Bob, Carol], started.ParticipantIds);
        Assert.Equal("Team", started.Title);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void A_group_without_a_title_has_none(string? title) =>
        Assert.Null(Conversation.StartGroup(Guid.CreateVersion7(), Alice, [Bob], title, Now).Title);

    [Fact]
    public void A_group_of_one_is_invalid() =>
        ThenBroken(DomainError.Invalid, "A group needs at least one participant besides you.",
            () => Conversation.StartGroup(Guid.CreateVersion7(), Alice, [Alice], null, Now));

    [Fact]
    public void A_group_starts_with_at_most_the_participant_limit()
    {
        Guid[] others = [.. Enumerable.Range(0, Conversation.MaxParticipants).Select(_ => Guid.CreateVersion7())];

        Assert.Equal(Conversation.MaxParticipants, Conversation.StartGroup(Guid.CreateVersion7(), Alice, others[1..], null, Now).ParticipantIds.Count);
        ThenBroken(DomainError.Invalid, "A group has at most 1000 participants.", () => Conversation.StartGroup(Guid.CreateVersion7(), Alice, others, null, Now));
    }

    [Fact]
    public void Only_a_groups_creator_owns_it_and_a_direct_conversation_has_no_owner()
    {
        var group = Given(GroupChat(Alice, Bob));
        var direct = Given(DirectChat(Alice, Bob));

        Assert.Equal((true, false), (group.IsOwnedBy(Alice), group.IsOwnedBy(Bob)));
        Assert.Equal((false, false), (direct.IsOwnedBy(Alice), direct.IsOwnedBy(Bob)));
    }
}
