using System.Text.Json;
using EventChat.Domain.Conversations;
using EventChat.Domain.Posts;
using EventChat.Domain.Streams;
using EventChat.Domain.Users;
using EventChat.IntegrationTests.Infrastructure;
using EventChat.Projections;
using Marten.Events.Daemon.Coordination;
using Microsoft.Extensions.DependencyInjection;
using static EventChat.IntegrationTests.Messaging;

namespace EventChat.IntegrationTests;

[Collection(SecondServerCollection.Name)]
public sealed class Projections
{
    // Marten hands a projection only the event types its methods name; an event the aggregate's Apply handles but its
    // snapshot leaves out would be skipped without a word: LastSequence would stop counting it and message numbers
    // drift from the stream, or a role change never reach the stored account. (The aggregates' own Apply is checked
    // by the domain test EveryEventIsApplied.)
    [Theory]
    [InlineData(typeof(IConversationEvent), typeof(ConversationSnapshot))]
    [InlineData(typeof(ILiveSessionEvent), typeof(LiveSessionSnapshot))]
    [InlineData(typeof(IPostEvent), typeof(PostSnapshot))]
    [InlineData(typeof(IUserAccountEvent), typeof(UserAccountSnapshot))]
    public void A_write_model_snapshot_forwards_every_event_of_its_stream(Type streamEvent, Type snapshot)
    {
        var events = streamEvent.Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && streamEvent.IsAssignableFrom(t));
        var forwarded = snapshot.GetMethods()
            .Where(m => m.Name is "Create" or "Apply")
            .Select(m => m.GetParameters()[0].ParameterType);

        Assert.Empty(events.Except(forwarded).Select(t => t.Name));
    }

    [Fact]
    public async Task The_status_lists_every_read_model_and_daemon_shard_caught_up_and_counts_what_the_paused_daemon_has_not_applied()
    {
        // Its own database, so that nothing but this test appends while it measures.
        await using var server = await EventChatServer.StartIsolated();
        var admin = await server.Admin;
        await using var alice = await server.NewUser("alice");
        await using var bob = await server.NewUser("bob");
        await Send(alice, new { receiverId = bob.Id, content = "hi" });
        await server.AsyncProjectionsCaughtUp();
        var rebuildable = (await admin.Get("/api/admin/projections")).EnumerateArray().Select(n => n.GetString()!).ToList();

        var status = await admin.Get("/api/admin/projections/status");

        var head = await server.Head();
        Assert.Equal(head, status.GetProperty("highWaterMark").GetInt64());
        var rows = status.GetProperty("projections").EnumerateArray().ToList();
        Assert.Equal(rebuildable.Order(), rows.Where(r => r.GetProperty("rebuildable").GetBoolean()).Select(r => r.GetProperty("name").GetString()!).Order());
        Assert.All(rows, row =>
        {
            Assert.Equal(head, row.GetProperty("position").GetInt64());
            Assert.Equal(0, row.GetProperty("lag").GetInt64());
            Assert.Equal(JsonValueKind.Null, row.GetProperty("rebuild").ValueKind);
        });
        Assert.Equal((nameof(MessageView), "inline", JsonValueKind.Null), Describe(rows.Single(r => r.GetProperty("name").GetString() == nameof(MessageView))));
        Assert.Equal(("DailyActivity", "async", JsonValueKind.String), Describe(rows.Single(r => r.GetProperty("shard").GetString() == "DailyActivity:All")));
        // The webhook outbox is a shard of the daemon too, with nothing to rebuild.
        var outbox = rows.Single(r => r.GetProperty("shard").GetString() == "WebhookOutbox:All");
        Assert.Equal(("WebhookOutbox", "async", JsonValueKind.String), Describe(outbox));
        Assert.False(outbox.GetProperty("rebuildable").GetBoolean());

        // With the daemon paused, what is appended now is exactly how far every async shard falls behind; inline ones keep up.
        var daemon = server.App.Services.GetRequiredService<IProjectionCoordinator>();
        await daemon.PauseAsync();
        await Send(alice, new { receiverId = bob.Id, content = "unprojected" });
        var behind = await admin.Get("/api/admin/projections/status");
        await daemon.ResumeAsync();

        var appended = await server.Head() - head;
        Assert.True(appended > 0);
        Assert.All(behind.GetProperty("projections").EnumerateArray(), row =>
            Assert.Equal(row.GetProperty("kind").GetString() == "async" ? appended : 0, row.GetProperty("lag").GetInt64()));
        await server.AsyncProjectionsCaughtUp();
        Assert.All((await admin.Get("/api/admin/projections/status")).GetProperty("projections").EnumerateArray(), row => Assert.Equal(0, row.GetProperty("lag").GetInt64()));
    }

    private static (string?, string?, JsonValueKind) Describe(JsonElement row) =>
        (row.GetProperty("name").GetString(), row.GetProperty("kind").GetString(), row.GetProperty("shard").ValueKind);
}
