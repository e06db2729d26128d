using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// Who may be named by id (GET /api/users/{id}): a contact, or anyone who acts in public — a post, a like, a comment, a live
/// session or its chat — since posts and live sessions show those users' ids to every signed-in user. Anyone else
/// stays a stranger whose id answers 404.
/// </summary>
public sealed class PublicAuthors
{
    [Fact]
    public async Task Posting_liking_commenting_hosting_or_chatting_live_lets_strangers_name_you_and_private_chat_does_not()
    {
        var server = await EventChatServer.Instance;
        await using var reader = await server.NewUser("reader");
        await using var author = await server.NewUser("author");
        await using var commenter = await server.NewUser("commenter");
        await using var liker = await server.NewUser("liker");
        await using var host = await server.NewUser("host");
        await using var chatter = await server.NewUser("chatter");
        await using var privateOnly = await server.NewUser("private");

        var everyone = new[] { author, commenter, liker, host, chatter, privateOnly };
        foreach (var user in everyone)
            Assert.Equal(HttpStatusCode.NotFound, (await reader.Http.GetAsync($"/api/users/{user.Id}")).StatusCode);

        var post = await (await author.Http.PostAsJsonAsync("/api/posts", new { content = "In public" })).Content.ReadFromJsonAsync<JsonElement>();
        var postId = post.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Created, (await commenter.Http.PostAsJsonAsync($"/api/posts/{postId}/comments", new { content = "Me too" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await liker.Http.PostAsync($"/api/posts/{postId}/likes", null)).StatusCode);
        var live = await (await host.Http.PostAsJsonAsync("/api/streams", new { title = "On air" })).Content.ReadFromJsonAsync<JsonElement>();
        var sessionId = live.GetProperty("id").GetGuid();
        var tab = await chatter.OpenTab();
        await tab.Invoke("join-stream", new { sessionId });
        await tab.Invoke("stream-chat", new { sessionId, content = "Hello, stream" });
        // Private chat makes nobody public: only the two of them may name each other.
        Assert.Equal(HttpStatusCode.Created, (await privateOnly.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = author.Id, content = "Just us" })).StatusCode);

        foreach (var user in new[] { author, commenter, liker, host, chatter })
        {
            var named = await reader.Get($"/api/users/{user.Id}");
            Assert.Equal(user.Username, named.GetProperty("username").GetString());
        }
        Assert.Equal(HttpStatusCode.NotFound, (await reader.Http.GetAsync($"/api/users/{privateOnly.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await author.Http.GetAsync($"/api/users/{privateOnly.Id}")).StatusCode);
    }
}
