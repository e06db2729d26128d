using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;
using static EventChat.IntegrationTests.Sync;

namespace EventChat.IntegrationTests;

public sealed class MessageLifecycle
{
    [Fact]
    public async Task Racing_sends_with_one_client_message_id_store_one_message_and_push_it_once()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = (await SendTyped(alice, new { receiverId = bob.Id, content = "hi" })).Message.ConversationId;
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var body = new { conversationId, content = "only once", clientMessageId = "c-42" };

        var answers = await Task.WhenAll(aliceTab.Invoke("sendMessage", body), Send(alice, body), aliceTab.Invoke("sendMessage", body));
        var afterLostResponse = await Send(alice, body);

        var stored = answers.Append(afterLostResponse).Select(a => a.As<MessageDelivery>().Message).ToList();
        Assert.Single(stored.Select(m => m.Id).Distinct());
        Assert.Single(stored.Select(m => m.Sequence).Distinct());
        Assert.Equal(["hi", "only once"], Contents(await History(bob, conversationId)));
        // Pushes to one connection arrive in the order they were sent: once the later message's last push is in, any
        // copy of the first would be too. So these are every push of the two messages, each exactly once.
        await Send(alice, new { conversationId, content = "later" });
        await bobTab.Next("receiveMessage", m => ContentOf(m) == "later");
        await aliceTab.Next("messageSent", m => ContentOf(m) == "later");
        Assert.Equal(["only once", "later"], bobTab.All("newMessage").Select(ContentOf));
        Assert.Equal(["only once", "later"], bobTab.All("receiveMessage").Select(ContentOf));
        Assert.Equal(["only once", "later"], aliceTab.All("messageSent").Select(ContentOf));
        Assert.Empty(aliceTab.All("newMessage"));
    }

    [Fact]
    public async Task A_client_message_id_names_one_message_of_one_sender_in_one_conversation_and_a_retry_answers_it_as_it_is_now()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var group = await alice.CreateGroup(bob, carol);
        var carolTab = await carol.OpenTab();
        object Retry(string content) => new { conversationId = group, content, clientMessageId = "c-1" };
        var sent = await alice.Http.PostAsJsonAsync("/api/chat/messages", Retry("first"));
        var firstId = (await sent.Read<MessageDelivery>()).Message.Id;

        // Another sender in the same conversation, and the same sender in another conversation: new messages.
        var bobs = (await SendTyped(bob, Retry("bob's own"))).Message;
        var elsewhere = (await SendTyped(alice, new { receiverId = carol.Id, content = "elsewhere", clientMessageId = "c-1" })).Message;
        // A retry carrying other content: the first message wins, with the first answer's Location.
        var retried = await alice.Http.PostAsJsonAsync("/api/chat/messages", Retry("different"));
        var retriedMessage = (await retried.Read<MessageDelivery>()).Message;
        // After an edit, and after a delete: the first message as it is now.
        await alice.Client.EditMessageAsync(firstId, "first, edited");
        var afterEdit = (await SendTyped(alice, Retry("different"))).Message;
        await alice.Client.DeleteMessageAsync(firstId);
        var afterDelete = (await SendTyped(alice, Retry("different"))).Message;
        var stored = await History(carol, group);
        // After leaving: the conversation is not the sender's any more.
        await alice.Client.RemoveParticipantAsync(group, alice.Id);
        var afterLeaving = await alice.Http.PostAsJsonAsync("/api/chat/messages", Retry("different"));

        Assert.Equal((bob.Id, "bob's own"), (bobs.SenderId, bobs.Content));
        Assert.NotEqual(firstId, bobs.Id);
        Assert.NotEqual(group, elsewhere.ConversationId);
        Assert.Equal("elsewhere", elsewhere.Content);
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(sent.Headers.Location, retried.Headers.Location);
        Assert.Equal((firstId, "first"), (retriedMessage.Id, retriedMessage.Content));
        Assert.Equal((firstId, "first, edited"), (afterEdit.Id, afterEdit.Content));
        Assert.NotNull(afterEdit.EditedAt);
        Assert.Equal((firstId, ""), (afterDelete.Id, afterDelete.Content));
        Assert.NotNull(afterDelete.DeletedAt);
        Assert.Equal(["", "bob's own"], Contents(stored));
        Assert.Equal(HttpStatusCode.NotFound, afterLeaving.StatusCode);
        Assert.Equal(["", "bob's own"], Contents(await History(carol, group)));
        // Carol heard each new message once and no retry: the last push is in, so every earlier one is too.
        await Send(bob, new { conversationId = group, content = "last" });
        await carolTab.Next("receiveMessage", m => ContentOf(m) == "last");
        Assert.Equal(["first", "bob's own", "elsewhere", "last"], carolTab.All("newMessage").Select(ContentOf));
    }

    [Fact]
    public async Task An_edit_carries_the_time_of_its_event_in_the_answer_the_push_the_history_the_list_and_sync()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (id, conversationId, _) = await SendTo(alice, bob, "helo");
        var bobTab = await bob.OpenTab();

        var answer = await alice.Client.EditMessageAsync(id, "hello");

        // The audit trail shows the event as stored: its editedAt is the edit's time, which every copy must repeat.
        var recorded = (await bob.Get($"/api/chat/conversations/{conversationId}/events")).GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "MessageEdited").GetProperty("data").GetProperty("editedAt").GetDateTimeOffset();
        var (synced, _) = await SyncAll(bob);
        Assert.Equal(recorded, answer.EditedAt);
        Assert.Equal(recorded, (await bobTab.Next<ChangedMessage>("messageEdited")).Message.EditedAt);
        Assert.Equal(recorded, Assert.Single(await History(bob, conversationId)).EditedAt);
        Assert.Equal(recorded, (await bob.Client.ConversationAsync(conversationId)).LastMessage?.EditedAt);
        Assert.Equal(recorded, synced.Select(i => i.As<SyncItem>()).Single(i => i.Type == "MessageEdited").Message?.EditedAt);
    }

    [Fact]
    public async Task An_edit_shows_in_the_push_the_history_and_the_messages_and_keeps_earlier_versions()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (id, conversationId, _) = await SendTo(alice, bob, "helo wrld");
        var bobTab = await bob.OpenTab();

        var edited = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "hello world" });

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var pushed = (await bobTab.Next<ChangedMessage>("messageEdited")).Message;
        Assert.Equal("hello world", pushed.Content);
        Assert.True(pushed.EditedAt > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("hello world", (await History(bob, conversationId))[0].Content);
        Assert.Equal("hello world", (await bob.Client.ConversationAsync(conversationId)).LastMessage?.Content);
        var versions = await bob.Client.MessageVersionsAsync(id);
        Assert.Equal(["helo wrld", "hello world"], versions.Items.Select(v => v.Content));
    }

    [Fact]
    public async Task Editing_or_deleting_someone_elses_message_is_forbidden_and_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var (id, conversationId, _) = await SendTo(alice, bob, "mine");

        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "yours" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.DeleteAsync($"/api/chat/messages/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.DeleteAsync($"/api/chat/messages/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.GetAsync($"/api/chat/messages/{id}/versions")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = " " })).StatusCode);

        var message = Assert.Single(await alice.Messages(conversationId));
        Assert.Equal("mine", message.GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, message.GetProperty("editedAt").ValueKind);
    }

    [Fact]
    public async Task Editing_a_deleted_message_is_a_conflict_and_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (id, conversationId, _) = await SendTo(alice, bob, "soon gone");
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{id}")).StatusCode);
        var events = (await alice.Get($"/api/chat/conversations/{conversationId}/events")).GetProperty("items").GetArrayLength();

        var edit = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "back again" });

        Assert.Equal(HttpStatusCode.Conflict, edit.StatusCode);
        var problem = await edit.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("conflict", "A deleted message cannot be edited."), (problem.GetProperty("code").GetString(), problem.GetProperty("detail").GetString()));
        Assert.Equal(events, (await alice.Get($"/api/chat/conversations/{conversationId}/events")).GetProperty("items").GetArrayLength());
        var tombstone = Assert.Single(await bob.Messages(conversationId));
        Assert.Equal(("", JsonValueKind.Null), (tombstone.GetProperty("content").GetString(), tombstone.GetProperty("editedAt").ValueKind));
        // Someone else's deleted message is theirs before it is deleted: 403, as the order of the checks says.
        Assert.Equal(HttpStatusCode.Forbidden, (await bob.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "mine now" })).StatusCode);
    }

    [Fact]
    public async Task A_deleted_message_leaves_a_tombstone_without_its_text_and_stops_counting_as_unread()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (_, conversationId, _) = await SendTo(alice, bob, "keep");
        var doomed = (await SendTyped(alice, new { conversationId, content = "regret" })).Message.Id;
        var bobTab = await bob.OpenTab();
        Assert.Equal(2, (await bob.Client.ConversationAsync(conversationId)).UnreadCount);

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);

        var pushed = (await bobTab.Next<ChangedMessage>("messageDeleted")).Message;
        Assert.Equal(doomed, pushed.Id);
        Assert.Equal("", pushed.Content);
        var tombstone = (await History(bob, conversationId))[1];
        Assert.Equal("", tombstone.Content);
        Assert.NotNull(tombstone.DeletedAt);
        Assert.Empty((await bob.Client.MessageVersionsAsync(doomed)).Items);
        Assert.Equal(1, (await bob.Client.ConversationAsync(conversationId)).UnreadCount);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);
    }

    [Fact]
    public async Task A_moderator_may_delete_any_message()
    {
        var server = await EventChatServer.Instance;
        var moderator = await server.Moderator;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (id, conversationId, _) = await SendTo(alice, bob, "reported");

        var deleted = await moderator.Http.DeleteAsync($"/api/chat/messages/{id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("", (await History(bob, conversationId))[0].Content);
    }

    [Fact]
    public async Task A_reply_shows_what_it_answers_and_follows_the_originals_deletion()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var (originalId, conversationId, _) = await SendTo(alice, bob, "Shall we meet at noon?");
        var aliceTab = await alice.OpenTab();

        var reply = (await SendTyped(bob, new { conversationId, content = "Yes!", replyToId = originalId })).Message;

        Assert.Equal(new ReplyPreview(originalId, alice.Id, "Shall we meet at noon?"), reply.ReplyTo);
        Assert.Equal(originalId, (await aliceTab.Next<MessageDelivery>("newMessage")).Message.ReplyTo?.Id);
        await alice.Client.DeleteMessageAsync(originalId);
        Assert.Equal(new ReplyPreview(originalId, alice.Id, null), (await alice.Messages(conversationId))[1].As<Message>().ReplyTo);

        var (_, elsewhere, _) = await SendTo(alice, carol, "hi");
        var crossReply = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId = elsewhere, content = "re", replyToId = originalId });
        Assert.Equal(HttpStatusCode.BadRequest, crossReply.StatusCode);
    }

    /// <summary>A first message from <paramref name="sender"/> to <paramref name="receiver"/> (over REST): its id, conversation and sequence.</summary>
    private static async Task<(Guid Id, Guid ConversationId, long Sequence)> SendTo(TestUser sender, TestUser receiver, string content)
    {
        var message = (await SendTyped(sender, new { receiverId = receiver.Id, content })).Message;
        return (message.Id, message.ConversationId, message.Sequence);
    }

    /// <summary>A conversation's history as <paramref name="reader"/> pages it (up to 200 messages, oldest first).</summary>
    private static async Task<IReadOnlyList<Message>> History(TestUser reader, Guid conversationId) =>
        (await reader.Client.MessagesAsync(conversationId, limit: 200)).Items;

    private static string[] Contents(IEnumerable<Message> messages) => [.. messages.Select(m => m.Content)];

    /// <summary>The <c>messageEdited</c> and <c>messageDeleted</c> payload.</summary>
    private sealed record ChangedMessage(Message Message);
}
