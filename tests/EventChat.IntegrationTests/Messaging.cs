using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
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

        var result = await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "Hi Bob" });

        var message = result.GetProperty("message");
        var conversationId = message.GetProperty("conversationId").GetGuid();
        Assert.Equal("sent", result.GetProperty("status").GetString());
        Assert.Equal("Hi Bob", message.GetProperty("content").GetString());
        Assert.Equal("text", message.GetProperty("messageType").GetString());
        Assert.Equal(alice.Id, message.GetProperty("senderId").GetGuid());
        Assert.Equal("direct", result.GetProperty("conversation").GetProperty("kind").GetString());

        var sent = await aliceTab.Next("messageSent");
        Assert.Equal(message.GetProperty("id").GetGuid(), sent.GetProperty("message").GetProperty("id").GetGuid());
        Assert.Equal("sent", sent.GetProperty("status").GetString());
        var delivered = await bobTab.Next("newMessage");
        Assert.Equal("delivered", delivered.GetProperty("status").GetString());
        Assert.Equal("Hi Bob", delivered.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(1, delivered.GetProperty("conversation").GetProperty("unreadCount").GetInt32());
        var received = await bobTab.Next("receiveMessage");
        Assert.Equal(conversationId, received.GetProperty("conversation").GetProperty("id").GetGuid());

        var reply = await bobTab.Invoke("sendMessage", new { conversationId, content = "Hi Alice" });

        var replyMessage = reply.GetProperty("message");
        Assert.True(replyMessage.GetProperty("sequence").GetInt64() > message.GetProperty("sequence").GetInt64());
        var toAlice = await aliceTab.Next("newMessage");
        Assert.Equal("Hi Alice", toAlice.GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(bob.Id, toAlice.GetProperty("message").GetProperty("senderId").GetGuid());
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
        var first = await Send(alice, new { conversationId, content = "one" });
        await (await bob.OpenTab()).Invoke("messageRead", new { conversationId, messageId = first.GetProperty("message").GetProperty("id").GetGuid() });
        var carolTab = await carol.OpenTab();

        var second = await (await alice.OpenTab()).Invoke("sendMessage", new { conversationId, content = "two" });

        var pushed = (await carolTab.Next("newMessage")).GetProperty("conversation");
        var read = await carol.Conversation(conversationId);
        foreach (var field in new[] { "id", "kind", "title", "participantIds", "createdAt", "lastSequence", "unreadCount", "readUpTo" })
            Assert.Equal(read.GetProperty(field).GetRawText(), pushed.GetProperty(field).GetRawText());
        Assert.Equal(second.GetProperty("message").GetProperty("id").GetGuid(), pushed.GetProperty("lastMessage").GetProperty("id").GetGuid());
        Assert.Equal("two", pushed.GetProperty("lastMessage").GetProperty("content").GetString());
        Assert.Equal(2, pushed.GetProperty("unreadCount").GetInt32());
        Assert.Equal(first.GetProperty("message").GetProperty("sequence").GetInt64(), pushed.GetProperty("readUpTo").GetProperty(bob.Id.ToString()).GetInt64());
        Assert.Equal("two", second.GetProperty("conversation").GetProperty("lastMessage").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Every_message_names_the_one_before_it_so_a_client_can_tell_it_missed_none()
    {
        // Sequences have gaps (a read receipt takes a number too), so a client cannot tell a missed message from them.
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());
        var first = await aliceTab.Invoke("sendMessage", new { receiverId = bob.Id, content = "one", clientMessageId = "c1" });
        var conversationId = ConversationId(first);
        await bobTab.Invoke("messageRead", new { conversationId, messageId = first.GetProperty("message").GetProperty("id").GetGuid() });

        var second = await aliceTab.Invoke("sendMessage", new { conversationId, content = "two" });
        var third = await Send(alice, new { conversationId, content = "three" });
        var retried = await aliceTab.Invoke("sendMessage", new { conversationId, content = "two", clientMessageId = "c1" });

        long Sequence(JsonElement delivery) => delivery.GetProperty("message").GetProperty("sequence").GetInt64();
        long Previous(JsonElement delivery) => delivery.GetProperty("previousSequence").GetInt64();
        Assert.True(Sequence(second) > Sequence(first) + 1, "the read receipt took a sequence number");
        Assert.Equal([0, Sequence(first), Sequence(second)], new[] { first, second, third }.Select(Previous));
        var pushed = await bobTab.Next("newMessage", e => Sequence(e) == Sequence(second));
        Assert.Equal(Sequence(first), Previous(pushed));
        Assert.Equal(Sequence(first), Previous(await aliceTab.Next("messageSent", e => Sequence(e) == Sequence(second))));
        // A retry answers as the first send did.
        Assert.Equal(Sequence(first), Sequence(retried));
        Assert.Equal(0, Previous(retried));
    }

    [Fact]
    public async Task A_direct_conversation_is_the_same_whoever_writes_first()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");

        var fromAlice = await Send(alice, new { receiverId = bob.Id, content = "one" });
        var fromBob = await Send(bob, new { receiverId = alice.Id, content = "two" });

        Assert.Equal(ConversationId(fromAlice), ConversationId(fromBob));
        Assert.Single(await alice.Conversations());
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
            Assert.Equal("everywhere", (await tab.Next("messageSent")).GetProperty("message").GetProperty("content").GetString());
        foreach (var tab in new[] { bobPhone, bobLaptop })
            Assert.Equal("everywhere", (await tab.Next("newMessage")).GetProperty("message").GetProperty("content").GetString());
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
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("sent", body.GetProperty("status").GetString());
        var id = body.GetProperty("message").GetProperty("id").GetGuid();
        Assert.Equal(id, (await aliceTab.Next("messageSent")).GetProperty("message").GetProperty("id").GetGuid());
        var pushed = await bobTab.Next("newMessage");
        Assert.Equal(id, pushed.GetProperty("message").GetProperty("id").GetGuid());
        Assert.Equal("image", pushed.GetProperty("message").GetProperty("messageType").GetString());
        Assert.Equal(id, (await bobTab.Next("receiveMessage")).GetProperty("message").GetProperty("id").GetGuid());
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
        var group = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("group", group.GetProperty("kind").GetString());
        Assert.Equal("Team", group.GetProperty("title").GetString());
        Assert.Equal(3, group.GetProperty("participantIds").GetArrayLength());

        await Send(alice, new { conversationId = group.GetProperty("id").GetGuid(), content = "hello team" });

        Assert.Equal("hello team", (await bobTab.Next("newMessage")).GetProperty("message").GetProperty("content").GetString());
        Assert.Equal("hello team", (await carolTab.Next("newMessage")).GetProperty("message").GetProperty("content").GetString());
    }

    [Fact]
    public async Task Messages_page_forwards_after_a_sequence_and_backwards_before_one()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "m1" }));
        for (var i = 2; i <= 5; i++)
            await Send(i % 2 == 0 ? bob : alice, new { conversationId, content = $"m{i}" });

        var newest = await bob.Get($"/api/chat/conversations/{conversationId}/messages?limit=2");
        var older = await bob.Get($"/api/chat/conversations/{conversationId}/messages?limit=2&before={Sequences(newest)[0]}");
        var fromStart = await bob.Get($"/api/chat/conversations/{conversationId}/messages?after=0&limit=3");

        Assert.Equal(["m4", "m5"], Contents(newest));
        Assert.True(newest.GetProperty("hasMore").GetBoolean());
        Assert.Equal(["m2", "m3"], Contents(older));
        Assert.Equal(["m1", "m2", "m3"], Contents(fromStart));
        Assert.True(fromStart.GetProperty("hasMore").GetBoolean());
        var rest = await bob.Get($"/api/chat/conversations/{conversationId}/messages?after={Sequences(fromStart)[^1]}&limit=3");
        Assert.Equal(["m4", "m5"], Contents(rest));
        Assert.False(rest.GetProperty("hasMore").GetBoolean());
    }

    internal static async Task<JsonElement> Send(TestUser user, object body)
    {
        var response = await user.Http.PostAsJsonAsync("/api/chat/messages", body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    /// <summary><see cref="Send"/>, its answer read as the contract's <see cref="EventChat.Client.MessageDelivery"/>.</summary>
    internal static async Task<EventChat.Client.MessageDelivery> SendTyped(TestUser user, object body) => (await Send(user, body)).As<EventChat.Client.MessageDelivery>();

    internal static Guid ConversationId(JsonElement delivery) => delivery.GetProperty("message").GetProperty("conversationId").GetGuid();

    /// <summary>The text of the message a send answer or a push carries.</summary>
    internal static string ContentOf(JsonElement delivery) => delivery.GetProperty("message").GetProperty("content").GetString()!;

    private static string[] Contents(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("content").GetString()!)];

    private static long[] Sequences(JsonElement page) =>
        [.. page.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("sequence").GetInt64())];
}
