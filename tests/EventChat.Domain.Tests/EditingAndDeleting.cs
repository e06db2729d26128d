using EventChat.Domain.Conversations;

namespace EventChat.Domain.Tests;

public sealed class EditingAndDeleting : ConversationSpec
{
    private static MessageFacts Facts(MessageSent sent, bool deleted = false) =>
        new(sent.MessageId, sent.ConversationId, sent.SenderId, sent.Content, deleted);

    [Fact]
    public void The_sender_edits_a_message_numbered_after_the_stream()
    {
        var start = DirectChat(Alice, Bob);
        var sent = Sent(Given(start), Alice, "helo");

        var edited = Given(start, sent).Edit(Alice, Facts(sent), "hello", Now);

        Assert.Equal(new MessageEdited(start.ConversationId, sent.MessageId, Alice, "hello", 3, Now), edited);
    }

    [Fact]
    public void Editing_to_the_same_text_changes_nothing()
    {
        var start = DirectChat(Alice, Bob);
        var sent = Sent(Given(start), Alice, "hello");

        Assert.Null(Given(start, sent).Edit(Alice, Facts(sent), "hello", Now));
    }

    [Fact]
    public void Only_the_sender_may_edit_and_a_deleted_message_cannot_be()
    {
        var start = DirectChat(Alice, Bob);
        var sent = Sent(Given(start), Alice);
        var state = Given(start, sent);

        ThenBroken(DomainError.Forbidden, "You can only edit your own messages.", () => state.Edit(Bob, Facts(sent), "mine now", Now));
        ThenBroken(DomainError.NotFound, "Message was not found.", () => state.Edit(Carol, Facts(sent), "who am I", Now));
        ThenBroken(DomainError.Conflict, "A deleted message cannot be edited.", () => state.Edit(Alice, Facts(sent, deleted: true), "back", Now));
    }

    [Fact]
    public void A_message_of_another_conversation_is_not_found_here_even_for_its_sender()
    {
        var elsewhere = Sent(Given(DirectChat(Alice, Carol)), Alice);
        var state = Given(DirectChat(Alice, Bob));

        ThenBroken(DomainError.NotFound, "Message was not found.", () => state.Edit(Alice, Facts(elsewhere), "moved", Now));
        ThenBroken(DomainError.NotFound, "Message was not found.", () => state.Delete(Alice, actorModerates: false, Facts(elsewhere), Now));
    }

    [Fact]
    public void A_delete_records_whose_message_it_was_and_where_it_stood_so_unread_counts_can_follow()
    {
        var start = GroupChat(Alice, Bob);
        var sent = Sent(Given(start), Bob);
        var facts = new MessageFacts(sent.MessageId, start.ConversationId, Bob, sent.Content, false, sent.Sequence);

        var deleted = Given(start, sent).Delete(Carol, actorModerates: true, facts, Now);

        Assert.Equal(new MessageDeleted(start.ConversationId, sent.MessageId, Carol, 3, Now, Bob, sent.Sequence), deleted);
    }

    [Fact]
    public void The_sender_or_a_moderator_deletes_and_deleting_again_changes_nothing()
    {
        var start = DirectChat(Alice, Bob);
        var sent = Sent(Given(start), Alice);
        var state = Given(start, sent);

        Assert.Equal(Alice, state.Delete(Alice, actorModerates: false, Facts(sent), Now)!.DeletedBy);
        Assert.Equal(Carol, state.Delete(Carol, actorModerates: true, Facts(sent), Now)!.DeletedBy);
        ThenBroken(DomainError.Forbidden, "You can only delete your own messages.", () => state.Delete(Bob, actorModerates: false, Facts(sent), Now));
        ThenBroken(DomainError.NotFound, () => state.Delete(Carol, actorModerates: false, Facts(sent), Now));
        Assert.Null(state.Delete(Alice, actorModerates: false, Facts(sent, deleted: true), Now));
    }

    [Fact]
    public void A_reply_names_a_message_of_the_same_conversation()
    {
        var start = DirectChat(Alice, Bob);
        var original = Sent(Given(start), Alice);
        var elsewhere = Sent(Given(DirectChat(Alice, Carol)), Alice);
        var state = Given(start, original);

        var reply = state.Send(Guid.CreateVersion7(), Bob, "re", MessageTypes.Text, null, Now, original.MessageId, Facts(original));

        Assert.Equal(original.MessageId, reply.ReplyToId);
        ThenBroken(DomainError.Invalid, "You can only reply to a message of the same conversation.",
            () => state.Send(Guid.CreateVersion7(), Bob, "re", MessageTypes.Text, null, Now, elsewhere.MessageId, Facts(elsewhere)));
        ThenBroken(DomainError.Invalid, () => state.Send(Guid.CreateVersion7(), Bob, "re", MessageTypes.Text, null, Now, Guid.CreateVersion7(), replyTarget: null));
    }

    [Fact]
    public void Attachments_need_a_file_type()
    {
        MessageAttachment[] files = [new(Guid.CreateVersion7(), "a.png", "image/png", 10)];
        var state = Given(DirectChat(Alice, Bob));

        Assert.Equal(files, state.Send(Guid.CreateVersion7(), Alice, "", "image", null, Now, attachments: files).Attachments);
        ThenBroken(DomainError.Invalid, "A message with attachments has messageType image, file, audio or video.",
            () => state.Send(Guid.CreateVersion7(), Alice, "", MessageTypes.Text, null, Now, attachments: files));
    }
}
