using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

[Collection(SecondServerCollection.Name)]
public sealed class Analytics
{
    private static readonly TimeSpan DaemonPatience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Daily_numbers_after_a_known_script_are_exact_and_survive_a_rebuild()
    {
        // Its own database, so every event counted is one this test wrote.
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        var (alice, bob, carol, dave) = (await server.NewUser("alice"), await server.NewUser("bob"), await server.NewUser("carol"), await server.NewUser("dave"));
        var sent = new List<(Guid Sender, DateTimeOffset At)>();
        var waits = new List<(DateTimeOffset RepliedAt, double Seconds)>();
        async Task<DateTimeOffset> Say(TestUser from, object body)
        {
            var at = (await Send(from, body)).GetProperty("message").GetProperty("sentAt").GetDateTimeOffset();
            sent.Add((from.Id, at));
            return at;
        }

        // Direct: alice opens, bob answers (one wait), alice again (not a first reply).
        var first = await Say(alice, new { receiverId = bob.Id, content = "hi bob" });
        var reply = await Say(bob, new { receiverId = alice.Id, content = "hi alice" });
        waits.Add((reply, (reply - first).TotalSeconds));
        await Say(alice, new { receiverId = bob.Id, content = "how are you" });
        // Direct: carol writes twice before alice answers; the wait runs from carol's first message.
        first = await Say(carol, new { receiverId = alice.Id, content = "hey" });
        await Say(carol, new { receiverId = alice.Id, content = "are you there" });
        reply = await Say(alice, new { receiverId = carol.Id, content = "yes" });
        waits.Add((reply, (reply - first).TotalSeconds));
        // Direct: bob and carol, answered.
        first = await Say(bob, new { receiverId = carol.Id, content = "lunch?" });
        reply = await Say(carol, new { receiverId = bob.Id, content = "sure" });
        waits.Add((reply, (reply - first).TotalSeconds));
        // Direct: dave to bob, never answered.
        await Say(dave, new { receiverId = bob.Id, content = "anyone?" });
        // A group: replies there are not first replies of a direct conversation.
        var group = await alice.CreateGroup(bob, carol);
        await Say(carol, new { conversationId = group, content = "standup" });
        await Say(alice, new { conversationId = group, content = "here" });
        await Say(bob, new { conversationId = group, content = "here too" });

        await WaitForDaemon(server);
        var (from, to) = (Day(sent.Min(s => s.At)).AddDays(-1), Day(sent.Max(s => s.At)).AddDays(1));
        var days = (await admin.Get($"/api/analytics/daily?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}")).EnumerateArray().ToList();

        // Every day of the range is listed, the empty ones with zeros.
        Assert.Equal(to.DayNumber - from.DayNumber + 1, days.Count);
        Assert.Equal(from, DateOnly.Parse(days[0].GetProperty("date").GetString()!));
        Assert.Equal(0, days[0].GetProperty("messagesSent").GetInt64());
        Assert.Equal(JsonValueKind.Null, days[0].GetProperty("medianFirstReplySeconds").ValueKind);
        foreach (var day in days)
        {
            var date = DateOnly.Parse(day.GetProperty("date").GetString()!);
            var ofDay = sent.Where(s => Day(s.At) == date).ToList();
            var dayWaits = waits.Where(w => Day(w.RepliedAt) == date).Select(w => w.Seconds).Order().ToList();
            Assert.Equal(ofDay.Count, day.GetProperty("messagesSent").GetInt64());
            Assert.Equal(ofDay.Select(s => s.Sender).Distinct().Count(), day.GetProperty("activeSenders").GetInt32());
            Assert.Equal(dayWaits.Count, day.GetProperty("firstReplies").GetInt32());
            if (dayWaits.Count == 0)
                Assert.Equal(JsonValueKind.Null, day.GetProperty("medianFirstReplySeconds").ValueKind);
            else
                Assert.Equal(Median(dayWaits), day.GetProperty("medianFirstReplySeconds").GetDouble(), 0.001);
        }
        // Four direct conversations and one group (each starts in the same moment as its first message).
        Assert.Equal(5, days.Sum(d => d.GetProperty("conversationsStarted").GetInt64()));
        Assert.Equal(sent.Count, days.Sum(d => d.GetProperty("messagesSent").GetInt64()));

        // The CSV has the same rows under a header.
        var csv = await admin.Http.GetAsync($"/api/analytics/daily.csv?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,messages_sent,active_senders,conversations_started,first_replies,median_first_reply_seconds", lines[0]);
        Assert.Equal(days.Count + 1, lines.Length);
        var busiest = days.MaxBy(d => d.GetProperty("messagesSent").GetInt64());
        var row = lines.Single(l => l.StartsWith(busiest.GetProperty("date").GetString()!, StringComparison.Ordinal)).Split(',');
        Assert.Equal(busiest.GetProperty("messagesSent").GetInt64().ToString(), row[1]);
        Assert.Equal(busiest.GetProperty("activeSenders").GetInt32().ToString(), row[2]);

        // Replayable: rebuilding the analytics projections from the events gives the same numbers.
        var before = (await admin.Get($"/api/analytics/daily?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}")).GetRawText();
        foreach (var name in new[] { "DailyActivity", "DailySender", "FirstReply" })
            Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync($"/api/admin/projections/{name}/rebuild", null)).StatusCode);
        Assert.Equal(before, (await admin.Get($"/api/analytics/daily?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}")).GetRawText());

        foreach (var user in new[] { alice, bob, carol, dave })
            await user.DisposeAsync();
    }

    [Fact]
    public async Task A_live_session_reports_its_peak_viewers_and_chat_messages()
    {
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var host = await server.NewUser("host");
        var started = await host.Http.PostAsJsonAsync("/api/streams", new { title = "Launch" });
        var sessionId = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var viewers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.NewUser("viewer")));
        var tabs = await Task.WhenAll(viewers.Select(v => v.OpenTab()));

        // Three watch at once (the peak), one leaves, a fourth joins: three again, not a new peak.
        for (var i = 0; i < 3; i++)
            Assert.Equal(i + 1, (await tabs[i].Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        await tabs[2].Invoke("leave-stream", new { sessionId });
        Assert.Equal(3, (await tabs[3].Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        await tabs[0].Invoke("stream-chat", new { sessionId, content = "first" });
        await tabs[1].Invoke("stream-chat", new { sessionId, content = "second" });
        var doomed = await tabs[3].Invoke("stream-chat", new { sessionId, content = "spam" });
        var removed = await host.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{doomed.GetProperty("message").GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/streams/{sessionId}/end", null)).StatusCode);

        await WaitForDaemon(server);
        var stats = await admin.Get($"/api/analytics/streams/{sessionId}");

        Assert.Equal(sessionId, stats.GetProperty("sessionId").GetGuid());
        Assert.Equal(3, stats.GetProperty("peakViewers").GetInt32());
        Assert.Equal(3, stats.GetProperty("chatMessages").GetInt64());
        Assert.Equal(1, stats.GetProperty("removedMessages").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, stats.GetProperty("endedAt").ValueKind);
        // Only new highs were stored: 1, 2 and 3 viewers.
        Assert.Equal(3, await PeakEvents(server, sessionId));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/api/analytics/streams/{Guid.CreateVersion7()}")).StatusCode);
        foreach (var viewer in viewers)
            await viewer.DisposeAsync();
    }

    [Fact]
    public async Task Live_sessions_started_in_a_range_of_days_are_listed_oldest_first_with_their_numbers()
    {
        // Its own database, so that every session listed is one this test started.
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var host = await server.NewUser("host");
        await using var viewer = await server.NewUser("viewer");
        var started = new List<JsonElement>();
        foreach (var title in new[] { "Morning", "Noon", "Evening" })
            started.Add(await (await host.Http.PostAsJsonAsync("/api/streams", new { title })).Content.ReadFromJsonAsync<JsonElement>());
        var noon = started[1].GetProperty("id").GetGuid();
        var tab = await viewer.OpenTab();
        await tab.Invoke("join-stream", new { sessionId = noon });
        await tab.Invoke("stream-chat", new { sessionId = noon, content = "hello" });
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/streams/{noon}/end", null)).StatusCode);
        await WaitForDaemon(server);
        var (first, last) = (Day(started[0].GetProperty("startedAt").GetDateTimeOffset()), Day(started[^1].GetProperty("startedAt").GetDateTimeOffset()));

        var listed = (await admin.Get($"/api/analytics/streams?from={first:yyyy-MM-dd}&to={last:yyyy-MM-dd}")).EnumerateArray().ToList();

        Assert.Equal(started.Select(s => s.GetProperty("id").GetGuid()), listed.Select(s => s.GetProperty("sessionId").GetGuid()));
        Assert.Equal(listed.Select(s => s.GetProperty("startedAt").GetDateTimeOffset()).Order(), listed.Select(s => s.GetProperty("startedAt").GetDateTimeOffset()));
        // Each as GET /api/analytics/streams/{id} answers it.
        foreach (var session in listed)
            Assert.Equal((await admin.Get($"/api/analytics/streams/{session.GetProperty("sessionId")}")).GetRawText(), session.GetRawText());
        var ended = listed[1];
        Assert.Equal((host.Id, "Noon", 1, 1L, 0L), (ended.GetProperty("hostId").GetGuid(), ended.GetProperty("title").GetString(),
            ended.GetProperty("peakViewers").GetInt32(), ended.GetProperty("chatMessages").GetInt64(), ended.GetProperty("removedMessages").GetInt64()));
        Assert.NotEqual(JsonValueKind.Null, ended.GetProperty("endedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, listed[0].GetProperty("endedAt").ValueKind);
        // Days are whole UTC days: the days before the first session list none of them, and the default 30 days end today.
        Assert.Empty((await admin.Get($"/api/analytics/streams?from={first.AddDays(-7):yyyy-MM-dd}&to={first.AddDays(-1):yyyy-MM-dd}")).EnumerateArray());
        Assert.Equal(3, (await admin.Get("/api/analytics/streams")).GetArrayLength());
        await tab.DisposeAsync();
    }

    [Fact]
    public async Task A_day_stored_while_its_active_senders_were_a_list_inside_it_still_reads()
    {
        // Until active senders became DailySender rows, each day's document also held them as "senderIds". Upgraded
        // databases keep such documents until DailyActivity is rebuilt, and their counters must still be served.
        var server = await EventChatServer.Instance;
        var admin = await server.Admin;
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        const string day = "2001-02-03";
        await using (var session = store.LightweightSession())
        {
            session.Store(new DailyActivity(day, MessagesSent: 7, ConversationsStarted: 2));
            await session.SaveChangesAsync();
        }
        await using (var connection = store.Storage.Database.CreateConnection())
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "update mt_doc_dailyactivity set data = data || jsonb_build_object('senderIds', jsonb_build_array(@a, @b)) where id = @day", connection);
            command.Parameters.AddWithValue("a", Guid.CreateVersion7().ToString());
            command.Parameters.AddWithValue("b", Guid.CreateVersion7().ToString());
            command.Parameters.AddWithValue("day", day);
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var row = (await admin.Get($"/api/analytics/daily?from={day}&to={day}")).EnumerateArray().Single();

        Assert.Equal(7, row.GetProperty("messagesSent").GetInt64());
        Assert.Equal(2, row.GetProperty("conversationsStarted").GetInt64());
        // The old list is not read: active senders are the day's DailySender rows, which the daemon builds from the events.
        Assert.Equal(0, row.GetProperty("activeSenders").GetInt64());
    }

    [Fact]
    public async Task Only_admins_may_read_analytics()
    {
        var server = await EventChatServer.Instance;
        await using var alice = await server.NewUser("alice");
        var moderator = await server.Moderator;
        using var anonymous = server.Http();

        foreach (var path in new[] { "/api/analytics/daily", "/api/analytics/daily.csv", "/api/analytics/streams", $"/api/analytics/streams/{Guid.CreateVersion7()}" })
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await alice.Http.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await moderator.Http.GetAsync(path)).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(path)).StatusCode);
        }
    }

    [Fact]
    public async Task Daily_analytics_default_to_the_last_thirty_days()
    {
        var admin = await (await EventChatServer.Instance).Admin;

        var days = (await admin.Get("/api/analytics/daily")).EnumerateArray().Select(d => DateOnly.Parse(d.GetProperty("date").GetString()!)).ToList();
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(30, days.Count);
        Assert.True(days[^1] == today || days[^1] == today.AddDays(-1));
        Assert.Equal(days[^1].AddDays(-29), days[0]);
    }

    [Theory]
    [InlineData("/api/analytics/daily")]
    [InlineData("/api/analytics/streams")]
    public async Task A_range_of_days_that_runs_backwards_is_too_long_or_is_no_date_is_refused(string path)
    {
        var admin = await (await EventChatServer.Instance).Admin;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        foreach (var query in new[]
        {
            "from=2026-03-02&to=2026-03-01", "from=2024-01-01&to=2026-01-01", "from=yesterday", "to=someday",
            // With an end left out, the range is checked once today fills it in.
            $"from={today.AddDays(2):yyyy-MM-dd}", $"from={today.AddDays(-400):yyyy-MM-dd}",
        })
        {
            var refused = await admin.Http.GetAsync($"{path}?{query}");
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{path}?{query} answered {refused.StatusCode}");
            Assert.Equal("validation", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }
    }

    private static DateOnly Day(DateTimeOffset at) => DateOnly.FromDateTime(at.UtcDateTime);

    private static double Median(List<double> sorted) =>
        sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

    // Marten's own wait: returns once every async shard has caught up with the newest event, never a sleep.
    private static Task WaitForDaemon(EventChatServer server) =>
        server.App.Services.GetRequiredService<IDocumentStore>().WaitForNonStaleProjectionDataAsync(DaemonPatience);

    private static async Task<int> PeakEvents(EventChatServer server, Guid sessionId)
    {
        await using var session = server.App.Services.GetRequiredService<IDocumentStore>().QuerySession();
        return (await session.Events.FetchStreamAsync(sessionId)).Count(e => e.EventTypeName == "stream_viewer_peak_reached");
    }
}
