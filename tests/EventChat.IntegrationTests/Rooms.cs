using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Rooms
{
    [Fact]
    public async Task Participants_join_and_leave_rooms_and_only_room_members_get_typing_indicators()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, bobTab) = (await alice.OpenTab(), await bob.OpenTab());

        var joined = await bobTab.Invoke("joinRoom", new { conversationId });
        Assert.Equal(conversationId, joined.GetProperty("conversationId").GetGuid());
        await aliceTab.Send("typingStart", new { conversationId });
        await bobTab.Next("typingIndicator");
        await aliceTab.Send("typingStop", new { conversationId });
        await bobTab.Next("typingIndicator");

        var left = await bobTab.Invoke("leaveRoom", new { conversationId });
        Assert.Equal(conversationId, left.GetProperty("conversationId").GetGuid());
        await aliceTab.Send("typingStart", new { conversationId });

        await bobTab.Next("userTyping", e => e.GetProperty("isTyping").GetBoolean());
        await Send(alice, new { conversationId, content = "proves bob's tab is live" });
        await bobTab.Next("newMessage");
        Assert.Empty(bobTab.Received("typingIndicator"));
    }

    [Fact]
    public async Task A_stranger_cannot_join_a_conversation_room()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hi" }));
        var (aliceTab, malloryTab) = (await alice.OpenTab(), await mallory.OpenTab());

        await Assert.ThrowsAsync<HubException>(() => malloryTab.Invoke("joinRoom", new { conversationId }));

        var error = await malloryTab.Next("error");
        Assert.Equal("not_found", error.GetProperty("code").GetString());
        Assert.Equal("joinRoom", error.GetProperty("method").GetString());
        await aliceTab.Send("typingStart", new { conversationId });
        await malloryTab.Invoke("getOnlineUsers", new { });
        await malloryTab.Next("onlineUsers");
        Assert.Empty(malloryTab.Received("typingIndicator"));
    }
}
