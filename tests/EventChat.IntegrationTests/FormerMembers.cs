using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// After leaving a group or being removed from it, the conversation does not exist for a user (docs/api.md, removing
/// participants): their own messages there can no longer be edited or deleted by them, and nothing can be marked read.
/// </summary>
public sealed class FormerMembers
{
    [Theory]
    [InlineData("removed")]
    [InlineData("left")]
    public async Task A_former_member_can_no_longer_edit_delete_or_mark_read_and_nothing_is_stored(string how)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob, carol);
        var bobs = (await Send(bob, new { conversationId, content = "bob's words" })).GetProperty("message").GetProperty("id").GetGuid();
        var carolsMessage = (await Send(carol, new { conversationId, content = "carol's words" })).GetProperty("message");
        var carols = carolsMessage.GetProperty("id").GetGuid();
        var bobTab = await bob.OpenTab();
        var history = await EventCount(alice, conversationId);

        var leaving = how == "left" ? bob : alice;
        Assert.Equal(HttpStatusCode.NoContent, (await leaving.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/participants/{bob.Id}")).StatusCode);

        await NotFound(bob.Http.PatchAsJsonAsync($"/api/chat/messages/{bobs}", new { content = "rewritten" }), "Message was not found.");
        await NotFound(bob.Http.DeleteAsync($"/api/chat/messages/{bobs}"), "Message was not found.");
        await NotFound(bob.Http.GetAsync($"/api/chat/messages/{bobs}/versions"), "Message was not found.");
        await NotFound(bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = carols }), "Conversation was not found.");
        var refused = await Assert.ThrowsAsync<HubException>(() => bobTab.Invoke("messageRead", new { conversationId, messageId = carols }));
        Assert.EndsWith("Conversation was not found.", refused.Message);
        Assert.Equal("not_found", (await bobTab.Next("error")).GetProperty("code").GetString());

        // Only the departure itself was stored: Bob's message is as he sent it, and he has read nothing.
        Assert.Equal(history + 1, await EventCount(alice, conversationId));
        var message = (await alice.Messages(conversationId)).Single(m => m.GetProperty("id").GetGuid() == bobs);
        Assert.Equal("bob's words", message.GetProperty("content").GetString());
        Assert.Equal((JsonValueKind.Null, JsonValueKind.Null), (message.GetProperty("editedAt").ValueKind, message.GetProperty("deletedAt").ValueKind));
        var readUpTo = (await alice.Conversation(conversationId)).GetProperty("readUpTo");
        Assert.True(!readUpTo.TryGetProperty(bob.Id.ToString(), out var bobRead) || bobRead.GetInt64() < carolsMessage.GetProperty("sequence").GetInt64());
    }

    private static async Task NotFound(Task<HttpResponseMessage> call, string detail)
    {
        var response = await call;
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(("not_found", detail), (problem.GetProperty("code").GetString(), problem.GetProperty("detail").GetString()));
    }

    private static async Task<int> EventCount(TestUser reader, Guid conversationId) =>
        (await reader.Get($"/api/chat/conversations/{conversationId}/events?limit=200")).GetProperty("items").GetArrayLength();
}
