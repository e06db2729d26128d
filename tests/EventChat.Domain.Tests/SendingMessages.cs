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

    // A message's sequence is its version in the stream, so every event of the stream must count, not only messages.
    [Fact]
    public void Every_kind_of_event_advances_the_sequence_the_next_message_gets()
    {
        var start = GroupChat(Alice, Bob, Carol);
        var sent = Sent(Given(start), Alice, "helo");
        var facts = new MessageFacts(sent.MessageId, start.ConversationId, Alice, "helo", false, sent.Sequence);
        var edited = Given(start, sent).Edit(Alice, facts, "hello", Now)!;
        var read = Given(start, sent, edited).MarkRead(Bob, sent.MessageId, sent.Sequence, 0, Now)!;
        IConversationEvent[] history = [start, sent, edited, read, .. Given(start, sent, edited, read).AddParticipants(Alice, [Dave], Now)];
        history = [.. history, Given(history).RemoveParticipant(Alice, Dave, Now)!];
        history = [.. history, Given(history).RemoveParticipant(Carol, Carol, Now)!];
        history = [.. history, Given(history).Delete(Alice, actorModerates: false, facts, Now)!];
        history = [.. history, .. Given(history).EraseContent(Dave, actorIsAdmin: true, Now)];

        Assert.Equal(10, Sent(Given(history), Alice).Sequence);
        var direct = DirectChat(Alice, Bob);
        Assert.Equal(3, Sent(Given([direct, .. Given(direct).EraseContent(Alice, actorIsAdmin: false, Now)]), Alice).Sequence);
    }

    [Theory]
    [InlineData("system")]
    [InlineData("sticker")]
    public void Only_user_message_types_can_be_sent(string type) =>
        ThenBroken(DomainError.Invalid, $"Message type '{type}' cannot be sent.",
            () => Given(DirectChat(Alice, Bob)).Send(Guid.CreateVersion7(), Alice, "x", type, null, Now));

    [Fact]
    public void A_user_sends_text_image_file_audio_or_video()
    {
        Assert.Equal(["text", "image", "file", "audio", "video"], MessageTypes.Sendable);
        Assert.All(MessageTypes.Sendable, type => Assert.True(MessageTypes.IsSendable(type)));
        Assert.Equal(["audio", "file", "image", "system", "text", "video"], MessageTypes.All.Order());
    }

    [Fact]
    public void A_message_without_a_type_is_text_or_a_file_when_it_carries_attachments()
    {
        Assert.Equal("text", MessageTypes.DefaultFor(Array.Empty<MessageAttachment>()));
        Assert.Equal("file", MessageTypes.DefaultFor([new MessageAttachment(Guid.CreateVersion7(), "a.pdf", "application/pdf", 10)]));
    }

    [Fact]
    public void An_empty_list_of_attachments_is_a_message_without_any()
    {
        var sent = Given(DirectChat(Alice, Bob)).Send(Guid.CreateVersion7(), Alice, "hi", MessageTypes.Text, null, Now, attachments: []);

        Assert.Null(sent.Attachments);
    }

    [Fact]
    public void Sending_to_a_conversation_you_are_not_in_says_it_was_not_found() =>
        ThenBroken(DomainError.NotFound, "Conversation was not found.", () => Sent(Given(GroupChat(Alice, Bob)), Carol));
}
