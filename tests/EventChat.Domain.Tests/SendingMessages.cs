using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

public sealed class SendingMessages : ConversationSpec
{
    [Fact]
    public void A_message_is_numbered_after_the_last_event_of_the_stream()
    {
        var chat = Given(DirectChat(Alice, Bob));
        var first = Sent(chat, Alice);
        var second = Sent(Given(DirectChat(Alice, Bob), first), Bob, "hello back");

        Assert.Equal(2, first.Sequence);
        Assert.Equal(3, second.Sequence);
        Assert.Equal(Bob, second.SenderId);
        Assert.Equal("hello back", second.Content);
        Assert.Equal(chat.Id, second.ConversationId);
    }

    [Fact]
    public void Reads_share_the_stream_so_they_advance_the_sequence_too()
    {
        var start = DirectChat(Alice, Bob);
        var first = Sent(Given(start), Alice);
        var read = Given(start, first).MarkRead(Bob, first.MessageId, first.Sequence, 0, Now)!;

        Assert.Equal(4, Sent(Given(start, first, read), Alice).Sequence);
    }

    [Fact]
    public void Sending_to_a_conversation_you_are_not_in_is_not_found() =>
        ThenBroken(DomainError.NotFound, () => Sent(Given(DirectChat(Alice, Bob)), Carol));

    [Theory]
    [InlineData("system")]
    [InlineData("sticker")]
    public void Only_user_message_types_can_be_sent(string type) =>
        ThenBroken(DomainError.Invalid, () => Given(DirectChat(Alice, Bob)).Send(Guid.CreateVersion7(), Alice, "x", type, null, Now));
}
