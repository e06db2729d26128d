using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventChat.Api;
using EventChat.Application.Admin;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

/// <summary>
/// The bulk rebuild of <see cref="MessageView"/>, page by page (Replay covers one page, through the admin endpoint), and
/// what the projection status shows of a rebuild while it runs.
/// </summary>
[Collection(SecondServerCollection.Name)]
public sealed class Rebuilds
{
    [Fact]
    public async Task A_message_edited_or_deleted_pages_after_it_was_sent_is_rebuilt_as_it_is_live()
    {
        // Its own database: the rebuild empties a read model other tests read.
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var sent = new List<Guid>();
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "first" }));
        sent.Add(MessageId(await Send(alice, new { conversationId, content = "second" })));
        for (var i = 0; i < 4; i++)
            await Send(bob, new { conversationId, content = $"filler {i}" });
        // Edited twice and deleted in later pages than the one they were sent in (pages of two events).
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent[0]}", new { content = "second, edited" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.Http.PatchAsJsonAsync($"/api/chat/messages/{sent[0]}", new { content = "second, edited again" })).StatusCode);
        var doomed = MessageId(await Send(alice, new { conversationId, content = "doomed" }));
        await Send(bob, new { conversationId, content = "last" });
        Assert.Equal(HttpStatusCode.NoContent, (await alice.Http.DeleteAsync($"/api/chat/messages/{doomed}")).StatusCode);
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        var live = await Documents(store);
        var reports = new List<RebuildProgress>();

        var applied = await new MessageViewRebuild(store, pageSize: 2).Run(new Recorded(reports), CancellationToken.None);

        Assert.Equal(JsonSerializer.Serialize(live), JsonSerializer.Serialize(await Documents(store)));
        // Stored sealed, so the texts are not comparable here; the marks of the edit and the delete are.
        Assert.NotNull(live.Single(v => v.Id == sent[0]).EditedAt);
        Assert.NotNull(live.Single(v => v.Id == doomed).DeletedAt);
        // Eight messages, two edits and a delete, in pages of two, each page reported as it is written.
        Assert.Equal(11, applied);
        Assert.Equal([2, 4, 6, 8, 10, 11], reports.Select(r => r.Done));
        Assert.All(reports, r => Assert.Equal(11, r.Total));
    }

    [Fact]
    public async Task The_rebuild_command_names_what_it_does_not_know_and_rebuilds_and_reports_what_it_does()
    {
        await using var server = await EventChatServer.StartIsolated();
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "hello" }));
        await Send(bob, new { conversationId, content = "hi" });
        var store = server.App.Services.GetRequiredService<IDocumentStore>();
        var live = JsonSerializer.Serialize(await Documents(store));
        var (output, errors) = (new StringWriter(), new StringWriter());

        Assert.Equal(2, await ProjectionRebuildCommand.Run(store, ["MesageView"], output, errors));
        Assert.Contains("No projection named MesageView. The projections: ", errors.ToString());
        Assert.Contains("MessageView", errors.ToString());
        Assert.Equal("", output.ToString());

        Assert.Equal(0, await ProjectionRebuildCommand.Run(store, ["messageview"], output, errors));
        Assert.Equal(live, JsonSerializer.Serialize(await Documents(store)));
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("MessageView: rebuilding...", lines[0]);
        Assert.StartsWith("MessageView: 2 of 2 events, ", lines[1]);
        Assert.StartsWith("MessageView: rebuilt in ", lines[2]);
        Assert.StartsWith("Rebuilt 1 projection(s) in ", lines[3]);
    }

    [Theory]
    [InlineData(nameof(MessageView), "mt_doc_messageview")]
    [InlineData("DailyActivity", "mt_doc_dailyactivity")]
    public async Task While_a_rebuild_runs_the_status_shows_it_and_a_second_rebuild_of_it_is_refused(string name, string table)
    {
        // Its own database: the rebuild empties a read model other tests read, and the lock below would stall them.
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "first" }));
        await Send(bob, new { conversationId, content = "second" });
        await server.AsyncProjectionsCaughtUp();
        var before = DateTimeOffset.UtcNow;
        // Emptying the read model is the rebuild's first write; a lock that lets readers in and no writer holds it there.
        await using var connection = await server.OpenDatabase();
        await using var holding = await connection.BeginTransactionAsync();
        await new NpgsqlCommand($"lock table {table} in share mode", connection, holding).ExecuteNonQueryAsync();

        var rebuilding = admin.Http.PostAsync($"/api/admin/projections/{name}/rebuild", null);
        // Held before it has applied anything. The bulk rebuild counts the message events once the old documents are
        // gone; a rebuild by the daemon replays up to the high-water mark it reads first.
        var counted = name != nameof(MessageView);
        var running = Row(await StatusWhen(admin, status => Row(status, name).GetProperty("rebuild") is { ValueKind: JsonValueKind.Object } rebuild
            && rebuild.GetProperty("total").ValueKind == (counted ? JsonValueKind.Number : JsonValueKind.Null), $"{name} shows as rebuilding"), name).GetProperty("rebuild");
        var again = await admin.Http.PostAsync($"/api/admin/projections/{name.ToLowerInvariant()}/rebuild", null);
        await holding.RollbackAsync();
        var rebuilt = await rebuilding;

        Assert.InRange(running.GetProperty("startedAt").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
        Assert.Equal(0, running.GetProperty("done").GetInt64());
        if (counted)
            Assert.InRange(running.GetProperty("total").GetInt64(), 1, await server.Head());
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("conflict", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, rebuilt.StatusCode);
        Assert.Equal(name, (await rebuilt.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("name").GetString());
        await server.AsyncProjectionsCaughtUp();
        var after = Row(await admin.Get("/api/admin/projections/status"), name);
        Assert.Equal(JsonValueKind.Null, after.GetProperty("rebuild").ValueKind);
        Assert.Equal(0, after.GetProperty("lag").GetInt64());
    }

    [Fact]
    public async Task The_status_follows_a_rebuild_page_by_page()
    {
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        var conversationId = ConversationId(await Send(alice, new { receiverId = bob.Id, content = "first" }));
        for (var i = 0; i < 4; i++)
            await Send(bob, new { conversationId, content = $"reply {i}" });
        var store = server.App.Services.GetRequiredService<IDocumentStore>();

        // The rebuild waits for each report to return, so the status read inside one shows that very page.
        var run = server.App.Services.GetRequiredService<RunningRebuilds>().Start(nameof(MessageView))!;
        var status = new StatusReader(run, admin, nameof(MessageView));
        await new MessageViewRebuild(store, pageSize: 2).Run(status, CancellationToken.None);
        run.Dispose();

        Assert.Equal([(2, 5), (4, 5), (5, 5)], status.Seen);
        Assert.Equal(JsonValueKind.Null, Row(await admin.Get("/api/admin/projections/status"), nameof(MessageView)).GetProperty("rebuild").ValueKind);
    }

    [Fact]
    public async Task The_status_follows_a_daemon_rebuild_up_to_the_high_water_mark_it_began_with()
    {
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(alice, new { receiverId = bob.Id, content = "hello" });
        await server.AsyncProjectionsCaughtUp();
        var store = server.App.Services.GetRequiredService<IDocumentStore>();

        // The daemon's shard reports from a thread of its own, each report after the one before: the status read inside
        // one shows that one.
        using var run = server.App.Services.GetRequiredService<RunningRebuilds>().Start("DailyActivity")!;
        var status = new StatusReader(run, admin, "DailyActivity");
        await store.Rebuild("DailyActivity", status, CancellationToken.None);
        var seen = status.Seen;

        // From the start of the event store to the high-water mark, which every report gives as the total, forward only.
        var total = seen[0].Total!.Value;
        Assert.InRange(total, 1, await server.Head());
        Assert.Equal((0, total), seen[0]);
        Assert.Equal((total, total), seen[^1]);
        Assert.All(seen, s => Assert.Equal(total, s.Total));
        Assert.Equal(seen.Select(s => s.Done).Distinct().Order(), seen.Select(s => s.Done));
    }

    private static JsonElement Row(JsonElement status, string name) =>
        status.GetProperty("projections").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    // Read again and again until the status shows what a rebuild held at a known point must show.
    private static async Task<JsonElement> StatusWhen(TestUser admin, Func<JsonElement, bool> shows, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        for (var status = await admin.Get("/api/admin/projections/status"); ; status = await admin.Get("/api/admin/projections/status"))
        {
            if (shows(status))
                return status;
            Assert.True(DateTime.UtcNow < deadline, $"never: {what}; last: {status}");
            await Task.Delay(50);
        }
    }

    /// <summary>Hands each report to the rebuild's run, then reads the status as a UI would, and keeps what it says of the rebuild.</summary>
    private sealed class StatusReader(IProgress<RebuildProgress> run, TestUser admin, string name) : IProgress<RebuildProgress>
    {
        public List<(long Done, long? Total)> Seen { get; } = [];

        public void Report(RebuildProgress value)
        {
            run.Report(value);
            var rebuild = Row(admin.Get("/api/admin/projections/status").GetAwaiter().GetResult(), name).GetProperty("rebuild");
            Seen.Add((rebuild.GetProperty("done").GetInt64(), rebuild.GetProperty("total").GetInt64()));
        }
    }

    private static Guid MessageId(JsonElement delivery) => delivery.GetProperty("message").GetProperty("id").GetGuid();

    /// <summary>Every <see cref="MessageView"/> as stored, in id order.</summary>
    private static async Task<IReadOnlyList<MessageView>> Documents(IDocumentStore store)
    {
        await using var session = store.QuerySession();
        return await session.Query<MessageView>().OrderBy(v => v.Id).ToListAsync();
    }

    private sealed class Recorded(List<RebuildProgress> reports) : IProgress<RebuildProgress>
    {
        public void Report(RebuildProgress value) => reports.Add(value);
    }
}
