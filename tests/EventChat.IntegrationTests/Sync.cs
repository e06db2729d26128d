using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class Sync
{
    [Fact]
    public async Task A_client_that_disconnects_after_message_k_of_50_gets_exactly_the_rest()
    {
        const int k = 20;
        var server = await EventChatServer.Instance;
        await using var bob = await server.NewUser("bob");
        // Three senders, so fifty messages stay within each sender's rate limit.
        List<TestUser> senders = [await server.NewUser("alice"), await server.NewUser("carol"), await server.NewUser("dave")];
        try
        {
            var conversationId = (await senders[0].Client.CreateGroupAsync([bob.Id, senders[1].Id, senders[2].Id])).Id;
            for (var i = 1; i <= k; i++)
                await Send(senders[i % 3], new { conversationId, content = $"m{i}" });
            var (seen, cursor) = await SyncAll(bob);

            for (var i = k + 1; i <= 50; i++)
                await Send(senders[i % 3], new { conversationId, content = $"m{i}" });
            var (resumed, _) = await SyncAll(bob, cursor);

            Assert.Equal(["ConversationStarted", .. Enumerable.Repeat("MessageSent", k)], seen.Select(Type));
            Assert.Equal(Enumerable.Range(k + 1, 50 - k).Select(i => $"m{i}"), resumed.Select(ContentOf));
            Assert.All(resumed, item => Assert.Equal("MessageSent", Type(item)));
            var (fromStart, _) = await SyncAll(bob);
            Assert.Equal(fromStart.Select(Key), seen.Concat(resumed).Select(Key));
            Assert.Equal(51, fromStart.Count);
        }
        finally
        {
            foreach (var sender in senders)
                await sender.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sync_across_three_conversations_interleaves_in_commit_order()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        List<TestUser> friends = [await server.NewUser("bob"), await server.NewUser("carol"), await server.NewUser("dave")];
        try
        {
            var conversations = new List<Guid>();
            foreach (var friend in friends)
                conversations.Add(ConversationId(await Send(alice, new { receiverId = friend.Id, content = "hello" })));
            // Concurrent sends to three streams: commit order is whatever the database made of it.
            await Task.WhenAll(Enumerable.Range(0, 30).Select(i =>
                Send(i % 2 == 0 ? alice : friends[i % 3], new { conversationId = conversations[i % 3], content = $"c{i}" })));

            var (items, _) = await SyncAll(alice);

            var committed = new List<(long Sequence, Guid Conversation, long Version)>();
            foreach (var id in conversations)
                committed.AddRange((await alice.Trail(id, "?limit=200")).Events
                    .Select(e => (e.Sequence, id, e.Version)));
            Assert.Equal(3 * 2 + 30, items.Count);
            Assert.Equal(committed.OrderBy(c => c.Sequence).Select(c => (c.Conversation, c.Version)), items.Select(i => (ConversationOf(i), Version(i))));
            Assert.Equal(3, items.Select(ConversationOf).Distinct().Count());
        }
        finally
        {
            foreach (var friend in friends)
                await friend.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_forged_a_tampered_and_another_users_cursor_are_validation_errors()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(alice, new { receiverId = bob.Id, content = "hi" });
        var (_, aliceCursor) = await SyncAll(alice);
        var bytes = Convert.FromBase64String(aliceCursor.Replace('-', '+').Replace('_', '/') + new string('=', (4 - aliceCursor.Length % 4) % 4));
        bytes[8] ^= 1; // the sequence's last byte: "skip one event"
        var tampered = Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var forged = Convert.ToBase64String([1, 0, 0, 0, 0, 0, 0, 0, 5, .. new byte[16]]).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        foreach (var cursor in new[] { tampered, forged, "not a cursor", aliceCursor[..^2] })
            await AssertRejected(alice, cursor);
        await AssertRejected(bob, aliceCursor);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Http.GetAsync("/api/chat/sync?limit=501")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await alice.Http.GetAsync("/api/chat/sync?limit=0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.GetAsync($"/api/chat/sync?since={aliceCursor}")).StatusCode);
    }

    [Fact]
    public async Task Pages_of_limit_items_with_hasMore_add_up_to_the_whole_feed()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "m1" }));
        for (var i = 2; i <= 7; i++)
            await Send(alice, new { conversationId, content = $"m{i}" });
        var (whole, _) = await SyncAll(bob);

        var first = await Page(bob, null, 3);
        var pages = new List<JsonElement> { first };
        var (page, cursor) = (first, first.As<SyncPage>().Cursor);
        while (page.As<SyncPage>().HasMore)
        {
            page = await Page(bob, cursor, 3);
            pages.Add(page);
            cursor = page.As<SyncPage>().Cursor;
        }

        Assert.Equal(8, whole.Count);
        Assert.Equal(3, Items(first).Length);
        Assert.True(first.As<SyncPage>().HasMore);
        Assert.All(pages, p => Assert.True(Items(p).Length <= 3));
        Assert.Equal(whole.Select(Key), pages.SelectMany(Items).Select(Key));
        Assert.Empty(Items(await Page(bob, cursor, 3)));
    }

    [Fact]
    public async Task The_hub_sync_answers_the_same_as_rest()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = (await SendTyped(alice, new { receiverId = bob.Id, content = "one" })).Message;
        var conversationId = sent.ConversationId;
        await Send(alice, new { conversationId, content = "two" });
        await bob.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/read", new { messageId = sent.Id });
        await alice.Http.DeleteAsync($"/api/chat/messages/{sent.Id}");
        var tab = await bob.OpenTab();

        var (rest, restCursor) = await SyncAll(bob);
        var (hub, hubCursor) = await SyncAll(bob, viaHub: tab);
        var (restAfterFirst, _) = await SyncAll(bob, (await Page(bob, null, 1)).As<SyncPage>().Cursor);
        var (hubAfterFirst, _) = await SyncAll(bob, (await tab.Invoke("sync", new { limit = 1 })).As<SyncPage>().Cursor, tab);

        Assert.Equal(["ConversationStarted", "MessageSent", "MessageSent", "MessagesMarkedRead", "MessageDeleted"], rest.Select(Type));
        Assert.Equal(rest.Select(i => i.GetRawText()), hub.Select(i => i.GetRawText()));
        // Cursors are the same currency on both: each one resumes on the other with nothing new.
        Assert.Empty((await SyncAll(bob, restCursor, tab)).Items);
        Assert.Empty((await SyncAll(bob, hubCursor)).Items);
        Assert.Equal(restAfterFirst.Select(i => i.GetRawText()), hubAfterFirst.Select(i => i.GetRawText()));
        // The deleted message is a tombstone wherever it appears: its text never comes back.
        Assert.Equal("", rest[1].As<SyncItem>().Message?.Content);
        Assert.Equal("", rest[4].As<SyncItem>().Message?.Content);
        Assert.Equal(bob.Id, rest[3].As<SyncItem>().Receipt?.ReadBy);
    }

    [Fact]
    public async Task A_removed_member_gets_the_removal_and_nothing_later_and_an_added_one_starts_at_the_addition()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        var conversationId = await alice.CreateGroup(bob);
        var first = (await SendTyped(alice, new { conversationId, content = "before" })).Message.Id;
        var (_, bobCursor) = await SyncAll(bob, (await Page(bob, null, 1)).As<SyncPage>().Cursor);
        await alice.Http.DeleteAsync($"/api/chat/conversations/{conversationId}/participants/{bob.Id}");
        await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/participants", new { userIds = new[] { carol.Id } });
        await Send(alice, new { conversationId, content = "after" });
        await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{first}", new { content = "before, edited later" });

        var (bobFeed, _) = await SyncAll(bob);
        var (bobResumed, _) = await SyncAll(bob, bobCursor);
        var (carolFeed, _) = await SyncAll(carol);

        Assert.Equal(["ConversationStarted", "MessageSent", "ParticipantRemoved"], bobFeed.Select(Type));
        Assert.Equal("before", ContentOf(bobFeed[1]));
        var removal = bobFeed[2].As<SyncItem>().Membership;
        Assert.Equal([bob.Id], removal?.UserIds ?? []);
        Assert.Equal(alice.Id, removal?.By);
        Assert.Equal(["ParticipantRemoved"], bobResumed.Select(Type));
        Assert.Equal(["ParticipantAdded", "MessageSent", "MessageEdited"], carolFeed.Select(Type));
        Assert.Equal(["after", "before, edited later"], carolFeed.Skip(1).Select(ContentOf));
    }

    private static async Task AssertRejected(TestUser user, string cursor)
    {
        var response = await user.Http.GetAsync($"/api/chat/sync?since={Uri.EscapeDataString(cursor)}");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty("since", out _), problem.GetRawText());
    }

    internal static async Task<JsonElement> Page(TestUser user, string? since, int? limit = null)
    {
        var query = string.Join('&', new[] { since is null ? null : $"since={since}", limit is null ? null : $"limit={limit}" }.OfType<string>());
        return await user.Get($"/api/chat/sync?{query}");
    }

    /// <summary>
    /// What a reconnecting client does: sync until <c>hasMore</c> is false. A page can stop short while another
    /// transaction's write is in flight; asking again is how a client waits for it (bounded by the stale-gap time).
    /// </summary>
    internal static async Task<(List<JsonElement> Items, string Cursor)> SyncAll(TestUser user, string? since = null, Tab? viaHub = null)
    {
        var items = new List<JsonElement>();
        while (true)
        {
            var page = viaHub is null ? await Page(user, since, 500) : await viaHub.Invoke("sync", new { since, limit = 500 });
            var typed = page.As<SyncPage>();
            items.AddRange(Items(page));
            since = typed.Cursor;
            if (!typed.HasMore)
                return (items, since);
        }
    }

    internal static JsonElement[] Items(JsonElement page) => [.. page.GetProperty("items").EnumerateArray()];

    internal static string Type(JsonElement item) => item.As<SyncItem>().Type;

    internal static Guid ConversationOf(JsonElement item) => item.As<SyncItem>().ConversationId;

    private static long Version(JsonElement item) => item.As<SyncItem>().Version;

    private static (Guid, long) Key(JsonElement item) => (ConversationOf(item), Version(item));
}
