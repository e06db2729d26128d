using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using EventChat.Api.Hubs;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;

namespace EventChat.IntegrationTests;

/// <summary>
/// Every ID-taking REST endpoint and hub method, called by a signed-in user who does not belong to the target:
/// each answers as the contract says (404 for what the caller may not see, 403 for what they may see but not
/// change, admin-only endpoints 403) and changes nothing. <see cref="The_table_covers_every_endpoint_and_hub_method"/>
/// fails when an endpoint or hub method is added without a row here, or a reason it needs none.
/// </summary>
public sealed class AccessTable
{
    /// <summary>One call by Mallory, the outsider; <see cref="Expected"/> is an HTTP status or a hub <c>error</c> code.</summary>
    public sealed record Case(string Endpoint, string Name, string Expected, Func<Scene, Task<string>> Call);

    private static readonly Case[] Denied =
    [
        Rest("GET /api/users/{id:guid}", "a user who shares no conversation and acts nowhere in public", "404", s => s.Mallory.Http.GetAsync($"/api/users/{s.Bob.Id}")),
        Rest("GET /api/chat/conversations/{id:guid}", "a conversation", "404", s => s.Mallory.Http.GetAsync($"/api/chat/conversations/{s.Direct}")),
        Rest("GET /api/chat/conversations/{id:guid}", "a conversation as it stood", "404", s => s.Mallory.Http.GetAsync($"/api/chat/conversations/{s.Direct}?version=1")),
        Rest("GET /api/chat/conversations/{id:guid}/events", "a conversation's events", "404", s => s.Mallory.Http.GetAsync($"/api/chat/conversations/{s.Group}/events")),
        Rest("GET /api/chat/conversations/{id:guid}/messages", "a conversation's messages", "404", s => s.Mallory.Http.GetAsync($"/api/chat/conversations/{s.Direct}/messages")),
        Rest("POST /api/chat/conversations/{id:guid}/read", "marking a conversation read", "404",
            s => s.Mallory.Http.PostAsJsonAsync($"/api/chat/conversations/{s.Direct}/read", new { messageId = s.Message })),
        Rest("POST /api/chat/conversations/{id:guid}/participants", "adding herself to a group", "404",
            s => s.Mallory.Http.PostAsJsonAsync($"/api/chat/conversations/{s.Group}/participants", new { userIds = new[] { s.Mallory.Id } })),
        Rest("DELETE /api/chat/conversations/{id:guid}/participants/{userId:guid}", "removing a member of a group", "404",
            s => s.Mallory.Http.DeleteAsync($"/api/chat/conversations/{s.Group}/participants/{s.Bob.Id}")),
        Rest("DELETE /api/chat/conversations/{id:guid}/content", "erasing a conversation's content", "404",
            s => s.Mallory.Http.DeleteAsync($"/api/chat/conversations/{s.Direct}/content")),
        Rest("POST /api/chat/messages/", "sending into a conversation", "404",
            s => s.Mallory.Http.PostAsJsonAsync("/api/chat/messages", new { conversationId = s.Direct, content = "let me in" })),
        // A reply target outside the conversation is invalid whether or not it exists: the same 400 as a missing one.
        Rest("POST /api/chat/messages/", "replying to a message she cannot see", "400",
            s => s.Mallory.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = s.Bob.Id, content = "re", replyToId = s.Message })),
        Rest("POST /api/chat/messages/", "attaching someone else's file", "404",
            s => s.Mallory.Http.PostAsJsonAsync("/api/chat/messages", new { receiverId = s.Bob.Id, content = "mine now", attachmentIds = new[] { s.Attachment } })),
        Rest("PATCH /api/chat/messages/{id:guid}", "editing a message", "404",
            s => s.Mallory.Http.PatchAsJsonAsync($"/api/chat/messages/{s.Message}", new { content = "edited" })),
        Rest("PATCH /api/chat/messages/{id:guid}", "editing a message by a participant who did not send it", "403",
            s => s.Bob.Http.PatchAsJsonAsync($"/api/chat/messages/{s.Message}", new { content = "edited" })),
        Rest("DELETE /api/chat/messages/{id:guid}", "deleting a message", "404", s => s.Mallory.Http.DeleteAsync($"/api/chat/messages/{s.Message}")),
        Rest("DELETE /api/chat/messages/{id:guid}", "deleting a message by a participant who did not send it", "403",
            s => s.Bob.Http.DeleteAsync($"/api/chat/messages/{s.Message}")),
        Rest("GET /api/chat/messages/{id:guid}/versions", "a message's edit history", "404", s => s.Mallory.Http.GetAsync($"/api/chat/messages/{s.Message}/versions")),
        Rest("GET /api/chat/attachments/{id:guid}", "downloading a file", "404", s => s.Mallory.Http.GetAsync($"/api/chat/attachments/{s.Attachment}")),
        Rest("GET /api/chat/search/", "searching a conversation", "404", s => s.Mallory.Http.GetAsync($"/api/chat/search?q=private&conversationId={s.Direct}")),
        Listing("GET /api/chat/search/", "searching everything she can see", s => s.Mallory.Http.GetAsync("/api/chat/search?q=private")),
        Listing("GET /api/chat/sync", "syncing everything she can see", s => s.Mallory.Http.GetAsync("/api/chat/sync")),
        Rest("POST /api/streams/{id:guid}/end", "ending a live session", "403", s => s.Mallory.Http.PostAsync($"/api/streams/{s.Stream}/end", null)),
        Rest("DELETE /api/streams/{id:guid}/messages/{messageId:guid}", "taking down a chat message", "403",
            s => s.Mallory.Http.DeleteAsync($"/api/streams/{s.Stream}/messages/{s.StreamMessage}")),
        Rest("POST /api/streams/{id:guid}/bans", "banning a viewer", "403", s => s.Mallory.Http.PostAsJsonAsync($"/api/streams/{s.Stream}/bans", new { userId = s.Bob.Id })),
        Rest("GET /api/admin/projections", "listing projections", "403", s => s.Mallory.Http.GetAsync("/api/admin/projections")),
        Rest("GET /api/admin/projections/status", "the projections' status", "403", s => s.Mallory.Http.GetAsync("/api/admin/projections/status")),
        Rest("POST /api/admin/projections/{name}/rebuild", "rebuilding a projection", "403", s => s.Mallory.Http.PostAsync("/api/admin/projections/ConversationView/rebuild", null)),
        Rest("PUT /api/admin/users/{userId:guid}/role", "making herself admin", "403",
            s => s.Mallory.Http.PutAsJsonAsync($"/api/admin/users/{s.Mallory.Id}/role", new { role = "admin" })),
        Rest("POST /api/admin/webhooks", "registering a webhook", "403",
            s => s.Mallory.Http.PostAsJsonAsync("/api/admin/webhooks", new { url = "https://mallory.example/hook" })),
        Rest("GET /api/admin/webhooks", "listing webhooks", "403", s => s.Mallory.Http.GetAsync("/api/admin/webhooks")),
        Rest("DELETE /api/admin/webhooks/{id:guid}", "removing a webhook", "403", s => s.Mallory.Http.DeleteAsync($"/api/admin/webhooks/{Guid.NewGuid()}")),
        Rest("GET /api/admin/webhooks/{id:guid}/deliveries", "a webhook's delivery log", "403", s => s.Mallory.Http.GetAsync($"/api/admin/webhooks/{Guid.NewGuid()}/deliveries")),
        Rest("POST /api/admin/webhooks/{id:guid}/replay", "replaying history to a webhook", "403",
            s => s.Mallory.Http.PostAsJsonAsync($"/api/admin/webhooks/{Guid.NewGuid()}/replay", new { fromSequence = 1 })),
        Rest("GET /api/analytics/daily", "daily analytics", "403", s => s.Mallory.Http.GetAsync("/api/analytics/daily")),
        Rest("GET /api/analytics/daily.csv", "daily analytics as CSV", "403", s => s.Mallory.Http.GetAsync("/api/analytics/daily.csv")),
        Rest("GET /api/analytics/streams", "the live sessions' analytics", "403", s => s.Mallory.Http.GetAsync("/api/analytics/streams")),
        Rest("GET /api/analytics/streams/{id:guid}", "a live session's analytics", "403", s => s.Mallory.Http.GetAsync($"/api/analytics/streams/{s.Stream}")),
        // A user's token never opens the server API: only the app backend's secret does.
        Rest("PUT /api/server/users/{externalId}", "creating a user of the app", "401",
            s => s.Mallory.Http.PutAsJsonAsync("/api/server/users/mallory-made-this", new { displayName = "Mallory's puppet" })),
        Rest("GET /api/server/users/{externalId}", "reading a user of the app", "401", s => s.Mallory.Http.GetAsync($"/api/server/users/{s.Alice.Username}")),
        Rest("POST /api/server/users/{externalId}/tokens", "minting a token for a user of the app", "401",
            s => s.Mallory.Http.PostAsJsonAsync($"/api/server/users/{s.Alice.Username}/tokens", new { })),
        Rest("POST /api/server/users/{externalId}/deactivate", "deactivating a user of the app", "401",
            s => s.Mallory.Http.PostAsync($"/api/server/users/{s.Alice.Username}/deactivate", null)),
        Rest("POST /api/server/users/{externalId}/reactivate", "reactivating a user of the app", "401",
            s => s.Mallory.Http.PostAsync($"/api/server/users/{s.Alice.Username}/reactivate", null)),
        Rest("DELETE /api/server/users/{externalId}", "erasing a user of the app", "401", s => s.Mallory.Http.DeleteAsync($"/api/server/users/{s.Alice.Username}")),
        Hub("sendMessage", "sending into a conversation", "not_found", s => new { conversationId = s.Direct, content = "let me in" }),
        Hub("sendMessage", "replying to a message she cannot see", "validation", s => new { receiverId = s.Bob.Id, content = "re", replyToId = s.Message }),
        Hub("sendMessage", "attaching someone else's file", "not_found", s => new { receiverId = s.Bob.Id, content = "mine now", attachmentIds = new[] { s.Attachment } }),
        Hub("messageRead", "marking a conversation read", "not_found", s => new { conversationId = s.Direct, messageId = s.Message }),
        Hub("typingStart", "typing into a conversation", "not_found", s => new { conversationId = s.Direct }),
        Hub("typingStop", "stopping typing in a conversation", "not_found", s => new { conversationId = s.Direct }),
        Hub("joinRoom", "joining a conversation's room", "not_found", s => new { conversationId = s.Direct }),
        Hub("stream-chat", "talking in a live session she does not watch", "forbidden", s => new { sessionId = s.Stream, content = "hi" }),
        new("sync", "syncing everything she can see", "without their ids", async s =>
            LeaksIds(s, (await s.MalloryTab.Invoke("sync", null)).GetRawText()) ? "with their ids" : "without their ids"),
        new("getOnlineUsers", "the presence of a user who shares no conversation", "hidden", async s =>
        {
            var answer = await s.MalloryTab.Invoke("getOnlineUsers", new { userIds = new[] { s.Alice.Id } });
            return answer.GetProperty("onlineUsers").EnumerateArray().Any(id => id.GetGuid() == s.Alice.Id) ? "visible" : "hidden";
        }),
    ];

    /// <summary>Endpoints and hub methods that take no ID of something the caller must belong to, and why.</summary>
    private static readonly Dictionary<string, string> Unguarded = new()
    {
        ["POST /api/auth/register"] = "anonymous; takes no ID",
        ["POST /api/auth/login"] = "anonymous; takes no ID",
        ["GET /api/users/"] = "finds any user by exact username, to start a chat; by design",
        ["DELETE /api/users/me"] = "erases the caller's own account",
        ["GET /api/users/me/export"] = "the caller's own messages",
        ["GET /api/chat/conversations/"] = "the caller's own conversations",
        ["POST /api/chat/conversations/"] = "anyone may start a group with any users, as with a direct message",
        ["POST /api/chat/attachments/"] = "uploads the caller's own file",
        ["POST /api/posts/"] = "creates the caller's own post",
        ["GET /api/posts/"] = "the feed; posts are public to every signed-in user",
        ["GET /api/posts/{id:guid}"] = "posts are public to every signed-in user",
        ["POST /api/posts/{id:guid}/likes"] = "posts are public to every signed-in user",
        ["DELETE /api/posts/{id:guid}/likes"] = "posts are public to every signed-in user",
        ["POST /api/posts/{id:guid}/comments"] = "posts are public to every signed-in user",
        ["GET /api/posts/{id:guid}/comments"] = "posts are public to every signed-in user",
        ["POST /api/streams/"] = "starts a live session the caller hosts",
        ["GET /api/streams/"] = "the session directory; live sessions are public to every signed-in user",
        ["GET /api/streams/{id:guid}"] = "live sessions are public to every signed-in user",
        ["ANY /health/live"] = "anonymous operability",
        ["ANY /health/ready"] = "anonymous operability",
        ["ANY /health"] = "anonymous operability",
        ["ANY /metrics"] = "operability; may require a role",
        ["GET /openapi/v1.json"] = "the API reference",
        ["GET /asyncapi/v1.json"] = "the API reference",
        ["GET /docs/{documentName?}"] = "the API reference",
        ["GET /docs/favicon.svg"] = "the API reference",
        ["GET /docs/scalar.js"] = "the API reference",
        ["GET /docs/scalar.aspnetcore.js"] = "the API reference",
        ["ANY /hubs/chat/negotiate"] = "the hub's handshake; its methods are in this table",
        ["ANY /hubs/chat"] = "the hub's connection; its methods are in this table",
        ["hub leaveRoom"] = "leaving a room one is not in is a no-op",
        ["hub like-post"] = "posts are public to every signed-in user",
        ["hub unlike-post"] = "posts are public to every signed-in user",
        ["hub comment-post"] = "posts are public to every signed-in user",
        ["hub join-post"] = "posts are public to every signed-in user",
        ["hub leave-post"] = "posts are public to every signed-in user",
        ["hub join-stream"] = "live sessions are public to every signed-in user",
        ["hub leave-stream"] = "leaving a live session one does not watch is a no-op",
    };

    public static TheoryData<string> Cases => [.. Denied.Select(c => $"{c.Endpoint}: {c.Name}")];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_outsider_is_refused_and_changes_nothing(string name)
    {
        var scene = await Scene.Shared;
        var row = Denied.Single(c => $"{c.Endpoint}: {c.Name}" == name);
        var before = await scene.Snapshot();

        var outcome = await row.Call(scene);

        Assert.Equal(row.Expected, outcome);
        Assert.Equal(before, await scene.Snapshot());
    }

    [Fact]
    public async Task The_table_covers_every_endpoint_and_hub_method()
    {
        var server = await EventChatServer.Instance;
        var endpoints = server.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"]).Select(method => $"{method} {e.RoutePattern.RawText}"));
        var hubMethods = typeof(ChatHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.DeclaringType == typeof(ChatHub) && m.Name is not (nameof(ChatHub.OnConnectedAsync) or nameof(ChatHub.OnDisconnectedAsync)))
            .Select(m => "hub " + (m.GetCustomAttribute<HubMethodNameAttribute>()?.Name ?? m.Name));
        var existing = endpoints.Concat(hubMethods).ToHashSet();
        var covered = Denied.Select(c => c.Endpoint.Contains(' ') ? c.Endpoint : "hub " + c.Endpoint).Concat(Unguarded.Keys).ToHashSet();

        var missing = existing.Where(e => !covered.Contains(e)).Order().ToArray();
        var stale = covered.Where(e => !existing.Contains(e)).Order().ToArray();

        Assert.True(missing.Length == 0, "Add a row to AccessTable for each of:\n" + string.Join("\n", missing));
        Assert.True(stale.Length == 0, "AccessTable names what the app no longer has:\n" + string.Join("\n", stale));
    }

    private static Case Rest(string endpoint, string name, string expected, Func<Scene, Task<HttpResponseMessage>> call) =>
        new(endpoint, name, expected, async s => ((int)(await call(s)).StatusCode).ToString());

    /// <summary>A call that lists what the caller can see: it must mention nothing of the conversations she is not in.</summary>
    private static Case Listing(string endpoint, string name, Func<Scene, Task<HttpResponseMessage>> call) =>
        new(endpoint, name, "200 without their ids", async s =>
        {
            var response = await call(s);
            var body = await response.Content.ReadAsStringAsync();
            return $"{(int)response.StatusCode} {(LeaksIds(s, body) ? "with" : "without")} their ids";
        });

    private static bool LeaksIds(Scene s, string body) =>
        new[] { s.Direct, s.Group, s.Message, s.Attachment }.Any(id => body.Contains(id.ToString()));

    private static Case Hub(string method, string name, string expected, Func<Scene, object> payload) =>
        new(method, name, expected, async s =>
        {
            await Assert.ThrowsAsync<HubException>(() => s.MalloryTab.Invoke(method, payload(s)));
            return (await s.MalloryTab.Next("error", e => e.GetProperty("method").GetString() == method)).GetProperty("code").GetString()!;
        });

    /// <summary>
    /// Alice's world, which Mallory does not belong to: a direct conversation with Bob holding a message with a file,
    /// a group with Bob, a live session she hosts with a chat message, and a post.
    /// </summary>
    public sealed class Scene
    {
        private static readonly Lazy<Task<Scene>> Created = new(Create);

        public static Task<Scene> Shared => Created.Value;

        public required TestUser Alice { get; init; }
        public required TestUser Bob { get; init; }
        public required TestUser Mallory { get; init; }
        public required Tab MalloryTab { get; init; }
        public Guid Direct { get; private init; }
        public Guid Group { get; private init; }
        public Guid Message { get; private init; }
        public Guid Attachment { get; private init; }
        public Guid Stream { get; private init; }
        public Guid StreamMessage { get; private init; }
        public Guid Post { get; private init; }

        private static async Task<Scene> Create()
        {
            var server = await EventChatServer.Instance;
            var (alice, bob, mallory) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("mallory"));
            var file = new ByteArrayContent("private notes"u8.ToArray());
            file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
            var uploaded = await alice.Http.PostAsync("/api/chat/attachments", new MultipartFormDataContent { { file, "file", "notes.txt" } });
            var attachment = (await uploaded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var delivery = await Messaging.Send(alice, new { receiverId = bob.Id, content = "private", attachmentIds = new[] { attachment } });
            var stream = (await (await alice.Http.PostAsJsonAsync("/api/streams", new { title = "Alice live" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var aliceTab = await alice.OpenTab();
            await aliceTab.Invoke("join-stream", new { sessionId = stream });
            var chat = await aliceTab.Invoke("stream-chat", new { sessionId = stream, content = "welcome" });
            var post = (await (await alice.Http.PostAsJsonAsync("/api/posts", new { content = "hello world" })).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            return new Scene
            {
                Alice = alice, Bob = bob, Mallory = mallory, MalloryTab = await mallory.OpenTab(),
                Direct = Messaging.ConversationId(delivery), Group = await alice.CreateGroup(bob),
                Message = delivery.GetProperty("message").GetProperty("id").GetGuid(), Attachment = attachment,
                Stream = stream, StreamMessage = chat.GetProperty("message").GetProperty("id").GetGuid(), Post = post,
            };
        }

        /// <summary>Everything the outsider's calls could have touched, as its owners see it.</summary>
        public async Task<string> Snapshot()
        {
            string[] reads =
            [
                await Read(Alice, "/api/chat/conversations"),
                await Read(Bob, "/api/chat/conversations"),
                await Read(Mallory, "/api/chat/conversations"),
                await Read(Alice, $"/api/chat/conversations/{Direct}/events?limit=200"),
                await Read(Alice, $"/api/chat/conversations/{Group}/events?limit=200"),
                await Read(Alice, $"/api/chat/messages/{Message}/versions"),
                await Read(Alice, $"/api/chat/attachments/{Attachment}"),
                await Read(Alice, $"/api/streams/{Stream}"),
                await Read(Alice, $"/api/posts/{Post}"),
                await Read(Mallory, $"/api/posts/{Post}/comments"),
            ];
            return string.Join("\n", reads);
        }

        private static async Task<string> Read(TestUser user, string path)
        {
            var response = await user.Http.GetAsync(path);
            return $"{path} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
    }
}
