using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using ViewerCountPushes = EventChat.Application.Streams.ViewerCountPushes;

namespace EventChat.IntegrationTests;

public sealed class LiveSessions
{
    [Fact]
    public async Task Joins_and_leaves_move_the_viewer_count_for_everyone_in_the_room()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        var sessionId = await Start(host);
        var viewers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => server.NewUser("viewer")));
        var tabs = await Task.WhenAll(viewers.Select(v => v.OpenTab()));

        Assert.Equal(1, (await Join(tabs[0], sessionId)).GetProperty("viewerCount").GetInt32());
        await Join(tabs[1], sessionId);
        await Join(tabs[2], sessionId);
        await NextCount(tabs[0], 3);
        await NextCount(tabs[1], 3);

        var left = await tabs[2].Invoke("leave-stream", new { sessionId });
        Assert.Equal(2, left.GetProperty("viewerCount").GetInt32());
        await NextCount(tabs[0], 2);
        await tabs[1].DisposeAsync();
        await NextCount(tabs[0], 1);

        var session = await host.Client.LiveSessionAsync(sessionId);
        Assert.Equal(1, session.ViewerCount);
        Assert.Equal(LiveSessionState.Live, session.State);
        foreach (var viewer in viewers)
            await viewer.DisposeAsync();
    }

    [Fact]
    public async Task A_burst_of_joins_is_announced_in_a_few_pushes_that_end_on_the_settled_count()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        var sessionId = await Start(host);
        var observer = await host.OpenTab();
        var viewers = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => server.NewUser("viewer")));
        var tabs = await Task.WhenAll(viewers.Select(v => v.OpenTab()));

        var clock = Stopwatch.StartNew();
        await Join(observer, sessionId);
        await Task.WhenAll(tabs.Select(tab => Join(tab, sessionId)));
        var pushes = 0;
        for (var count = 0; count != 21; pushes++)
            count = (await observer.Next("stream-viewers")).GetProperty("viewerCount").GetInt32();
        var took = clock.Elapsed;

        // Pushing on every join would send 21 counts (and N²/2 deliveries for N joiners). Coalesced, pushes go out at
        // most once per interval, each an interval after the change that asked for it, however long the joins took.
        var mostPushes = (int)(took / ViewerCountPushes.Interval) + 1;
        Assert.InRange(pushes, 1, mostPushes);
        Assert.True(mostPushes < 21, $"The joins took {took.TotalSeconds:F1} s, long enough for a push per join to fit: this run cannot tell.");
        foreach (var viewer in viewers)
            await viewer.DisposeAsync();
    }

    [Fact]
    public async Task A_viewer_with_two_connections_counts_once()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var viewer = await server.NewUser("viewer");
        var sessionId = await Start(host);
        var (phone, laptop) = (await viewer.OpenTab(), await viewer.OpenTab());

        await Join(phone, sessionId);
        Assert.Equal(1, (await Join(laptop, sessionId)).GetProperty("viewerCount").GetInt32());
        Assert.Equal(1, (await phone.Invoke("leave-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        Assert.Equal(0, (await laptop.Invoke("leave-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
    }

    [Fact]
    public async Task Chat_reaches_every_viewer_and_no_one_outside_the_room()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await using var outsider = await server.NewUser("outsider");
        var sessionId = await Start(host);
        var (hostTab, aliceTab, bobTab, outsiderTab) = (await host.OpenTab(), await alice.OpenTab(), await bob.OpenTab(), await outsider.OpenTab());
        foreach (var tab in new[] { hostTab, aliceTab, bobTab })
            await Join(tab, sessionId);

        var answer = await aliceTab.Invoke("stream-chat", new { sessionId, content = "hello stream" });

        Assert.Equal(sessionId, answer.GetProperty("sessionId").GetGuid());
        Assert.Equal("hello stream", answer.GetProperty("message").GetProperty("content").GetString());
        foreach (var tab in new[] { hostTab, aliceTab, bobTab })
        {
            var pushed = await tab.Next("stream-chat");
            Assert.Equal(alice.Id, pushed.GetProperty("message").GetProperty("senderId").GetGuid());
            Assert.Equal("hello stream", pushed.GetProperty("message").GetProperty("content").GetString());
        }
        await Assert.ThrowsAsync<HubException>(() => outsiderTab.Invoke("stream-chat", new { sessionId, content = "not watching" }));
        Assert.Equal("forbidden", (await outsiderTab.Next("error")).GetProperty("code").GetString());
        Assert.Empty(outsiderTab.Received("stream-chat"));
        Assert.Empty(bobTab.Received("stream-chat"));
        Assert.Equal(1, (await host.Client.LiveSessionAsync(sessionId)).MessageCount);
    }

    [Fact]
    public async Task Joining_shows_the_recent_chat_without_messages_the_host_took_down()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var alice = await server.NewUser("alice");
        await using var late = await server.NewUser("late");
        var sessionId = await Start(host);
        var aliceTab = await alice.OpenTab();
        await Join(aliceTab, sessionId);
        var ids = new List<Guid>();
        foreach (var content in new[] { "one", "two", "three" })
            ids.Add((await aliceTab.Invoke("stream-chat", new { sessionId, content })).GetProperty("message").GetProperty("id").GetGuid());

        var removed = await host.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{ids[1]}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        var takenDown = await aliceTab.Next("stream-message-removed");
        Assert.Equal(ids[1], takenDown.GetProperty("messageId").GetGuid());

        var joined = await Join(await late.OpenTab(), sessionId);
        Assert.Equal(["one", "three"], joined.GetProperty("recentMessages").EnumerateArray().Select(m => m.GetProperty("content").GetString()));
        Assert.Equal(2, (await host.Client.LiveSessionAsync(sessionId)).MessageCount);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{ids[0]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{ids[1]}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{ids[1]}")).StatusCode);
    }

    [Fact]
    public async Task An_ended_session_announces_it_and_takes_no_more_chat_or_viewers()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var viewer = await server.NewUser("viewer");
        var sessionId = await Start(host);
        var tab = await viewer.OpenTab();
        await Join(tab, sessionId);

        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.Http.PostAsync($"/api/streams/{sessionId}/end", null)).StatusCode);
        var ended = await host.Http.PostAsync($"/api/streams/{sessionId}/end", null);

        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(LiveSessionState.Ended, (await ended.Read<LiveSession>()).State);
        Assert.Equal(sessionId, (await tab.Next("stream-ended")).GetProperty("sessionId").GetGuid());
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("stream-chat", new { sessionId, content = "anyone?" }));
        Assert.Equal("conflict", (await tab.Next("error")).GetProperty("code").GetString());
        await Assert.ThrowsAsync<HubException>(() => Join(tab, sessionId));
        Assert.Equal("conflict", (await tab.Next("error")).GetProperty("code").GetString());
        Assert.Equal(0, (await host.Get<LiveSession>($"/api/streams/{sessionId}")).MessageCount);
    }

    [Fact]
    public async Task A_banned_user_can_watch_but_not_chat()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        await using var troll = await server.NewUser("troll");
        await using var fan = await server.NewUser("fan");
        var sessionId = await Start(host);
        var (trollTab, fanTab) = (await troll.OpenTab(), await fan.OpenTab());
        await Join(trollTab, sessionId);
        await Join(fanTab, sessionId);

        Assert.Equal(HttpStatusCode.NoContent, (await host.Http.PostAsJsonAsync($"/api/streams/{sessionId}/bans", new { userId = troll.Id })).StatusCode);

        await Assert.ThrowsAsync<HubException>(() => trollTab.Invoke("stream-chat", new { sessionId, content = "spam" }));
        Assert.Equal("forbidden", (await trollTab.Next("error")).GetProperty("code").GetString());
        await fanTab.Invoke("stream-chat", new { sessionId, content = "great show" });
        Assert.Equal("great show", (await trollTab.Next("stream-chat")).GetProperty("message").GetProperty("content").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await fan.Http.PostAsJsonAsync($"/api/streams/{sessionId}/bans", new { userId = troll.Id })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.PostAsJsonAsync($"/api/streams/{sessionId}/bans", new { userId = Guid.CreateVersion7() })).StatusCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public async Task Empty_stream_chat_is_a_validation_error_and_stores_nothing(string? content)
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        var sessionId = await Start(host);
        var tab = await host.OpenTab();
        await Join(tab, sessionId);

        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("stream-chat", new { sessionId, content }));

        Assert.Equal("validation", (await tab.Next("error")).GetProperty("code").GetString());
        Assert.Equal(0, (await host.Get<LiveSession>($"/api/streams/{sessionId}")).MessageCount);
    }

    [Fact]
    public async Task Unknown_sessions_and_bad_titles_get_clear_errors()
    {
        var server = await EventChatServer.Instance;
        await using var host = await server.NewUser("host");
        var tab = await host.OpenTab();

        Assert.Equal(HttpStatusCode.NotFound, (await host.Http.GetAsync($"/api/streams/{Guid.CreateVersion7()}")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsJsonAsync("/api/streams", new { title = "" })).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.PostAsJsonAsync("/api/streams", new { title = new string('t', 201) })).StatusCode);
        await Assert.ThrowsAsync<HubException>(() => Join(tab, Guid.CreateVersion7()));
        Assert.Equal("not_found", (await tab.Next("error")).GetProperty("code").GetString());
        await Assert.ThrowsAsync<HubException>(() => tab.Invoke("stream-chat", new { sessionId = Guid.CreateVersion7(), content = "hi" }));
        Assert.Equal("not_found", (await tab.Next("error")).GetProperty("code").GetString());
    }

    [Fact]
    public async Task The_directory_pages_live_sessions_most_recently_started_first_and_lists_ended_ones_when_asked()
    {
        // A database of its own, so the directory holds exactly this test's sessions.
        await using var server = await EventChatServer.StartIsolated();
        await using var host = await server.NewUser("host");
        await using var viewer = await server.NewUser("viewer");
        var sessions = new List<Guid>();
        for (var i = 0; i < 5; i++)
            sessions.Add(await Start(host));
        await End(host, sessions[1]);
        await End(host, sessions[3]);
        await Join(await viewer.OpenTab(), sessions[4]);

        var live = await viewer.Pages("/api/streams?state=live&limit=2");
        var ended = await viewer.Pages("/api/streams?state=ended&limit=1");

        Assert.Equal([2, 1], live.Select(p => p.Length));
        var listed = live.SelectMany(p => p).ToList();
        // Raw pages: the items must be the sessions byte for byte as GET /api/streams/{id} answers them.
        foreach (var session in listed)
            Assert.Equal((await viewer.Get($"/api/streams/{session.As<LiveSession>().Id}")).GetRawText(), session.GetRawText());
        var liveSessions = listed.Select(s => s.As<LiveSession>()).ToList();
        var endedSessions = ended.SelectMany(p => p).Select(s => s.As<LiveSession>()).ToList();
        Assert.Equal([sessions[4], sessions[2], sessions[0]], liveSessions.Select(s => s.Id));
        Assert.Equal([1, 0, 0], liveSessions.Select(s => s.ViewerCount));
        Assert.Equal([[sessions[3]], [sessions[1]]], ended.Select(p => p.Select(s => s.As<LiveSession>().Id).ToArray()));
        Assert.All(endedSessions, s => Assert.Equal(LiveSessionState.Ended, s.State));
        var started = liveSessions.Concat(endedSessions).Select(s => s.StartedAt).ToList();
        Assert.Equal(started[..3].OrderByDescending(at => at), started[..3]);
        Assert.Equal(started[3..].OrderByDescending(at => at), started[3..]);
        // Without parameters: the first page of live sessions, of the default size, here all of them.
        var all = await viewer.Get<LiveSessionPage>("/api/streams");
        Assert.Equal(liveSessions.Select(s => s.Id), Ids(all));
        Assert.False(all.HasMore);
    }

    [Fact]
    public async Task A_session_that_ends_while_a_viewer_pages_leaves_the_live_list_and_no_other_is_repeated_or_skipped()
    {
        await using var server = await EventChatServer.StartIsolated();
        await using var host = await server.NewUser("host");
        var sessions = new List<Guid>();
        for (var i = 0; i < 5; i++)
            sessions.Add(await Start(host));
        var first = await host.Client.LiveSessionsAsync(limit: 2);

        // One already paged past, one not yet reached.
        await End(host, sessions[3]);
        await End(host, sessions[1]);
        var started = await Start(host);
        var second = await host.Get<LiveSessionPage>($"/api/streams?limit=2&before={first.Cursor}");

        Assert.Equal([sessions[4], sessions[3]], Ids(first));
        Assert.True(first.HasMore);
        Assert.Equal([sessions[2], sessions[0]], Ids(second));
        Assert.False(second.HasMore);
        Assert.Equal([started, sessions[4], sessions[2], sessions[0]], Ids(await host.Client.LiveSessionsAsync()));
        Assert.Equal([sessions[3], sessions[1]], Ids(await host.Client.LiveSessionsAsync(LiveSessionState.Ended)));
    }

    [Theory]
    [InlineData("state=paused", "state")]
    [InlineData("state=LIVE", "state")]
    [InlineData("state=", "state")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=201", "limit")]
    [InlineData("before=not-a-cursor", "before")]
    [InlineData("before=AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")] // a cursor of the post feed
    [InlineData("before=BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")] // a cursor of the ended list, for the live one
    [InlineData("state=ended&before=AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "before")] // and the other way round
    public async Task A_directory_request_with_an_unknown_state_a_limit_out_of_range_or_a_cursor_of_another_list_is_a_validation_problem(string query, string field)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        var response = await alice.Http.GetAsync($"/api/streams?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("validation", problem.GetProperty("code").GetString());
        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    [Theory]
    [InlineData("before=AwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("state=ended&before=BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task A_cursor_of_the_list_asked_for_is_accepted(string query)
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");

        // The list's format with the earliest time a cursor holds: nothing started before it.
        var page = await alice.Get($"/api/streams?{query}");

        Assert.Empty(page.GetProperty("items").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, page.GetProperty("cursor").ValueKind);
    }

    [Fact]
    public async Task The_directory_needs_a_signed_in_user()
    {
        var server = await EventChatServer.Instance;
        using var anonymous = server.Http();

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/streams")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/streams?state=ended")).StatusCode);
    }

    private static async Task End(TestUser host, Guid sessionId) =>
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/streams/{sessionId}/end", null)).StatusCode);

    private static async Task<Guid> Start(TestUser host)
    {
        var response = await host.Http.PostAsJsonAsync("/api/streams", new { title = "Live now" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var session = await response.Read<LiveSession>();
        Assert.Equal(host.Id, session.HostId);
        return session.Id;
    }

    private static Guid[] Ids(LiveSessionPage page) => [.. page.Items.Select(s => s.Id)];

    private static Task<JsonElement> Join(Tab tab, Guid sessionId) => tab.Invoke("join-stream", new { sessionId });

    private static Task<JsonElement> NextCount(Tab tab, int count) =>
        tab.Next("stream-viewers", e => e.GetProperty("viewerCount").GetInt32() == count);
}
