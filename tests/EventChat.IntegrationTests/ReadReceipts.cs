using System.Net.Http.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class ReadReceipts
{
    [Fact]
    public async Task Reads_update_unread_counts_on_REST_and_the_hub()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var aliceTab = await alice.OpenTab();
        var bobTab = await bob.OpenTab();
        var first = (await SendTyped(alice, new { receiverId = bob.Id, content = "one" })).Message;
        var conversationId = first.ConversationId;
        var second = (await SendTyped(alice, new { conversationId, content = "two" })).Message;
        await Send(alice, new { conversationId, content = "three" });

        var listed = Assert.Single((await bob.Client.ConversationsAsync()).Items);
        Assert.Equal(3, listed.UnreadCount);
        Assert.Equal("three", listed.LastMessage?.Content);
        Assert.Equal(0, await CountedUnread(alice, conversationId));

        var result = (await bobTab.Invoke("messageRead", new { conversationId, messageId = second.Id })).As<ReadResult>();

        Assert.Equal(1, result.UnreadCount);
        Assert.Equal(conversationId, result.ConversationId);
        foreach (var tab in new[] { aliceTab, bobTab })
        {
            var receipt = await tab.Next<ReadReceipt>("messageRead");
            Assert.Equal(conversationId, receipt.ConversationId);
            Assert.Equal(second.Id, receipt.MessageId);
            Assert.Equal(bob.Id, receipt.ReadBy);
            Assert.True(receipt.ReadAt > DateTimeOffset.UtcNow.AddMinutes(-1));
        }
        Assert.Equal(1, await CountedUnread(bob, conversationId));

        var lastId = (await bob.Client.MessagesAsync(conversationId, limit: 200)).Items[^1].Id;
        var viaRest = await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = lastId });
        viaRest.EnsureSuccessStatusCode();
        Assert.Equal(0, (await viaRest.Read<ReadResult>()).UnreadCount);
        Assert.Equal(0, await CountedUnread(bob, conversationId));
    }

    [Fact]
    public async Task Pushed_unread_counts_agree_with_counted_ones_through_reads_deletes_and_newcomers()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob);
        var bobTab = await bob.OpenTab();
        var ids = new List<Guid>();
        foreach (var content in new[] { "m1", "m2", "m3" })
            ids.Add((await SendTyped(alice, new { conversationId, content })).Message.Id);
        Assert.Equal(3, await PushedUnread(bobTab, "m3"));

        // A read short of the newest message leaves the rest unread; deleting one of those takes it off.
        var read = await bobTab.Invoke("messageRead", new { conversationId, messageId = ids[0] });
        Assert.Equal(2, read.As<ReadResult>().UnreadCount);
        (await alice.Http.DeleteAsync($"/api/chat/messages/{ids[1]}")).EnsureSuccessStatusCode();
        await Send(alice, new { conversationId, content = "m4" });
        Assert.Equal(2, await PushedUnread(bobTab, "m4"));
        Assert.Equal(2, await CountedUnread(bob, conversationId));

        // A newcomer finds every message not deleted unread, and counts on from there.
        (await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/participants", new { userIds = new[] { carol.Id } })).EnsureSuccessStatusCode();
        var carolTab = await carol.OpenTab();
        await Send(bob, new { conversationId, content = "m5" });
        Assert.Equal(4, await PushedUnread(carolTab, "m5"));
        Assert.Equal(4, await CountedUnread(carol, conversationId));
        Assert.Equal(2, await CountedUnread(bob, conversationId));
    }

    private static async Task<int> PushedUnread(Tab tab, string content) =>
        (await tab.Next<MessageDelivery>("newMessage", m => m.Message.Content == content)).Conversation.UnreadCount;

    /// <summary>Read strictly: a count of 0 must be on the wire, not a missing field.</summary>
    private static async Task<int> CountedUnread(TestUser user, Guid conversationId) =>
        (await user.Get<Conversation>($"/api/chat/conversations/{conversationId}")).UnreadCount;

    [Fact]
    public async Task Reading_an_older_message_again_changes_nothing_and_pushes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var first = (await SendTyped(alice, new { receiverId = bob.Id, content = "one" })).Message;
        var conversationId = first.ConversationId;
        var second = (await SendTyped(alice, new { conversationId, content = "two" })).Message;
        var bobTab = await bob.OpenTab();
        await bobTab.Invoke("messageRead", new { conversationId, messageId = second.Id });
        await bobTab.Next("messageRead");

        var again = (await bobTab.Invoke("messageRead", new { conversationId, messageId = first.Id })).As<ReadResult>();

        Assert.Equal(0, again.UnreadCount);
        // A later push proves the connection is live; no receipt for the repeat arrived before it.
        await Send(alice, new { conversationId, content = "three" });
        await bobTab.Next("newMessage");
        Assert.Empty(bobTab.Received("messageRead"));
    }
}
