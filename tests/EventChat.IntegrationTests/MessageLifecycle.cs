using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var body = new { conversationId, content = "only once", clientMessageId = "c-42" };

        var answers = await Task.WhenAll(aliceTab.Invoke("sendMessage", body), Send(alice, body), aliceTab.Invoke("sendMessage", body));
        var afterLostResponse = await Send(alice, body);

        var ids = answers.Append(afterLostResponse).Select(a => a.GetProperty("message").GetProperty("id").GetGuid()).Distinct();
        var sequences = answers.Append(afterLostResponse).Select(a => a.GetProperty("message").GetProperty("sequence").GetInt64()).Distinct();
        Assert.Single(ids);
        Assert.Single(sequences);
        Assert.Equal(["hi", "only once"], (await bob.Messages(conversationId)).Select(m => m.GetProperty("content").GetString()));
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
        var firstId = (await sent.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message").GetProperty("id").GetGuid();

        // Another sender in the same conversation, and the same sender in another conversation: new messages.
        var bobs = (await Send(bob, Retry("bob's own"))).GetProperty("message");
        var elsewhere = (await Send(alice, new { receiverId = carol.Id, content = "elsewhere", clientMessageId = "c-1" })).GetProperty("message");
        // A retry carrying other content: the first message wins, with the first answer's Location.
        var retried = await alice.Http.PostAsJsonAsync("/api/chat/messages", Retry("different"));
        var retriedMessage = (await retried.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("message");
        // After an edit, and after a delete: the first message as it is now.
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{firstId}", new { content = "first, edited" });
        var afterEdit = (await Send(alice, Retry("different"))).GetProperty("message");
        await alice.Http.DeleteAsync($"/api/chat/messages/{firstId}");
        var afterDelete = (await Send(alice, Retry("different"))).GetProperty("message");
        var stored = await carol.Messages(group);
        // After leaving: the conversation is not the sender's any more.
        await alice.Http.DeleteAsync($"/api/chat/conversations/{group}/participants/{alice.Id}");
        var afterLeaving = await alice.Http.PostAsJsonAsync("/api/chat/messages", Retry("different"));

        Assert.Equal((bob.Id, "bob's own"), (bobs.GetProperty("senderId").GetGuid(), bobs.GetProperty("content").GetString()!));
        Assert.NotEqual(firstId, bobs.GetProperty("id").GetGuid());
        Assert.NotEqual(group, elsewhere.GetProperty("conversationId").GetGuid());
        Assert.Equal("elsewhere", elsewhere.GetProperty("content").GetString());
        Assert.Equal(HttpStatusCode.Created, retried.StatusCode);
        Assert.Equal(sent.Headers.Location, retried.Headers.Location);
        Assert.Equal((firstId, "first"), (retriedMessage.GetProperty("id").GetGuid(), retriedMessage.GetProperty("content").GetString()!));
        Assert.Equal((firstId, "first, edited"), (afterEdit.GetProperty("id").GetGuid(), afterEdit.GetProperty("content").GetString()!));
        Assert.NotEqual(JsonValueKind.Null, afterEdit.GetProperty("editedAt").ValueKind);
        Assert.Equal((firstId, ""), (afterDelete.GetProperty("id").GetGuid(), afterDelete.GetProperty("content").GetString()!));
        Assert.NotEqual(JsonValueKind.Null, afterDelete.GetProperty("deletedAt").ValueKind);
        Assert.Equal(["", "bob's own"], stored.Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, afterLeaving.StatusCode);
        Assert.Equal(["", "bob's own"], (await carol.Messages(group)).Select(m => m.GetProperty("content").GetString()));
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
        var sent = await Send(alice, new { receiverId = bob.Id, content = "helo" });
        var (id, conversationId) = (sent.GetProperty("message").GetProperty("id").GetGuid(), ConversationId(sent));
        var bobTab = await bob.OpenTab();

        var answer = await (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "hello" })).Content.ReadFromJsonAsync<JsonElement>();

        // The audit trail shows the event as stored: its editedAt is the edit's time, which every copy must repeat.
        var recorded = (await bob.Get($"/api/chat/conversations/{conversationId}/events")).GetProperty("items").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "MessageEdited").GetProperty("data").GetProperty("editedAt").GetDateTimeOffset();
        var (synced, _) = await SyncAll(bob);
        Assert.Equal(recorded, EditedAt(answer));
        Assert.Equal(recorded, EditedAt((await bobTab.Next("messageEdited")).GetProperty("message")));
        Assert.Equal(recorded, EditedAt((await bob.Messages(conversationId)).Single()));
        Assert.Equal(recorded, EditedAt((await bob.Conversation(conversationId)).GetProperty("lastMessage")));
        Assert.Equal(recorded, EditedAt(synced.Single(i => Sync.Type(i) == "MessageEdited").GetProperty("message")));
    }

    private static DateTimeOffset EditedAt(JsonElement message) => message.GetProperty("editedAt").GetDateTimeOffset();

    [Fact]
    public async Task An_edit_shows_in_the_push_the_history_and_the_messages_and_keeps_earlier_versions()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = await Send(alice, new { receiverId = bob.Id, content = "helo wrld" });
        var (id, conversationId) = (sent.GetProperty("message").GetProperty("id").GetGuid(), ConversationId(sent));
        var bobTab = await bob.OpenTab();

        var edited = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{id}", new { content = "hello world" });

        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var pushed = (await bobTab.Next("messageEdited")).GetProperty("message");
        Assert.Equal("hello world", pushed.GetProperty("content").GetString());
        Assert.True(pushed.GetProperty("editedAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        Assert.Equal("hello world", (await bob.Messages(conversationId))[0].GetProperty("content").GetString());
        Assert.Equal("hello world", (await bob.Conversation(conversationId)).GetProperty("lastMessage").GetProperty("content").GetString());
        var versions = await bob.Get($"/api/chat/messages/{id}/versions");
        Assert.Equal(["helo wrld", "hello world"], versions.GetProperty("items").EnumerateArray().Select(v => v.GetProperty("content").GetString()));
    }

    [Fact]
    public async Task Editing_or_deleting_someone_elses_message_is_forbidden_and_changes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var sent = await Send(alice, new { receiverId = bob.Id, content = "mine" });
        var (id, conversationId) = (sent.GetProperty("message").GetProperty("id").GetGuid(), ConversationId(sent));

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
    public async Task A_deleted_message_leaves_a_tombstone_without_its_text_and_stops_counting_as_unread()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var first = await Send(alice, new { receiverId = bob.Id, content = "keep" });
        var conversationId = ConversationId(first);
        var doomed = (await Send(alice, new { conversationId, content = "regret" })).GetProperty("message").GetProperty("id").GetGuid();
        var bobTab = await bob.OpenTab();
        Assert.Equal(2, (await bob.Conversation(conversationId)).GetProperty("unreadCount").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);

        var pushed = (await bobTab.Next("messageDeleted")).GetProperty("message");
        Assert.Equal(doomed, pushed.GetProperty("id").GetGuid());
        Assert.Equal("", pushed.GetProperty("content").GetString());
        var tombstone = (await bob.Messages(conversationId))[1];
        Assert.Equal("", tombstone.GetProperty("content").GetString());
        Assert.NotEqual(JsonValueKind.Null, tombstone.GetProperty("deletedAt").ValueKind);
        Assert.Empty((await bob.Get($"/api/chat/messages/{doomed}/versions")).GetProperty("items").EnumerateArray());
        Assert.Equal(1, (await bob.Conversation(conversationId)).GetProperty("unreadCount").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);
    }

    [Fact]
    public async Task A_moderator_may_delete_any_message()
    {
        var server = await EventChatServer.Instance;
        var moderator = await server.Moderator;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = await Send(alice, new { receiverId = bob.Id, content = "reported" });

        var deleted = await moderator.Http.DeleteAsync($"/api/chat/messages/{sent.GetProperty("message").GetProperty("id").GetGuid()}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal("", (await bob.Messages(ConversationId(sent)))[0].GetProperty("content").GetString());
    }

    [Fact]
    public async Task A_reply_shows_what_it_answers_and_follows_the_originals_deletion()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var original = await Send(alice, new { receiverId = bob.Id, content = "Shall we meet at noon?" });
        var (originalId, conversationId) = (original.GetProperty("message").GetProperty("id").GetGuid(), ConversationId(original));
        var aliceTab = await alice.OpenTab();

        var reply = await Send(bob, new { conversationId, content = "Yes!", replyToId = originalId });

        var replyTo = reply.GetProperty("message").GetProperty("replyTo");
        Assert.Equal(originalId, replyTo.GetProperty("id").GetGuid());
        Assert.Equal(alice.Id, replyTo.GetProperty("senderId").GetGuid());
        Assert.Equal("Shall we meet at noon?", replyTo.GetProperty("excerpt").GetString());
        Assert.Equal(originalId, (await aliceTab.Next("newMessage")).GetProperty("message").GetProperty("replyTo").GetProperty("id").GetGuid());
        await alice.Http.DeleteAsync($"/api/chat/messages/{originalId}");
        Assert.Equal(JsonValueKind.Null, (await alice.Messages(conversationId))[1].GetProperty("replyTo").GetProperty("excerpt").ValueKind);

        var elsewhere = ConversationId(await Send(alice, new { receiverId = carol.Id, content = "hi" }));
        var crossReply = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId = elsewhere, content = "re", replyToId = originalId });
        Assert.Equal(HttpStatusCode.BadRequest, crossReply.StatusCode);
    }
}
