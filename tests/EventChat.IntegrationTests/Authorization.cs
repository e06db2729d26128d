using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Authorization
{
    [Fact]
    public async Task A_third_user_cannot_read_or_send_into_a_conversation_they_are_not_in()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var delivery = await Send(alice, new { receiverId = bob.Id, content = "private" });
        var conversationId = ConversationId(delivery);
        var messageId = delivery.GetProperty("message").GetProperty("id").GetGuid();
        var malloryTab = await mallory.OpenTab();

        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.GetAsync($"/api/chat/conversations/{conversationId}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId, content = "let me in" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId })).StatusCode);
        await Assert.ThrowsAsync<HubException>(() => malloryTab.Invoke("sendMessage", new { conversationId, content = "let me in" }));
        Assert.Equal("not_found", (await malloryTab.Next("error")).GetProperty("code").GetString());
        await Assert.ThrowsAsync<HubException>(() => malloryTab.Invoke("messageRead", new { conversationId, messageId }));
        Assert.Equal("not_found", (await malloryTab.Next("error")).GetProperty("code").GetString());

        Assert.Empty(await mallory.Conversations());
        Assert.Equal(["private"], (await bob.Messages(conversationId)).Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(0, (await bob.Conversation(conversationId)).GetProperty("unreadCount").GetInt32() - 1);
    }

    [Fact]
    public async Task A_conversation_you_are_not_in_looks_exactly_like_one_that_does_not_exist()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var existing = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "private" }));

        var forExisting = await Problem(await mallory.Http.GetAsync($"/api/chat/conversations/{existing}"));
        var forMissing = await Problem(await mallory.Http.GetAsync($"/api/chat/conversations/{Guid.CreateVersion7()}"));

        Assert.Equal(forMissing, forExisting);
    }

    [Fact]
    public async Task Without_a_valid_token_nothing_is_served()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();
        using var forged = server.Http("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.forged");

        var refused = await anonymous.GetAsync("/api/chat/conversations");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("unauthorized", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/chat/conversations")).StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => Tab.Open(server.BaseAddress, token: null));
    }

    [Fact]
    public async Task Pushes_reach_only_the_participants()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var malloryTab = await mallory.OpenTab();

        await Send(alice, new { receiverId = bob.Id, content = "private" });
        // Mallory's own message to herself via another chat proves her connection receives pushes at all.
        await Send(mallory, new { receiverId = alice.Id, content = "hello?" });
        await malloryTab.Next("messageSent");

        Assert.Empty(malloryTab.Received("newMessage"));
        Assert.Empty(malloryTab.Received("receiveMessage"));
    }

    private static async Task<(int, string?, string?)> Problem(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return ((int)response.StatusCode, body.GetProperty("title").GetString(), body.GetProperty("detail").GetString());
    }
}
