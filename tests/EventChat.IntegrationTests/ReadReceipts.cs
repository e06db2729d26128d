using System.Net.Http.Json;
using System.Text.Json;
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
        var first = await Send(alice, new { receiverId = bob.Id, content = "one" });
        var conversationId = ConversationId(first);
        var second = await Send(alice, new { conversationId, content = "two" });
        await Send(alice, new { conversationId, content = "three" });

        var listed = Assert.Single(await bob.Conversations());
        Assert.Equal(3, listed.GetProperty("unreadCount").GetInt32());
        Assert.Equal("three", listed.GetProperty("lastMessage").GetProperty("content").GetString());
        Assert.Equal(0, (await alice.Conversation(conversationId)).GetProperty("unreadCount").GetInt32());

        var secondId = second.GetProperty("message").GetProperty("id").GetGuid();
        var result = await bobTab.Invoke("messageRead", new { conversationId, messageId = secondId });

        Assert.Equal(1, result.GetProperty("unreadCount").GetInt32());
        Assert.Equal(conversationId, result.GetProperty("conversationId").GetGuid());
        foreach (var tab in new[] { aliceTab, bobTab })
        {
            var receipt = await tab.Next("messageRead");
            Assert.Equal(conversationId, receipt.GetProperty("conversationId").GetGuid());
            Assert.Equal(secondId, receipt.GetProperty("messageId").GetGuid());
            Assert.Equal(bob.Id, receipt.GetProperty("readBy").GetGuid());
            Assert.True(receipt.GetProperty("readAt").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));
        }
        Assert.Equal(1, (await bob.Conversation(conversationId)).GetProperty("unreadCount").GetInt32());

        var lastId = (await bob.Messages(conversationId))[^1].GetProperty("id").GetGuid();
        var viaRest = await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = lastId });
        viaRest.EnsureSuccessStatusCode();
        Assert.Equal(0, (await viaRest.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("unreadCount").GetInt32());
        Assert.Equal(0, (await bob.Conversation(conversationId)).GetProperty("unreadCount").GetInt32());
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
            ids.Add((await Send(alice, new { conversationId, content })).GetProperty("message").GetProperty("id").GetGuid());
        Assert.Equal(3, await PushedUnread(bobTab, "m3"));

        // A read short of the newest message leaves the rest unread; deleting one of those takes it off.
        var read = await bobTab.Invoke("messageRead", new { conversationId, messageId = ids[0] });
        Assert.Equal(2, read.GetProperty("unreadCount").GetInt32());
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
        (await tab.Next("newMessage", m => m.GetProperty("message").GetProperty("content").GetString() == content))
            .GetProperty("conversation").GetProperty("unreadCount").GetInt32();

    private static async Task<int> CountedUnread(TestUser user, Guid conversationId) =>
        (await user.Conversation(conversationId)).GetProperty("unreadCount").GetInt32();

    [Fact]
    public async Task Reading_an_older_message_again_changes_nothing_and_pushes_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var first = await Send(alice, new { receiverId = bob.Id, content = "one" });
        var conversationId = ConversationId(first);
        var second = await Send(alice, new { conversationId, content = "two" });
        var bobTab = await bob.OpenTab();
        await bobTab.Invoke("messageRead", new { conversationId, messageId = second.GetProperty("message").GetProperty("id").GetGuid() });
        await bobTab.Next("messageRead");

        var again = await bobTab.Invoke("messageRead", new { conversationId, messageId = first.GetProperty("message").GetProperty("id").GetGuid() });

        Assert.Equal(0, again.GetProperty("unreadCount").GetInt32());
        // A later push proves the connection is live; no receipt for the repeat arrived before it.
        await Send(alice, new { conversationId, content = "three" });
        await bobTab.Next("newMessage");
        Assert.Empty(bobTab.Received("messageRead"));
    }
}
