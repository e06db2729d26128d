using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;

namespace EventChat.IntegrationTests;

/// <summary>
/// Fields only the server sets (ids, senders, authors, hosts, times, sequences, counts, roles) are ignored when a
/// client sends them, on REST and on the hub: what is stored is the caller, the server's clock and the stream's order.
/// Answers are read strictly (<see cref="Typed"/>): a forged id must be absent, not merely unequal to a missing field.
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
        var sent = (await Messaging.SendTyped(alice, new { receiverId = bob.Id, content = "first" })).Message;
        var before = DateTimeOffset.UtcNow;

        var edit = await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent.Id}",
            new { content = "second", senderId = bob.Id, sequence = 999, sentAt = Forged, editedAt = Forged, conversationId = Guid.NewGuid(), id = ForgedId });

        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);
        var stored = Assert.Single((await bob.Get<MessagePage>($"/api/chat/conversations/{sent.ConversationId}/messages?limit=200")).Items);
        Assert.Equal("second", stored.Content);
        Assert.Equal(alice.Id, stored.SenderId);
        Assert.Equal(sent.Id, stored.Id);
        Assert.Equal(sent.Sequence, stored.Sequence);
        Assert.Equal(sent.SentAt, stored.SentAt);
        AssertServerTime(before, Assert.NotNull(stored.EditedAt));
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

        var post = await Created<Post>(alice, "/api/posts",
            new { content = "mine", id = ForgedId, authorId = bob.Id, createdAt = Forged, likeCount = 99, commentCount = 99, likedBy = new[] { bob.Id } });
        var postId = post.Id;
        var comment = await Created<CommentResult>(alice, $"/api/posts/{postId}/comments", new { content = "hi", authorId = bob.Id, id = ForgedId, sequence = 999, postId = Guid.NewGuid() });
        var tab = await alice.OpenTab();
        var hubComment = (await tab.Invoke("comment-post", new { postId, content = "over the hub", authorId = bob.Id, id = ForgedId })).As<CommentResult>();
        var group = await Created<Conversation>(alice, "/api/chat/conversations",
            new { participantIds = new[] { bob.Id }, title = "T", id = ForgedId, kind = "direct", createdAt = Forged, lastSequence = 999, unreadCount = 99 });
        var stream = await Created<LiveSession>(alice, "/api/streams", new { title = "Live", id = ForgedId, hostId = bob.Id, state = "ended", viewerCount = 99, startedAt = Forged });
        await tab.Invoke("join-stream", new { sessionId = stream.Id });
        var chat = await tab.Invoke("stream-chat", new { sessionId = stream.Id, content = "hello", senderId = bob.Id, id = ForgedId, sentAt = Forged });

        var storedPost = await bob.Get<Post>($"/api/posts/{postId}");
        Assert.NotEqual(ForgedId, postId);
        Assert.Equal(alice.Id, storedPost.AuthorId);
        Assert.Equal(0, storedPost.LikeCount);
        Assert.Empty(storedPost.LikedBy);
        Assert.Equal(2, storedPost.CommentCount);
        AssertServerTime(before, storedPost.CreatedAt);
        foreach (var c in new[] { comment.Comment, hubComment.Comment })
        {
            Assert.Equal(alice.Id, c.AuthorId);
            Assert.Equal(postId, c.PostId);
            Assert.NotEqual(ForgedId, c.Id);
        }
        var storedGroup = await bob.Get<Conversation>($"/api/chat/conversations/{group.Id}");
        Assert.NotEqual(ForgedId, group.Id);
        Assert.Equal(ConversationKind.Group, storedGroup.Kind);
        Assert.True(storedGroup.LastSequence < 999);
        Assert.Equal(0, storedGroup.UnreadCount);
        AssertServerTime(before, storedGroup.CreatedAt);
        var storedStream = await bob.Get<LiveSession>($"/api/streams/{stream.Id}");
        Assert.NotEqual(ForgedId, stream.Id);
        Assert.Equal(alice.Id, storedStream.HostId);
        Assert.Equal(LiveSessionState.Live, storedStream.State);
        AssertServerTime(before, storedStream.StartedAt);
        // A live chat message has no SDK record.
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
        var conversation = Assert.Single((await receiver.Get<ConversationPage>("/api/chat/conversations")).Items);
        var storedJson = Assert.Single(await receiver.Messages(conversation.Id));
        var stored = storedJson.As<Message>();
        Assert.Equal(content, stored.Content);
        Assert.Equal(sender.Id, stored.SenderId);
        Assert.NotEqual(ForgedId, stored.Id);
        Assert.NotEqual(ForgedId, conversation.Id);
        Assert.Equal(conversation.LastSequence, stored.Sequence);
        Assert.NotEqual(999, stored.Sequence);
        AssertServerTime(before, stored.SentAt);
        // Present and null on the wire, which a typed read cannot tell from missing.
        Assert.Equal(JsonValueKind.Null, storedJson.GetProperty("editedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, storedJson.GetProperty("deletedAt").ValueKind);
        Assert.Equal(new[] { receiver.Id, sender.Id }.Order(), conversation.ParticipantIds.Order());
    }

    // The test and the app share this machine's clock; a few seconds' slack covers a slow machine.
    private static void AssertServerTime(DateTimeOffset before, DateTimeOffset stored) =>
        Assert.InRange(stored, before.AddSeconds(-5), DateTimeOffset.UtcNow.AddSeconds(5));

    private static async Task<T> Created<T>(TestUser user, string path, object body)
    {
        var response = await user.Http.PostAsJsonAsync(path, body);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.Read<T>();
    }
}
