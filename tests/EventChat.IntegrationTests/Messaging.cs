using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

public sealed class Messaging
{
    [Fact]
    public async Task Two_users_chat_both_ways_over_the_hub()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var aliceTab = await alice.OpenTab();
        var bobTab = await bob.OpenTab();

        var result = (await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "Hi Bob" })).As<MessageDelivery>();

        var message = result.Message;
        var conversationId = message.ConversationId;
        Assert.Equal(DeliveryStatus.Sent, result.Status);
        Assert.Equal("Hi Bob", message.Content);
        Assert.Equal(MessageType.Text, message.MessageType);
        Assert.Equal(alice.Id, message.SenderId);
        Assert.Equal(ConversationKind.Direct, result.Conversation.Kind);

        var sent = await aliceTab.Next<MessageDelivery>("messageSent");
        Assert.Equal(message.Id, sent.Message.Id);
        Assert.Equal(DeliveryStatus.Sent, sent.Status);
        var delivered = await bobTab.Next<MessageDelivery>("newMessage");
        Assert.Equal(DeliveryStatus.Delivered, delivered.Status);
        Assert.Equal("Hi Bob", delivered.Message.Content);
        Assert.Equal(1, delivered.Conversation.UnreadCount);
        // receiveMessage is { message, conversation }, not a MessageDelivery.
        var received = await bobTab.Next("receiveMessage");
        Assert.Equal(conversationId, received.GetProperty("conversation").As<Conversation>().Id);

        var reply = (await bobTab.Invoke("sendMessage", new { conversationId, content = "Hi Alice" })).As<MessageDelivery>();

        Assert.True(reply.Message.Sequence > message.Sequence);
        var toAlice = (await aliceTab.Next<MessageDelivery>("newMessage")).Message;
        Assert.Equal("Hi Alice", toAlice.Content);
        Assert.Equal(bob.Id, toAlice.SenderId);
    }

    [Fact]
    public async Task A_push_carries_the_conversation_as_a_read_of_it_shows_it_then()
    {
        // The pushed conversation is computed by the send's batch, not read back: it must agree with a read.
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob, carol);
        var first = (await SendTyped(alice, new { conversationId, content = "one" })).Message;
        await (await bob.OpenTab()).Invoke("messageRead", new { conversationId, messageId = first.Id });
        var carolTab = await carol.OpenTab();

        var second = (await (await alice.OpenTab()).Invoke("sendMessage", new { conversationId, content = "two" })).As<MessageDelivery>();

        // The push and the read agree field for field, byte for byte.
        var pushedJson = (await carolTab.Next("newMessage")).GetProperty("conversation");
        var read = await carol.Conversation(conversationId);
        foreach (var field in new[] { "id", "kind", "title", "participantIds", "createdAt", "lastSequence", "unreadCount", "readUpTo" })
            Assert.Equal(read.GetProperty(field).GetRawText(), pushedJson.GetProperty(field).GetRawText());
        var pushed = pushedJson.As<Conversation>();
        Assert.Equal(second.Message.Id, pushed.LastMessage?.Id);
        Assert.Equal("two", pushed.LastMessage?.Content);
        Assert.Equal(2, pushed.UnreadCount);
        Assert.Equal(first.Sequence, pushed.ReadUpTo[bob.Id]);
        Assert.Equal("two", second.Conversation.LastMessage?.Content);
    }

    [Fact]
    public async Task Every_message_names_the_one_before_it_so_a_client_can_tell_it_missed_none()
    {
        // Sequences have gaps (a read receipt takes a number too), so a client cannot tell a missed message from them.
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var first = (await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "one", clientMessageId = "c1" })).As<MessageDelivery>();
        var conversationId = first.Message.ConversationId;
        await bobTab.Invoke("messageRead", new { conversationId, messageId = first.Message.Id });

        var second = (await aliceTab.Invoke("sendMessage", new { conversationId, content = "two" })).As<MessageDelivery>();
        var third = await SendTyped(alice, new { conversationId, content = "three" });
        var retried = (await aliceTab.Invoke("sendMessage", new { conversationId, content = "two", clientMessageId = "c1" })).As<MessageDelivery>();

        Assert.True(second.Message.Sequence > first.Message.Sequence + 1, "the read receipt took a sequence number");
        Assert.Equal([0, first.Message.Sequence, second.Message.Sequence], new[] { first, second, third }.Select(d => d.PreviousSequence));
        var pushed = await bobTab.Next<MessageDelivery>("newMessage", d => d.Message.Sequence == second.Message.Sequence);
        Assert.Equal(first.Message.Sequence, pushed.PreviousSequence);
        Assert.Equal(first.Message.Sequence, (await aliceTab.Next<MessageDelivery>("messageSent", d => d.Message.Sequence == second.Message.Sequence)).PreviousSequence);
        // A retry answers as the first send did.
        Assert.Equal(first.Message.Sequence, retried.Message.Sequence);
        Assert.Equal(0, retried.PreviousSequence);
    }

    [Fact]
    public async Task A_direct_conversation_is_the_same_whoever_writes_first()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");

        var fromAlice = await SendTyped(alice, new { receiverId = bob.Id, content = "one" });
        var fromBob = await SendTyped(bob, new { receiverId = alice.Id, content = "two" });

        Assert.Equal(fromAlice.Message.ConversationId, fromBob.Message.ConversationId);
        Assert.Single((await alice.Client.ConversationsAsync()).Items);
    }

    [Fact]
    public async Task Every_tab_of_the_sender_and_of_the_receiver_gets_the_message()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (alicePhone, aliceLaptop) = (await alice.OpenTab(), await alice.OpenTab());
        var (bobPhone, bobLaptop) = (await bob.OpenTab(), await bob.OpenTab());

        await alicePhone.Invoke("sendMessage", new { receiverId = bob.Id, content = "everywhere" });

        foreach (var tab in new[] { alicePhone, aliceLaptop })
            Assert.Equal("everywhere", (await tab.Next<MessageDelivery>("messageSent")).Message.Content);
        foreach (var tab in new[] { bobPhone, bobLaptop })
            Assert.Equal("everywhere", (await tab.Next<MessageDelivery>("newMessage")).Message.Content);
    }

    [Fact]
    public async Task A_REST_send_pushes_exactly_as_a_hub_send_does()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var aliceTab = await alice.OpenTab();
        var bobTab = await bob.OpenTab();

        var response = await alice.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = bob.Id, content = "via REST", messageType = "image" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Read<MessageDelivery>();
        Assert.Equal(DeliveryStatus.Sent, body.Status);
        var id = body.Message.Id;
        Assert.Equal(id, (await aliceTab.Next<MessageDelivery>("messageSent")).Message.Id);
        var pushed = (await bobTab.Next<MessageDelivery>("newMessage")).Message;
        Assert.Equal(id, pushed.Id);
        Assert.Equal(MessageType.Image, pushed.MessageType);
        Assert.Equal(id, (await bobTab.Next("receiveMessage")).GetProperty("message").As<Message>().Id);
    }

    [Fact]
    public async Task A_group_conversation_delivers_to_every_participant()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var (bobTab, carolTab) = (await bob.OpenTab(), await carol.OpenTab());

        var created = await alice.Http.PostAsJsonAsync("/api/chat/conversations", new { participantIds = new[] { bob.Id, carol.Id }, title = "Team" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var group = await created.Read<Conversation>();
        Assert.Equal(ConversationKind.Group, group.Kind);
        Assert.Equal("Team", group.Title);
        Assert.Equal(3, group.ParticipantIds.Count);

        await Send(alice, new { conversationId = group.Id, content = "hello team" });

        Assert.Equal("hello team", (await bobTab.Next<MessageDelivery>("newMessage")).Message.Content);
        Assert.Equal("hello team", (await carolTab.Next<MessageDelivery>("newMessage")).Message.Content);
    }

    [Fact]
    public async Task Messages_page_forwards_after_a_sequence_and_backwards_before_one()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = (await SendTyped(alice, new { receiverId = bob.Id, content = "m1" })).Message.ConversationId;
        for (var i = 2; i <= 5; i++)
            await Send(i % 2 == 0 ? bob : alice, new { conversationId, content = $"m{i}" });

        var newest = await bob.Get<MessagePage>($"/api/chat/conversations/{conversationId}/messages?limit=2");
        var older = await bob.Get<MessagePage>($"/api/chat/conversations/{conversationId}/messages?limit=2&before={newest.Items[0].Sequence}");
        var fromStart = await bob.Get<MessagePage>($"/api/chat/conversations/{conversationId}/messages?after=0&limit=3");

        Assert.Equal(["m4", "m5"], Contents(newest));
        Assert.True(newest.HasMore);
        Assert.Equal(["m2", "m3"], Contents(older));
        Assert.Equal(["m1", "m2", "m3"], Contents(fromStart));
        Assert.True(fromStart.HasMore);
        var rest = await bob.Get<MessagePage>($"/api/chat/conversations/{conversationId}/messages?after={fromStart.Items[^1].Sequence}&limit=3");
        Assert.Equal(["m4", "m5"], Contents(rest));
        Assert.False(rest.HasMore);
    }

    internal static async Task<JsonElement> Send(TestUser user, object body)
    {
        var response = await user.Http.PostAsJsonAsync("/api/chat/messages", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary><see cref="Send"/>, its answer read as the contract's <see cref="MessageDelivery"/>.</summary>
    internal static async Task<EventChat.Client.MessageDelivery> SendTyped(TestUser user, object body) => (await Send(user, body)).As<MessageDelivery>();

    internal static Guid ConversationId(JsonElement delivery) => delivery.GetProperty("message").GetProperty("conversationId").GetGuid();

    /// <summary>The text of the message a send answer or a push carries.</summary>
    internal static string ContentOf(JsonElement delivery) => delivery.GetProperty("message").GetProperty("content").GetString()!;

    private static string[] Contents(MessagePage page) => [.. page.Items.Select(m => m.Content)];
}
