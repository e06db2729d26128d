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

    [Fact]
    public void A_direct_conversation_with_yourself_is_invalid() =>
        ThenBroken(DomainError.Invalid, () => Conversation.StartDirect(Alice, Alice, Now));

    [Fact]
    public void A_group_includes_its_creator_once_and_drops_repeats()
    {
        var started = Conversation.StartGroup(Guid.CreateVersion7(), Alice, [Bob, Alice, Carol, Bob], "  Team  ", Now);

        Assert.Equal([Alice, Bob, Carol], started.ParticipantIds);
        Assert.Equal("Team", started.Title);
    }

    [Fact]
    public void A_group_of_one_is_invalid() =>
        ThenBroken(DomainError.Invalid, () => Conversation.StartGroup(Guid.CreateVersion7(), Alice, [Alice], null, Now));
}
