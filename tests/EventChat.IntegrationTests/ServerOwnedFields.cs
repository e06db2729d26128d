using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// Fields only the server sets (ids, senders, authors, hosts, times, sequences, counts, roles) are ignored when a
/// client sends them, on REST and on the hub: what is stored is the caller, the server's clock and the stream's order.
/// </summary>
public sealed class ServerOwnedFields
{
    private static readonly DateTimeOffset Forged = new(2001, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly Guid ForgedId = Guid.Parse("00000000-0000-0000-0000-000000000666");

    [Theory]
    [InlineData("REST")]
    [InlineData("hub")]
    public async Task A_message_sent_with_forged_fields_has_the_real_sender_time_id_and_sequence(string transport)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var tab = await alice.OpenTab();
        var before = DateTimeOffset.UtcNow;

        if (transport == "hub")
            await tab.Invoke("sendMessage", ForgedMessage(alice, bob, "over the " + transport));
        else
            Assert.Equal(HttpStatusCode.Created, (await alice.Http.PostAsJsonAsync("/api/chat/messages", ForgedMessage(alice, bob, "over the " + transport))).StatusCode);

        await AssertStoredAsServerSaysAsync(bob, alice, before, "over the " + transport);
    }

    [Fact]
    public async Task An_edit_with_forged_fields_changes_the_content_only()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = (await Messaging.Send(alice, new { receiverId = bob.Id, content = "first" })).GetProperty("message");
        var before = DateTimeOffset.UtcNow;

