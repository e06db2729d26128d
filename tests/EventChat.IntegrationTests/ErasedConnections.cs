using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>A hub connection opened before its account was erased stops working with the erasure.</summary>
public sealed class ErasedConnections
{
    [Fact]
    public async Task Erasing_an_account_tells_its_open_connections_why_closes_them_and_their_calls_store_nothing()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var created = await bob.Http.PostAsJsonAsync("/api/posts", new { content = "like me" });
        var postId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Tab[] tabs = [await alice.OpenTab(), await alice.OpenTab()];

        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync("/api/users/me")).StatusCode);

        foreach (var tab in tabs)
        {
            var error = await tab.Next("error");
            Assert.Equal(("unauthorized", "connect", "This account has been erased."),
                (error.GetProperty("code").GetString(), error.GetProperty("method").GetString(), error.GetProperty("message").GetString()));
            await tab.Closed;
        }
        await Assert.ThrowsAnyAsync<Exception>(() => tabs[0].Invoke("like-post", new { postId }));
        await Assert.ThrowsAnyAsync<Exception>(() => tabs[1].Invoke("comment-post", new { postId, content = "still here" }));
        var post = await bob.Get($"/api/posts/{postId}");
        Assert.Equal((0, 0), (post.GetProperty("likeCount").GetInt32(), post.GetProperty("commentCount").GetInt32()));
    }
}
