using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class History
{
    [Fact]
    public async Task A_conversation_as_of_a_moment_between_two_membership_changes_has_that_moments_members()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob);
        await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/participants", new { userIds = new[] { carol.Id } });
        await alice.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/participants/{bob.Id}");
        var events = await Events(alice, conversationId);
        var (added, removed) = (events.Single(e => e.Type == "ParticipantAdded"), events.Single(e => e.Type == "ParticipantRemoved"));
        var between = added.Timestamp + (removed.Timestamp - added.Timestamp) / 2;

        var then = await alice.Get<Conversation>($"/api/chat/conversations/{conversationId}?asOf={Uri.EscapeDataString(between.ToString("O"))}");
        var atVersion = await alice.Get<Conversation>($"/api/chat/conversations/{conversationId}?version={added.Version}");
        var now = await alice.Client.ConversationAsync(conversationId);

        Assert.Equal([alice.Id, bob.Id, carol.Id], then.ParticipantIds);
        Assert.Equal([alice.Id, bob.Id, carol.Id], atVersion.ParticipantIds);
        Assert.Equal([alice.Id, carol.Id], now.ParticipantIds);
    }

    [Fact]
    public async Task A_past_version_shows_that_versions_last_message_read_pointers_and_unread_count()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var first = (await SendTyped(alice, new { receiverId = bob.Id, content = "one" })).Message;
        var conversationId = first.ConversationId;
        await Send(alice, new { conversationId, content = "two" });
        await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = first.Id });

        // A past version has no SDK call: the app reads the conversation as it is now.
        var atFirst = await bob.Get<Conversation>($"/api/chat/conversations/{conversationId}?version=2");
        var afterRead = await bob.Get<Conversation>($"/api/chat/conversations/{conversationId}?version=4");

        Assert.Equal("one", atFirst.LastMessage?.Content);
        Assert.Equal(1, atFirst.UnreadCount);
        Assert.Equal("two", afterRead.LastMessage?.Content);
        Assert.Equal(1, afterRead.UnreadCount);
        Assert.Equal(2, afterRead.ReadUpTo[bob.Id]);
        Assert.Equal(HttpStatusCode.BadRequest, (await bob.Http.GetAsync($"/api/chat/conversations/{conversationId}?version=0")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bob.Http.GetAsync($"/api/chat/conversations/{conversationId}?asOf=2000-01-01T00:00:00Z")).StatusCode);
    }

    [Fact]
    public async Task The_event_history_pages_with_after_each_event_once_in_order_and_says_when_more_follow()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "m1" }));
        for (var i = 2; i <= 6; i++)
            await Send(i % 2 == 0 ? bob : alice, new { conversationId, content = $"m{i}" });
        var all = (await alice.Trail(conversationId, "?limit=200")).Items;
        Assert.Equal(Enumerable.Range(1, 7).Select(v => (long)v), all.Select(Version));

        var (paged, after, pages) = (new List<JsonElement>(), 0L, new List<(int, bool)>());
        for (var more = true; more;)
        {
            var page = await alice.Trail(conversationId, $"?after={after}&limit=3");
            more = page.HasMore;
            pages.Add((page.Items.Count, more));
            paged.AddRange(page.Items);
            after = Version(page.Items[^1]);
        }

        Assert.Equal([(3, true), (3, true), (1, false)], pages);
        // Each event once, byte for byte as the unpaged list has it.
        Assert.Equal(all.Select(e => e.GetRawText()), paged.Select(e => e.GetRawText()));
        var middle = await alice.Trail(conversationId, "?after=5&limit=2");
        Assert.Equal([6L, 7L], middle.Items.Select(Version));
        Assert.False(middle.HasMore);
        var past = await alice.Trail(conversationId, "?after=7");
        Assert.Equal((0, false), (past.Items.Count, past.HasMore));
    }

    [Fact]
    public async Task The_event_history_lists_who_did_what_in_order_and_redacts_deleted_text_except_for_admins()
    {
        var server = await EventChatServer.Instance;
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var mallory = await server.NewUser("mallory");
        var sent = (await SendTyped(alice, new { receiverId = bob.Id, content = "oops, secret" })).Message;
        var conversationId = sent.ConversationId;
        await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = sent.Id });
        await alice.Http.DeleteAsync($"/api/chat/messages/{sent.Id}");

        var history = await Events(bob, conversationId);

        Assert.Equal(["ConversationStarted", "MessageSent", "MessagesMarkedRead", "MessageDeleted"], history.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4], history.Select(e => e.Version));
        Assert.True(history.Zip(history.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        Assert.Equal([alice.Id, alice.Id, bob.Id, alice.Id], history.Select(e => e.Actor));
        Assert.True(history[1].Redacted);
        Assert.Equal("", history[1].Data.GetProperty("content").GetString());
        Assert.Equal("oops, secret", (await Events(admin, conversationId))[1].Data.GetProperty("content").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.Http.GetAsync($"/api/chat/conversations/{conversationId}/events")).StatusCode);
    }

    [Fact]
    public async Task The_audit_trail_reads_conversations_only_and_no_answer_carries_a_password_hash()
    {
        var server = await EventChatServer.Instance;
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = (await SendTyped(alice, new { receiverId = bob.Id, content = "hi" })).Message;
        var (conversationId, messageId) = (sent.ConversationId, sent.Id);
        var post = (await alice.Client.CreatePostAsync("a post")).Id;
        var session = (await alice.Client.StartLiveSessionAsync("live")).Id;
        using var anonymous = server.Http();

        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/api/chat/conversations/{conversationId}/events")).StatusCode);
        foreach (var stream in (Guid[])[alice.Id, admin.Id, post, session])
            Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/chat/conversations/{stream}/events")).StatusCode);

        // Every answer that carries events or account data, for each kind of caller.
        Func<Task<HttpResponseMessage>>[] calls =
        [
            () => admin.Http.GetAsync($"/api/chat/conversations/{alice.Id}/events"),
            () => admin.Http.GetAsync($"/api/chat/conversations/{conversationId}/events"),
            () => admin.Http.PutAsJsonAsync($"/api/admin/users/{bob.Id}/role", new { role = "user" }),
            () => alice.Http.GetAsync($"/api/chat/conversations/{conversationId}/events"),
            () => alice.Http.GetAsync("/api/chat/sync"),
            () => alice.Http.GetAsync("/api/users/me/export"),
            () => alice.Http.GetAsync($"/api/users/{bob.Id}"),
            () => alice.Http.GetAsync($"/api/users/?username={bob.Username}"),
            () => alice.Http.GetAsync($"/api/chat/messages/{messageId}/versions"),
            () => alice.Http.GetAsync("/api/chat/conversations"),
            () => anonymous.PostAsJsonAsync("/api/auth/login", new { username = alice.Username, password = TestUser.Password }),
            () => anonymous.PostAsJsonAsync("/api/auth/register", new { username = $"eve-{Guid.NewGuid():N}"[..20], password = TestUser.Password }),
        ];
        foreach (var call in calls)
        {
            var response = await call();
            Assert.True(response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound, $"{response.RequestMessage!.RequestUri}: {response.StatusCode}");
            Assert.DoesNotContain("passwordhash", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
        }
    }

    private static long Version(JsonElement historyEvent) => historyEvent.As<TrailEvent>().Version;

    private static async Task<IReadOnlyList<TrailEvent>> Events(TestUser user, Guid conversationId) => (await user.Trail(conversationId)).Events;
}
