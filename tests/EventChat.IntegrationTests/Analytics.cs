using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Client;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Marten.Events;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// The admin's analytics. They have no SDK call or record: each answer is read strictly (<see cref="Typed"/>) as the
/// test's own record, so a zero or a null is a field that says so, not one that is missing. The stream-chat and
/// join-stream answers (no SDK record) and problem details stay JSON.
/// </summary>
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
            var at = (await SendTyped(from, body)).Message.SentAt;
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
        var days = await admin.Get<DailyNumbers[]>($"/api/analytics/daily?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");

        // Every day of the range is listed, the empty ones with zeros.
        Assert.Equal(to.DayNumber - from.DayNumber + 1, days.Length);
        Assert.Equal(from, days[0].Date);
        Assert.Equal(0, days[0].MessagesSent);
        Assert.Null(days[0].MedianFirstReplySeconds);
        foreach (var day in days)
        {
            var ofDay = sent.Where(s => Day(s.At) == day.Date).ToList();
            var dayWaits = waits.Where(w => Day(w.RepliedAt) == day.Date).Select(w => w.Seconds).Order().ToList();
            Assert.Equal(ofDay.Count, day.MessagesSent);
            Assert.Equal(ofDay.Select(s => s.Sender).Distinct().Count(), day.ActiveSenders);
            Assert.Equal(dayWaits.Count, day.FirstReplies);
            if (dayWaits.Count == 0)
                Assert.Null(day.MedianFirstReplySeconds);
            else
                Assert.Equal(Median(dayWaits), Assert.NotNull(day.MedianFirstReplySeconds), 0.001);
        }
        // Four direct conversations and one group (each starts in the same moment as its first message).
        Assert.Equal(5, days.Sum(d => d.ConversationsStarted));
        Assert.Equal(sent.Count, days.Sum(d => d.MessagesSent));

        // The CSV has the same rows under a header.
        var csv = await admin.Http.GetAsync($"/api/analytics/daily.csv?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        var lines = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("date,messages_sent,active_senders,conversations_started,first_replies,median_first_reply_seconds", lines[0]);
        Assert.Equal(days.Length + 1, lines.Length);
        var busiest = days.MaxBy(d => d.MessagesSent)!;
        var row = lines.Single(l => l.StartsWith($"{busiest.Date:yyyy-MM-dd},", StringComparison.Ordinal)).Split(',');
        Assert.Equal(busiest.MessagesSent.ToString(), row[1]);
        Assert.Equal(busiest.ActiveSenders.ToString(), row[2]);

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
        var sessionId = (await host.Client.StartLiveSessionAsync("Launch")).Id;
        var viewers = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => server.NewUser("viewer")));
        var tabs = await Task.WhenAll(viewers.Select(v => v.OpenTab()));

        // Three watch at once (the peak), one leaves, a fourth joins: three again, not a new peak.
        for (var i = 0; i < 3; i++)
            Assert.Equal(i + 1, (await tabs[i].Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        await tabs[2].Invoke("leave-stream", new { sessionId });
        Assert.Equal(3, (await tabs[3].Invoke("join-stream", new { sessionId })).GetProperty("viewerCount").GetInt32());
        await tabs[0].Invoke("stream-chat", new { sessionId, content = "first" });
        await tabs[1].Invoke("stream-chat", new { sessionId, content = "second" });
        // The join-stream and stream-chat answers have no SDK record.
        var doomed = await tabs[3].Invoke("stream-chat", new { sessionId, content = "spam" });
        var removed = await host.Http.DeleteAsync($"/api/streams/{sessionId}/messages/{doomed.GetProperty("message").GetProperty("id").GetGuid()}");
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/streams/{sessionId}/end", null)).StatusCode);

        await WaitForDaemon(server);
        var stats = await admin.Get<StreamNumbers>($"/api/analytics/streams/{sessionId}");

        Assert.Equal(sessionId, stats.SessionId);
        Assert.Equal(3, stats.PeakViewers);
        Assert.Equal(3, stats.ChatMessages);
        Assert.Equal(1, stats.RemovedMessages);
        Assert.NotNull(stats.EndedAt);
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
        var started = new List<LiveSession>();
        foreach (var title in new[] { "Morning", "Noon", "Evening" })
            started.Add(await host.Client.StartLiveSessionAsync(title));
        var noon = started[1].Id;
        var tab = await viewer.OpenTab();
        await tab.Invoke("join-stream", new { sessionId = noon });
        await tab.Invoke("stream-chat", new { sessionId = noon, content = "hello" });
        Assert.Equal(HttpStatusCode.OK, (await host.Http.PostAsync($"/api/streams/{noon}/end", null)).StatusCode);
        await WaitForDaemon(server);
        var (first, last) = (Day(started[0].StartedAt), Day(started[^1].StartedAt));

        // Kept as JSON too, to compare each byte for byte with the single session's answer.
        var listedJson = (await admin.Get($"/api/analytics/streams?from={first:yyyy-MM-dd}&to={last:yyyy-MM-dd}")).EnumerateArray().ToList();
        var listed = listedJson.Select(s => s.As<StreamNumbers>()).ToList();

        Assert.Equal(started.Select(s => s.Id), listed.Select(s => s.SessionId));
        Assert.Equal(listed.Select(s => s.StartedAt).Order(), listed.Select(s => s.StartedAt));
        // Each as GET /api/analytics/streams/{id} answers it.
        foreach (var (session, json) in listed.Zip(listedJson))
            Assert.Equal((await admin.Get($"/api/analytics/streams/{session.SessionId}")).GetRawText(), json.GetRawText());
        var ended = listed[1];
        Assert.Equal((host.Id, "Noon", 1, 1L, 0L), (ended.HostId, ended.Title, ended.PeakViewers, ended.ChatMessages, ended.RemovedMessages));
        Assert.NotNull(ended.EndedAt);
        Assert.Null(listed[0].EndedAt);
        // Days are whole UTC days: the days before the first session list none of them, and the default 30 days end today.
        Assert.Empty(await admin.Get<StreamNumbers[]>($"/api/analytics/streams?from={first.AddDays(-7):yyyy-MM-dd}&to={first.AddDays(-1):yyyy-MM-dd}"));
        Assert.Equal(3, (await admin.Get<StreamNumbers[]>("/api/analytics/streams")).Length);
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

        var row = Assert.Single(await admin.Get<DailyNumbers[]>($"/api/analytics/daily?from={day}&to={day}"));

        Assert.Equal(7, row.MessagesSent);
        Assert.Equal(2, row.ConversationsStarted);
        // The old list is not read: active senders are the day's DailySender rows, which the daemon builds from the events.
        Assert.Equal(0, row.ActiveSenders);
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

        var days = (await admin.Get<DailyNumbers[]>("/api/analytics/daily")).Select(d => d.Date).ToList();
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

    // The test's own records, read strictly: no parameter has a default, so each field must be there, null or not.
    /// <summary>A row of <c>GET /api/analytics/daily</c>.</summary>
    private sealed record DailyNumbers(DateOnly Date, long MessagesSent, long ActiveSenders, long ConversationsStarted, int FirstReplies, double? MedianFirstReplySeconds);

    /// <summary>A live session's numbers, as <c>GET /api/analytics/streams</c> lists them and <c>/streams/{id}</c> answers one.</summary>
    private sealed record StreamNumbers(Guid SessionId, Guid HostId, string Title, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int PeakViewers, long ChatMessages, long RemovedMessages);

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
