using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

public sealed class ReadingMessages : ConversationSpec
{
    [Fact]
    public void Reading_a_message_marks_everything_up_to_it()
    {
        var start = DirectChat(Alice, Bob);
        var message = Sent(Given(start), Alice);

        var read = Given(start, message).MarkRead(Bob, message.MessageId, message.Sequence, 0, Now);

        Assert.Equal(new MessagesMarkedRead(start.ConversationId, Bob, message.MessageId, message.Sequence, Now), read);
    }

    [Fact]
    public void Reading_again_or_reading_further_back_changes_nothing()
    {
        var start = DirectChat(Alice, Bob);
        var first = Sent(Given(start), Alice);
        var second = Sent(Given(start, first), Alice);
        var read = Given(start, first, second).MarkRead(Bob, second.MessageId, second.Sequence, 0, Now)!;
        var state = Given(start, first, second, read);

        Assert.Null(state.MarkRead(Bob, second.MessageId, second.Sequence, 0, Now));
        Assert.Null(state.MarkRead(Bob, first.MessageId, first.Sequence, 0, Now));
    }

    [Fact]
    public void Reading_in_a_conversation_you_are_not_in_is_not_found()
    {
        var start = DirectChat(Alice, Bob);
        var message = Sent(Given(start), Alice);

        ThenBroken(DomainError.NotFound, () => Given(start, message).MarkRead(Carol, message.MessageId, message.Sequence, 0, Now));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(0)]
    [InlineData(-1)]
    public void Reading_a_sequence_outside_the_stream_is_not_found(long sequence)
    {
        var start = DirectChat(Alice, Bob);
        var state = Given(start, Sent(Given(start), Alice));

        ThenBroken(DomainError.NotFound, "Message was not found.", () => state.MarkRead(Bob, Guid.CreateVersion7(), sequence, 0, Now));
    }
}