        var edit = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent.GetProperty("id").GetGuid()}",
            new { content = "second", senderId = bob.Id, sequence = 999, sentAt = Forged, editedAt = Forged, conversationId = Guid.NewGuid(), id = ForgedId });

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var stored = Assert.Single(await bob.Messages(sent.GetProperty("conversationId").GetGuid()));
        Assert.Equal("second", stored.GetProperty("content").GetString());
        Assert.Equal(alice.Id, stored.GetProperty("senderId").GetGuid());
        Assert.Equal(sent.GetProperty("id").GetGuid(), stored.GetProperty("id").GetGuid());
        Assert.Equal(sent.GetProperty("sequence").GetInt64(), stored.GetProperty("sequence").GetInt64());
        Assert.Equal(sent.GetProperty("sentAt").GetDateTimeOffset(), stored.GetProperty("sentAt").GetDateTimeOffset());
        AssertServerTime(before, stored.GetProperty("editedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task Registering_cannot_choose_a_role_or_a_user_id()
    {
        var server = await EventChatServer.Instance;
        using var http = server.Http();
        var username = $"eve_{Guid.NewGuid():N}"[..20];

        var response = await http.PostAsJsonAsync("/api/auth/register",
            new { username, password = TestUser.Password, role = "admin", userId = ForgedId, id = ForgedId, expiresAt = Forged });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.NotEqual(ForgedId, body.GetProperty("userId").GetGuid());
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        var claims = TestUser.ClaimsOf(body.GetProperty("token").GetString()!);
        Assert.Equal("user", claims.GetProperty("role").GetString());
        Assert.Equal(body.GetProperty("userId").GetGuid().ToString(), claims.GetProperty("sub").GetString());
        using var eve = server.Http(body.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await eve.GetAsync("/api/admin/projections")).StatusCode);
    }

    [Fact]
    public async Task Posts_comments_groups_and_live_sessions_belong_to_their_caller_whatever_the_body_says()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var before = DateTimeOffset.UtcNow;

        var post = await Created(alice, "/api/posts",
            new { content = "mine", id = ForgedId, authorId = bob.Id, createdAt = Forged, likeCount = 99, commentCount = 99, likedBy = new[] { bob.Id } });
        var postId = post.GetProperty("id").GetGuid();
        var comment = await Created(alice, $"/api/posts/{postId}/comments", new { content = "hi", authorId = bob.Id, id = ForgedId, sequence = 999, postId = Guid.NewGuid() });
        var tab = await alice.OpenTab();
        var hubComment = await tab.Invoke("comment-post", new { postId, content = "over the hub", authorId = bob.Id, id = ForgedId });
        var group = await Created(alice, "/api/chat/conversations",
            new { participantIds = new[] { bob.Id }, title = "T", id = ForgedId, kind = "direct", createdAt = Forged, lastSequence = 999, unreadCount = 99 });
        var stream = await Created(alice, "/api/streams", new { title = "Live", id = ForgedId, hostId = bob.Id, state = "ended", viewerCount = 99, startedAt = Forged });
        await tab.Invoke("join-stream", new { sessionId = stream.GetProperty("id").GetGuid() });
        var chat = await tab.Invoke("stream-chat", new { sessionId = stream.GetProperty("id").GetGuid(), content = "hello", senderId = bob.Id, id = ForgedId, sentAt = Forged });

        var storedPost = await bob.Get($"/api/posts/{postId}");
        Assert.NotEqual(ForgedId, postId);
        Assert.Equal(alice.Id, storedPost.GetProperty("authorId").GetGuid());
        Assert.Equal(0, storedPost.GetProperty("likeCount").GetInt32());
        Assert.Empty(storedPost.GetProperty("likedBy").EnumerateArray());
        Assert.Equal(2, storedPost.GetProperty("commentCount").GetInt64());
        AssertServerTime(before, storedPost.GetProperty("createdAt").GetDateTimeOffset());
        foreach (var c in new[] { comment.GetProperty("comment"), hubComment.GetProperty("comment") })
        {
            Assert.Equal(alice.Id, c.GetProperty("authorId").GetGuid());
            Assert.Equal(postId, c.GetProperty("postId").GetGuid());
            Assert.NotEqual(ForgedId, c.GetProperty("id").GetGuid());
        }
        var storedGroup = await bob.Conversation(group.GetProperty("id").GetGuid());
        Assert.NotEqual(ForgedId, group.GetProperty("id").GetGuid());
        Assert.Equal("group", storedGroup.GetProperty("kind").GetString());
        Assert.True(storedGroup.GetProperty("lastSequence").GetInt64() < 999);
        Assert.Equal(0, storedGroup.GetProperty("unreadCount").GetInt32());
        AssertServerTime(before, storedGroup.GetProperty("createdAt").GetDateTimeOffset());
        var storedStream = await bob.Get($"/api/streams/{stream.GetProperty("id").GetGuid()}");
        Assert.NotEqual(ForgedId, stream.GetProperty("id").GetGuid());
        Assert.Equal(alice.Id, storedStream.GetProperty("hostId").GetGuid());
        Assert.Equal("live", storedStream.GetProperty("state").GetString());
        AssertServerTime(before, storedStream.GetProperty("startedAt").GetDateTimeOffset());
        var message = chat.GetProperty("message");
        Assert.Equal(alice.Id, message.GetProperty("senderId").GetGuid());
        Assert.NotEqual(ForgedId, message.GetProperty("id").GetGuid());
        AssertServerTime(before, message.GetProperty("sentAt").GetDateTimeOffset());
    }

    private static object ForgedMessage(TestUser sender, TestUser receiver, string content) => new
    {
        receiverId = receiver.Id,
        content,
        id = ForgedId,
        senderId = receiver.Id,
        sequence = 999,
        sentAt = Forged,
        editedAt = Forged,
        deletedAt = Forged,
        status = "delivered",
        conversation = new { id = ForgedId, participantIds = new[] { sender.Id } },
        message = new { id = ForgedId, senderId = receiver.Id },
    };

    /// <summary>As the receiver reads it back: the caller's message, at the server's time, at the stream's next sequence.</summary>
    private static async Task AssertStoredAsServerSaysAsync(TestUser receiver, TestUser sender, DateTimeOffset before, string content)
    {
        var conversation = Assert.Single(await receiver.Conversations());
        var stored = Assert.Single(await receiver.Messages(conversation.GetProperty("id").GetGuid()));
        Assert.Equal(content, stored.GetProperty("content").GetString());
        Assert.Equal(sender.Id, stored.GetProperty("senderId").GetGuid());
        Assert.NotEqual(ForgedId, stored.GetProperty("id").GetGuid());
        Assert.NotEqual(ForgedId, conversation.GetProperty("id").GetGuid());
        Assert.Equal(conversation.GetProperty("lastSequence").GetInt64(), stored.GetProperty("sequence").GetInt64());
        Assert.NotEqual(999, stored.GetProperty("sequence").GetInt64());
        AssertServerTime(before, stored.GetProperty("sentAt").GetDateTimeOffset());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("editedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("deletedAt").ValueKind);
        Assert.Equal(new[] { receiver.Id, sender.Id }.Order(), conversation.GetProperty("participantIds").EnumerateArray().Select(p => p.GetGuid()).Order());
    }

    // The test and the app share this machine's clock; a few seconds' slack covers a slow machine.
    private static void AssertServerTime(DateTimeOffset before, DateTimeOffset stored) =>
        Assert.InRange(stored, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

    private static async Task<JsonElement> Created(TestUser user, string path, object body)
    {
        var response = await user.Http.PostAsJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
