using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

public sealed class ConversationList
{
    [Fact]
    public async Task The_list_comes_in_pages_most_recently_active_first_and_its_cursor_walks_all_of_it_once()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var conversations = await FiveConversationsOf(alice);

        var (pages, hasMore) = (new List<JsonElement[]>(), true);
        string? cursor = null;
        while (hasMore)
        {
            var page = await alice.Get($"/api/chat/conversations?limit=2{(cursor is null ? "" : $"&before={cursor}")}");
            pages.Add([.. page.GetProperty("items").EnumerateArray()]);
            (hasMore, cursor) = (page.GetProperty("hasMore").GetBoolean(), page.GetProperty("cursor").GetString());
        }

        Assert.Equal(new[] { 2, 2, 1 }, pages.Select(p => p.Length));
        var listed = pages.SelectMany(p => p).ToList();
        Assert.Equal(conversations.AsEnumerable().Reverse(), listed.Select(c => c.GetProperty("id").GetGuid()));
        var activity = listed.Select(c => c.GetProperty("lastActivityAt").GetDateTimeOffset()).ToList();
        Assert.Equal(activity.OrderByDescending(at => at), activity);
        Assert.All(listed, c => Assert.Equal(1, c.GetProperty("unreadCount").GetInt32()));
        // Without parameters: the first page of the default size, here all of them.
        var all = await alice.Get("/api/chat/conversations");
        Assert.Equal(listed.Select(c => c.GetProperty("id").GetGuid()), all.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()));
        Assert.False(all.GetProperty("hasMore").GetBoolean());
    }

    [Fact]
    public async Task A_conversation_that_becomes_active_while_paging_moves_to_the_first_page_and_the_later_pages_neither_repeat_nor_skip()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var conversations = await FiveConversationsOf(alice);
        var first = await alice.Get("/api/chat/conversations?limit=2");
        Assert.Equal(new[] { conversations[4], conversations[3] }, Ids(first));

        // The oldest (not yet paged to) and the newest (already on the first page) get new messages.
        await Send(alice, new { conversationId = conversations[0], content = "back to you" });
        await Send(alice, new { conversationId = conversations[4], content = "and you" });
        var second = await alice.Get($"/api/chat/conversations?limit=2&before={first.GetProperty("cursor").GetString()}");

        Assert.Equal(new[] { conversations[2], conversations[1] }, Ids(second));
        Assert.False(second.GetProperty("hasMore").GetBoolean());
        Assert.Equal(new[] { conversations[4], conversations[0] }, Ids(await alice.Get("/api/chat/conversations?limit=2")));
    }

    [Fact]
    public async Task Membership_changes_count_as_activity_and_edits_reads_and_deletes_do_not_across_every_page()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var carol = await server.NewUser("carol");
        await using var dave = await server.NewUser("dave");
        var left = await alice.CreateGroup(bob, carol);
        var removed = await alice.CreateGroup(bob, carol);
        var quiet = ConversationId(await Send(bob, new { receiverId = alice.Id, content = "quiet" }));
        var touched = ConversationId(await Send(carol, new { receiverId = alice.Id, content = "touched" }));
        var messaged = await alice.CreateGroup(bob);
        var addedTo = await dave.CreateGroup(bob);

        // Oldest activity first: in each, the last change is one the list counts as activity, or one it does not.
        await Send(bob, new { conversationId = messaged, content = "news" });
        Assert.Equal(HttpStatusCode.NoContent, (await bob.Http.DeleteAsync($"/api/chat/conversations/{left}/participants/{bob.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/conversations/{removed}/participants/{carol.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await dave.Http.PostAsJsonAsync($"/api/chat/conversations/{addedTo}/participants", new { userIds = new[] { alice.Id } })).StatusCode);
        var touchedMessage = (await alice.Messages(touched))[0].GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PostAsJsonAsync($"/api/chat/conversations/{touched}/read", new { messageId = touchedMessage })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await carol.Http.PatchAsJsonAsync($"/api/chat/messages/{touchedMessage}", new { content = "edited" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await carol.Http.DeleteAsync($"/api/chat/messages/{touchedMessage}")).StatusCode);

        var listed = new List<JsonElement>();
        string? cursor = null;
        for (var more = true; more;)
        {
            var page = await alice.Get($"/api/chat/conversations?limit=2{(cursor is null ? "" : $"&before={cursor}")}");
            listed.AddRange(page.GetProperty("items").EnumerateArray());
            (more, cursor) = (page.GetProperty("hasMore").GetBoolean(), page.GetProperty("cursor").GetString());
        }

        Assert.Equal([addedTo, removed, left, messaged, touched, quiet], listed.Select(c => c.GetProperty("id").GetGuid()));
        var activity = listed.Select(c => c.GetProperty("lastActivityAt").GetDateTimeOffset()).ToList();
        Assert.Equal(activity.OrderByDescending(at => at), activity);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("before=not-a-cursor")]
    [InlineData("before=AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_limit_out_of_range_or_a_cursor_the_server_did_not_issue_is_a_validation_problem(string query)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.GetAsync($"/api/chat/conversations?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("validation", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
    }

    private static Guid[] Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid())];

    /// <summary>Five direct conversations of <paramref name="alice"/>, each started by someone else's message, oldest first.</summary>
    private static async Task<Guid[]> FiveConversationsOf(TestUser alice)
    {
        var server = await EventChatServer.Instance;
        var conversations = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            await using var other = await server.NewUser($"other{i}");
            conversations.Add(ConversationId(await Send(other, new { receiverId = alice.Id, content = $"hello {i}" })));
        }
        return [.. conversations];
    }
}
